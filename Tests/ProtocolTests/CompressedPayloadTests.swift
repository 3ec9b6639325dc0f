import Protocol
import Testing

@Suite struct CompressedPayloadTests {
    @Test(arguments: CompressedSamples.counts)
    func everyFormRoundTripsInUpdatesAndTasks(count: Int) throws {
        let payloads = CompressedSamples.payloads(count: count)
        #expect(payloads.count == (count == 0 ? 8 : 10))
        for payload in payloads {
            #expect(payload.elementCount == count)
            let update = CompressedSamples.update(payload)
            let frames = Message.update(update).encoded().frames()
            #expect(try Message.decode(frames: frames) == .update(update), "\(payload.codec) d=\(count)")
            #expect(frames[2].count == payload.byteCount)
            #expect(update.encodedByteCount == frames.map(\.count).reduce(0, +))
            let task = Task(round: 1, modelVersion: 2, model: payload, clients: [ClientTask(client: 3)])
            let taskFrames = Message.task(task).encoded().frames()
            #expect(try Message.decode(frames: taskFrames, limits: DecodeLimits(expectedDimension: count)) == .task(task))
            #expect(task.perClientByteCount == taskFrames.map(\.count).reduce(0, +))
        }
    }

    @Test func decodedValuesMatchTheForms() {
        let sparse = SparseValues(count: 6, indices: [1, 4], values: [2, -3])
        #expect(sparse.dense == [0, 2, 0, 0, -3, 0])
        let levels = PackedLevels(levelCount: 2, bucketSize: 2, norms: [4, 1, 2], levels: [2, -1, 0, -2, 1])
        #expect(levels.levels == [2, -1, 0, -2, 1])
        #expect(levels.bitsPerLevel == 3)
        #expect(levels.dense == [4, -2, 0, -1, 1])
        let matrix = LowRankMatrix(rows: 2, columns: 3, rank: 1, p: [1, 2], q: [1, 0, -1])
        #expect(matrix.dense == [1, 0, -1, 2, 0, -2])
        #expect(matrix.count == 6)
    }

    @Test func codecIDsAreStable() {
        let ids: [(PayloadCodec, UInt8)] = [
            (.denseFloat32, 1), (.float16, 2), (.sparse, 3), (.packedSigns, 4), (.quantized, 5), (.voteCounts, 6),
            (.ternary, 7), (.sharedSparse, 8), (.scaledSigns, 9), (.powersOfTwo, 10), (.lowRank, 11),
            (.scaledTernary, 12), (.lowRankBlocks, 13),
        ]
        for (codec, id) in ids { #expect(codec.rawValue == id) }
        #expect(PayloadCodec.allCases.count == ids.count)
        for payload in CompressedSamples.payloads(count: 5) { #expect(payload.codecID == payload.codec.rawValue) }
    }

    // MARK: - Sizes against the spec

    /// Payload frame + the scalars the spec counts = ⌈spec bits / 8⌉ exactly; the rest of the
    /// parameter block (k of shared sparse, s and bucket size, the low-rank shape) is framing of at
    /// most 12 bytes.
    @Test(arguments: CompressedSamples.counts)
    func sizesMatchTheSpecFormulas(count: Int) {
        for payload in CompressedSamples.payloads(count: count) {
            let parameterBytes = CompressedSamples.update(payload).encodedByteCount - 73 - payload.byteCount
            let counted = CompressedSamples.scalarBytesCountedBySpec(payload)
            let bits = CompressedSamples.specBits(payload)
            #expect(payload.byteCount + counted == (bits + 7) / 8, "\(payload.codec) d=\(count)")
            #expect(parameterBytes >= counted && parameterBytes - counted <= 12, "\(payload.codec)")
        }
    }

    @Test func bitsPerElementOfTheWireSizeFixture() {
        // fixtures/coding-compression/wire-bits-per-element.json, d = 10: fp16 16, natural (GRACE) 8,
        // QSGD one bucket s = 1 → 5.2, s = 4 → 7.2. Codes are padded to whole bytes: ⌈bits / 8⌉.
        let d = 10
        #expect(TensorPayload.float16([UInt16](repeating: 0x3C00, count: d)).byteCount * 8 == 16 * d)
        #expect(TensorPayload.powersOfTwo([UInt8](repeating: 3, count: d)).byteCount * 8 == 8 * d)
        for (s, bitsPerElement) in [(1, 5.2), (4, 7.2)] {
            let payload = TensorPayload.quantized(PackedLevels(levelCount: s, bucketSize: d, norms: [1],
                                                               levels: [Int16](repeating: 1, count: d)))
            let exact = Int((bitsPerElement * Double(d)).rounded())
            #expect(payload.byteCount == (exact + 7) / 8, "s = \(s)")
        }
    }

    // MARK: - Golden bytes

    @Test func sparseGoldenBytes() throws {
        let payload = TensorPayload.sparse(SparseValues(count: 10, indices: [2, 7], values: [1, -2]))
        let frames = updateFrames(payload)
        #expect(Array(frames[1][36...]) == hexBytes("03 0a00000000000000 04000000 02000000"))
        #expect(frames[2] == hexBytes("02000000 07000000 0000803f 000000c0"))
        #expect(try Message.decode(frames: frames) == .update(CompressedSamples.update(payload)))
    }

    @Test func quantizedGoldenBytes() throws {
        // s = 1 → 2-bit codes (sign bit 0, magnitude bit 1): 1 → 2, −1 → 3, 0 → 0.
        // Codes 2, 3, 0, 2 | 0 → byte 0 = 2 + 3·4 + 0·16 + 2·64 = 0x8e, byte 1 = 0x00; then norms 2, 0.5.
        let payload = TensorPayload.quantized(PackedLevels(levelCount: 1, bucketSize: 4, norms: [2, 0.5],
                                                           levels: [1, -1, 0, 1, 0]))
        let frames = updateFrames(payload)
        #expect(Array(frames[1][36...]) == hexBytes("05 0500000000000000 08000000 01000000 04000000"))
        #expect(frames[2] == hexBytes("8e 00 00000040 0000003f"))
        #expect(try Message.decode(frames: frames) == .update(CompressedSamples.update(payload)))
    }

    @Test func scaledSignsGoldenBytes() {
        let payload = TensorPayload.scaledSigns(PackedSigns(signs: [1, -1, -1, 1, 1, -1, -1, 1, 1, 1]), scale: 0.5)
        let frames = updateFrames(payload)
        #expect(Array(frames[1][36...]) == hexBytes("09 0a00000000000000 04000000 0000003f"))
        #expect(frames[2] == hexBytes("99 03"))
    }

    // MARK: - Fuzz

    /// Random bit flips in update messages of every compressed form: either a DecodeError or a
    /// message that re-encodes to exactly the mutated bytes (the encoding stays canonical).
    @Test(arguments: [UInt64(0xFACE), 77])
    func mutationsAreRejectedOrCanonical(seed: UInt64) {
        var rng = TestSplitMix(seed: seed)
        let originals = [3, 9, 13].flatMap(CompressedSamples.payloads(count:)).map(updateFrames)
        var accepted = 0
        var rejected = 0
        for iteration in 0..<1_500 {
            var frames = originals[Int(rng.next() % UInt64(originals.count))]
            for _ in 0..<(1 + Int(rng.next() % 2)) {
                let frame = 1 + Int(rng.next() % 2)
                guard !frames[frame].isEmpty else { continue }
                let byte = Int(rng.next() % UInt64(frames[frame].count))
                frames[frame][byte] ^= 1 << UInt8(rng.next() % 8)
            }
            do {
                let message = try Message.decode(frames: frames)
                accepted += 1
                #expect(message.encoded().frames() == frames, "seed \(seed) iteration \(iteration): non-canonical")
            } catch {
                rejected += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(accepted > 100, "seed \(seed): only \(accepted) mutations accepted")
        #expect(rejected > 100, "seed \(seed): only \(rejected) mutations rejected")
    }
}
