/// Why a straggler/timing model or a timing trace is unusable. Trace errors name the file and line.
public enum StragglerModelError: Error, Equatable, CustomStringConvertible {
    /// A distribution's parameters are out of range.
    case invalidDistribution(what: String, distribution: String, detail: String)
    /// A (B, W, λ) or fixed-count model parameter is out of range.
    case invalidModel(detail: String)
    /// The trace file could not be read.
    case unreadableTrace(file: String, reason: String)
    /// The trace has no header line, or the header lacks a required column.
    case missingColumn(file: String, column: String)
    /// A header names a column the format does not have.
    case unknownColumn(file: String, line: Int, column: String)
    /// A header names a column twice.
    case duplicateColumn(file: String, line: Int, column: String)
    /// A data line has the wrong number of fields.
    case wrongFieldCount(file: String, line: Int, expected: Int, found: Int)
    /// A field could not be parsed or is out of range.
    case invalidField(file: String, line: Int, column: String, text: String, reason: String)
    /// Two windows of the same client overlap.
    case overlappingWindows(file: String, line: Int, client: Int, otherLine: Int)

    public var description: String {
        switch self {
        case let .invalidDistribution(what, distribution, detail):
            return "\(what): \(distribution) distribution: \(detail)"
        case let .invalidModel(detail):
            return "straggler model: \(detail)"
        case let .unreadableTrace(file, reason):
            return "\(file): cannot read the timing trace: \(reason)"
        case let .missingColumn(file, column):
            return "\(file): the header has no column \"\(column)\"; the first non-comment line must name the columns (see docs/stragglers.md, \"Timing traces\")"
        case let .unknownColumn(file, line, column):
            return "\(file):\(line): unknown column \"\(column)\"; allowed: \(TimingTrace.columns.joined(separator: ", "))"
        case let .duplicateColumn(file, line, column):
            return "\(file):\(line): column \"\(column)\" appears twice in the header"
        case let .wrongFieldCount(file, line, expected, found):
            return "\(file):\(line): \(found) fields, expected \(expected) (one per header column; leave a field empty to use the model's value)"
        case let .invalidField(file, line, column, text, reason):
            return "\(file):\(line): \(column) = \"\(text)\": \(reason)"
        case let .overlappingWindows(file, line, client, otherLine):
            return "\(file):\(line): client \(client)'s round window overlaps the one on line \(otherLine); give each round of a client at most one row"
        }
    }
}
