/// Everything that can go wrong while loading, generating, splitting or partitioning data.
///
/// Every case carries the file, line or parameter at fault, and `description` says what is wrong
/// and how to fix it, so the CLI can print it as is.
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// No file at `path`.
    case fileNotFound(path: String)
    /// The file exists but could not be read (a directory, no permission, an I/O error).
    case unreadable(path: String, reason: String)
    /// A text file has a bad line (`line` is 1-based; 0 means the file as a whole).
    case malformed(path: String, line: Int, reason: String)
    /// A binary file (IDX) has a bad header or size.
    case invalidFormat(path: String, reason: String)
    /// A gzip stream could not be decompressed (or compressed).
    case gzip(reason: String)
    /// A setting is out of range or the combination of settings is impossible.
    case invalidParameter(name: String, reason: String)
    /// A data set has fewer samples than the run needs (`what` names the data set and the need).
    case tooFewSamples(what: String, available: Int, required: Int)

    /// One line: the problem and the fix.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "data file not found: \(path) — check the path (relative paths are resolved against the "
                + "working directory of every process that loads it)"
        case .unreadable(let path, let reason):
            return "cannot read data file \(path): \(reason) — check that it is a regular, readable file"
        case .malformed(let path, let line, let reason):
            let at = line > 0 ? "\(path):\(line)" : path
            return "malformed data file \(at): \(reason) — fix or remove that line, or check the file format"
        case .invalidFormat(let path, let reason):
            return "invalid data file \(path): \(reason) — check that the file has the expected format and is complete"
        case .gzip(let reason):
            return "gzip data could not be decompressed: \(reason) — the file is truncated or not gzip; "
                + "re-download it or decompress it by hand (gunzip) to check"
        case .invalidParameter(let name, let reason):
            return "invalid data setting \(name): \(reason)"
        case .tooFewSamples(let what, let available, let required):
            return "too few samples: \(what) has \(available) but needs at least \(required) — "
                + "use more data, fewer clients or a smaller test fraction"
        }
    }
}
