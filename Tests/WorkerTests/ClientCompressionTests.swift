// The worker's compression state: per-client memory that does not depend on which other clients
// the process hosts or in which order it runs them, and the downlink model copy.

import Experiment
import Protocol
import Sim
import Testing

@testable import Worker

@Suite struct ClientCompressionTests {
    static func settings(_ compression: String) throws -> RunSettings {
        try RunSettings(ExperimentConfig.parse(toml: "[compression]\n\(compression)\n"))
    }

    static func vector(_ seed: UInt64) -> [Float] {
        var g = RandomKey(seed: seed, purpose: .compression).generator
        return (0..<200).map { _ in Float(g.nextNormal()) }
    }

    @Test func eachClientHasItsOwnMemoryWhateverElseTheProcessRuns() throws {
        let settings = try Self.settings("uplink = \"topk\"\nratio = 0.05\nerror_feedback = true")
        // Process A runs clients 3 and 8 interleaved; process B runs only client 8.
        var a = ClientCompression(settings: settings), b = ClientCompression(settings: settings)
        var fromA: [TensorPayload] = [], fromB: [TensorPayload] = []
        for round in RoundID(1)...4 {
            _ = a.payload(for: Self.vector(UInt64(round)), client: 3, round: round)
            fromA.append(a.payload(for: Self.vector(100 + UInt64(round)), client: 8, round: round))
            fromB.append(b.payload(for: Self.vector(100 + UInt64(round)), client: 8, round: round))
        }
        #expect(fromA == fromB)
        #expect(a.memories[3] != a.memories[8])
        #expect(a.memories[8]?.residual.isEmpty == false)
        // Error feedback: what was not sent is remembered (round 1: residual = x − sent).
        var c = ClientCompression(settings: settings)
        let x = Self.vector(1)
        guard case .sparse(let sent) = c.payload(for: x, client: 1, round: 1) else {
            Issue.record("not sparse")
            return
        }
        let residual = try #require(c.memories[1]?.residual)
        for i in x.indices { #expect(residual[i] + sent.dense[i] == x[i]) }
        // A client that moved away is forgotten.
        a.keepClients(index: 0, count: 2)
        #expect(a.memories[8] != nil && a.memories[3] == nil)
    }

    @Test func nonFiniteUpdatesAndDenseRunsTravelDense() throws {
        var off = ClientCompression(settings: try Self.settings("uplink = \"none\""))
        #expect(off.payload(for: [1, 2], client: 0, round: 1) == .dense([1, 2]))
        var on = ClientCompression(settings: try Self.settings("uplink = \"qsgd\""))
        #expect(on.payload(for: [1, .infinity], client: 0, round: 1) == .dense([1, .infinity]))
        #expect(on.memories.isEmpty)
    }

    @Test func theDownlinkCopyFollowsDenseModelsAndCompressedChanges() throws {
        let settings = try Self.settings("downlink = \"topk\"\nratio = 0.1")
        var worker = ClientCompression(settings: settings)
        let start = Self.vector(7)
        #expect(try worker.model(of: Task(round: 1, modelVersion: 0, model: .dense(start), clients: [])) == start)
        var server = CompressedBroadcast(model: start, version: 0)
        var model = start
        for i in model.indices { model[i] += 0.5 * Self.vector(8)[i] }
        var random = CompressionRandom(key: settings.downlinkKey(round: 2))
        let change = server.compressChange(to: model, version: 1, compressor: settings.downlinkCompressor(round: 2, dimension: 200),
                                           random: &random)
        #expect(try worker.model(of: Task(round: 2, modelVersion: 1, model: change, clients: [])) == server.replica)
        // The same change again is for a version the copy already has.
        #expect(throws: CompressionError.self) {
            try worker.model(of: Task(round: 3, modelVersion: 1, model: change, clients: []))
        }
        // A form the run does not send.
        #expect(throws: CompressionError.self) {
            try worker.model(of: Task(round: 3, modelVersion: 2, model: .float16([0]), clients: []))
        }
    }
}
