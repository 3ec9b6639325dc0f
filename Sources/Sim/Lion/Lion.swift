// Lion — "Symbolic Discovery of Optimization Algorithms" (Chen et al. 2023), spec §4.1, as in the
// official google/automl `lion_pytorch.py`.
//
// What. With momentum m (zero at the start), gradient g, learning rate η, β1, β2 and decoupled
// weight decay λ, one step is
//
//     c = β1·m + (1 − β1)·g           (interpolation, used only for the update)
//     x ← x − η·(sign(c) + λ·x)       (computed as x ← x·(1 − ηλ), then x ← x − η·sign(c))
//     m ← β2·m + (1 − β2)·g           (momentum with β2, after the update)
//
// with sign(0) = 0: a coordinate whose c is exactly 0 moves only by the weight decay.
//
// Operation order. The reference's (multiply by 1 − ηλ, then subtract η·sign(c)); the spec's
// one-line form differs by rounding only. The same order is used by Distributed Lion's update
// (`DistributedLion.apply`), so that one worker reproduces single-process Lion bit for bit on every
// coordinate whose c is not exactly 0 (spec §5.5).
//
// Generic over the float type so that the float64 fixtures of the reference run exactly; the model
// path uses Float.

/// Lion's hyperparameters (spec §4.1). Defaults are the reference's except the learning rate.
public struct LionParameters: Sendable, Equatable {
    /// η, the step size of every coordinate.
    public var learningRate: Float
    /// β1: weight of the momentum in the update direction c.
    public var beta1: Float
    /// β2: momentum decay of m.
    public var beta2: Float
    /// λ, decoupled weight decay (x ← x·(1 − ηλ) each step).
    public var weightDecay: Float

    /// Creates parameters (β = (0.9, 0.99), λ = 0 by default).
    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.99, weightDecay: Float = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.weightDecay = weightDecay
    }
}

/// The Lion update step.
public enum Lion {
    /// One Lion step in place: updates `parameters` and `momentum` from `gradient`.
    ///
    /// All three buffers have the same count (precondition). If `updateSigns` is given (same count),
    /// sign(c) ∈ {−1, 0, 1} of every coordinate is written to it.
    /// - Complexity: O(d), one pass, no allocation.
    @inlinable
    public static func step<T: BinaryFloatingPoint>(
        parameters x: UnsafeMutableBufferPointer<T>, momentum m: UnsafeMutableBufferPointer<T>,
        gradient g: UnsafeBufferPointer<T>, learningRate lr: T, beta1: T, beta2: T, weightDecay: T,
        updateSigns: UnsafeMutableBufferPointer<Int8>? = nil
    ) {
        precondition(x.count == m.count && x.count == g.count, "Lion.step: \(x.count), \(m.count), \(g.count)")
        if let updateSigns { precondition(updateSigns.count == x.count, "Lion.step: sign buffer \(updateSigns.count)") }
        let decay = 1 - lr * weightDecay
        let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
        for i in 0..<x.count {
            let gi = g[i], mi = m[i]
            let c = beta1 * mi + oneMinusBeta1 * gi
            let s: T = c > 0 ? 1 : (c < 0 ? -1 : 0)
            x[i] = x[i] * decay
            x[i] = x[i] - lr * s
            m[i] = beta2 * mi + oneMinusBeta2 * gi
            updateSigns?[i] = c > 0 ? 1 : (c < 0 ? -1 : 0)
        }
    }

    /// Convenience over arrays: one step of `parameters`/`momentum` (momentum grows from empty to zeros).
    public static func step(
        parameters: inout [Float], momentum: inout [Float], gradient: [Float], _ p: LionParameters
    ) {
        if momentum.isEmpty { momentum = [Float](repeating: 0, count: parameters.count) }
        parameters.withUnsafeMutableBufferPointer { x in
            momentum.withUnsafeMutableBufferPointer { m in
                gradient.withUnsafeBufferPointer { g in
                    step(parameters: x, momentum: m, gradient: g, learningRate: p.learningRate, beta1: p.beta1,
                         beta2: p.beta2, weightDecay: p.weightDecay)
                }
            }
        }
    }
}
