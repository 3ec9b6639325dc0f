/// How the initial parameter vector of a model is filled.
///
/// Parameters use the wire layout of TASKS.md: `[W1 (in, out) row-major, b1, W2, b2, …]`, one flat `[Float]`.
public enum ModelInit: Sendable, Equatable {
    /// All parameters zero (T1's logistic regression).
    case zeros
    /// Every tensor j (0-based, in order W1, b1, W2, b2, …) ~ U(−1/√fan_in, +1/√fan_in) with fan_in the
    /// layer's input size (also for its bias), drawn as
    /// `((PortableRandom.uniform(baseSeed + 1 + j, i) * 2 − 1) * bound)` computed in Double then cast to
    /// Float, `i` the element's index within its tensor (row-major). With `baseSeed = 720` this is
    /// bit-exact with `tasks.py`'s `init_t2` (seeds 721…724); it is PyTorch's `nn.Linear` default range.
    case uniformFanIn(baseSeed: UInt64)

    /// The initial parameters of a model of shape `spec` (`spec.parameterCount` values).
    public func parameters(for spec: ModelSpec) -> [Float] {
        switch self {
        case .zeros:
            return [Float](repeating: 0, count: spec.parameterCount)
        case let .uniformFanIn(baseSeed):
            var result = [Float]()
            result.reserveCapacity(spec.parameterCount)
            var tensor: UInt64 = 0
            for shape in spec.layerShapes {
                let bound = 1.0 / Double(shape.inputs).squareRoot()
                for count in [shape.inputs * shape.outputs, shape.outputs] {
                    let seed = baseSeed &+ 1 &+ tensor
                    for i in 0..<count {
                        let u = PortableRandom.uniform(seed: seed, index: UInt64(i))
                        result.append(Float((u * 2 - 1) * bound))
                    }
                    tensor += 1
                }
            }
            return result
        }
    }
}
