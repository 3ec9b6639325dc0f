import Sim

/// `[aggregation]`: how the server combines the updates of a round.
public struct AggregationSection: ConfigSection {
    /// How updates are weighted (DESIGN §10).
    public enum Weighting: String, CaseIterable, Sendable, Hashable {
        /// By sample count: Σ n_k Δ_k / Σ n_k (FedAvg).
        case samples
        /// Equally over the round's participants (1/|S|).
        case participants
        /// Over all N clients (1/N), non-participants contributing zero.
        case all
        /// FedAU: (Σ_S ω_n Δ_n)/N, ω_n the online estimate of client n's participation interval.
        case fedau
        /// Oracle weights 1/p_n of the participation process, divided by N.
        case knownProbability = "known-probability"
        /// MIFA: the mean of every client's latest update.
        case mifa
        /// FedVARP: variance-reduced mean of the latest updates.
        case fedvarp
    }

    /// Server optimizer applied to the aggregate.
    public enum ServerOptimizer: String, CaseIterable, Sendable, Hashable {
        /// x ← x + server_lr · aggregate (distributed-sgd: momentum `serverMomentum`).
        case sgd
        /// FedAvgM: server momentum u ← μu + Δ, x ← x + ηu.
        case fedavgm
        /// FedAdam (spec §6, defaults §6.3a).
        case fedadam
        /// FedYogi (spec §6).
        case fedyogi
        /// FedAdagrad (spec §6).
        case fedadagrad
        /// Lion on the averaged gradient (distributed-sgd: "global Lion", spec §5.7's G-Lion baseline).
        case lion
    }

    /// How Distributed Lion combines the sign votes (run.mode = "distributed-lion").
    public enum SignVote: String, CaseIterable, Sendable, Hashable {
        /// Δ = sign of the vote sum (D-Lion-MaVo).
        case majority
        /// Δ = mean of the ±1 votes (D-Lion-Avg).
        case average
    }

    /// How a majority-vote tie (an even number of votes split evenly) is broken.
    public enum SignTie: String, CaseIterable, Sendable, Hashable {
        /// Δ = 0: the coordinate moves only by weight decay (spec: sign(0) = 0).
        case zero
        /// Δ = −1, as the reference implementation's torch.mode on CPU (compatibility).
        case minusOne = "minus-one"
    }

    /// Update weighting.
    public var weighting: Weighting = .samples
    /// Rule chain: pre-aggregators then one rule (docs/robust-aggregation.md).
    public var rule: [String] = ["mean"]
    /// Per-rule parameters: an object of rule name → object of parameters (JSON values).
    public var parameters: JSONNode = .object([])
    /// Number of Byzantine updates the rule assumes (f).
    public var assumedF: Int = 0
    /// Server optimizer.
    public var serverOptimizer: ServerOptimizer = .sgd
    /// Server learning rate.
    public var serverLR: Double = 1.0
    /// Server momentum (distributed-sgd).
    public var serverMomentum: Double = 0.0
    /// Lion β1 of the server optimizer "lion".
    public var serverBeta1: Double = 0.9
    /// Lion β2 of the server optimizer "lion".
    public var serverBeta2: Double = 0.99
    /// Decoupled weight decay of the server optimizer "lion".
    public var serverWeightDecay: Double = 0
    /// Distributed Lion's vote.
    public var dlionVote: SignVote = .majority
    /// Distributed Lion's majority-vote tie rule.
    public var dlionTie: SignTie = .zero
    /// FedAU's cutoff K (nil = ∞).
    public var fedauCutoff: Int?
    /// τ of FedAdam/FedYogi/FedAdagrad.
    public var tau: Double = 1e-3
    /// v₀ of FedAdam/FedYogi/FedAdagrad.
    public var initialAccumulator: Double = 0
    /// Flower's FedAdam bias correction.
    public var flowerBiasCorrection: Bool = false
    /// Synchronous rounds or FedBuff.
    public var mode: Mode = .synchronous
    /// FedBuff's buffer K.
    public var fedbuffBuffer: Int = 10
    /// FedBuff's concurrency C.
    public var fedbuffConcurrency: Int = 20
    /// FedBuff's staleness weighting.
    public var stalenessWeighting: StalenessWeighting = .polynomial
    /// a of the polynomial staleness weight 1/(1+s)^a.
    public var stalenessExponent: Double = 0.5
    /// Updates staler than this are dropped (nil = never).
    public var maxStaleness: Int?

    /// The defaults.
    public init() {}

    /// Every rule and pre-aggregator name `rule` accepts.
    static var ruleNames: [String] {
        var names = ["mean"]
        for name in RobustRule.aggregatorNames + RobustRule.preAggregatorNames where !names.contains(name) { names.append(name) }
        return names
    }

    static let sectionName = "aggregation"
    static let summary = "How the server weights, combines and applies the updates of a round."

    static var keys: [KeySpec<AggregationSection>] {
        return [
            .choice("weighting", \.weighting,
                    "Weights of the updates: samples (FedAvg), participants (1/|S|), all (1/N), fedau, "
                        + "known-probability (1/p_n), mifa, fedvarp (docs/fedau.md)."),
            .chain("rule", \.rule, available: Self.ruleNames, laterReason: "",
                   "Aggregation rule, or a chain: pre-aggregators then one rule (an array is one chain); docs/robust-aggregation.md."),
            .parameters("parameters", \.parameters, nested: true,
                        "Parameters of the rules of the chain, by rule: { krum = { neighbours = \"n-f-1\" }, centered-clipping = { tau = 10.0 } }; f comes from assumed_f unless given."),
            .integer("assumed_f", \.assumedF, min: 0, "Number of Byzantine updates the rule assumes (f)."),
            .choice("server_optimizer", \.serverOptimizer,
                    "Server optimizer applied to the aggregate (lion: distributed-sgd only, server_lr is its η; "
                        + "fedavgm/fedadam/fedyogi/fedadagrad: federated only, spec §6)."),
            .float("server_lr", \.serverLR, .positive, "Server learning rate η: x ← x + η · aggregate.")
                .documentedDefault("1.0; 0.1 for fedadam and fedadagrad, 0.01 for fedyogi"),
            .float("server_momentum", \.serverMomentum, .unitHalfOpen,
                   "Server momentum: of the distributed-sgd mode (0 = plain SGD), or FedAvgM's μ.")
                .documentedDefault("0; 0.9 for fedavgm")
                .unused(when: { ![.sgd, .fedavgm].contains($0.serverOptimizer)
                    ? "aggregation.server_optimizer is not \"sgd\" or \"fedavgm\"" : nil }),
            .float("server_beta1", \.serverBeta1, .unitClosed,
                   "β1 of the server optimizer: Lion's sign(β1·m + (1 − β1)·g), or FedAdam/FedYogi/FedAdagrad's first moment (< 1).")
                .documentedDefault("0.9; 0 for fedadagrad")
                .unused(when: { [.sgd, .fedavgm].contains($0.serverOptimizer) ? "aggregation.server_optimizer is \"\($0.serverOptimizer.rawValue)\"" : nil }),
            .float("server_beta2", \.serverBeta2, .unitClosed,
                   "β2 of the server optimizer: Lion's m ← β2·m + (1 − β2)·g, or FedAdam/FedYogi's second moment (< 1).")
                .unused(when: { [.sgd, .fedavgm, .fedadagrad].contains($0.serverOptimizer) ? "aggregation.server_optimizer is \"\($0.serverOptimizer.rawValue)\"" : nil }),
            .float("server_weight_decay", \.serverWeightDecay, .nonNegative,
                   "Server Lion decoupled weight decay λ: x ← x·(1 − server_lr·λ) each step.")
                .unused(when: { $0.serverOptimizer != .lion ? "aggregation.server_optimizer is not \"lion\"" : nil }),
            .choice("dlion_vote", \.dlionVote,
                    "Distributed Lion: majority (Δ = sign of the vote sum) or average (Δ = mean of the ±1 votes)."),
            .choice("dlion_tie", \.dlionTie,
                    "Distributed Lion majority-vote tie (even number of votes split evenly): zero (no move) or "
                        + "minus-one (the reference code's torch.mode).")
                .unused(when: { $0.dlionVote != .majority ? "aggregation.dlion_vote is \"\($0.dlionVote.rawValue)\"" : nil }),
        ] + fedAUKeys
    }
}
