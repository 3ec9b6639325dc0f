import Foundation
import Testing

/// Distributed Lion over real processes: it learns, sends ⌈d/8⌉ bytes (+ framing) per client per
/// round, broadcasts the compact Δ, and gives the same run for 1 and 3 worker processes.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct DistributedLionClusterTests {
    /// Digits, logistic regression (d = 64·10 + 10 = 650), 4 clients, majority vote with ties → 0.
    static let experiment = """
        [run]
        name = "dlion-e2e"
        seed = 42
        rounds = 60
        mode = "distributed-lion"
        [data]
        source = "digits"
        [partition]
        scheme = "iid"
        clients = 4
        [model]
        kind = "logreg"
        [local]
        optimizer = "lion"
        lr = 0.01
        batch_size = 32
        [participation]
        process = "full"
        [eval]
        every = 20
        """

    @Test func learnsWithOneBitPerParameterUp() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.experiment, in: dir)
        let result = try Cluster.run(["launch", file, "--workers", "2", "--out", dir + "/run", "--quiet"], in: dir)
        #expect(result.status == 0, "launch failed: \(result.output)")
        let summary = try Cluster.json(dir + "/run/summary.json")
        let accuracy = try #require(summary["final_test_accuracy"] as? Double)
        let initial = try #require(summary["initial_test_accuracy"] as? Double)
        #expect(initial < 0.2)
        #expect(accuracy >= 0.8, "Distributed Lion reached \(accuracy) (chance is 0.1)")

        let clients = try Cluster.csvRows(dir + "/run/clients.csv")
        #expect(clients.count == 4 * 60)
        #expect(clients.allSatisfy { $0["status"] == "ok" && $0["samples"] == "32" })
        // Uplink: update framing (24-byte header + 49 bytes of metadata) + ⌈650 / 8⌉ = 82 bytes of signs.
        let up: Int = 73 + 82, denseDown: Int = 69 + 4 * 650, ternaryDown: Int = 69 + 163
        #expect(clients.allSatisfy { $0["bytes_up"] == String(up) })
        // Downlink: the dense model in round 1, then the broadcast Δ: 4 voters can tie, so ternary
        // codes of 2 bits, ⌈650 / 4⌉ = 163 bytes, + task framing (69 bytes for one client).
        #expect(clients.filter { $0["round"] == "1" }.allSatisfy { $0["bytes_down"] == String(denseDown) })
        #expect(clients.filter { $0["round"] != "1" }.allSatisfy { $0["bytes_down"] == String(ternaryDown) })
        let rounds = try Cluster.jsonLines(dir + "/run/rounds.jsonl")
        #expect(rounds.dropFirst().allSatisfy { ($0["bytes_up"] as? Int) == 4 * up && ($0["bytes_down"] as? Int) == 4 * ternaryDown })
    }

    @Test func oneAndThreeWorkerProcessesGiveIdenticalRuns() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.experiment, in: dir)
        for workers in [1, 3] {
            let result = try Cluster.run(["launch", file, "--workers", "\(workers)", "--out", dir + "/w\(workers)",
                                          "--set", "run.rounds=15", "--set", "aggregation.dlion_vote=average", "--quiet"],
                                         in: dir)
            #expect(result.status == 0, "launch with \(workers) workers failed: \(result.output)")
        }
        #expect(try Cluster.deterministicRounds(dir + "/w1") == Cluster.deterministicRounds(dir + "/w3"))
        let m1 = try Data(contentsOf: URL(fileURLWithPath: dir + "/w1/model.bin"))
        let m3 = try Data(contentsOf: URL(fileURLWithPath: dir + "/w3/model.bin"))
        #expect(m1 == m3 && m1.count == 650 * 4)
        // Averaging downlink: 3 bits per count for 4 voters, + 4 parameter bytes.
        let clients = try Cluster.csvRows(dir + "/w3/clients.csv")
        let countsBytes: Int = 69 + 4 + (650 * 3 + 7) / 8
        #expect(clients.filter { $0["round"] == "2" }.allSatisfy { $0["bytes_down"] == String(countsBytes) })
    }
}
