// Sequential gradient coding (Krishnan, Ebrahimi, Khisti, ICLR 2023; spec §A.6; operational rules
// from the authors' simulators mamaj/Sequential-Gradient-Coding-2 @21933da, 2_find_runtimes/).
//
// J jobs (gradient computations); job t starts in round t and must be decoded by the end of round
// t + T. Plain GC is T = 0. Under the (B, W, λ)-bursty straggler model (§A.6.2):
// - SR-SGC: an (n, s) code with s = ⌈Bλ/(W−1+B)⌉, T = B, load (s+1)/n; workers that missed job t in
//   round t repeat it in round t + B when more than s missed (lowest indices first).
// - M-SGC: T = W−2+B, W−1+B equal minitasks per round (slot m of round r is job r−m): W−1 uncoded D1
//   pieces per worker and B coded (n, λ) D2 groups; load (λ+1)(W−1+B)/(n(B+(W−1)(λ+1))).
// This file holds the parameters and load formulas; `SequentialCodingMachine` runs the schedule.

/// Which sequential scheme, with its straggler-model parameters.
public enum SequentialScheme: Sendable, Equatable {
    /// Plain gradient coding with tolerance s per round (T = 0): the SGC papers' GC baseline.
    case gradientCoding(s: Int)
    /// Selective-repeat SGC for the (B, W, λ)-bursty model; needs B | (W − 1) (W = 1: GC with s = λ).
    case selectiveRepeat(burst: Int, window: Int, lambda: Int)
    /// Multiplexed SGC for the (B, W, λ)-bursty model; needs 1 ≤ B < W and λ ≤ n.
    case multiplexed(burst: Int, window: Int, lambda: Int)

    /// The name used in experiment files (`[coding] scheme`) and the fixtures.
    public var name: String {
        switch self {
        case .gradientCoding: return "gc"
        case .selectiveRepeat: return "sr-sgc"
        case .multiplexed: return "m-sgc"
        }
    }
}

/// A validated sequential-coding configuration and its derived quantities.
public struct SequentialCodingParameters: Sendable, Equatable {
    /// Number of workers (logical clients).
    public let n: Int
    public let scheme: SequentialScheme
    /// Number of jobs J (gradient computations) to run.
    public let jobs: Int
    /// GC baseline only: use the authors' simulator's "fewer than s stragglers" rule instead of the
    /// spec's "at most s" (§A.6.3; the fixtures record the authors' rule).
    public let strictGCRule: Bool

    public init(n: Int, scheme: SequentialScheme, jobs: Int, strictGCRule: Bool = false) throws(CodingError) {
        guard n >= 1 else { throw .invalidSequentialParameters(scheme: scheme.name, detail: "n = \(n) must be ≥ 1") }
        guard jobs >= 0 else { throw .invalidSequentialParameters(scheme: scheme.name, detail: "jobs = \(jobs) must be ≥ 0") }
        switch scheme {
        case .gradientCoding(let s):
            guard s >= 0, s < n else { throw .invalidParameters(scheme: "gc", n: n, s: s) }
        case let .selectiveRepeat(b, w, lambda):
            guard b >= 1, w >= 1, (w - 1) % b == 0 else {
                throw .invalidSequentialParameters(
                    scheme: "sr-sgc", detail: "B = \(b), W = \(w): need B ≥ 1, W ≥ 1 and B dividing W − 1 (W = B·x + 1)")
            }
            guard lambda >= 1, lambda <= n else {
                throw .invalidSequentialParameters(scheme: "sr-sgc", detail: "lambda = \(lambda) must be in 1...n (n = \(n))")
            }
            let s = (b * lambda + (w - 1 + b) - 1) / (w - 1 + b)
            guard s < n else {
                throw .invalidSequentialParameters(scheme: "sr-sgc", detail: "s = ⌈Bλ/(W−1+B)⌉ = \(s) must be < n = \(n)")
            }
        case let .multiplexed(b, w, lambda):
            guard b >= 1, w > b else {
                throw .invalidSequentialParameters(scheme: "m-sgc", detail: "B = \(b), W = \(w): need 1 ≤ B < W")
            }
            guard lambda >= 1, lambda <= n else {
                throw .invalidSequentialParameters(scheme: "m-sgc", detail: "lambda = \(lambda) must be in 1...n (n = \(n))")
            }
        }
        self.n = n
        self.scheme = scheme
        self.jobs = jobs
        self.strictGCRule = strictGCRule
    }

    /// The per-round straggler tolerance of the underlying (n, s) code: s (GC), ⌈Bλ/(W−1+B)⌉
    /// (SR-SGC), λ for the D2 groups (M-SGC).
    public var s: Int {
        switch scheme {
        case .gradientCoding(let s): return s
        case let .selectiveRepeat(b, w, lambda): return (b * lambda + (w - 1 + b) - 1) / (w - 1 + b)
        case let .multiplexed(_, _, lambda): return lambda
        }
    }

    /// Decoding delay T: job t is decoded at the end of round t + T.
    public var delay: Int {
        switch scheme {
        case .gradientCoding: return 0
        case let .selectiveRepeat(b, _, _): return b
        case let .multiplexed(b, w, _): return w - 2 + b
        }
    }

    /// Rounds the schedule runs: jobs + T (the last T rounds only finish earlier jobs).
    public var totalRounds: Int { jobs + delay }

    /// Minitasks (slots) per worker per round: 1, except W − 1 + B for M-SGC.
    public var slots: Int {
        if case let .multiplexed(b, w, _) = scheme { return w - 1 + b }
        return 1
    }

    /// Normalized load: fraction of one job's data a worker processes per round.
    public var load: Double {
        switch scheme {
        case .gradientCoding, .selectiveRepeat: return Double(s + 1) / Double(n)
        case let .multiplexed(b, w, lambda):
            if lambda == n { return Double(w - 1 + b) / Double(n * (w - 1)) }
            return Double((lambda + 1) * (w - 1 + b)) / Double(n * (b + (w - 1) * (lambda + 1)))
        }
    }

    /// M-SGC data fractions of a job: d1 = (λ+1)(W−1)/(B+(λ+1)(W−1)) uncoded (n chunks, each cut
    /// into W − 1 pieces), d2 = B/(B+(λ+1)(W−1)) coded (B groups, each with an (n, λ) code).
    /// Nil for the other schemes.
    public var multiplexedFractions: (d1: Double, d2: Double)? {
        guard case let .multiplexed(b, w, lambda) = scheme else { return nil }
        let den = Double(b + (lambda + 1) * (w - 1))
        return (Double((lambda + 1) * (w - 1)) / den, Double(b) / den)
    }
}
