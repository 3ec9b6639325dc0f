#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Gamma, Dirichlet and log-normal variates on `CounterRandom` streams.
///
/// Gamma(a) uses Marsaglia & Tsang (2000), "A simple method for generating gamma variables":
/// for a ≥ 1, d = a − 1/3, c = 1/√(9d); draw x ~ N(0,1) (Box–Muller, `nextNormal`), v = (1 + cx)³,
/// reject v ≤ 0; draw u ~ U(0,1]; accept d·v if u < 1 − 0.0331x⁴ or ln u < x²/2 + d(1 − v + ln v).
/// For a < 1 the boost Gamma(a) = Gamma(a + 1) · u^(1/a) is applied in the log domain
/// (ln G = ln Gamma(a + 1) + ln(u)/a), so tiny shapes (α = 0.001) never underflow to an all-zero
/// Dirichlet vector. Dirichlet(α·1_K) = normalised Gamma(α) draws, computed as a softmax of the
/// log-gammas. Each draw consumes a data-dependent number of counters (rejections), so streams
/// must not be shared between things that should be independent — the callers key one stream per
/// class or client (`RandomKey`). All arithmetic is Double with C-library `log`/`exp`, identical
/// on every process of a run.
public enum Distributions {
    /// ln of one Gamma(shape, 1) variate; `shape` must be positive and finite.
    public static func logGamma(shape: Double, using random: inout CounterRandom) -> Double {
        precondition(shape > 0 && shape.isFinite, "logGamma: shape \(shape) must be positive")
        if shape < 1 {
            let boost = log(1 - random.nextUniform()) / shape     // ln u, u ∈ (0, 1]
            return logGamma(shape: shape + 1, using: &random) + boost
        }
        let d = shape - 1.0 / 3.0
        let c = 1.0 / (9.0 * d).squareRoot()
        while true {
            let x = random.nextNormal()
            let t = 1 + c * x
            if t <= 0 { continue }
            let v = t * t * t
            let u = 1 - random.nextUniform()                      // (0, 1]
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 || log(u) < 0.5 * x2 + d * (1 - v + log(v)) {
                return log(d) + log(v)
            }
        }
    }

    /// One Gamma(shape, 1) variate (may underflow to 0 for shapes far below 1; see `logGamma`).
    public static func gamma(shape: Double, using random: inout CounterRandom) -> Double {
        exp(logGamma(shape: shape, using: &random))
    }

    /// A Dirichlet(α·1_K) vector of `count` components (non-negative, summing to 1 up to rounding).
    public static func dirichlet(alpha: Double, count: Int, using random: inout CounterRandom) -> [Double] {
        precondition(count > 0, "dirichlet: count must be positive")
        var logs = [Double](repeating: 0, count: count)
        for i in 0..<count { logs[i] = logGamma(shape: alpha, using: &random) }
        let top = logs.max() ?? 0
        var sum = 0.0
        for i in 0..<count {
            logs[i] = exp(logs[i] - top)
            sum += logs[i]
        }
        for i in 0..<count { logs[i] /= sum }
        return logs
    }

    /// exp(μ + σ·z) with z ~ N(0, 1): a log-normal variate (numpy's `lognormal(mean, sigma)`).
    public static func logNormal(mu: Double, sigma: Double, using random: inout CounterRandom) -> Double {
        exp(mu + sigma * random.nextNormal())
    }
}
