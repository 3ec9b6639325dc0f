import Foundation
import Testing

/// FedAU, the FedOpt server optimizers, FedProx and FedBuff in real runs (coordinator and worker
/// processes over ZeroMQ) on T5's data and model, scaled down.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct FedAUClusterTests {
    /// 60 clients under Dirichlet(0.1) label skew answering with heterogeneous Bernoulli
    /// probabilities generated from their labels (mean 0.2), FedAU weights.
    static let fedau = """
        [run]
        seed = 3
        rounds = 80
        [partition]
        scheme = "dirichlet"
        dirichlet_variant = "per-client"
        alpha = 0.1
        clients = 60
        [model]
        kind = "mlp"
        hidden = [64]
        [local]
        lr = 0.1
        batch_size = 10
        epochs = 2
        [participation]
        process = "bernoulli"
        mean_probability = 0.2
        [aggregation]
        weighting = "fedau"
        [eval]
        every = 20
        per_client = true
        """

    @Test func fedauUnderBernoulliParticipationTrainsAndIgnoresTheWorkerCount() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.fedau, in: dir)
        for workers in ["1", "2"] {
            let result = try Cluster.run(["launch", file, "--workers", workers, "--out", dir + "/w" + workers, "--quiet"], in: dir)
            #expect(result.status == 0, "launch with \(workers) workers failed: \(result.output)")
        }
        let summary = dir + "/w2/summary.json"
        let initial = try #require(try Cluster.exactNumber(summary, "initial_test_accuracy"))
        let final = try #require(try Cluster.exactNumber(summary, "final_test_accuracy"))
        #expect(initial < 0.2 && final >= 0.75, "accuracy \(initial) → \(final)")
        #expect(try Cluster.deterministicRounds(dir + "/w1") == Cluster.deterministicRounds(dir + "/w2"))
        #expect(try Cluster.json(dir + "/w1/summary.json")["final_model_fnv1a64"] as? String
                == Cluster.json(summary)["final_model_fnv1a64"] as? String)

        // The process decides who answers: the number varies around 0.2·60, and FedAU's weight of a
        // client is ω_n/N with ω_n ≥ 1 (1 until its first interval is recorded).
        let selected = try Cluster.jsonLines(dir + "/w2/rounds.jsonl").compactMap { $0["selected"] as? Int }
        #expect(Set(selected).count > 3 && selected.allSatisfy { $0 < 60 }, "\(selected)")
        let rows = try Cluster.csvRows(dir + "/w2/clients.csv")
        #expect(rows.count == selected.reduce(0, +))
        let weights = rows.compactMap { $0["weight"].flatMap(Double.init) }
        #expect(weights.count == rows.count && weights.allSatisfy { $0 >= 1.0 / 60 - 1e-12 })
        #expect(weights.contains { $0 > 2.0 / 60 }, "no client got an estimated interval above 2")
        // The weight is the mean of the intervals recorded before the round (§3.2, K = ∞), rebuilt
        // here from the participation history in clients.csv: a client answering in round t records
        // t − (its previous participation, or 0).
        var last: [String: Int] = [:], intervals: [String: [Int]] = [:]
        for row in rows.sorted(by: { Int($0["round"]!)! < Int($1["round"]!)! }) {
            let client = row["client"]!, round = Int(row["round"]!)!
            let recorded = intervals[client] ?? []
            let omega = recorded.isEmpty ? 1.0 : Double(recorded.reduce(0, +)) / Double(recorded.count)
            #expect(abs(Double(row["weight"]!)! - omega / 60) < 1e-15, "client \(client) round \(round)")
            if row["status"] == "ok" {
                intervals[client, default: []].append(round - (last[client] ?? 0))
                last[client] = round
            }
        }

        // Per-client evaluation: one row per client, one column per evaluated round, and the summary.
        let clientEval = try Cluster.csvRows(dir + "/w2/client_eval.csv")
        #expect(clientEval.count == 60)
        #expect(clientEval.allSatisfy { $0["round_80"].flatMap(Double.init) != nil && $0["probability"].flatMap(Double.init) != nil })
        let mean = try #require(try Cluster.exactNumber(summary, "client_accuracy_mean"))
        let rare = try #require(try Cluster.exactNumber(summary, "client_accuracy_rare_quarter_mean"))
        #expect(mean > 0.6 && rare > 0 && rare <= 1)
    }

    static let optimizers = """
        [run]
        seed = 42
        rounds = 15
        [partition]
        clients = 30
        [model]
        kind = "mlp"
        hidden = [64]
        [local]
        lr = 0.1
        batch_size = 10
        epochs = 2
        [participation]
        clients_per_round = 10
        [eval]
        every = 5

        [[variant]]
        name = "fedavg"

        [[variant]]
        name = "fedadam"
        "aggregation.server_optimizer" = "fedadam"

        [[variant]]
        name = "fedadam-prox"
        "aggregation.server_optimizer" = "fedadam"
        "local.prox_mu" = 0.1
        """

    @Test func fedAdamAndFedProxRunsTrain() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.optimizers, in: dir)
        let result = try Cluster.run(["launch", file, "--workers", "2", "--out", dir + "/run", "--quiet"], in: dir)
        #expect(result.status == 0, "launch failed: \(result.output)")
        func summary(_ variant: String) throws -> [String: Any] { try Cluster.json(dir + "/run/\(variant)-s42/summary.json") }
        for variant in ["fedavg", "fedadam", "fedadam-prox"] {
            let accuracy = try #require(try Cluster.exactNumber(dir + "/run/\(variant)-s42/summary.json", "final_test_accuracy"))
            #expect(accuracy >= 0.8, "\(variant): \(accuracy)")
        }
        let hashes = try ["fedavg", "fedadam", "fedadam-prox"].map { try summary($0)["final_model_fnv1a64"] as? String }
        #expect(Set(hashes).count == 3, "the optimizer and the proximal term change the model: \(hashes)")
        let config = try String(contentsOfFile: dir + "/run/fedadam-s42/config.toml", encoding: .utf8)
        #expect(config.contains("server_lr = 0.1"), "FedAdam's default η is written into the resolved config")
    }

    static let buffered = """
        [run]
        seed = 5
        rounds = 40
        [partition]
        scheme = "dirichlet"
        dirichlet_variant = "per-client"
        alpha = 0.3
        clients = 40
        [model]
        kind = "mlp"
        hidden = [64]
        [local]
        lr = 0.1
        batch_size = 10
        epochs = 1
        [participation]
        clients_per_round = 6
        [aggregation]
        weighting = "participants"
        [eval]
        every = 10

        [[variant]]
        name = "sync"

        [[variant]]
        name = "buffer-is-cohort"
        "aggregation.mode" = "fedbuff"
        "aggregation.fedbuff_buffer" = 6
        "aggregation.fedbuff_concurrency" = 6

        [[variant]]
        name = "fedbuff"
        "aggregation.mode" = "fedbuff"
        "aggregation.fedbuff_buffer" = 6
        "aggregation.fedbuff_concurrency" = 15
        """

    @Test func fedBuffTrainsWithStalenessAndEqualsFedAvgWhenTheBufferIsTheCohort() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.buffered, in: dir)
        let result = try Cluster.run(["launch", file, "--workers", "2", "--out", dir + "/run", "--quiet"], in: dir)
        #expect(result.status == 0, "launch failed: \(result.output)")
        let sync = dir + "/run/sync-s5", cohort = dir + "/run/buffer-is-cohort-s5", buffered = dir + "/run/fedbuff-s5"
        // Buffer = concurrency = cohort, no staleness, weights 1/K: synchronous FedAvg bit for bit.
        #expect(try Cluster.json(sync + "/summary.json")["final_model_fnv1a64"] as? String
                == Cluster.json(cohort + "/summary.json")["final_model_fnv1a64"] as? String)
        #expect(try Cluster.csvRows(cohort + "/clients.csv").allSatisfy { $0["staleness"] == "0" })
        // With 15 in flight and steps of 6, updates arrive stale and are recorded so.
        let rows = try Cluster.csvRows(buffered + "/clients.csv")
        let staleness = rows.compactMap { $0["staleness"].flatMap(Int.init) }
        #expect(staleness.count == rows.count && staleness.contains { $0 > 0 } && staleness.allSatisfy { $0 >= 0 })
        #expect(rows.count == 40 * 6, "every server step aggregates K = 6 updates")
        let rounds = try Cluster.jsonLines(buffered + "/rounds.jsonl")
        let times = rounds.compactMap { $0["virtual_time_s"] as? Double }
        #expect(times.count == 40 && zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
        // It learns (under label skew, in half the virtual time of the synchronous run's 40 rounds).
        let accuracies = rounds.compactMap { $0["test_accuracy"] as? Double }
        let initial = try #require(try Cluster.exactNumber(buffered + "/summary.json", "initial_test_accuracy"))
        #expect(accuracies.count == 4 && accuracies.last! >= 0.5 && accuracies.first! > initial && accuracies.last! > accuracies.first!,
                "FedBuff accuracy \(initial) → \(accuracies)")
        let syncTime = try #require(try Cluster.exactNumber(sync + "/summary.json", "virtual_time_s"))
        #expect(times.last! < syncTime, "40 FedBuff steps took \(times.last!) virtual s, 40 synchronous rounds \(syncTime)")
    }

    /// FedBuff decodes compressed uplink updates (they used to be dropped, skipping every step) and
    /// its clients.csv rows carry the measured transport bytes of the round they were computed in.
    @Test func fedBuffTrainsOnCompressedUpdates() throws {
        let dir = try Cluster.temporaryDirectory()
        let toml = Self.buffered.components(separatedBy: "\n[[variant]]")[0]
            .replacingOccurrences(of: "weighting = \"participants\"",
                                  with: "weighting = \"participants\"\nmode = \"fedbuff\"\nfedbuff_buffer = 6\nfedbuff_concurrency = 15")
            + "\n[compression]\nuplink = \"qsgd\"\n"
        try Cluster.launch(toml, in: dir, out: "run")
        let events = (try? String(contentsOfFile: dir + "/run/events.jsonl", encoding: .utf8)) ?? ""
        #expect(!events.contains("round_skipped"), "no server step is skipped")
        let rounds = try Cluster.jsonLines(dir + "/run/rounds.jsonl")
        let accuracies = rounds.compactMap { $0["test_accuracy"] as? Double }
        #expect(accuracies.last.map { $0 >= 0.5 } == true, "FedBuff with QSGD uplink: accuracy \(accuracies)")
        let rows = try Cluster.csvRows(dir + "/run/clients.csv")
        #expect(rows.count == 40 * 6)
        #expect(rows.allSatisfy { ($0["wall_transport_bytes_up"].flatMap(Int.init) ?? 0) > 0 }, "measured uplink bytes per row")
    }
}
