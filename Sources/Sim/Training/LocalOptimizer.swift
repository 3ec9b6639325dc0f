/// Local optimiser of a client: plain SGD or heavy-ball momentum (optional L2 weight decay), or Lion.
///
/// With `g` the minibatch gradient and `wd` the weight decay, the gradient used is `g + wd·x`, then
///
///     sgd:       x ← x − lr · g
///     momentum:  v ← μ·v + g;  x ← x − lr · v      (PyTorch's SGD with momentum, dampening 0)
///
///     lion:      c = β1·m + (1 − β1)·g;  x ← x·(1 − lr·wd) − lr·sign(c);  m ← β2·m + (1 − β2)·g
///                (spec §4.1, `Lion.step`; here the weight decay is decoupled, not added to g)
///
/// The momentum buffer (heavy-ball velocity or Lion's m) starts at zero at the beginning of each
/// `LocalTrainer.train` call (per round), like PyTorch optimizers created per round. Momentum with
/// μ = 0 gives the same parameters as SGD bit for bit. Code switching over this enum keeps its
/// optimiser-specific parts in `OptimizerState`.
public enum LocalOptimizer: Sendable, Equatable {
    /// Plain stochastic gradient descent (the T1/T2 reference).
    case sgd(learningRate: Float, weightDecay: Float = 0)
    /// Heavy-ball momentum `v ← μv + g; x ← x − lr·v`.
    case momentum(learningRate: Float, momentum: Float, weightDecay: Float = 0)
    /// Lion (spec §4.1) with decoupled weight decay.
    case lion(LionParameters)

    /// The step size.
    public var learningRate: Float {
        switch self {
        case let .sgd(learningRate, _), let .momentum(learningRate, _, _): return learningRate
        case let .lion(parameters): return parameters.learningRate
        }
    }

    /// The weight decay: L2 added to the gradient (`g + wd·x`) for SGD and momentum, decoupled for Lion.
    public var weightDecay: Float {
        switch self {
        case let .sgd(_, weightDecay), let .momentum(_, _, weightDecay): return weightDecay
        case let .lion(parameters): return parameters.weightDecay
        }
    }

    /// Checks that the learning rate is positive and finite, the weight decay finite and ≥ 0, and the
    /// momentum in [0, 1), Lion's β1 and β2 in [0, 1].
    public func validate() throws(LocalTrainingError) {
        guard learningRate.isFinite && learningRate > 0 else { throw .invalidLearningRate(learningRate) }
        guard weightDecay.isFinite && weightDecay >= 0 else { throw .invalidWeightDecay(weightDecay) }
        if case let .momentum(_, mu, _) = self, !(mu >= 0 && mu < 1) { throw .invalidMomentum(mu) }
        if case let .lion(p) = self {
            for beta in [p.beta1, p.beta2] where !(beta >= 0 && beta <= 1) { throw .invalidBeta(beta) }
        }
    }
}

/// The per-call state of a `LocalOptimizer` (the momentum buffer) and its update step.
struct OptimizerState {
    let optimizer: LocalOptimizer
    /// Heavy-ball velocity or Lion's momentum, zero at the start of each training call (empty for SGD).
    private var velocity: [Float]

    init(_ optimizer: LocalOptimizer, parameterCount: Int) {
        self.optimizer = optimizer
        switch optimizer {
        case .sgd: velocity = []
        case .momentum, .lion: velocity = [Float](repeating: 0, count: parameterCount)
        }
    }

    /// Applies one step to `parameters`; `gradient` is used as scratch (weight decay is added into it).
    mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>) {
        if case let .lion(p) = optimizer {
            velocity.withUnsafeMutableBufferPointer { m in
                Lion.step(parameters: parameters, momentum: m, gradient: UnsafeBufferPointer(gradient),
                          learningRate: p.learningRate, beta1: p.beta1, beta2: p.beta2, weightDecay: p.weightDecay)
            }
            return
        }
        let weightDecay = optimizer.weightDecay
        if weightDecay != 0 { DenseKernels.addScaled(weightDecay, UnsafeBufferPointer(parameters), to: gradient) }
        switch optimizer {
        case let .sgd(learningRate, _):
            DenseKernels.subtractScaled(learningRate, UnsafeBufferPointer(gradient), from: parameters)
        case let .momentum(learningRate, mu, _):
            velocity.withUnsafeMutableBufferPointer { v in
                DenseKernels.accumulateMomentum(mu, gradient: UnsafeBufferPointer(gradient), into: v)
                DenseKernels.subtractScaled(learningRate, UnsafeBufferPointer(v), from: parameters)
            }
        case .lion:
            break  // handled above
        }
    }
}
