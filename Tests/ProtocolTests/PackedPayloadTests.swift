import Protocol
import Testing

/// Packed signs (codec 4), vote counts (6) and ternary values (7): layout, golden bytes,
/// validation of hostile input, round trips and byte accounting (docs/wire-format.md).
@Suite struct PackedPayloadTests {
    static func update(_ payload: TensorPayload) -> Update {
        Update(round: 3, client: 7, sampleCount: 32, trainLoss: 0.5, wallComputeSeconds: 0.25,
               virtualComputeSeconds: 2, payload: payload)
    }

    static func samples(_ d: Int) -> [TensorPayload] {
        let signs = (0..<d).map { Int8($0 % 3 == 0 ? 1 : -1) }
        return [
            .packedSigns(PackedSigns(signs: signs)),
            .ternary(PackedTernary(values: (0..<d).map { Int8($0 % 3) - 1 })),
            .voteCounts(PackedCounts(voters: 10, counts: (0..<d).map { UInt32($0 % 11) })),
            .voteCounts(PackedCounts(voters: 1, counts: (0..<d).map { UInt32($0 % 2) })),
        ]
    }

    // MARK: - Layout and golden bytes

    @Test func signPolarityIsLSBFirstWithBitOneForPlus() {
        // The fixture README's example: (+1, −1, −1, +1, +1, −1, −1, +1) → 0x99.
        #expect(PackedSigns(signs: [1, -1, -1, 1, 1, -1, -1, 1]).bytes == [0x99])
        #expect(PackedSigns(signs: [1, 0, -1, 1, 1, 1, 1, 1, 1]).bytes == [0b1111_1001, 0b1])
        #expect(PackedSigns(signs: [1, 0, -1]).signs == [1, -1, -1])
        #expect(PackedTernary(values: [1, -1, 0, 1, -1]).bytes == [0b01_00_10_01, 0b10])
        // 10 voters: 4 bits per count, first count in the low nibble.
        #expect(PackedCounts(voters: 10, counts: [3, 10, 0]).bytes == [0xA3, 0x00])
        // 5 voters: 3 bits per count; the third count straddles the byte boundary.
        #expect(PackedCounts(voters: 5, counts: [5, 2, 4]).bytes == [0b00_010_101, 0b1])
    }

    @Test func goldenUpdateWithPackedSigns() throws {
        let update = Self.update(.packedSigns(PackedSigns(signs: [1, -1, -1, 1, 1, -1, -1, 1, 1, 1])))
        let frames = Message.update(update).encoded().frames()
        #expect(frames[0] == hexBytes("47575731 0100 04 00 31000000 01000000 0200000000000000"))
        #expect(Array(frames[1][36...]) == hexBytes("04 0a00000000000000 00000000"))
        #expect(frames[2] == [0x99, 0x03])
        #expect(update.encodedByteCount == 73 + 2)
        #expect(try Message.decode(frames: frames) == .update(update))
    }

    @Test func goldenTaskWithVoteCounts() throws {
        let task = Task(round: 2, modelVersion: 1, model: .voteCounts(PackedCounts(voters: 3, counts: [3, 0, 1, 2])),
                        clients: [ClientTask(client: 5)])
        let frames = Message.task(task).encoded().frames()
        // Descriptor: codec 6, 4 elements, 4 parameter bytes, N = 3; 2 bits per count.
        #expect(Array(frames[1][12..<29]) == hexBytes("06 0400000000000000 04000000 03000000"))
        #expect(frames[2] == [0b10_01_00_11])
        #expect(task.perClientByteCount == 69 + 4 + 1)
        #expect(task.perClientByteCount == Message.task(task).encoded().totalBytes)
        #expect(try Message.decode(frames: frames) == .task(task))
    }

    // MARK: - Round trips and accounting

    @Test(arguments: [0, 1, 7, 8, 9, 1000])
    func roundTripsAndByteCounts(d: Int) throws {
        for payload in Self.samples(d) {
            let update = Self.update(payload)
            let encoded = Message.update(update).encoded()
            #expect(update.encodedByteCount == encoded.totalBytes)
            #expect(try Message.decode(frames: encoded.frames(), limits: DecodeLimits(expectedDimension: d)) == .update(update))
            let task = Task(round: 1, modelVersion: 0, model: payload, clients: [ClientTask(client: 1)])
            #expect(task.perClientByteCount == Message.task(task).encoded().totalBytes)
            #expect(try Message.decode(frames: Message.task(task).encoded().frames()) == .task(task))
        }
        // Spec §5.2 / §5.5 sizes plus framing: 73 (update), 69 (task) + 4 parameter bytes for counts.
        #expect(Self.update(.packedSigns(PackedSigns(signs: [Int8](repeating: 1, count: d)))).encodedByteCount == 73 + (d + 7) / 8)
        #expect(Self.update(.ternary(PackedTernary(values: [Int8](repeating: 0, count: d)))).encodedByteCount == 73 + (d + 3) / 4)
        let counts = PackedCounts(voters: 10, counts: [UInt32](repeating: 10, count: d))
        #expect(Task(round: 1, modelVersion: 0, model: .voteCounts(counts), clients: []).perClientByteCount == 73 + (4 * d + 7) / 8)
    }

    // MARK: - Hostile input

    @Test func paddingBitsMustBeZero() {
        var frames = Message.update(Self.update(.packedSigns(PackedSigns(signs: [1, 1, 1])))).encoded().frames()
        frames[2][0] |= 0b1000
        #expect(decodeError(frames) == .invalidValue(field: "update.payload", reason: "padding bits after sign 3 of the last byte must be 0"))
        var ternary = Message.update(Self.update(.ternary(PackedTernary(values: [1, 0])))).encoded().frames()
        ternary[2][0] |= 0b01_0000
        #expect(decodeError(ternary) == .invalidValue(field: "update.payload", reason: "padding bits after value 2 of the last byte must be 0"))
        var counts = Message.update(Self.update(.voteCounts(PackedCounts(voters: 3, counts: [1])))).encoded().frames()
        counts[2][0] |= 0b100
        #expect(decodeError(counts) == .invalidValue(field: "update.payload", reason: "padding bits after count 1 of the last byte must be 0"))
    }

    @Test func invalidCodesAndCountsAreRejected() {
        var ternary = Message.update(Self.update(.ternary(PackedTernary(values: [1, 0, -1, 0])))).encoded().frames()
        ternary[2][0] |= 0b11_0000  // code 3 at coordinate 2
        #expect(decodeError(ternary) == .invalidValue(field: "update.payload", reason: "invalid ternary code 3 in byte 0"))
        // N = 5 (3 bits): a count of 6 or 7 is impossible.
        var counts = Message.update(Self.update(.voteCounts(PackedCounts(voters: 5, counts: [5, 0])))).encoded().frames()
        counts[2][0] = 0b000_111
        #expect(decodeError(counts) == .invalidValue(field: "update.payload", reason: "count 7 at index 0 exceeds the 5 voters"))
    }

    @Test func lengthsAndParametersAreChecked() {
        let frames = Message.update(Self.update(.packedSigns(PackedSigns(signs: [1, 1, 1, 1, 1, 1, 1, 1, 1])))).encoded().frames()
        var short = frames
        short[2].removeLast()
        #expect(decodeError(reheadered(short)) == .lengthMismatch(frame: 3, declared: 2, actual: 1))
        var withParameters = frames
        withParameters[1].replaceSubrange(45..<49, with: littleEndianBytes(UInt32(1)))
        withParameters[1].append(0)
        #expect(decodeError(reheadered(withParameters)) == .invalidValue(
            field: "update.payload.parameters", reason: "packed-sign payloads take no parameters, found 1 bytes"))
        // Vote counts: N = 0 and N > 2^16 are refused; the parameter block must be 4 bytes.
        var counts = Message.update(Self.update(.voteCounts(PackedCounts(voters: 3, counts: [1, 2])))).encoded().frames()
        counts[1].replaceSubrange(49..<53, with: littleEndianBytes(UInt32(0)))
        #expect(decodeError(counts) == .invalidValue(field: "update.payload.parameters.voters", reason: "0 voters; vote counts hold 1 … 65536"))
        counts[1].replaceSubrange(49..<53, with: littleEndianBytes(UInt32(65_537)))
        #expect(decodeError(counts) == .invalidValue(field: "update.payload.parameters.voters", reason: "65537 voters; vote counts hold 1 … 65536"))
        #expect(decodeError(frames, limits: DecodeLimits(expectedDimension: 8)) == .dimensionMismatch(expected: 8, found: 9))
    }

    /// Mutation fuzzing of the packed forms: every accepted mutation re-encodes to the same bytes.
    @Test func mutationsAreRejectedOrCanonical() {
        var rng = TestSplitMix(seed: 4242)
        let originals = Self.samples(13).map { Message.update(Self.update($0)).encoded().frames() }
        var accepted = 0, rejected = 0
        for _ in 0..<2_000 {
            var frames = originals[Int(rng.next() % UInt64(originals.count))]
            let frame = rng.next() % 2 == 0 ? 2 : 1
            let byte = Int(rng.next() % UInt64(frames[frame].count))
            frames[frame][byte] ^= 1 << UInt8(rng.next() % 8)
            if let message = try? Message.decode(frames: frames) {
                accepted += 1
                #expect(message.encoded().frames() == frames)
            } else {
                rejected += 1
            }
        }
        #expect(accepted > 100 && rejected > 100, "accepted \(accepted), rejected \(rejected)")
    }
}
