/// The server's step: how the aggregate of a round moves the global model.
///
/// Federated mode (clients send deltas Δ = x_local − x_global, a descent direction):
///   x ← x + η · a,                 a = Σ_k w_k Δ_k
/// Distributed SGD (clients send minibatch gradients g):
///   v ← μ · v + a;  x ← x − η · v, a = Σ_k w_k g_k   (μ = 0 is plain SGD on the averaged gradient)
/// η is `aggregation.server_lr`, μ `aggregation.server_momentum`. The update is computed in Double
/// per coordinate and stored as Float32. FedAvgM, FedAdam, FedYogi and FedAdagrad are `FedOptimizer`
/// (FedOptimizer.swift); a run uses one or the other.
public struct ServerOptimizer: Sendable, Equatable, Codable {
    public enum Direction: Sendable, Equatable, Codable {
        /// The aggregate is a model delta, added.
        case delta
        /// The aggregate is a gradient, subtracted.
        case gradient
    }

    public var learningRate: Double
    public var momentum: Double
    public var direction: Direction
    /// The momentum buffer (empty until the first step). Part of the run's state.
    public private(set) var velocity: [Float] = []

    public init(learningRate: Double, momentum: Double = 0, direction: Direction) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.direction = direction
    }

    /// Applies one aggregate to `model` in place.
    public mutating func step(model: inout [Float], aggregate: [Float]) {
        precondition(model.count == aggregate.count, "ServerOptimizer: model \(model.count) vs aggregate \(aggregate.count)")
        let eta = learningRate
        switch direction {
        case .delta:
            model.withUnsafeMutableBufferPointer { x in
                aggregate.withUnsafeBufferPointer { a in
                    for i in 0..<x.count { x[i] = Float(Double(x[i]) + eta * Double(a[i])) }
                }
            }
        case .gradient:
            if momentum == 0 {
                model.withUnsafeMutableBufferPointer { x in
                    aggregate.withUnsafeBufferPointer { a in
                        for i in 0..<x.count { x[i] = Float(Double(x[i]) - eta * Double(a[i])) }
                    }
                }
            } else {
                if velocity.count != model.count { velocity = [Float](repeating: 0, count: model.count) }
                let mu = momentum
                velocity.withUnsafeMutableBufferPointer { v in
                    model.withUnsafeMutableBufferPointer { x in
                        aggregate.withUnsafeBufferPointer { a in
                            for i in 0..<x.count {
                                let vi = mu * Double(v[i]) + Double(a[i])
                                v[i] = Float(vi)
                                x[i] = Float(Double(x[i]) - eta * vi)
                            }
                        }
                    }
                }
            }
        }
    }
}
