/// Why a gradient code, a decoder or a sequential-coding schedule could not be built or run.
/// Every case names the offending values and says how to fix them.
public enum CodingError: Error, Equatable, CustomStringConvertible {
    /// n or s out of range (need n ≥ 1 and 0 ≤ s < n).
    case invalidParameters(scheme: String, n: Int, s: Int)
    /// Fractional repetition needs (s + 1) | n.
    case fractionalRepetitionIndivisible(n: Int, s: Int)
    /// A given matrix has the wrong shape.
    case shapeMismatch(what: String, expected: String, found: String)
    /// A matrix entry is NaN or infinite.
    case nonFiniteEntry(what: String, row: Int, column: Int)
    /// The s × s system of the cyclic construction is singular for worker `worker` (H is degenerate).
    case singularConstruction(worker: Int)
    /// A worker index outside 0..<n, or reported twice.
    case invalidWorker(worker: Int, n: Int)
    /// Messages were missing for workers the decoding plan uses.
    case missingMessage(worker: Int)
    /// The messages do not all have the same length.
    case messageLengthMismatch(expected: Int, found: Int, worker: Int)
    /// Sequential gradient coding parameters out of range.
    case invalidSequentialParameters(scheme: String, detail: String)
    /// A sequential-coding job could not be decoded by its deadline (the authors' simulators raise here).
    case jobNotDecodable(job: Int, round: Int)
    /// A per-round input (delays, straggler mask) has the wrong length.
    case roundInputMismatch(round: Int, expected: Int, found: Int)

    public var description: String {
        switch self {
        case let .invalidParameters(scheme, n, s):
            return "\(scheme): n = \(n), s = \(s) is out of range; need n ≥ 1 and 0 ≤ s < n"
        case let .fractionalRepetitionIndivisible(n, s):
            return "frc: s + 1 = \(s + 1) does not divide n = \(n); choose s with (s + 1) | n, or use scheme = \"crc\""
        case let .shapeMismatch(what, expected, found):
            return "\(what) has shape \(found), expected \(expected)"
        case let .nonFiniteEntry(what, row, column):
            return "\(what)[\(row)][\(column)] is not finite; give finite numbers"
        case let .singularConstruction(worker):
            return "crc: the s × s system for worker \(worker) is singular; H must have every s columns linearly independent (draw another H or seed)"
        case let .invalidWorker(worker, n):
            return "worker \(worker) is not one of 0..<\(n), or was reported twice"
        case let .missingMessage(worker):
            return "the decoding uses worker \(worker) but no message from it was given"
        case let .messageLengthMismatch(expected, found, worker):
            return "message of worker \(worker) has \(found) values, expected \(expected) like the others"
        case let .invalidSequentialParameters(scheme, detail):
            return "\(scheme): \(detail)"
        case let .jobNotDecodable(job, round):
            return "job \(job) is not decodable at the end of round \(round): the straggler pattern broke the scheme's guarantee"
        case let .roundInputMismatch(round, expected, found):
            return "round \(round): \(found) per-worker values given, expected \(expected) (one per worker)"
        }
    }
}
