import Testing

@testable import Experiment
@testable import Sim

/// Lion and Distributed Lion keys: mapping to Sim and the combinations that are refused.
@Suite struct DistributedLionConfigTests {
    static let base = """
        [run]
        mode = "distributed-lion"
        [partition]
        clients = 10
        [local]
        optimizer = "lion"
        lr = 0.002
        beta1 = 0.95
        beta2 = 0.98
        weight_decay = 0.1
        """

    @Test func distributedLionMapsToSim() throws {
        let settings = try RunSettings(ExperimentConfig.parse(toml: Self.base + "\n[aggregation]\ndlion_vote = \"average\"\n"))
        #expect(settings.mode == .distributedLion)
        #expect(settings.lion == LionParameters(learningRate: 0.002, beta1: 0.95, beta2: 0.98, weightDecay: 0.1))
        #expect(settings.signVote == .average)
        let tie = try RunSettings(ExperimentConfig.parse(toml: Self.base + "\n[aggregation]\ndlion_tie = \"minus-one\"\n"))
        #expect(tie.signVote == .majority(ties: .minusOne))
        #expect(try RunSettings(ExperimentConfig.parse(toml: Self.base)).signVote == .majority(ties: .zero))
    }

    @Test func globalLionIsAServerOptimizerOfDistributedSGD() throws {
        let toml = """
            [run]
            mode = "distributed-sgd"
            [aggregation]
            server_optimizer = "lion"
            server_lr = 0.001
            server_beta1 = 0.9
            server_weight_decay = 0.5
            """
        let settings = try RunSettings(ExperimentConfig.parse(toml: toml))
        #expect(settings.serverLion == LionParameters(learningRate: 0.001, beta1: 0.9, beta2: 0.99, weightDecay: 0.5))
        let error = try #require(parseError("[aggregation]\nserver_optimizer = \"lion\""))
        #expect(error == .conflict(keys: ["aggregation.server_optimizer", "run.mode"], reason: error.reason))
    }

    @Test(arguments: [
        ("[local]\noptimizer = \"sgd\"", ["run.mode", "local.optimizer"], "set local.optimizer = \"lion\""),
        ("[local]\nepochs = 2", ["run.mode", "local.epochs"], "one minibatch gradient per client"),
        ("[local]\nsteps = 3", ["run.mode", "local.steps"], "remove local.steps"),
        ("[aggregation]\ndlion_vote = \"average\"\n[partition]\nclients = 70000",
         ["aggregation.dlion_vote", "partition.clients"], "N ≤ 65536"),
    ])
    func badCombinationsNameTheKeysAndTheFix(extra: String, keys: [String], fix: String) throws {
        // Later tables override the base's keys of the same name.
        var toml = Self.base
        if extra.contains("optimizer = \"sgd\"") { toml = toml.replacingOccurrences(of: "optimizer = \"lion\"", with: "") }
        if extra.contains("clients = 70000") { toml = toml.replacingOccurrences(of: "[partition]\nclients = 10", with: "") }
        let local = extra.hasPrefix("[local]") ? extra.replacingOccurrences(of: "[local]\n", with: "") : nil
        if let local { toml = toml.replacingOccurrences(of: "[local]\n", with: "[local]\n" + local + "\n") } else { toml += "\n" + extra }
        let error = try #require(parseError(toml), "\(extra) was accepted")
        guard case .conflict(let errorKeys, let reason) = error else {
            Issue.record("expected a conflict, got \(error)")
            return
        }
        #expect(errorKeys == keys)
        #expect(reason.contains(fix), "\(reason)")
    }

    @Test func lionKeysAreUnusedWithOtherOptimizers() throws {
        let (config, warnings) = try ExperimentConfig.resolve(
            TOMLReader.parse("[local]\noptimizer = \"sgd\"\nbeta1 = 0.5"), context: ReadContext(baseDirectory: nil, defaultName: "x"))
        #expect(config.local.beta1 == 0.9)
        #expect(warnings.contains { $0.contains("local.beta1") })
        #expect(parseError("[local]\noptimizer = \"lion\"\nbeta2 = 1.5") != nil)
    }
}

private extension ConfigError {
    var reason: String {
        if case .conflict(_, let reason) = self { return reason }
        return ""
    }
}

@Suite struct DistributedLionByzantineTests {
    static let base = """
        [run]
        mode = "distributed-lion"
        [local]
        optimizer = "lion"
        lr = 0.003
        [partition]
        clients = 5
        [participation]
        process = "full"
        [byzantine]
        count = 2
        """

    @Test func votersMayFlipTheirSignsOrLabels() throws {
        for attack in ["bit-flip", "label-flip"] {
            let settings = try RunSettings(ExperimentConfig.parse(toml: Self.base + "\nattack = \"\(attack)\"\n"))
            #expect(settings.byzantineClients.count == 2)
            #expect(settings.behaviour(of: settings.byzantineClients.first!) != nil)
        }
    }

    @Test func vectorAttacksAreRefusedWithTheReason() throws {
        #expect(throws: ConfigError.self) {
            try RunSettings(ExperimentConfig.parse(toml: Self.base + "\nattack = \"alie\"\n"))
        }
        do {
            _ = try RunSettings(ExperimentConfig.parse(toml: Self.base + "\nattack = \"scaled\"\nparameters = { factor = -10.0 }\n"))
        } catch {
            #expect(error.description.contains("bit-flip"), "\(error)")
        }
    }
}
