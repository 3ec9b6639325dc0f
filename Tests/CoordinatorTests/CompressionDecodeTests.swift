// The coordinator's decode-or-reject step for compressed updates (Coordinator+Compression.swift):
// only the configured compressor's form is accepted, and it must decode to the model's dimension
// with finite values.

@testable import Coordinator
import Experiment
import Protocol
import Sim
import Testing

@Suite struct CompressionDecodeTests {
    static func settings(_ compression: String) throws -> RunSettings {
        try RunSettings(ExperimentConfig.parse(toml: "[compression]\n\(compression)\n"))
    }

    @Test func theConfiguredFormDecodesToTheDenseVector() throws {
        let settings = try Self.settings("uplink = \"randomk\"\nratio = 0.5\nscaled = false")
        let x: [Float] = [1, -2, 3, -4, 5, -6]
        var memory = CompressionMemory()
        var random = CompressionRandom(key: settings.uplinkSharedKey(round: 4))
        let sent = settings.uplinkCompressor(round: 4, dimension: 6).compress(x, memory: &memory, random: &random)
        let decoded = try CoordinatorCompression.decode(sent.payload, round: 4, dimension: 6, settings: settings)
        #expect(decoded == sent.decode())
        #expect(decoded.filter { $0 != 0 }.count == 3)
    }

    @Test func otherFormsSizesAndOverflowsAreRejected() throws {
        let settings = try Self.settings("uplink = \"powersgd\"\nrank = 1")
        // Dense is not what powersgd sends.
        #expect(throws: CompressionError.unexpectedForm(found: "denseFloat32", expected: "lowRank")) {
            try CoordinatorCompression.decode(.dense([1, 2, 3, 4]), round: 1, dimension: 4, settings: settings)
        }
        // A 2 × 2 matrix for a 6-parameter model.
        let small = LowRankMatrix(rows: 2, columns: 2, rank: 1, p: [1, 1], q: [1, 1])
        #expect(throws: CompressionError.countMismatch(expected: 6, found: 4)) {
            try CoordinatorCompression.decode(.lowRank(small), round: 1, dimension: 6, settings: settings)
        }
        // Finite factors whose product is not finite.
        let huge = LowRankMatrix(rows: 2, columns: 2, rank: 1, p: [1e30, 1], q: [1e30, 1])
        #expect(throws: CompressionError.nonFinite(part: "decoded", position: 0)) {
            try CoordinatorCompression.decode(.lowRank(huge), round: 1, dimension: 4, settings: settings)
        }
    }
}
