import Foundation
import Testing

/// Compressed updates over real processes and sockets: top-k with error feedback trains and its
/// bytes_up is the spec's formula plus the framing of a dense update; a compressed run is identical
/// on 1 and 2 worker processes (shared-seed random-k up, QSGD-compressed model changes down); an
/// update whose compressed form does not decode is rejected against its client and the run goes on.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct CompressionClusterTests {
    /// T5 (digits MLP 64→128→10, 9,610 parameters, 100 IID clients, 20 per round), 40 rounds.
    static let t5 = """
        [run]
        seed = 42
        rounds = 40
        [partition]
        clients = 100
        [model]
        kind = "mlp"
        hidden = [128]
        init = "uniform"
        [local]
        lr = 0.1
        batch_size = 10
        epochs = 2
        [participation]
        clients_per_round = 20
        [eval]
        every = 10

        [[variant]]
        name = "dense"
        "run.rounds" = 2

        [[variant]]
        name = "topk"
        "compression.uplink" = "topk"
        "compression.ratio" = 0.1
        "compression.error_feedback" = true
        """

    static let digits = """
        [run]
        seed = 5
        rounds = 10
        [partition]
        clients = 20
        [model]
        kind = "logreg"
        [local]
        lr = 0.1
        batch_size = 10
        epochs = 2
        [participation]
        clients_per_round = 8
        """

    @Test func topKWithErrorFeedbackTrainsAndItsBytesAreTheFormula() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.t5, in: dir)
        let result = try Cluster.run(["launch", file, "--workers", "2", "--out", dir + "/run", "--quiet"], in: dir)
        #expect(result.status == 0, "launch failed: \(result.output)")
        let accuracy = try #require(try Cluster.exactNumber(dir + "/run/topk-s42/summary.json", "final_test_accuracy"))
        #expect(accuracy >= 0.8, "top-k 10% with error feedback reached \(accuracy) after 40 rounds")

        let d = 9610, k = 961  // k = ⌊0.1 · d⌋
        let dense = try Cluster.csvRows(dir + "/run/dense-s42/clients.csv")
        let denseBytes = try #require(dense.first.flatMap { Int($0["bytes_up"] ?? "") })
        let framing = denseBytes - 4 * d
        let rows = try Cluster.csvRows(dir + "/run/topk-s42/clients.csv")
        #expect(rows.count == 40 * 20 && rows.allSatisfy { $0["status"] == "ok" })
        // 64k + 32 bits (index/value pairs and the count) + the framing of any update.
        #expect(rows.allSatisfy { Int($0["bytes_up"]!) == framing + (64 * k + 32) / 8 })
        #expect(rows.allSatisfy { Int($0["wall_transport_bytes_up"]!)! >= Int($0["bytes_up"]!)! })
        let summary = try Cluster.json(dir + "/run/topk-s42/summary.json")
        #expect(summary["bytes_up"] as? Int == 40 * 20 * (framing + 8 * k + 4))
        #expect((summary["wall_transport_bytes_up"] as? Int ?? 0) >= summary["bytes_up"] as? Int ?? .max)
        // The uplink takes less virtual link time than dense: link time follows the logical bytes.
        let denseLink = try #require(dense.first.flatMap { Double($0["link_s"] ?? "") })
        #expect(rows.allSatisfy { Double($0["link_s"]!)! < denseLink })
    }

    /// Runs `compression` on 1 and 2 worker processes and checks that rounds, model and client rows
    /// (but for the wall fields and the hosting worker) are identical; returns the directory.
    static func identicalOnOneAndTwoWorkers(_ compression: String) throws -> String {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.digits + "\n[compression]\n" + compression, in: dir)
        for workers in [1, 2] {
            let result = try Cluster.run(["launch", file, "--workers", "\(workers)", "--out", dir + "/w\(workers)", "--quiet"],
                                         in: dir)
            #expect(result.status == 0, "launch with \(workers) workers failed: \(result.output)")
        }
        let one = try Cluster.deterministicRounds(dir + "/w1"), two = try Cluster.deterministicRounds(dir + "/w2")
        #expect(one.count == 10 && one == two)
        let s1 = try Cluster.json(dir + "/w1/summary.json"), s2 = try Cluster.json(dir + "/w2/summary.json")
        #expect(s1["final_model_fnv1a64"] as? String == s2["final_model_fnv1a64"] as? String)
        func strip(_ rows: [[String: String]]) -> [[String: String]] {
            rows.map { $0.filter { !$0.key.contains("wall") && $0.key != "worker" } }
        }
        #expect(strip(try Cluster.csvRows(dir + "/w1/clients.csv")) == strip(try Cluster.csvRows(dir + "/w2/clients.csv")))
        return dir
    }

    @Test func perLayerPowerSGDIsIdenticalOnOneAndTwoWorkerProcesses() throws {
        let dir = try Self.identicalOnOneAndTwoWorkers("uplink = \"powersgd\"\nrank = 2\npowersgd_per_layer = true\nerror_feedback = true\n")
        let rows = try Cluster.csvRows(dir + "/w2/clients.csv")
        #expect(!rows.isEmpty && rows.allSatisfy { $0["status"] == "ok" })
    }

    @Test func aCompressedRunIsIdenticalOnOneAndTwoWorkerProcesses() throws {
        let dir = try Self.identicalOnOneAndTwoWorkers("""
            uplink = "randomk"
            ratio = 0.2
            scaled = false
            error_feedback = true
            downlink = "qsgd"
            levels = 64
            bucket_size = 128
            """)
        let rows = try Cluster.csvRows(dir + "/w2/clients.csv")
        // Round 1 sends the dense model; later rounds the compressed change (650 elements: 8-bit levels + 6 norms).
        let first = Int(rows.first { $0["round"] == "1" }!["bytes_down"]!)!
        let later = Int(rows.first { $0["round"] == "2" }!["bytes_down"]!)!
        #expect(later < first / 3, "compressed downlink \(later) bytes against dense \(first)")
        let accuracy = try #require(try Cluster.json(dir + "/w2/summary.json")["final_test_accuracy"] as? Double)
        #expect(accuracy >= 0.7, "randomk 20% + EF up, QSGD down reached \(accuracy) after 10 rounds (from 0.1)")
    }

    @Test func anUpdateThatDoesNotDecodeIsRejectedAndTheRunGoesOn() throws {
        // Two clients scale their delta by 10⁹: finite Float32, but beyond Float16's range, so their
        // fp16 updates carry infinities, which the coordinator refuses.
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.digits + """

            [compression]
            uplink = "fp16"
            [byzantine]
            count = 2
            attack = "scaled"
            parameters = { factor = 1e9 }
            """, in: dir)
        let result = try Cluster.run(["launch", file, "--workers", "2", "--out", dir + "/run", "--quiet"], in: dir)
        #expect(result.status == 0, "launch failed: \(result.output)")
        let rows = try Cluster.csvRows(dir + "/run/clients.csv")
        let rejected = rows.filter { $0["status"] == "rejected" }
        #expect(!rejected.isEmpty)
        #expect(Set(rejected.map { $0["client"]! }).count <= 2)
        #expect(rejected.allSatisfy { $0["bytes_up"] == "0" && $0["weight"] == "0.0" })
        let events = try Cluster.jsonLines(dir + "/run/events.jsonl")
        let reasons = events.filter { ($0["event"] as? String)?.contains("rejected") == true }
            .compactMap { $0["detail"] as? String }
        #expect(reasons.contains { $0.contains("float16") || $0.contains("finite") }, "\(reasons)")
        #expect(try Cluster.jsonLines(dir + "/run/rounds.jsonl").count == 10)
        let accuracy = try #require(try Cluster.exactNumber(dir + "/run/summary.json", "final_test_accuracy"))
        #expect(accuracy >= 0.8, "the honest clients' fp16 updates reached \(accuracy)")
    }
}
