/// Everything that can be wrong with an experiment file, an override or a comparison.
///
/// Keys are always named in full, `section.key` (for example `local.lr`), so `description` can
/// point at the line to change. `description` is one line: the problem, then the fix.
public indirect enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A key the section does not have; `suggestion` is the closest known key (`section.key`), if any is close.
    case unknownKey(key: String, suggestion: String?)
    /// A table (or top-level name) that is not a section; `suggestion` is the closest section name.
    case unknownSection(String, suggestion: String?)
    /// The value has the wrong TOML type: `expected` names the type, `found` the type and value given.
    case wrongType(key: String, expected: String, found: String)
    /// The value has the right type but is out of range or not one of the allowed values.
    case invalidValue(key: String, value: String, reason: String)
    /// Keys that cannot be used together (or whose values contradict each other).
    case conflict(keys: [String], reason: String)
    /// A key that must be given in this context.
    case missingKey(key: String, reason: String)
    /// A valid value whose capability is not built yet; `reason` says which work brings it (and the alternative).
    case unavailable(key: String, value: String, reason: String)
    /// The text is not valid TOML (TOMLKit's message, with line and column).
    case syntax(message: String)
    /// The experiment file could not be read.
    case fileNotFound(path: String)
    /// A `--set` override that is not `section.key=value` or whose value is not usable.
    case badOverride(String, reason: String)
    /// An error in one expanded run of a comparison; `label` is the run's variant label (variant name
    /// and/or grid point, as in `PlannedRun.variant`).
    case inVariant(label: String, error: ConfigError)

    /// One line: what is wrong, with the key(s) named, and how to fix it.
    public var description: String {
        switch self {
        case .unknownKey(let key, let suggestion):
            if let suggestion {
                return "unknown key '\(key)': did you mean '\(suggestion)'? Fix the spelling or remove the key "
                    + "(docs/experiment-format.md lists every key)."
            }
            return "unknown key '\(key)': remove it (docs/experiment-format.md lists every key)."
        case .unknownSection(let name, let suggestion):
            if let suggestion {
                return "unknown section [\(name)]: did you mean [\(suggestion)]? Rename or remove it."
            }
            return "unknown section [\(name)]: remove it; the sections are "
                + ExperimentConfig.sectionNames.map { "[\($0)]" }.joined(separator: ", ") + "."
        case .wrongType(let key, let expected, let found):
            return "'\(key)' must be \(expected), found \(found): change the value to \(expected)."
        case .invalidValue(let key, let value, let reason):
            return "invalid value \(value) for '\(key)': \(reason)."
        case .conflict(let keys, let reason):
            let names = keys.map { "'\($0)'" }.joined(separator: " and ")
            return "\(names) conflict: \(reason)."
        case .missingKey(let key, let reason):
            return "missing key '\(key)': \(reason)."
        case .unavailable(let key, let value, let reason):
            return "'\(key)' = \(value) is not available yet: \(reason)."
        case .syntax(let message):
            return "TOML syntax error at \(message); fix the file there."
        case .fileNotFound(let path):
            return "experiment file '\(path)' cannot be read: check the path and permissions "
                + "(relative paths are taken from the current directory)."
        case .badOverride(let text, let reason):
            return "bad override '\(text)': \(reason); write --set section.key=value, e.g. --set local.lr=0.05."
        case .inVariant(let label, let error):
            return "in variant \"\(label)\": \(error.description)"
        }
    }
}
