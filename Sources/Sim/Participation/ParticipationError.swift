/// Why a participation process, trace file or weighting could not be built.
public enum ParticipationError: Error, Equatable, CustomStringConvertible {
    /// A probability is not in (0, 1].
    case probabilityOutOfRange(client: Int, value: Double)
    /// The per-client list has the wrong length.
    case wrongClientCount(what: String, expected: Int, actual: Int)
    /// A parameter is out of its range.
    case invalidParameter(name: String, value: String, expected: String)
    /// A trace file line could not be read.
    case traceLine(line: Int, text: String, reason: String)
    /// The trace has no rounds.
    case emptyTrace
    /// A vector has the wrong dimension.
    case dimensionMismatch(what: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .probabilityOutOfRange(let client, let value):
            return "participation probability of client \(client) is \(value); give a value in (0, 1]"
        case .wrongClientCount(let what, let expected, let actual):
            return "\(what) has \(actual) entries but there are \(expected) clients; give one entry per client"
        case .invalidParameter(let name, let value, let expected):
            return "\(name) = \(value) is invalid; expected \(expected)"
        case .traceLine(let line, let text, let reason):
            return "participation trace line \(line) (\"\(text)\"): \(reason); use `round,client` pairs or rows of 0/1 (see docs/fedau.md)"
        case .emptyTrace:
            return "participation trace has no rounds; give at least one `round,client` pair or one row of 0/1"
        case .dimensionMismatch(let what, let expected, let actual):
            return "\(what) has dimension \(actual), expected \(expected); every update must have the model's dimension"
        }
    }
}
