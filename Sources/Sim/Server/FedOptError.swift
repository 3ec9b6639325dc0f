/// Why a `FedOptimizer` could not be built or stepped.
public enum FedOptError: Error, Equatable, CustomStringConvertible {
    /// A hyperparameter is out of range.
    case invalidOption(name: String, value: Double, expected: String)
    /// The delta or the model does not have the dimension of the optimizer's state.
    case dimensionMismatch(what: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .invalidOption(let name, let value, let expected):
            return "aggregation.\(name) = \(value) is invalid; expected \(expected)"
        case .dimensionMismatch(let what, let expected, let actual):
            return "\(what) has dimension \(actual), expected \(expected); the server optimizer's state is per model coordinate, so the model dimension must not change during a run"
        }
    }
}
