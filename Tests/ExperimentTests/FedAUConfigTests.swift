import Foundation
import Testing

@testable import Experiment
@testable import Sim

/// The FedAU work's keys: participation processes, weightings, FedOpt optimizers, FedProx, FedBuff
/// and per-client evaluation, mapped to Sim, and the combinations that are refused.
@Suite struct FedAUConfigTests {
    private func settings(_ toml: String) throws -> RunSettings {
        try RunSettings(ExperimentConfig.parse(toml: "[partition]\nclients = 20\n" + toml))
    }

    private func refusal(_ toml: String) -> ConfigError? {
        do {
            _ = try settings(toml)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            return nil
        }
    }

    @Test func uniformThroughTheParticipationStateIsTheFoundationSchedule() throws {
        let s = try settings("[participation]\nclients_per_round = 7\n")
        var state = try s.participationState(probabilities: nil)
        for round in 1...5 {
            #expect(state.nextParticipants() == s.participation.participants(round: .init(round), clients: 20, seed: s.seed))
        }
    }

    @Test func bernoulliWithGeneratedProbabilities() throws {
        let s = try settings("[participation]\nprocess = \"bernoulli\"\nmean_probability = 0.2\n[aggregation]\nweighting = \"fedau\"\nfedau_cutoff = 50\n")
        #expect(s.usesAvailabilityProcess && s.needsLabelCounts)
        let counts = (0..<20).map { n in (0..<10).map { c in c == n % 10 ? 30 : (c == (n + 3) % 10 ? 5 : 0) } }
        let p = try #require(try s.participationProbabilities(labelCounts: counts))
        #expect(p.count == 20 && p.allSatisfy { $0 >= 0.02 && $0 <= 1 })
        #expect(Set(p).count > 2, "heterogeneous: \(p)")
        #expect(try s.clientWeighting(probabilities: p) == .fedau(cutoff: 50))
        if case .bernoulli(let q) = try s.participationPattern(probabilities: p) { #expect(q == p) } else { Issue.record("not bernoulli") }
        #expect(s.participation == .full)  // every client is invited
    }

    @Test func explicitProbabilitiesMarkovCyclicAndKnownProbability() throws {
        let list = "[" + (0..<20).map { _ in "0.25" }.joined(separator: ", ") + "]"
        let markov = try settings("[participation]\nprocess = \"markov\"\nmarkov_rate = 0.1\nprobabilities = \(list)\n"
                                  + "[aggregation]\nweighting = \"known-probability\"\n")
        #expect(!markov.needsLabelCounts)
        let p = try markov.participationProbabilities(labelCounts: nil)
        #expect(p == [Double](repeating: 0.25, count: 20))
        #expect(try markov.participationPattern(probabilities: p) == .markov(probabilities: p!, toActive: 0.1))
        #expect(try markov.clientWeighting(probabilities: p) == .knownProbability(p!))
        let cyclic = try settings("[participation]\nprocess = \"cyclic\"\ncycle_period = 20\nprobabilities = \(list)\n")
        #expect(try cyclic.participationPattern(probabilities: p) == .cyclic(probabilities: p!, period: 20))
    }

    @Test func traceFiles() throws {
        let dir = NSTemporaryDirectory() + "gradwire-trace-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "round,client\n1,0\n1,3\n2,19\n".write(toFile: dir + "/t.csv", atomically: true, encoding: .utf8)
        let config = try ExperimentConfig.parse(toml: "[partition]\nclients = 20\n[participation]\nprocess = \"trace\"\ntrace = \"t.csv\"\n",
                                                baseDirectory: dir)
        var state = try RunSettings(config).participationState(probabilities: nil)
        #expect(state.nextParticipants() == [0, 3] && state.nextParticipants() == [19] && state.nextParticipants() == [0, 3])
        #expect(refusal("[participation]\nprocess = \"trace\"\n") == .missingKey(key: "participation.trace",
                                                                               reason: "participation.process = \"trace\" reads a trace file"))
    }

    @Test func fedOptDefaultsFollowDecision63a() throws {
        func optimizer(_ kind: String, _ extra: String = "") throws -> FedOptimizer {
            try #require(try settings("[aggregation]\nserver_optimizer = \"\(kind)\"\n" + extra).fedOptimizer())
        }
        #expect(try optimizer("fedadam").options == .defaults(for: .fedadam))
        #expect(try optimizer("fedyogi").options == .defaults(for: .fedyogi))
        #expect(try optimizer("fedadagrad").options == .defaults(for: .fedadagrad))
        #expect(try optimizer("fedavgm").options == .defaults(for: .fedavgm))
        let custom = try optimizer("fedadam", "server_lr = 0.03\nserver_beta1 = 0.8\nserver_beta2 = 0.9\ntau = 0.01\n"
                                   + "initial_accumulator = 1e-6\nflower_bias_correction = true\n")
        #expect(custom.options == FedOptimizer.Options(learningRate: 0.03, beta1: 0.8, beta2: 0.9, tau: 0.01, momentum: 0,
                                                       initialAccumulator: 1e-6, flowerBiasCorrection: true))
        #expect(try optimizer("fedavgm", "server_momentum = 0.5\n").options.momentum == 0.5)
        #expect(try settings("").fedOptimizer() == nil)
        // The resolved file keeps the defaults it filled in.
        let config = try ExperimentConfig.parse(toml: "[aggregation]\nserver_optimizer = \"fedyogi\"\n")
        #expect(try ExperimentConfig.parse(toml: config.tomlText()) == config)
        #expect(config.aggregation.serverLR == 0.01)
    }

    @Test func fedProxFedBuffAndPerClientEvaluation() throws {
        #expect(try settings("[local]\nprox_mu = 0.5\n").proxMu == 0.5)
        let buff = try settings("[aggregation]\nmode = \"fedbuff\"\nfedbuff_buffer = 4\nfedbuff_concurrency = 8\nmax_staleness = 3\n")
        #expect(buff.fedBuff == RunSettings.FedBuffSettings(buffer: 4, concurrency: 8, stalenessExponent: 0.5, maxStaleness: 3, bySamples: true))
        let constant = try settings("[aggregation]\nmode = \"fedbuff\"\nstaleness_weighting = \"constant\"\nweighting = \"participants\"\n")
        #expect(constant.fedBuff?.stalenessExponent == 0 && constant.fedBuff?.bySamples == false)
        #expect(try settings("").fedBuff == nil)
        #expect(try settings("[eval]\nper_client = true\n").needsLabelCounts)
    }

    @Test func impossibleCombinationsAreRefusedWithTheKeys() {
        func keys(_ toml: String) -> [String]? {
            if case .conflict(let keys, _)? = refusal(toml) { return keys }
            return nil
        }
        #expect(keys("[aggregation]\nweighting = \"known-probability\"\n") == ["aggregation.weighting", "participation.process"])
        #expect(keys("[aggregation]\nweighting = \"fedau\"\nrule = \"median\"\n") == ["aggregation.weighting", "aggregation.rule"])
        #expect(keys("[run]\nmode = \"distributed-sgd\"\n[aggregation]\nserver_optimizer = \"fedadam\"\n")
                == ["aggregation.server_optimizer", "run.mode"])
        #expect(keys("[run]\nmode = \"distributed-sgd\"\n[local]\nprox_mu = 0.1\n") == ["local.prox_mu", "run.mode"])
        #expect(keys("[participation]\nprocess = \"bernoulli\"\nprobabilities = [0.5, 0.5]\n")
                == ["participation.probabilities", "partition.clients"])
        #expect(keys("[aggregation]\nmode = \"fedbuff\"\nfedbuff_buffer = 8\nfedbuff_concurrency = 4\n")
                == ["aggregation.fedbuff_concurrency", "aggregation.fedbuff_buffer"])
        #expect(keys("[aggregation]\nmode = \"fedbuff\"\nweighting = \"fedau\"\n") == ["aggregation.mode", "aggregation.weighting"])
        #expect(keys("[aggregation]\nmode = \"fedbuff\"\n[compression]\ndownlink = \"qsgd\"\n") == ["aggregation.mode", "compression.downlink"])
        #expect(keys("[aggregation]\nmode = \"fedbuff\"\n[participation]\nprocess = \"full\"\n") == ["aggregation.mode", "participation.process"])
        if case .invalidValue(let key, _, _)? = refusal("[aggregation]\nserver_optimizer = \"fedadam\"\nserver_beta1 = 1.0\n") {
            #expect(key == "aggregation.server_beta1")
        } else {
            Issue.record("β1 = 1 accepted for FedAdam")
        }
        if case .invalidValue(let key, _, _)? = refusal("[participation]\nprocess = \"bernoulli\"\nprobabilities = [0.0]\n") {
            #expect(key == "participation.probabilities")
        } else {
            Issue.record("p = 0 accepted")
        }
    }
}
