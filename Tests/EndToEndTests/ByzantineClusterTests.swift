import Foundation
import Testing

/// Task T5 (digits MLP, 100 clients, 20 per round) with 20% of the clients sending their honest
/// update scaled by −10: the plain mean collapses, NNM + trimmed mean keeps the accuracy.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ByzantineClusterTests {
    static let experiment = """
        [run]
        seed = 42
        rounds = 30
        [partition]
        clients = 100
        [model]
        kind = "mlp"
        hidden = [128]
        [local]
        lr = 0.1
        batch_size = 10
        epochs = 2
        [participation]
        clients_per_round = 20
        [aggregation]
        assumed_f = 4
        [eval]
        every = 10

        [[variant]]
        name = "clean"

        [[variant]]
        name = "attacked-mean"
        "byzantine.fraction" = 0.2
        "byzantine.attack" = "scaled"
        "byzantine.parameters" = { factor = -10.0 }

        [[variant]]
        name = "attacked-nnm-tm"
        "byzantine.fraction" = 0.2
        "byzantine.attack" = "scaled"
        "byzantine.parameters" = { factor = -10.0 }
        "aggregation.rule" = ["nnm", "trimmed-mean"]
        """

    @Test func meanCollapsesAndNNMWithTrimmedMeanHolds() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment(Self.experiment, in: dir)
        let result = try Cluster.run(["launch", file, "--workers", "2", "--out", dir + "/run", "--quiet"], in: dir)
        #expect(result.status == 0, "launch failed: \(result.output)")
        func accuracy(_ variant: String) throws -> Double {
            try #require(try Cluster.exactNumber(dir + "/run/\(variant)-s42/summary.json", "final_test_accuracy"))
        }
        let clean = try accuracy("clean"), mean = try accuracy("attacked-mean"), robust = try accuracy("attacked-nnm-tm")
        #expect(clean >= 0.8, "attack-free accuracy \(clean)")
        #expect(mean < clean / 2, "the mean under attack reached \(mean) (clean \(clean))")
        #expect(robust >= 0.9 * clean, "NNM + trimmed mean under attack reached \(robust) (clean \(clean))")

        // The Byzantine clients are marked, and the rounds report the robust metrics.
        let clients = try Cluster.csvRows(dir + "/run/attacked-nnm-tm-s42/clients.csv")
        let byzantine = Set(clients.filter { $0["status"] == "byzantine" }.map { $0["client"]! })
        #expect(byzantine.count > 5 && byzantine.count <= 20, "Byzantine clients seen: \(byzantine.count) of the 20")
        let rounds = try Cluster.jsonLines(dir + "/run/attacked-nnm-tm-s42/rounds.jsonl")
        #expect(rounds.allSatisfy { $0["distance_to_honest_mean"] is Double && $0["byzantine"] is Int })
        let cleanClients = try Cluster.csvRows(dir + "/run/clean-s42/clients.csv")
        #expect(cleanClients.allSatisfy { $0["status"] == "ok" })
    }

    @Test func impossibleRuleParametersAreRefusedBeforeAnythingStarts() throws {
        let dir = try Cluster.temporaryDirectory()
        let file = try Cluster.writeExperiment("[aggregation]\nrule = \"bulyan\"\nassumed_f = 3\n", in: dir)
        let result = try Cluster.run(["launch", file, "--out", dir + "/run"], in: dir, timeout: 60)
        #expect(result.status == 2)
        #expect(result.output.contains("n ≥ 4f + 3"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/run/rounds.jsonl"))
    }
}
