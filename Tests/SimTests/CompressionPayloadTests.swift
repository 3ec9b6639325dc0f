// CompressedTensor ↔ TensorPayload: every compressor's output survives the conversion and the wire
// codec unchanged, random-k's indices are re-derived from the shared key, the downlink copy is
// identical on both sides, and hostile payloads are refused with a typed error.

@testable import Sim
import Protocol
import Testing

@Suite struct CompressionPayloadTests {
    static let d = 600  // 20 × 30 for PowerSGD

    static let compressors: [(String, any Compressor)] = [
        ("none", NoCompression()), ("fp16", Float16Compression()), ("topk", TopK(ratio: 0.05)),
        ("randomk", RandomK(ratio: 0.05, scaled: true)), ("threshold", ThresholdSparsifier(threshold: 1.5)),
        ("dgc", DeepGradientCompression(ratio: 0.05)), ("qsgd", QSGD(levels: 4, bucketSize: 128)),
        ("terngrad", TernGrad()), ("signsgd", SignSGD()), ("scaled-sign", ScaledSign()),
        ("natural", NaturalCompression()), ("powersgd", PowerSGD(rows: 20, columns: 30, rank: 3)),
        ("topk+ef", ErrorFeedback(TopK(ratio: 0.01))),
        ("powersgd-per-layer", LayerwisePowerSGD(rank: 3, blocks: [
            .init(offset: 0, rows: 20, columns: 25, isMatrix: true), .init(offset: 500, rows: 1, columns: 25, isMatrix: false),
            .init(offset: 525, rows: 5, columns: 15, isMatrix: true),
        ])),
    ]

    static func key(round: UInt64 = 3) -> RandomKey {
        CompressionRandom.key(seed: 9, round: round, client: 0, randomness: .shared)
    }

    /// Compresses a seeded vector with the key every client of round 3 shares (shared randomness)
    /// or client 5's key.
    static func compressed(_ compressor: any Compressor) -> CompressedTensor {
        let x = CompressionPropertyTests.vector(d, seed: 4)
        var memory = CompressionMemory()
        var random = CompressionRandom(key: CompressionRandom.key(seed: 9, round: 3, client: 5,
                                                                  randomness: compressor.randomness))
        return compressor.compress(x, memory: &memory, random: &random)
    }

    @Test(arguments: compressors.map(\.0))
    func everyFormRoundTripsThroughThePayloadAndTheWire(name: String) throws {
        let compressor = try #require(Self.compressors.first { $0.0 == name }?.1)
        let tensor = Self.compressed(compressor)
        let payload = tensor.payload
        #expect(payload.elementCount == Self.d)
        let back = try CompressedTensor(payload: payload, sharedKey: Self.key())
        #expect(back == tensor)
        #expect(try payload.decompressed(expectedCount: Self.d, sharedKey: Self.key()) == tensor.decode())
        // Through the wire codec of an update message, too.
        let update = Update(round: 3, client: 5, sampleCount: 1, trainLoss: 0, wallComputeSeconds: 0,
                            virtualComputeSeconds: 0, payload: payload)
        let encoded = Message.update(update).encoded()
        #expect(encoded.totalBytes == update.encodedByteCount)
        guard case .update(let received) = try Message.decode(frames: encoded.frames()) else {
            Issue.record("not an update")
            return
        }
        #expect(received.payload == payload)
    }

    /// bytes_up = the spec's bits (rounded up to bytes) + framing that does not depend on the form:
    /// the update message of a compressed form minus its wire bytes equals the dense message minus 4d,
    /// up to the form's codec parameters beyond the spec's scalars (QSGD's s and bucket size: 8 bytes;
    /// low rank's shape: 12 bytes; random-k's k: 4 bytes; the sparse count is the spec's 32 bits).
    @Test(arguments: compressors.map(\.0))
    func messageBytesAreTheFormulaPlusFraming(name: String) throws {
        let compressor = try #require(Self.compressors.first { $0.0 == name }?.1)
        let tensor = Self.compressed(compressor)
        func bytes(_ payload: TensorPayload) -> Int {
            Update(round: 1, client: 0, sampleCount: 1, trainLoss: 0, wallComputeSeconds: 0, virtualComputeSeconds: 0,
                   payload: payload).encodedByteCount
        }
        let framing = bytes(.dense([Float](repeating: 0, count: Self.d))) - 4 * Self.d
        let extra: Int = switch tensor.form {
        case .quantized: 8
        case .lowRank: 12
        case .lowRankBlocks: 4  // the block count
        case .sharedSparse: 4  // k travels so that a cut frame cannot decode; the spec counts 32k
        default: 0
        }
        // Ternary's 2-bit codes are padded to whole bytes on the wire, the formula counts 2d + 32 bits.
        let padding = tensor.form.encoding == .ternary2Bit ? PackedTernary.byteCount(forCount: Self.d) * 8 - 2 * Self.d : 0
        #expect(bytes(tensor.payload) == framing + tensor.wireByteCount + extra + padding / 8)
    }

    @Test func randomKIndicesAreReDerivedNotSent() throws {
        let tensor = Self.compressed(RandomK(ratio: 0.05, scaled: false))
        guard case .sharedSparse(let indices, _) = tensor.form, case .sharedSparse(let shared) = tensor.payload else {
            Issue.record("not shared sparse")
            return
        }
        #expect(shared.values.count == indices.count)
        #expect(tensor.payload.byteCount == 4 * indices.count)
        // Another round's key gives other indices; no key is refused.
        let other = try CompressedTensor(payload: tensor.payload, sharedKey: Self.key(round: 4))
        #expect(other != tensor)
        #expect(throws: CompressionError.self) { try CompressedTensor(payload: tensor.payload, sharedKey: nil) }
    }

    @Test func hostilePayloadsAreRefusedWithTypedErrors() {
        // Another model's size.
        #expect(throws: CompressionError.countMismatch(expected: 10, found: 9)) {
            try TensorPayload.dense([Float](repeating: 1, count: 9)).decompressed(expectedCount: 10, sharedKey: nil)
        }
        #expect(throws: CompressionError.nonFinite(part: "values", position: 1)) {
            try TensorPayload.dense([0, .nan]).decompressed(expectedCount: 2, sharedKey: nil)
        }
        // Float16 infinity.
        #expect(throws: CompressionError.nonFinite(part: "float16 bits", position: 0)) {
            try TensorPayload.float16([0x7C00, 0]).decompressed(expectedCount: 2, sharedKey: nil)
        }
        // Finite factors whose product overflows: the decoded vector is checked.
        let huge = LowRankMatrix(rows: 2, columns: 2, rank: 1, p: [3e38, 1], q: [3e38, 1])
        #expect(throws: CompressionError.nonFinite(part: "decoded", position: 0)) {
            try TensorPayload.lowRank(huge).decompressed(expectedCount: 4, sharedKey: nil)
        }
        // Forms no compressor sends.
        #expect(throws: CompressionError.self) {
            try TensorPayload.voteCounts(PackedCounts(voters: 3, counts: [1, 2])).decompressed(expectedCount: 2, sharedKey: nil)
        }
        // Out-of-range indices and disagreeing lengths at the tensor level (what a decoder must catch).
        #expect(throws: CompressionError.indexOutOfRange(index: 7, count: 5)) {
            try CompressedTensor(count: 5, form: .sparse(indices: [1, 7], values: [1, 2])).decompressed(expectedCount: 5)
        }
        #expect(throws: CompressionError.lengthMismatch(part: "values", expected: 2, found: 1)) {
            try CompressedTensor(count: 5, form: .sparse(indices: [1, 2], values: [1])).decompressed(expectedCount: 5)
        }
    }

    @Test(arguments: ["topk", "randomk", "qsgd", "fp16", "powersgd"])
    func theDownlinkCopyIsIdenticalOnBothSides(name: String) throws {
        let compressor = try #require(Self.compressors.first { $0.0 == name }?.1)
        let start = CompressionPropertyTests.vector(Self.d, seed: 1)
        var server = CompressedBroadcast(model: start, version: 0)
        var worker = CompressedBroadcast(model: start, version: 0)
        var model = start
        for round in 1...5 {
            let step = CompressionPropertyTests.vector(Self.d, seed: UInt64(100 + round))
            for i in model.indices { model[i] += 0.1 * step[i] }
            let key = RandomKey(seed: 9, purpose: .compression, round: UInt64(round), client: .max - 1)
            var random = CompressionRandom(key: key)
            let payload = server.compressChange(to: model, version: UInt64(round), compressor: compressor, random: &random)
            try worker.apply(payload, version: UInt64(round), sharedKey: key)
            #expect(worker == server)
        }
        // A change for a version the copy does not precede is refused.
        var random = CompressionRandom(key: Self.key(round: 6))
        let payload = server.compressChange(to: model, version: 6, compressor: compressor, random: &random)
        #expect(throws: CompressionError.self) { try worker.apply(payload, version: 7, sharedKey: Self.key(round: 6)) }
    }
}
