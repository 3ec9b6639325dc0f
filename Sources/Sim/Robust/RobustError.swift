/// Why a robust rule or chain could not be built or applied. Each description names the problem and the fix.
public enum RobustError: Error, Equatable, CustomStringConvertible {
    /// No rule has this name; `suggestion` is the closest known name.
    case unknownRule(String, suggestion: String?)
    /// A parameter is missing, of the wrong type or out of range.
    case invalidParameter(rule: String, name: String, value: String, reason: String)
    /// The rule's condition on n and f does not hold; `condition` is a full sentence with the numbers.
    case tooFewInputs(rule: String, inputs: Int, f: Int, condition: String)
    /// Rows (or a context vector) of a different length than the batch.
    case dimensionMismatch(expected: Int, found: Int)
    /// The rule got no rows.
    case emptyInput(rule: String)
    /// The rule's cost grows too fast in n (MDA, SMEA search all subsets); `limit` is the largest n accepted.
    case tooManyInputs(rule: String, inputs: Int, limit: Int)
    /// The chain's shape is wrong (no aggregator last, an aggregator before a pre-aggregator, ...).
    case invalidChain(reason: String)

    public var description: String {
        switch self {
        case let .unknownRule(name, suggestion):
            let hint = suggestion.map { " — did you mean \"\($0)\"?" } ?? ""
            return "unknown aggregation rule \"\(name)\"\(hint); see docs/robust-aggregation.md for the list"
        case let .invalidParameter(rule, name, value, reason):
            return "\(rule): parameter \(name) = \(value) is invalid: \(reason)"
        case let .tooFewInputs(_, _, _, condition):
            return condition
        case let .dimensionMismatch(expected, found):
            return "update of dimension \(found) where \(expected) was expected; all updates of a round must have the model's dimension"
        case .emptyInput(let rule):
            return "\(rule): no updates to aggregate; the round needs at least one update"
        case let .tooManyInputs(rule, inputs, limit):
            return "\(rule) searches every subset of the inputs and is refused above n = \(limit) (n = \(inputs)); "
                + "use fewer clients per round or a polynomial rule (multi-krum, nnm + trimmed-mean)"
        case .invalidChain(let reason):
            return "invalid aggregation chain: \(reason)"
        }
    }
}
