/// A `[section]` of the experiment file, described by its key registry.
///
/// The generic `read` does the work every section shares: reject unknown keys (with a "did you
/// mean"), reject exclusive keys given together, read each given key, let the section fill
/// defaults that depend on other keys (`finish`), and reset keys that have no effect.
protocol ConfigSection: Sendable, Equatable {
    /// The section's table name (`local`).
    static var sectionName: String { get }
    /// One sentence for the documentation.
    static var summary: String { get }
    /// The registry: every key of the section, in documentation and `tomlText()` order.
    static var keys: [KeySpec<Self>] { get }
    /// Groups of keys of which at most one may be given (`epochs` | `steps`). A later layer (override,
    /// variant, grid) that sets one key of a group removes the others set by earlier layers.
    static var exclusiveKeys: [[String]] { get }
    /// The defaults.
    init()
    /// Fills defaults that depend on other keys and checks rules within the section. `given` holds
    /// the names of the keys the file gave.
    mutating func finish(given: Set<String>, context: ReadContext) throws(ConfigError)
}

extension ConfigSection {
    static var exclusiveKeys: [[String]] { [] }
    mutating func finish(given: Set<String>, context: ReadContext) throws(ConfigError) {}

    /// Reads the section from its table (nil = absent: all defaults). Returns the section and one
    /// warning per given key that has no effect.
    static func read(_ node: TOMLNode?, context: ReadContext) throws(ConfigError) -> (Self, [String]) {
        var table: [String: TOMLNode] = [:]
        if let node {
            guard case .table(let entries) = node else {
                throw .wrongType(key: sectionName, expected: "a table ([\(sectionName)])", found: node.described)
            }
            table = entries
        }
        let specs = keys
        let known = specs.map(\.name)
        for key in table.keys.sorted() where !known.contains(key) {
            throw .unknownKey(key: "\(sectionName).\(key)", suggestion: KeyIndex.suggestion(for: key, in: sectionName))
        }
        for group in exclusiveKeys {
            let given = group.filter { table[$0] != nil }
            if given.count > 1 {
                throw .conflict(keys: given.map { "\(sectionName).\($0)" },
                                reason: "give only one of them; remove " + given.dropFirst().map { "'\(sectionName).\($0)'" }.joined(separator: " or "))
            }
        }
        var section = Self()
        for spec in specs {
            if let value = table[spec.name] { try spec.read(&section, value, "\(sectionName).\(spec.name)", context) }
        }
        try section.finish(given: Set(table.keys), context: context)
        var warnings: [String] = []
        let defaults = Self()
        for spec in specs where table[spec.name] != nil {
            if let reason = spec.unusedWhen?(section) {
                warnings.append("'\(sectionName).\(spec.name)' has no effect (\(reason)); it is ignored")
                spec.reset(&section, defaults)
            }
        }
        return (section, warnings)
    }

    /// The section as TOML lines: the header, then every key with its value; unset optional keys
    /// as comments, unused keys commented out with the reason (an unused key of an exclusive pair,
    /// such as `epochs` when `steps` is set, only as a comment).
    func tomlLines() -> [String] {
        var lines = ["[\(Self.sectionName)]"]
        let exclusive = Set(Self.exclusiveKeys.joined())
        for spec in Self.keys {
            let unused = spec.unusedWhen?(self).map { "unused: \($0)" }
            if let unused, exclusive.contains(spec.name) {
                // Writing it would conflict with the partner that is set.
                lines.append("# \(spec.name): \(unused)")
            } else if let value = spec.write(self) {
                // An unused key is written as a comment, so that reading the file back warns of nothing.
                lines.append(unused.map { "# \(spec.name) = \(value.tomlText)  (\($0))" } ?? "\(spec.name) = \(value.tomlText)")
            } else {
                lines.append("# \(spec.name): not set" + (unused.map { " (\($0))" } ?? ""))
            }
        }
        return lines
    }

    /// The registry as documentation rows.
    static var reference: SectionReference {
        let defaults = Self()
        return SectionReference(
            name: sectionName, summary: summary,
            keys: keys.map { spec in
                KeyReference(
                    section: sectionName, name: spec.name, type: spec.type,
                    defaultValue: spec.defaultText ?? spec.write(defaults)?.tomlText ?? "not set",
                    allowed: spec.allowed, meaning: spec.meaning, later: spec.later)
            },
            exclusiveGroups: exclusiveKeys)
    }
}

/// Documentation of one section (generated from its key registry).
public struct SectionReference: Sendable, Equatable {
    /// Table name (`local`).
    public var name: String
    /// One sentence on what the section configures.
    public var summary: String
    /// Every key, in registry order.
    public var keys: [KeyReference]
    /// Groups of keys of which at most one may be given.
    public var exclusiveGroups: [[String]] = []
}

/// Documentation of one key (generated from its section's registry).
public struct KeyReference: Sendable, Equatable {
    /// Section name (`local`).
    public var section: String
    /// Key name inside the section (`lr`).
    public var name: String
    /// TOML type ("integer", "float", "string", ...).
    public var type: String
    /// The default as TOML text, or a sentence when it depends on other keys; "not set" for optional keys.
    public var defaultValue: String
    /// Allowed values or range.
    public var allowed: String
    /// What the key means.
    public var meaning: String
    /// Values that are recognised but arrive with later work (nil when all are available).
    public var later: String?
    /// The full name, `section.key`.
    public var path: String { "\(section).\(name)" }
}
