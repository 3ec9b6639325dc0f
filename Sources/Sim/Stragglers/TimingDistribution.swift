#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Parametric distributions for client speeds, slowdowns, bandwidths, latencies and injected delays
// (issue 6; spec §A.7.4; DESIGN §6). Every draw takes a `CounterRandom` from the caller, who keys
// it by (seed, purpose, round, client) — no global state. Inverse-CDF sampling wherever possible,
// so each draw consumes a fixed number of counters (1; 2 for the Box–Muller normals).
//
// - constant(v)
// - normal(mean, sd, minimum): N(mean, sd²) clamped below at `minimum` (times must stay positive;
//   the clamp biases the mean upward when minimum is within a few sd of the mean).
// - logNormal(mu, sigma): exp(mu + sigma·z); mean exp(mu + sigma²/2).
// - exponential(mean, shift): shift + mean·Exp(1) (the coded-computing literature's shifted
//   exponential; shift = 0 gives the plain exponential).
// - pareto(alpha, scale): scale·U^(−1/alpha) ≥ scale; mean alpha·scale/(alpha − 1) for alpha > 1
//   (infinite otherwise). Heavy-tailed stragglers.

/// A distribution of positive durations or rates.
public enum TimingDistribution: Sendable, Hashable {
    case constant(Double)
    case normal(mean: Double, sd: Double, minimum: Double)
    case logNormal(mu: Double, sigma: Double)
    case exponential(mean: Double, shift: Double)
    case pareto(alpha: Double, scale: Double)

    /// The configuration name (`[timing]` keys use these).
    public var name: String {
        switch self {
        case .constant: return "constant"
        case .normal: return "normal"
        case .logNormal: return "lognormal"
        case .exponential: return "exponential"
        case .pareto: return "pareto"
        }
    }

    /// Checks the parameters (finite; sd, sigma ≥ 0; mean, alpha, scale > 0; constant > 0 unless
    /// `allowZero`, for additive delays).
    public func validate(what: String, allowZero: Bool = false) throws(StragglerModelError) {
        func bad(_ detail: String) -> StragglerModelError { .invalidDistribution(what: what, distribution: name, detail: detail) }
        switch self {
        case .constant(let v):
            guard v.isFinite, allowZero ? v >= 0 : v > 0 else { throw bad("value \(v) must be \(allowZero ? "≥ 0" : "> 0")") }
        case let .normal(mean, sd, minimum):
            guard mean.isFinite, sd.isFinite, sd >= 0, minimum.isFinite, allowZero ? minimum >= 0 : minimum > 0 else {
                throw bad("need finite mean, sd ≥ 0 and minimum \(allowZero ? "≥ 0" : "> 0") (got mean \(mean), sd \(sd), minimum \(minimum))")
            }
        case let .logNormal(mu, sigma):
            guard mu.isFinite, sigma.isFinite, sigma >= 0 else { throw bad("need finite mu and sigma ≥ 0 (got \(mu), \(sigma))") }
        case let .exponential(mean, shift):
            guard mean.isFinite, mean > 0, shift.isFinite, shift >= 0 else {
                throw bad("need mean > 0 and shift ≥ 0 (got mean \(mean), shift \(shift))")
            }
        case let .pareto(alpha, scale):
            guard alpha.isFinite, alpha > 0, scale.isFinite, scale > 0 else {
                throw bad("need alpha > 0 and scale > 0 (got alpha \(alpha), scale \(scale))")
            }
        }
    }

    /// One draw.
    public func sample(using random: inout CounterRandom) -> Double {
        switch self {
        case .constant(let v): return v
        case let .normal(mean, sd, minimum): return max(minimum, mean + sd * random.nextNormal())
        case let .logNormal(mu, sigma): return Distributions.logNormal(mu: mu, sigma: sigma, using: &random)
        case let .exponential(mean, shift): return shift - mean * log1p(-random.nextUniform())
        case let .pareto(alpha, scale): return scale * exp(-log1p(-random.nextUniform()) / alpha)
        }
    }

    /// The mean (before clamping for `normal`); infinite for Pareto with alpha ≤ 1.
    public var mean: Double {
        switch self {
        case .constant(let v): return v
        case .normal(let mean, _, _): return mean
        case let .logNormal(mu, sigma): return exp(mu + sigma * sigma / 2)
        case let .exponential(mean, shift): return shift + mean
        case let .pareto(alpha, scale): return alpha > 1 ? alpha * scale / (alpha - 1) : .infinity
        }
    }
}
