#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Adaptive federated server optimizers: FedAvgM, FedAdam, FedYogi, FedAdagrad
/// (Reddi et al., ICLR 2021, "Adaptive Federated Optimization", Algorithm 2; Hsu et al. 2019 for
/// FedAvgM; `../shared/specs/algorithms.md` §6).
///
/// The server treats the round's aggregated delta Δ_t (descent direction, aggregate − x) as a
/// pseudo-gradient with the sign flipped:
/// - FedAvgM:    u ← μ·u + Δ (u = Δ in the first round);  x ← x + η·u
/// - FedAdam:    m ← β1·m + (1−β1)·Δ;  v ← β2·v + (1−β2)·Δ²;  x ← x + η_t·m / (√v + τ)
/// - FedYogi:    m as Adam;  v ← v − (1−β2)·Δ²·sign(v − Δ²) (sign(0) = 0);  x ← x + η·m / (√v + τ)
/// - FedAdagrad: m as Adam (β1 defaults to 0, as Flower forces);  v ← v + Δ²;  x ← x + η·m / (√v + τ)
///
/// Decisions of §6.3a: m and v start at 0 (`initialAccumulator` sets v₀, e.g. τ² for the spec's
/// worked example §6.4); τ is added outside the square root; no bias correction unless
/// `flowerBiasCorrection`, which uses Flower 1.41's FedAdam step η_t = η·√(1−β2^(t+1))/(1−β1^(t+1))
/// with t the 1-based round (an exponent one larger than Adam's step count). Default τ is the
/// authors' 1e-3 (Flower's FedAdam/FedAdagrad use 1e-9). Arithmetic and state are Double; the
/// operation order is Flower's, so the `fedopt` fixtures match to ~1e-15 relative. Kept separate
/// from `ServerOptimizer` (plain server SGD); `aggregation.server_optimizer` will route here.
public struct FedOptimizer: Sendable, Equatable, Codable {
    /// Which optimizer.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// Server SGD with momentum.
        case fedavgm
        /// Adam on the server.
        case fedadam
        /// Yogi on the server.
        case fedyogi
        /// Adagrad on the server.
        case fedadagrad
    }

    /// Hyperparameters (`aggregation.server_lr`, `beta1`, `beta2`, `tau`, `server_momentum`,
    /// `initial_accumulator`, `flower_bias_correction`).
    public struct Options: Sendable, Equatable, Codable {
        /// η, the server learning rate.
        public var learningRate: Double
        /// β1 (first-moment decay; FedAdagrad default 0).
        public var beta1: Double
        /// β2 (second-moment decay; unused by FedAdagrad and FedAvgM).
        public var beta2: Double
        /// τ, the adaptivity constant added outside the square root.
        public var tau: Double
        /// μ, FedAvgM's server momentum.
        public var momentum: Double
        /// v₀, the initial second moment (0 by default; τ² reproduces §6.4).
        public var initialAccumulator: Double
        /// Flower's FedAdam bias correction (only affects FedAdam).
        public var flowerBiasCorrection: Bool

        /// The project defaults of §6.3a for `kind`: η = 1 and μ = 0.9 for FedAvgM; η = 0.1 (FedAdam,
        /// FedAdagrad) or 0.01 (FedYogi), β1 = 0.9 (0 for FedAdagrad), β2 = 0.99, τ = 1e-3, v₀ = 0.
        public static func defaults(for kind: Kind) -> Options {
            switch kind {
            case .fedavgm:
                return Options(learningRate: 1, beta1: 0, beta2: 0, tau: 0, momentum: 0.9, initialAccumulator: 0,
                               flowerBiasCorrection: false)
            case .fedadam, .fedyogi, .fedadagrad:
                return Options(learningRate: kind == .fedyogi ? 0.01 : 0.1, beta1: kind == .fedadagrad ? 0 : 0.9,
                               beta2: 0.99, tau: 1e-3, momentum: 0, initialAccumulator: 0, flowerBiasCorrection: false)
            }
        }
    }

    /// The optimizer.
    public let kind: Kind
    /// Its hyperparameters.
    public let options: Options
    /// Rounds applied so far.
    public private(set) var rounds: Int = 0
    /// First moment m (FedAvgM: the momentum u). Empty until the first step.
    public private(set) var m: [Double] = []
    /// Second moment v. Empty until the first step (and for FedAvgM).
    public private(set) var v: [Double] = []

    /// An optimizer with validated options.
    public init(kind: Kind, options: Options? = nil) throws(FedOptError) {
        let o = options ?? .defaults(for: kind)
        func bad(_ name: String, _ value: Double, _ expected: String) -> FedOptError {
            .invalidOption(name: name, value: value, expected: expected)
        }
        guard o.learningRate.isFinite && o.learningRate > 0 else { throw bad("server_lr", o.learningRate, "a positive number") }
        guard o.beta1 >= 0 && o.beta1 < 1 else { throw bad("beta1", o.beta1, "a value in [0, 1)") }
        guard o.beta2 >= 0 && o.beta2 < 1 else { throw bad("beta2", o.beta2, "a value in [0, 1)") }
        guard o.tau.isFinite && o.tau >= 0 else { throw bad("tau", o.tau, "a non-negative number") }
        guard o.momentum >= 0 && o.momentum < 1 else { throw bad("server_momentum", o.momentum, "a value in [0, 1)") }
        guard o.initialAccumulator.isFinite && o.initialAccumulator >= 0 else {
            throw bad("initial_accumulator", o.initialAccumulator, "a non-negative number")
        }
        self.kind = kind
        self.options = o
    }

    /// FedAdam's step size for the coming round: η, or Flower's η·√(1−β2^(t+1))/(1−β1^(t+1)).
    public var nextStepSize: Double {
        guard kind == .fedadam && options.flowerBiasCorrection else { return options.learningRate }
        let exponent = Double(rounds + 2)  // Flower: server_round + 1, server_round = rounds + 1
        return options.learningRate * (1 - pow(options.beta2, exponent)).squareRoot() / (1 - pow(options.beta1, exponent))
    }

    /// Applies one round's aggregated delta Δ = aggregate − x to `model` (Double).
    public mutating func step(model: inout [Double], delta: [Double]) throws(FedOptError) {
        guard model.count == delta.count else {
            throw .dimensionMismatch(what: "server optimizer delta", expected: model.count, actual: delta.count)
        }
        if !m.isEmpty && m.count != model.count {
            throw .dimensionMismatch(what: "server optimizer state", expected: m.count, actual: model.count)
        }
        let d = model.count
        let o = options
        if m.isEmpty {
            m = [Double](repeating: 0, count: d)
            if kind != .fedavgm { v = [Double](repeating: o.initialAccumulator, count: d) }
        }
        switch kind {
        case .fedavgm:
            for i in 0..<d {
                m[i] = rounds == 0 || o.momentum == 0 ? delta[i] : o.momentum * m[i] + delta[i]
                model[i] = model[i] + o.learningRate * m[i]
            }
        case .fedadam, .fedyogi, .fedadagrad:
            let eta = nextStepSize
            for i in 0..<d {
                let g = delta[i], g2 = g * g
                m[i] = o.beta1 * m[i] + (1 - o.beta1) * g
                switch kind {
                case .fedadam: v[i] = o.beta2 * v[i] + (1 - o.beta2) * g2
                case .fedyogi:
                    let diff = v[i] - g2
                    let sign: Double = diff > 0 ? 1 : (diff < 0 ? -1 : 0)
                    v[i] = v[i] - (1 - o.beta2) * g2 * sign
                default: v[i] = v[i] + g2
                }
                model[i] = model[i] + eta * m[i] / (v[i].squareRoot() + o.tau)
            }
        }
        rounds += 1
    }

    /// Applies one round's aggregated delta to a Float32 model (computed in Double, stored as Float).
    public mutating func step(model: inout [Float], delta: [Float]) throws(FedOptError) {
        var x = model.map(Double.init)
        try step(model: &x, delta: delta.map(Double.init))
        for i in 0..<model.count { model[i] = Float(x[i]) }
    }
}
