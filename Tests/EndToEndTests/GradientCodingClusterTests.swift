import Foundation
import Testing

/// Gradient coding over real processes (the scenario of examples/gradient-coding.toml): CRC with
/// s = 2 reaches the accuracy target in less virtual time than waiting for all, decodes exactly the
/// full gradient sum, gives the same run for 1 and 2 worker processes, and survives a killed worker.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct GradientCodingClusterTests {
    /// Task T5's distributed setting (10 IID digits partitions, MLP 64-128-10, minibatch 32, SGD lr
    /// 0.1) with slow clients and Pareto(1.5) compute slowdowns per round and client.
    static func experiment(rounds: Int, scheme: String, evalEvery: Int = 10) -> String {
        """
        [run]
        name = "coding-e2e"
        seed = 42
        rounds = \(rounds)
        mode = "distributed-sgd"
        [data]
        source = "digits"
        [partition]
        scheme = "iid"
        clients = 10
        [model]
        kind = "mlp"
        hidden = [128]
        init = "uniform"
        [local]
        lr = 0.1
        batch_size = 32
        [participation]
        process = "full"
        [aggregation]
        server_lr = 0.1
        [timing]
        compute_flops_per_s = 1e7
        slowdown = { dist = "pareto", alpha = 1.5, scale = 1.0 }
        [coding]
        scheme = "\(scheme)"
        s = 2
        [eval]
        every = \(evalEvery)
        target_accuracy = 0.90
        """
    }

    static func floats(_ path: String) throws -> [Float] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return data.withUnsafeBytes { raw in (0..<(data.count / 4)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
    }

    @Test func crcReachesTheTargetInLessVirtualTimeThanWaitingForAll() throws {
        let dir = try Cluster.temporaryDirectory()
        try Cluster.launch(Self.experiment(rounds: 200, scheme: "none"), in: dir, out: "wait-all")
        try Cluster.launch(Self.experiment(rounds: 200, scheme: "crc"), in: dir, out: "crc")
        let waitAll = try Cluster.json(dir + "/wait-all/summary.json")
        let crc = try Cluster.json(dir + "/crc/summary.json")
        let waitTime = try #require(waitAll["time_to_target_s"] as? Double, "wait-for-all did not reach 0.90")
        let crcTime = try #require(crc["time_to_target_s"] as? Double, "CRC did not reach 0.90")
        #expect(crcTime < waitTime, "CRC reached 0.90 after \(crcTime) virtual s, wait-for-all after \(waitTime) s")
        // Every round closed at its 8th arrival and decoded; the 2 later clients are stragglers with weight 0.
        let rounds = try Cluster.jsonLines(dir + "/crc/rounds.jsonl")
        #expect(rounds.count == 200)
        #expect(rounds.allSatisfy { ($0["completed"] as? Int) == 8 && ($0["stragglers"] as? Int) == 2 })
        #expect(rounds.allSatisfy { ($0["decoded"] as? Bool) == true && (($0["residual"] as? Double) ?? 1) <= 1e-8 })
        let clients = try Cluster.csvRows(dir + "/crc/clients.csv")
        #expect(clients.filter { $0["status"] == "straggler" }.allSatisfy { $0["weight"] == "0.0" })
        #expect(clients.allSatisfy { $0["samples"] == "96" })  // s + 1 = 3 minibatches of 32
    }

    /// A coded run under downlink compression counts each client's compressed broadcast (not the dense
    /// model) in bytes_down, and the measured transport bytes of its messages.
    @Test func codedRowsCountTheCompressedDownlinkAndTheTransport() throws {
        let dir = try Cluster.temporaryDirectory()
        let toml = Self.experiment(rounds: 6, scheme: "crc", evalEvery: 6) + "\n[compression]\ndownlink = \"qsgd\"\n"
        try Cluster.launch(toml, in: dir, out: "crc-qsgd")
        let rows = try Cluster.csvRows(dir + "/crc-qsgd/clients.csv")
        let dense = try #require(rows.first { $0["round"] == "1" }.flatMap { $0["bytes_down"] }.flatMap(Int.init))
        let later = rows.filter { $0["round"] != "1" }.compactMap { $0["bytes_down"].flatMap(Int.init) }
        #expect(!later.isEmpty && later.allSatisfy { $0 < dense / 2 }, "round 1 dense \(dense) B, later rounds \(later.prefix(5))")
        let up = rows.compactMap { $0["wall_transport_bytes_up"].flatMap(Int.init) }
        let down = rows.compactMap { $0["wall_transport_bytes_down"].flatMap(Int.init) }
        #expect(up.count == rows.count && up.allSatisfy { $0 > 0 } && down.allSatisfy { $0 > 0 })
    }

    @Test func crcDecodesTheFullGradientSumOfWaitingForAll() throws {
        let dir = try Cluster.temporaryDirectory()
        try Cluster.launch(Self.experiment(rounds: 1, scheme: "none", evalEvery: 1), in: dir, out: "wait-all")
        try Cluster.launch(Self.experiment(rounds: 1, scheme: "crc", evalEvery: 1), in: dir, out: "crc")
        // One step from the same model: x1 = x0 − 0.1·(Σ_j g_j)/10 in both runs, whether the sum is the
        // uncoded clients' or decoded from the first 8 coded messages.
        let a = try Self.floats(dir + "/wait-all/model.bin"), b = try Self.floats(dir + "/crc/model.bin")
        #expect(a.count == b.count && a.count == 64 * 128 + 128 + 128 * 10 + 10)
        let error = zip(a, b).map { abs($0 - $1) }.max() ?? 1
        #expect(error < 1e-5, "largest difference \(error)")
        let round = try #require(try Cluster.jsonLines(dir + "/crc/rounds.jsonl").first)
        #expect((round["used_clients"] as? [Int])?.count == 8)
    }

    @Test(arguments: ["crc", "m-sgc"]) func oneAndTwoWorkerProcessesGiveIdenticalRuns(scheme: String) throws {
        let dir = try Cluster.temporaryDirectory()
        // m-sgc runs the (1, 2, 2)-bursty model with the [coding] defaults (s is unused there).
        let toml = Self.experiment(rounds: 20, scheme: scheme)
        try Cluster.launch(toml, in: dir, out: "w1", workers: 1)
        try Cluster.launch(toml, in: dir, out: "w2", workers: 2)
        #expect(try Cluster.deterministicRounds(dir + "/w1") == Cluster.deterministicRounds(dir + "/w2"))
        let m1 = try Data(contentsOf: URL(fileURLWithPath: dir + "/w1/model.bin"))
        let m2 = try Data(contentsOf: URL(fileURLWithPath: dir + "/w2/model.bin"))
        #expect(m1 == m2 && !m1.isEmpty)
    }

    @Test func aKilledWorkerDoesNotStopACodedRun() throws {
        let dir = try Cluster.temporaryDirectory()
        // 10 clients on 2 workers (5 each): losing one mid-round can leave fewer than n − s = 8 messages.
        let toml = Self.experiment(rounds: 100, scheme: "crc").replacingOccurrences(
            of: "mode = \"distributed-sgd\"", with: "mode = \"distributed-sgd\"\nheartbeat_timeout_s = 4")
        let file = try Cluster.writeExperiment(toml, in: dir)
        let run = dir + "/run"
        let status = try Cluster.runKillingSecondWorker(file, in: dir, run: run, afterRounds: 2)
        #expect(status == 0, "coordinator hung or failed after a worker was killed")
        #expect(try Cluster.json(run + "/summary.json")["rounds"] as? Int == 100)
        // Exactly one round lost w1's unanswered clients (it may have answered some before it died):
        // it decodes if 8 messages still arrived, else its step is skipped with an event.
        let rounds = try Cluster.jsonLines(run + "/rounds.jsonl")
        let hit = rounds.filter { (($0["crashed"] as? Int) ?? 0) > 0 }
        try #require(hit.count == 1, "one round has crashed clients: \(hit)")
        let crashedRound = try #require(hit[0]["round"] as? Int)
        let crashed = try #require(hit[0]["crashed"] as? Int)
        #expect(crashed <= 5)
        let decoded = try #require(hit[0]["decoded"] as? Bool)
        #expect(decoded == (10 - crashed >= 8))
        let events = try Cluster.jsonLines(run + "/events.jsonl")
        let skippedEvent = events.contains { $0["event"] as? String == "round_skipped" && $0["round"] as? Int == crashedRound
            && ($0["detail"] as? String)?.contains("not decodable") == true }
        #expect(skippedEvent == !decoded)
        // Every other round decoded from its first 8 arrivals.
        #expect(rounds.filter { ($0["round"] as? Int) != crashedRound }.allSatisfy {
            ($0["decoded"] as? Bool) == true && ($0["completed"] as? Int) == 8 })
    }
}
