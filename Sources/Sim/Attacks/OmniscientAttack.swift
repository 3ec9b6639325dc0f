// Omniscient Byzantine attacks: a coordinator-side adversary that sees every honest update of
// the round and crafts the vectors the f Byzantine clients send (robust-aggregation spec §5). It
// never tells the aggregation rule anything; the coordinator appends its vectors to the honest
// ones, shuffles, and aggregates as usual.
//
// Sources and conventions (exactly those of the reference fixtures, `fixtures/robust/README.md`):
// - `sign-flip`: ByzFL `SignFlipping()`, −μ (μ = coordinate-wise mean of the honest updates).
// - `inf`: ByzFL `Inf()`, +∞ in every coordinate.
// - `alie`: ByzFL `ALittleIsEnough(tau)`, μ + τ·σ with σ the coordinate-wise *sample* standard
//   deviation (divide by n_h − 1) and a plus sign; τ given (default 1.5) or z_max from n and f
//   (Baruch or Karimireddy form, `ALIEFactor`).
// - `ipm`: ByzFL `InnerProductManipulation(tau)`, −τ·μ (default τ = 2).
// - `mimic`: ByzFL `Mimic(epsilon)`, a copy of honest update number epsilon; or the
//   Karimireddy-He-Jaggi heuristic (the honest update with the largest |⟨h_i, z⟩|, z the top
//   principal direction of the honest updates).
// - `fang`: Fang et al. (USENIX Security 2020) full-knowledge attacks on Krum and trimmed mean.
// - `min-max`: Shejwalkar & Houmansadr (NDSS 2021) as in Blades: μ − γ·δ, γ as large as keeps the
//   Byzantine vector within the honest diameter.
// - `optimal-alie`, `optimal-ipm`: ByzFL's factor search (`Optimal_*`, spec §5.9) against the
//   rule the coordinator actually runs, passed in as a closure.
// Every Byzantine client sends the same vector except in `fang` against trimmed mean, where each
// draws its own values.
//
// Deviations, each documented in docs/attacks.md: Fang's trimmed-mean attack pushes every
// coordinate against the sign of the honest mean (the spec's wording takes the sign the other
// way round, which only amplifies the honest direction when updates are gradients or deltas);
// Min-Max bisects inside [0, gamma_max] instead of NDSS's loop, which can step past the bound;
// the Mimic heuristic learns its direction from the current round only (no warm-up state).

/// An attack run by the coordinator-side adversary, which sees the round's honest updates.
public enum OmniscientAttack: Sendable, Equatable {
    /// `sign-flip`: every Byzantine client sends −μ (ByzFL `SignFlipping`).
    case signFlip
    /// `inf`: +∞ in every coordinate (ByzFL `Inf`).
    case infinity
    /// `alie`: μ + z·σ, σ the sample standard deviation (ByzFL `ALittleIsEnough`).
    case alie(z: ALIEFactor)
    /// `ipm`: −τ·μ (ByzFL `InnerProductManipulation`).
    case ipm(tau: Double)
    /// `mimic`: a copy of one honest update.
    case mimic(MimicTarget)
    /// `fang`: Fang et al.'s attack on Krum or on trimmed mean / median.
    case fang(FangTarget)
    /// `min-max`: μ − γ·δ with the largest γ that keeps every distance to an honest update below
    /// the largest honest pairwise distance.
    case minMax(MinMaxSettings)
    /// `optimal-alie`: ALIE with τ found by ByzFL's line search against the aggregator.
    case optimalALIE(FactorSearch)
    /// `optimal-ipm`: IPM with τ found by ByzFL's line search against the aggregator.
    case optimalIPM(FactorSearch)

    /// Where ALIE's factor comes from.
    public enum ALIEFactor: Sendable, Equatable {
        /// A fixed factor τ (ByzFL default 1.5).
        case given(Double)
        /// z_max = Φ⁻¹((n − s)/n), s = ⌊n/2 + 1⌋ − f (Baruch et al.).
        case baruch
        /// z_max = Φ⁻¹((n − f − s)/(n − f)), s = ⌊n/2 + 1⌋ − f (Karimireddy et al., Blades).
        case karimireddy
    }

    /// Which honest update Mimic copies.
    public enum MimicTarget: Sendable, Equatable {
        /// Honest update number `index` of the round (0-based, ByzFL `epsilon`).
        case worker(Int)
        /// The honest update with the largest |⟨h_i, z⟩|, z the top principal direction of the
        /// round's honest updates, found by `iterations` power-iteration steps from a seeded start.
        case maxVariance(iterations: Int)
    }

    /// The rule Fang's attack is tailored to.
    public enum FangTarget: Sendable, Equatable {
        /// Send −λ·sign(μ); λ starts at Fang's upper bound and is halved until (paper-convention)
        /// Krum selects a Byzantine vector or λ falls below `threshold` (1e-5).
        case krum(threshold: Double)
        /// Per coordinate, values drawn uniformly beyond the honest extreme opposite to sign(μ_j),
        /// within a factor `b` (2) of it.
        case trimmedMean(b: Double)
    }

    /// The perturbation direction δ of Min-Max.
    public enum MinMaxDeviation: String, Sendable, Equatable, CaseIterable {
        /// The coordinate-wise sample standard deviation σ.
        case std
        /// μ / ‖μ‖.
        case unitVector = "unit-vector"
        /// sign(μ).
        case sign
    }

    /// Min-Max's search settings.
    public struct MinMaxSettings: Sendable, Equatable {
        /// Direction of the perturbation (default `std`).
        public var deviation: MinMaxDeviation
        /// Upper end of the γ search interval (default 5).
        public var gammaMax: Double
        /// Bisection stops when the interval is this narrow (default 0.01).
        public var tolerance: Double

        /// Settings with Blades' defaults unless given.
        public init(deviation: MinMaxDeviation = .std, gammaMax: Double = 5.0, tolerance: Double = 0.01) {
            self.deviation = deviation
            self.gammaMax = gammaMax
            self.tolerance = tolerance
        }
    }

    /// ByzFL's line search over the attack factor (spec §5.9); defaults as ByzFL.
    public struct FactorSearch: Sendable, Equatable {
        /// Total number of aggregator evaluations (default 20).
        public var evaluations: Int
        /// First factor evaluated (default 0).
        public var start: Double
        /// First step (default 10).
        public var delta: Double
        /// Step contraction ratio (default 0.8).
        public var ratio: Double

        /// A search with ByzFL's defaults unless given.
        public init(evaluations: Int = 20, start: Double = 0.0, delta: Double = 10.0, ratio: Double = 0.8) {
            self.evaluations = evaluations
            self.start = start
            self.delta = delta
            self.ratio = ratio
        }
    }

    /// Every omniscient attack name, as written in experiment files and fixtures.
    public static let names = ["sign-flip", "inf", "alie", "ipm", "mimic", "fang", "min-max",
                               "optimal-alie", "optimal-ipm"]

    /// The attack's name in experiment files and fixtures.
    public var name: String {
        switch self {
        case .signFlip: "sign-flip"
        case .infinity: "inf"
        case .alie: "alie"
        case .ipm: "ipm"
        case .mimic: "mimic"
        case .fang: "fang"
        case .minMax: "min-max"
        case .optimalALIE: "optimal-alie"
        case .optimalIPM: "optimal-ipm"
        }
    }

    /// True for the attacks that need the round's aggregator (`craft`'s `aggregator`).
    public var needsAggregator: Bool {
        switch self {
        case .optimalALIE, .optimalIPM: true
        default: false
        }
    }

    /// Parses an attack from its name and parameters (fixture `params` or the `[byzantine]` keys).
    ///
    /// Parameters (aliases in brackets; `n` and `f` are accepted and ignored everywhere):
    /// - `alie`: `tau` [`z`] (default 1.5), `z_formula` = "given" | "baruch" | "karimireddy"
    ///   (default "given"; with a formula, a recorded `tau` is ignored).
    /// - `ipm`: `tau` [`epsilon`] (default 2.0).
    /// - `mimic`: `epsilon` [`worker`] (default 0) or `target` = "max-variance" with
    ///   `iterations` (default 30).
    /// - `fang`: `target` = "krum" | "trimmed-mean" | "median" (required), `threshold` (krum,
    ///   1e-5), `b` (trimmed mean, 2.0).
    /// - `min-max`: `deviation` = "std" | "unit-vector" | "sign", `gamma_max` (5.0), `tolerance` (0.01).
    /// - `optimal-alie`, `optimal-ipm`: `evals` (20), `start` (0.0), `delta` (10.0), `ratio` (0.8).
    public init(name: String, parameters: [String: JSONNode] = [:]) throws(AttackError) {
        var reader = AttackParameterReader(attack: name, parameters: parameters)
        switch name {
        case "sign-flip":
            self = .signFlip
        case "inf":
            self = .infinity
        case "alie":
            let formula = try reader.string(["z_formula"], default: "given", allowed: ["given", "baruch", "karimireddy"])
            let tau = try reader.double(["tau", "z"], default: 1.5)
            switch formula {
            case "baruch": self = .alie(z: .baruch)
            case "karimireddy": self = .alie(z: .karimireddy)
            default: self = .alie(z: .given(tau))
            }
        case "ipm":
            self = .ipm(tau: try reader.double(["tau", "epsilon"], default: 2.0))
        case "mimic":
            let target = try reader.string(["target"], default: "worker", allowed: ["worker", "max-variance"])
            if target == "max-variance" {
                let iterations = try reader.int(["iterations"], default: 30)
                try reader.require(iterations >= 1, "iterations", Double(iterations), "must be at least 1")
                self = .mimic(.maxVariance(iterations: iterations))
            } else {
                let index = try reader.int(["epsilon", "worker"], default: 0)
                try reader.require(index >= 0, "epsilon", Double(index), "the honest update's index must be ≥ 0")
                self = .mimic(.worker(index))
            }
        case "fang":
            let target = try reader.string(["target"], default: nil, allowed: ["krum", "trimmed-mean", "median"])
            if target == "krum" {
                let threshold = try reader.double(["threshold"], default: 1e-5)
                try reader.require(threshold > 0, "threshold", threshold, "must be positive")
                self = .fang(.krum(threshold: threshold))
            } else {
                let b = try reader.double(["b"], default: 2.0)
                try reader.require(b > 1, "b", b, "the range factor must be greater than 1")
                self = .fang(.trimmedMean(b: b))
            }
        case "min-max":
            let deviation = try reader.string(["deviation"], default: "std",
                                              allowed: MinMaxDeviation.allCases.map(\.rawValue))
            let gammaMax = try reader.double(["gamma_max"], default: 5.0)
            try reader.require(gammaMax > 0, "gamma_max", gammaMax, "must be positive")
            let tolerance = try reader.double(["tolerance"], default: 0.01)
            try reader.require(tolerance > 0, "tolerance", tolerance, "must be positive")
            self = .minMax(MinMaxSettings(deviation: MinMaxDeviation(rawValue: deviation) ?? .std,
                                          gammaMax: gammaMax, tolerance: tolerance))
        case "optimal-alie", "optimal-ipm":
            let evaluations = try reader.int(["evals"], default: 20)
            try reader.require(evaluations >= 1, "evals", Double(evaluations), "must be at least 1")
            let start = try reader.double(["start"], default: 0.0)
            try reader.require(start >= 0, "start", start, "the first factor must be ≥ 0")
            let delta = try reader.double(["delta"], default: 10.0)
            try reader.require(delta > 0, "delta", delta, "the first step must be positive")
            let ratio = try reader.double(["ratio"], default: 0.8)
            try reader.require(ratio > 0 && ratio < 1, "ratio", ratio, "the contraction ratio must be in (0, 1)")
            let search = FactorSearch(evaluations: evaluations, start: start, delta: delta, ratio: ratio)
            self = name == "optimal-alie" ? .optimalALIE(search) : .optimalIPM(search)
        default:
            if ClientBehaviour.names.contains(name) {
                throw .invalidParameter(attack: name, name: "attack", value: "\"\(name)\"",
                                        reason: "this is a client-side behaviour run by the worker, not an omniscient attack "
                                            + "(use ClientBehaviour or ByzantineAttack)")
            }
            throw .unknownAttack(name, suggestion: AttackNames.closest(to: name, among: Self.names + ClientBehaviour.names))
        }
        try reader.finish()
    }
}
