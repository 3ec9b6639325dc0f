import Foundation
import Sim

/// The FedAU work's part of the run settings: participation processes, client weightings,
/// FedOpt server optimizers, FedProx, FedBuff and per-client evaluation (docs/fedau.md).
///
/// Probabilities generated from labels need the partition's label histograms, which only the
/// data can give, so the process and the weighting are built by functions that take them.
extension RunSettings {
    /// FedBuff's settings (spec algorithms.md §8.1).
    public struct FedBuffSettings: Sendable, Equatable {
        /// K, updates per server step.
        public var buffer: Int
        /// C, clients training at the same time.
        public var concurrency: Int
        /// a of the weight 1/(1 + s)^a; 0 = constant weights.
        public var stalenessExponent: Double
        /// Updates staler than this are dropped; nil = none.
        public var maxStaleness: Int?
        /// Weight by sample count (n_j / Σ n_j over the buffer) instead of 1/K.
        public var bySamples: Bool

        /// The staleness weight of an update `staleness` server steps old.
        public func stalenessWeight(_ staleness: Int) -> Double {
            stalenessExponent == 0 ? 1 : 1 / pow(1 + Double(staleness), stalenessExponent)
        }
    }

    /// True when a seeded availability process (bernoulli, markov, cyclic, trace) decides who answers:
    /// every client is invited and the process draws the round's participants.
    public var usesAvailabilityProcess: Bool {
        ![.uniform, .full].contains(config.participation.process)
    }

    /// True when building the run needs every client's label histogram (probabilities generated from
    /// labels, or per-client evaluation).
    public var needsLabelCounts: Bool {
        (config.participation.usesProbabilities && config.participation.probabilities.isEmpty) || perClientEvaluation
    }

    /// `eval.per_client`.
    public var perClientEvaluation: Bool { config.eval.perClient }

    /// FedProx's μ (`local.prox_mu`).
    public var proxMu: Float { Float(config.local.proxMu) }

    /// p_n of the participation process (nil for uniform, full and trace). `labelCounts[n][c]` is
    /// needed when the probabilities are generated (`needsLabelCounts`).
    public func participationProbabilities(labelCounts: [[Int]]?) throws(ConfigError) -> [Double]? {
        let p = config.participation
        guard p.usesProbabilities else { return nil }
        if !p.probabilities.isEmpty { return p.probabilities }
        guard let labelCounts, let classes = labelCounts.first?.count else {
            throw .missingKey(key: "participation.probabilities",
                              reason: "the probabilities are generated from the clients' labels, which were not loaded")
        }
        do {
            let theta = try ParticipationProbabilities.drawTheta(classes: classes, alpha: p.dirichletAlpha, seed: seed)
            return try ParticipationProbabilities.fromLabelCounts(labelCounts, theta: theta, mean: p.meanProbability,
                                                                   floor: p.minProbability)
        } catch {
            throw .invalidValue(key: "participation.probabilities", value: "(generated)", reason: error.description)
        }
    }

    /// The participation process with its probabilities; reads the trace file for `trace`.
    public func participationPattern(probabilities: [Double]?) throws(ConfigError) -> ParticipationPattern {
        let p = config.participation
        switch p.process {
        case .full: return .full
        case .uniform: return .uniform(clientsPerRound: min(p.clientsPerRound, clients))
        case .bernoulli: return .bernoulli(probabilities: probabilities ?? [])
        case .markov: return .markov(probabilities: probabilities ?? [], toActive: p.markovRate)
        case .cyclic: return .cyclic(probabilities: probabilities ?? [], period: p.cyclePeriod)
        case .trace:
            let path = p.trace ?? ""
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .invalidValue(key: "participation.trace", value: "\"\(path)\"",
                                    reason: "the file cannot be read; check the path (relative to the experiment file)")
            }
            do {
                let format: ParticipationTrace.Format = p.traceFormat == .pairs ? .pairs : .matrix
                return .trace(try ParticipationTrace.parse(text, format: format, clients: clients))
            } catch {
                throw .invalidValue(key: "participation.trace", value: "\"\(path)\"", reason: error.description)
            }
        }
    }

    /// The seeded participation state of a fresh run.
    public func participationState(probabilities: [Double]?) throws(ConfigError) -> ParticipationState {
        do {
            return try ParticipationState(pattern: try participationPattern(probabilities: probabilities),
                                          clients: clients, seed: seed)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw .invalidValue(key: "participation.process", value: "\"\(config.participation.process.rawValue)\"",
                                reason: "\(error)")
        }
    }

    /// The participation-aware weighting of §3 (fedau, known-probability, mifa, fedvarp), or nil
    /// when `weighting` (samples, participants, all) goes through the foundation's aggregation path.
    public func clientWeighting(probabilities: [Double]?) throws(ConfigError) -> ClientWeighting? {
        switch config.aggregation.weighting {
        case .samples, .participants, .all: return nil
        case .fedau: return .fedau(cutoff: config.aggregation.fedauCutoff)
        case .mifa: return .mifa
        case .fedvarp: return .fedvarp
        case .knownProbability:
            guard let probabilities else {
                throw .conflict(keys: ["aggregation.weighting", "participation.process"],
                                reason: "known-probability weights need the process's probabilities p_n; use "
                                    + "participation.process = \"bernoulli\", \"markov\" or \"cyclic\"")
            }
            return .knownProbability(probabilities)
        }
    }

    /// The FedOpt server optimizer (fedavgm, fedadam, fedyogi, fedadagrad), nil for sgd and lion.
    public func fedOptimizer() throws(ConfigError) -> FedOptimizer? {
        let a = config.aggregation
        let kind: FedOptimizer.Kind
        switch a.serverOptimizer {
        case .sgd, .lion: return nil
        case .fedavgm: kind = .fedavgm
        case .fedadam: kind = .fedadam
        case .fedyogi: kind = .fedyogi
        case .fedadagrad: kind = .fedadagrad
        }
        var options = FedOptimizer.Options.defaults(for: kind)
        options.learningRate = a.serverLR
        if kind == .fedavgm {
            options.momentum = a.serverMomentum
        } else {
            options.beta1 = a.serverBeta1
            options.beta2 = a.serverBeta2
            options.tau = a.tau
            options.initialAccumulator = a.initialAccumulator
            options.flowerBiasCorrection = a.flowerBiasCorrection
        }
        do {
            return try FedOptimizer(kind: kind, options: options)
        } catch {
            throw .invalidValue(key: "aggregation.server_optimizer", value: "\"\(a.serverOptimizer.rawValue)\"",
                                reason: error.description)
        }
    }

    /// FedBuff's settings, nil for synchronous rounds.
    public var fedBuff: FedBuffSettings? {
        let a = config.aggregation
        guard a.mode == .fedbuff else { return nil }
        return FedBuffSettings(buffer: a.fedbuffBuffer, concurrency: a.fedbuffConcurrency,
                               stalenessExponent: a.stalenessWeighting == .constant ? 0 : a.stalenessExponent,
                               maxStaleness: a.maxStaleness, bySamples: a.weighting == .samples)
    }

    /// Combinations of the FedAU work's keys that cannot run (called at the end of `init`).
    func validateFedAU() throws(ConfigError) {
        let c = config
        let a = c.aggregation
        let federatedOnly: [(Bool, String, String)] = [
            (![.samples, .participants, .all].contains(a.weighting), "aggregation.weighting", "\"\(a.weighting.rawValue)\" weighs model deltas"),
            (a.usesFedOpt, "aggregation.server_optimizer", "\"\(a.serverOptimizer.rawValue)\" steps on the mean model delta"),
            (c.local.proxMu != 0, "local.prox_mu", "FedProx's proximal term belongs to local training of several steps"),
            (a.mode == .fedbuff, "aggregation.mode", "FedBuff buffers model deltas"),
        ]
        for (used, key, why) in federatedOnly where used && mode != .federated {
            throw .conflict(keys: [key, "run.mode"], reason: "\(why); use run.mode = \"federated\"")
        }
        let participationAware = ![.samples, .participants, .all].contains(a.weighting)
        if participationAware, chain != nil {
            throw .conflict(keys: ["aggregation.weighting", "aggregation.rule"],
                            reason: "\"\(a.weighting.rawValue)\" is its own aggregation rule; remove aggregation.rule "
                                + "or use weighting = \"samples\", \"participants\" or \"all\"")
        }
        if participationAware || a.mode == .fedbuff, case .omniscient = attack {
            throw .conflict(keys: [a.mode == .fedbuff ? "aggregation.mode" : "aggregation.weighting", "byzantine.attack"],
                            reason: "the coordinator-side attacks act inside the robust aggregation path; use a "
                                + "worker-side attack (label-flip, sign-flip, …) or weighting = \"samples\"")
        }
        let p = c.participation
        if p.usesProbabilities, !p.probabilities.isEmpty, p.probabilities.count != clients {
            throw .conflict(keys: ["participation.probabilities", "partition.clients"],
                            reason: "\(p.probabilities.count) probabilities for \(clients) clients; give one per client "
                                + "or remove the list to generate them from the labels")
        }
        if a.weighting == .knownProbability, !p.usesProbabilities {
            throw .conflict(keys: ["aggregation.weighting", "participation.process"],
                            reason: "known-probability weights need the process's probabilities p_n; use "
                                + "participation.process = \"bernoulli\", \"markov\" or \"cyclic\"")
        }
        if let buffered = fedBuff {
            try Self.requireVirtualWaitAll(c, key: "aggregation.mode", what: "FedBuff steps on its buffer of K arrivals")
            if participationAware {
                throw .conflict(keys: ["aggregation.mode", "aggregation.weighting"],
                                reason: "FedBuff weighs its buffer by staleness; use weighting = \"participants\" (1/K) or \"samples\"")
            }
            if a.weighting == .all {
                throw .conflict(keys: ["aggregation.mode", "aggregation.weighting"],
                                reason: "FedBuff divides its buffer by K; use weighting = \"participants\" (1/K) or \"samples\"")
            }
            if chain != nil {
                throw .conflict(keys: ["aggregation.mode", "aggregation.rule"], reason: "FedBuff sums its buffer; remove aggregation.rule")
            }
            if c.compression.downlink != .none {
                throw .conflict(keys: ["aggregation.mode", "compression.downlink"],
                                reason: "a compressed downlink sends each round's model change to workers that hold the "
                                    + "previous round's model, while FedBuff starts clients on whichever server step is "
                                    + "current; set compression.downlink = \"none\" (uplink compression works with FedBuff)")
            }
            if p.process != .uniform {
                throw .conflict(keys: ["aggregation.mode", "participation.process"],
                                reason: "FedBuff starts idle clients drawn uniformly itself; use participation.process = \"uniform\"")
            }
            if buffered.concurrency < buffered.buffer || buffered.concurrency > clients {
                throw .conflict(keys: ["aggregation.fedbuff_concurrency", "aggregation.fedbuff_buffer"],
                                reason: "the concurrency must lie between the buffer (\(buffered.buffer)) and the number of "
                                    + "clients (\(clients)); got \(buffered.concurrency)")
            }
        }
        _ = try fedOptimizer()
    }
}
