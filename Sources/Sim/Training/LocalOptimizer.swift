/// Local optimiser of a client: plain SGD, or heavy-ball momentum, with optional L2 weight decay.
///
/// With `g` the minibatch gradient and `wd` the weight decay, the gradient used is `g + wd·x`, then
///
///     sgd:       x ← x − lr · g
///     momentum:  v ← μ·v + g;  x ← x − lr · v      (PyTorch's SGD with momentum, dampening 0)
///
/// The momentum buffer starts at zero at the beginning of each `LocalTrainer.train` call (per round).
/// Momentum with μ = 0 gives the same parameters as SGD bit for bit. More kinds (Lion) are expected:
/// code switching over this enum should keep its optimiser-specific parts in `OptimizerState`.
public enum LocalOptimizer: Sendable, Equatable {
    /// Plain stochastic gradient descent (the T1/T2 reference).
    case sgd(learningRate: Float, weightDecay: Float = 0)
    /// Heavy-ball momentum `v ← μv + g; x ← x − lr·v`.
    case momentum(learningRate: Float, momentum: Float, weightDecay: Float = 0)

    /// The step size.
    public var learningRate: Float {
        switch self {
        case let .sgd(learningRate, _), let .momentum(learningRate, _, _): return learningRate
        }
    }

    /// The L2 coefficient added to the gradient (`g + wd·x`).
    public var weightDecay: Float {
        switch self {
        case let .sgd(_, weightDecay), let .momentum(_, _, weightDecay): return weightDecay
        }
    }

    /// Checks that the learning rate is positive and finite, the weight decay finite and ≥ 0, and the
    /// momentum in [0, 1).
    public func validate() throws(LocalTrainingError) {
        guard learningRate.isFinite && learningRate > 0 else { throw .invalidLearningRate(learningRate) }
        guard weightDecay.isFinite && weightDecay >= 0 else { throw .invalidWeightDecay(weightDecay) }
        if case let .momentum(_, mu, _) = self, !(mu >= 0 && mu < 1) { throw .invalidMomentum(mu) }
    }
}

/// The per-call state of a `LocalOptimizer` (the momentum buffer) and its update step.
struct OptimizerState {
    let optimizer: LocalOptimizer
    /// Heavy-ball velocity, zero at the start of each training call (empty for SGD).
    private var velocity: [Float]

    init(_ optimizer: LocalOptimizer, parameterCount: Int) {
        self.optimizer = optimizer
        switch optimizer {
        case .sgd: velocity = []
        case .momentum: velocity = [Float](repeating: 0, count: parameterCount)
        }
    }

    /// Applies one step to `parameters`; `gradient` is used as scratch (weight decay is added into it).
    mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>) {
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
        }
    }
}
