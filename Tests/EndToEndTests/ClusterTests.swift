import Foundation
import Testing

/// End-to-end: real coordinator and worker processes over real ZeroMQ sockets on loopback.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ClusterTests {
    /// The quickstart experiment (T1's data, 5 local epochs) with fewer rounds.
    static let digits = """
        [run]
        name = "e2e"
        seed = 42
        rounds = 30
        [data]
        source = "digits"
        [partition]
        scheme = "iid"
        clients = 100
        [model]
        kind = "logreg"
        [local]
        lr = 0.1
        batch_size = 10
        epochs = 5
        [participation]
        clients_per_round = 10
        [eval]
        every = 5
        target_accuracy = 0.85
        """

    @Test func federatedTrainingLearnsOverRealSockets() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.digits, in: dir)
        let result = try Cluster.run(["launch", file, "--workers", "2", "--out", dir + "/run", "--quiet"], in: dir)
        #expect(result.status == 0, "launch failed: \(result.output)")
        let summary = try Cluster.json(dir + "/run/summary.json")
        let accuracy = try #require(summary["final_test_accuracy"] as? Double)
        let initial = try #require(summary["initial_test_accuracy"] as? Double)
        #expect(accuracy >= 0.88, "final accuracy \(accuracy)")
        #expect(initial < 0.2, "the zero model predicts one class: \(initial)")
        #expect(summary["rounds"] as? Int == 30)
        #expect(summary["time_to_target_s"] as? Double != nil)

        let rounds = try Cluster.jsonLines(dir + "/run/rounds.jsonl")
        #expect(rounds.count == 30)
        let losses = rounds.compactMap { $0["train_loss"] as? Double }
        #expect(losses.count == 30)
        #expect(losses.last! < losses.first! * 0.7, "train loss \(losses.first!) → \(losses.last!)")
        // Evaluation every 5 rounds and at the last one.
        #expect(rounds.filter { !($0["test_accuracy"] is NSNull) }.count == 6)
        let virtual = rounds.compactMap { $0["virtual_time_s"] as? Double }
        #expect(zip(virtual, virtual.dropFirst()).allSatisfy { $0 < $1 }, "virtual time increases every round")

        let clients = try Cluster.csvRows(dir + "/run/clients.csv")
        #expect(clients.count == 300)
        #expect(clients.allSatisfy { $0["status"] == "ok" })
        #expect(Set(clients.map { $0["worker"]! }) == ["w0", "w1"])
        for name in ["config.toml", "events.jsonl", "logs/coordinator.log", "logs/worker-0.log", "model.bin"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/run/" + name), "missing \(name)")
        }
    }

    @Test func oneAndFourWorkerProcessesGiveIdenticalRuns() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.digits, in: dir)
        for workers in [1, 4] {
            let result = try Cluster.run(["launch", file, "--workers", "\(workers)", "--out", dir + "/w\(workers)",
                                          "--set", "run.rounds=12", "--quiet"], in: dir)
            #expect(result.status == 0, "launch with \(workers) workers failed: \(result.output)")
        }
        let one = try Cluster.deterministicRounds(dir + "/w1")
        let four = try Cluster.deterministicRounds(dir + "/w4")
        #expect(one.count == 12)
        #expect(one == four)
        let s1 = try Cluster.json(dir + "/w1/summary.json"), s4 = try Cluster.json(dir + "/w4/summary.json")
        #expect(s1["final_model_fnv1a64"] as? String == s4["final_model_fnv1a64"] as? String)
        let m1 = try Data(contentsOf: URL(fileURLWithPath: dir + "/w1/model.bin"))
        let m4 = try Data(contentsOf: URL(fileURLWithPath: dir + "/w4/model.bin"))
        #expect(m1 == m4 && m1.count == 650 * 4)
        func strip(_ rows: [[String: String]]) -> [[String: String]] {
            rows.map { $0.filter { !$0.key.contains("wall") && $0.key != "worker" } }
        }
        #expect(strip(try Cluster.csvRows(dir + "/w1/clients.csv")) == strip(try Cluster.csvRows(dir + "/w4/clients.csv")))
    }

    @Test func distributedSGDLearns() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment("""
            [run]
            seed = 3
            rounds = 150
            mode = "distributed-sgd"
            [partition]
            clients = 10
            [model]
            kind = "mlp"
            hidden = [32]
            [local]
            batch_size = 32
            [participation]
            process = "full"
            [aggregation]
            server_lr = 0.1
            server_momentum = 0.5
            [eval]
            every = 50
            """, in: dir)
        let result = try Cluster.run(["launch", file, "--workers", "2", "--out", dir + "/run", "--quiet"], in: dir)
        #expect(result.status == 0, "launch failed: \(result.output)")
        let summary = try Cluster.json(dir + "/run/summary.json")
        let accuracy = try #require(summary["final_test_accuracy"] as? Double)
        #expect(accuracy >= 0.8, "distributed SGD reached \(accuracy)")
        let clients = try Cluster.csvRows(dir + "/run/clients.csv")
        #expect(clients.count == 1500)
        #expect(clients.allSatisfy { $0["samples"] == "32" })
    }

    @Test func variantsAndSeedsProduceAComparison() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.digits.replacingOccurrences(of: "rounds = 30", with: "rounds = 4\nseeds = [1, 2]") + """

            [[variant]]
            name = "lr-small"
            "local.lr" = 0.01

            [[variant]]
            name = "lr-large"
            "local.lr" = 0.1
            """, in: dir)
        let result = try Cluster.run(["launch", file, "--workers", "2", "--out", dir + "/cmp", "--quiet"], in: dir)
        #expect(result.status == 0, "launch failed: \(result.output)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: dir + "/cmp").filter {
            FileManager.default.fileExists(atPath: dir + "/cmp/\($0)/summary.json")
        }
        #expect(runs.count == 4, "run directories: \(runs)")
        let csv = try Cluster.csvRows(dir + "/cmp/comparison.csv")
        for run in runs {
            let summary = try Cluster.json(dir + "/cmp/\(run)/summary.json")
            let accuracy = try #require(try Cluster.exactNumber(dir + "/cmp/\(run)/summary.json", "final_test_accuracy"))
            let seed = try #require(summary["seed"] as? Int)
            let row = csv.first { $0["seed"] == "\(seed)" && run.hasPrefix($0["variant"] ?? "?") }
            let value = try #require(row?["final_test_accuracy"].flatMap(Double.init), "no row for \(run) in \(csv)")
            #expect(value == accuracy)
        }
        #expect(csv.contains { $0["seed"] == "mean" })
    }

    @Test func killedWorkerDoesNotStopTheRun() throws {
        let dir = try Cluster.temporaryDirectory()
        // Long local training so that the kill lands inside a round; a 4 s heartbeat timeout (short,
        // yet long enough that a loaded machine does not starve the live worker's heartbeats).
        let file = try Cluster.writeExperiment(Self.digits
            .replacingOccurrences(of: "rounds = 30", with: "rounds = 8\nheartbeat_timeout_s = 4")
            .replacingOccurrences(of: "epochs = 5", with: "epochs = 3000"), in: dir)
        let run = dir + "/run"
        // Rounds take about a second; round 3 starts the moment round 2's line is written, so a kill
        // right then lands inside round 3.
        let status = try Cluster.runKillingSecondWorker(file, in: dir, run: run, afterRounds: 2)
        #expect(status == 0, "coordinator hung or failed after a worker was killed")
        let summary = try Cluster.json(run + "/summary.json")
        #expect(summary["rounds"] as? Int == 8)
        let events = try Cluster.jsonLines(run + "/events.jsonl")
        let lost = try #require(events.first { $0["event"] as? String == "worker_lost" && $0["worker"] as? String == "w1" })
        let lostRound = try #require(lost["round"] as? Int)
        #expect(lostRound == 3)
        let clients = try Cluster.csvRows(run + "/clients.csv")
        let crashed = clients.filter { $0["status"] == "crashed" }
        #expect(!crashed.isEmpty, "w1's clients of the interrupted round are marked crashed")
        #expect(crashed.allSatisfy { $0["worker"] == "w1" && $0["round"] == "\(lostRound)" })
        // That round completed with w0's clients; from the next round every client runs on w0.
        #expect(clients.filter { $0["round"] == "\(lostRound)" && $0["worker"] == "w0" }.allSatisfy { $0["status"] == "ok" })
        let later = clients.filter { Int($0["round"]!)! > lostRound }
        #expect(later.count == 10 * (8 - lostRound))
        #expect(later.allSatisfy { $0["worker"] == "w0" && $0["status"] == "ok" })
    }

    @Test func workerWithoutCoordinatorGivesUpWithAClearMessage() throws {
        let dir = try Cluster.temporaryDirectory()
        let result = try Cluster.run(["worker", "--connect", "tcp://127.0.0.1:9", "--name", "lonely", "--timeout", "1"],
                                     in: dir, timeout: 30)
        #expect(result.status != 0)
        #expect(result.output.contains("could not reach a coordinator at tcp://127.0.0.1:9"), "\(result.output)")
    }

    @Test func validateNamesTheBadKey() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment("[local]\nlearning_rate = 0.1\n", in: dir)
        let result = try Cluster.run(["validate", file], in: dir, timeout: 30)
        #expect(result.status == 2)
        #expect(result.output.contains("local.learning_rate"), "\(result.output)")
        let good = try Cluster.run(["validate", Cluster.packageRoot.appendingPathComponent("examples/quickstart.toml").path],
                                   in: dir, timeout: 30)
        #expect(good.status == 0, "\(good.output)")
    }

    @Test func workersThatCannotBuildTheirDataSayWhyAndTheRunStopsAtOnce() throws {
        // The coordinator needs only the test set; the Dirichlet minimum size fails on the workers.
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment("""
            [run]
            rounds = 3
            heartbeat_timeout_s = 120
            [data]
            source = "digits"
            [partition]
            scheme = "dirichlet"
            alpha = 0.01
            clients = 100
            min_size = 14
            """, in: dir)
        let result = try Cluster.run(["launch", file, "--out", dir + "/run", "--quiet"], in: dir, timeout: 200)
        #expect(result.status != 0)
        #expect(result.output.contains("partition.min_size"), "\(result.output)")
        let events = try Cluster.jsonLines(dir + "/run/events.jsonl")
        let lost = events.filter { $0["event"] as? String == "worker_lost" }
        #expect(lost.count == 2 && lost.allSatisfy { ($0["detail"] as? String ?? "").contains("could not set up the run") })
        // Dropped on their own message, long before the 120 s heartbeat timeout would have noticed.
        #expect(lost.allSatisfy { ($0["wall_time_s"] as? Double ?? 999) < 100 })
    }

    @Test func interruptingLaunchStopsEveryProcess() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.digits
            .replacingOccurrences(of: "rounds = 30", with: "rounds = 10000"), in: dir)
        let launch = try Cluster.start(["launch", file, "--workers", "2", "--out", dir + "/run", "--quiet"], in: dir)
        for _ in 0..<3000 {
            if FileManager.default.fileExists(atPath: dir + "/run/rounds.jsonl") { break }
            usleep(10_000)
        }
        let children = Self.descendants(of: launch.processIdentifier)
        #expect(children.count >= 3, "coordinator and two workers: \(children)")
        kill(launch.processIdentifier, SIGINT)
        launch.waitUntilExit()
        #expect(launch.terminationStatus == 130)
        usleep(200_000)
        let alive = children.filter { kill($0, 0) == 0 && !Self.isZombie($0) }
        #expect(alive.isEmpty, "still running after Ctrl-C: \(alive)")
    }

    /// Every process whose parent chain leads to `pid` (from /proc).
    static func descendants(of pid: Int32) -> [Int32] {
        var parents: [Int32: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let p = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, let parent = Int32(fields[1]) { parents[p] = parent }
        }
        return parents.keys.filter { var q = $0; while let up = parents[q], up > 1 { if up == pid { return true }; q = up }; return false }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }
}
