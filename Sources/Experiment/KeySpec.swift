/// One key of a configuration section: its documentation and how it is read, written and reset.
///
/// Each section lists its keys once, in a static array of `KeySpec`s built with the helpers of
/// `KeySpec+Builders.swift`; that array drives parsing, unknown-key checks, `tomlText()` and the
/// key reference in docs/experiment-format.md. Adding a key is one line in that array (plus the
/// stored property it fills).
struct KeySpec<Section> {
    /// The key's name inside its section (`lr` for `local.lr`).
    let name: String
    /// TOML type for the documentation ("integer", "float", "string or array of strings", ...).
    let type: String
    /// Allowed values or range for the documentation ("≥ 1", `"iid", "dirichlet"`, ...).
    let allowed: String
    /// What the key means.
    let meaning: String
    /// Values that are recognised but arrive with later work, with the work that brings them.
    var later: String?
    /// Documented default when it depends on other keys; nil = the value written for `Section()`.
    var defaultText: String?
    /// Reads a given value into the section; `key` is the full `section.key` for error messages.
    let read: (inout Section, TOMLNode, _ key: String, ReadContext) throws(ConfigError) -> Void
    /// The value to write in `tomlText()`; nil for an optional value that is not set.
    let write: (Section) -> TOMLNode?
    /// Copies this key's value from a default section (used when a given key is unused).
    let reset: (inout Section, Section) -> Void
    /// When the key has no effect in this configuration, why (naming the key that decides it).
    /// A given key that is unused is reset to its default, so configs that differ only in unused
    /// keys are equal and hash alike.
    var unusedWhen: ((Section) -> String?)?

    /// Marks the key as unused in some configurations (see `unusedWhen`).
    func unused(when reason: @escaping (Section) -> String?) -> KeySpec {
        var copy = self
        copy.unusedWhen = reason
        return copy
    }

    /// Documents a default that depends on other keys.
    func documentedDefault(_ text: String) -> KeySpec {
        var copy = self
        copy.defaultText = text
        return copy
    }

    /// Documents values that arrive with later work.
    func arrivesLater(_ text: String) -> KeySpec {
        var copy = self
        copy.later = text
        return copy
    }
}

/// What a read needs beyond the value: where relative paths resolve and the default run name.
struct ReadContext: Sendable {
    /// Directory that relative `[data]` paths are resolved against; nil = the current directory.
    var baseDirectory: String?
    /// `run.name` when the file gives none.
    var defaultName: String
}

/// A range of allowed floating-point values; non-finite values are never allowed.
struct FloatRange: Sendable {
    var lower: Double?
    var lowerInclusive = true
    var upper: Double?
    var upperInclusive = true

    static let positive = FloatRange(lower: 0, lowerInclusive: false)
    static let nonNegative = FloatRange(lower: 0)
    /// 0 ≤ x < 1 (momentum factors, fractions of clients).
    static let unitHalfOpen = FloatRange(lower: 0, upper: 1, upperInclusive: false)
    /// 0 ≤ x ≤ 1 (Lion's β1, β2).
    static let unitClosed = FloatRange(lower: 0, upper: 1)
    /// 0 < x < 1 (test fraction).
    static let unitOpen = FloatRange(lower: 0, lowerInclusive: false, upper: 1, upperInclusive: false)
    /// 0 < x ≤ 1 (accuracies).
    static let unitLeftOpen = FloatRange(lower: 0, lowerInclusive: false, upper: 1)

    func contains(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        if let lower, lowerInclusive ? value < lower : value <= lower { return false }
        if let upper, upperInclusive ? value > upper : value >= upper { return false }
        return true
    }

    /// "> 0", "≥ 0 and < 1", "finite" ...
    var text: String {
        var parts: [String] = []
        func number(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : "\(value)" }
        if let lower { parts.append((lowerInclusive ? "≥ " : "> ") + number(lower)) }
        if let upper { parts.append((upperInclusive ? "≤ " : "< ") + number(upper)) }
        return parts.isEmpty ? "finite" : parts.joined(separator: " and ")
    }
}
