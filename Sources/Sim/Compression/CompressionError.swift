/// Why a compressed tensor was rejected. The coordinator logs it against the sending client and
/// leaves the update out of the round.
public enum CompressionError: Error, Equatable, CustomStringConvertible {
    /// The form decodes to `found` elements where `expected` were required (the model dimension).
    case countMismatch(expected: Int, found: Int)
    /// Two parts of one form disagree in length (e.g. indices and values).
    case lengthMismatch(part: String, expected: Int, found: Int)
    /// An index is ≥ the element count.
    case indexOutOfRange(index: UInt32, count: Int)
    /// Indices are not strictly ascending (a duplicate or out of order) at `position`.
    case indicesNotAscending(position: Int)
    /// A value, scale or norm is NaN or infinite (`part`, position in that part).
    case nonFinite(part: String, position: Int)
    /// A parameter of the form is outside its range (levels, bucket size, rank, a level beyond s).
    case invalidParameter(name: String, value: Int, reason: String)
    /// The payload's form is not one a compressor produces (vote counts, plain ternary) or not the
    /// form this run's compressor sends (`expected`).
    case unexpectedForm(found: String, expected: String)

    public var description: String {
        switch self {
        case .countMismatch(let expected, let found):
            "compressed tensor has \(found) elements, expected \(expected): the update was made for another model"
        case .lengthMismatch(let part, let expected, let found):
            "compressed tensor part '\(part)' has \(found) entries, expected \(expected): truncated or malformed payload"
        case .indexOutOfRange(let index, let count):
            "sparse index \(index) is out of range 0..<\(count): malformed payload"
        case .indicesNotAscending(let position):
            "sparse indices must be strictly ascending; entry \(position) is not: malformed or duplicated index"
        case .nonFinite(let part, let position):
            "compressed tensor part '\(part)' has a non-finite value at \(position): the client diverged or the payload is corrupt"
        case .invalidParameter(let name, let value, let reason):
            "compressed tensor parameter \(name) = \(value) is invalid: \(reason)"
        case .unexpectedForm(let found, let expected):
            "payload form \(found) is not the form this run's compressor sends (\(expected)): check [compression] on both sides"
        }
    }
}
