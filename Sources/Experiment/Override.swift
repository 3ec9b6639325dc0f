/// One `--set section.key=value` override, or one setting of a variant or grid point.
///
/// The value is TOML (`0.05`, `[1, 2]`, `"x"`, `true`); a bare word that is not valid TOML is taken as
/// a string (`--set run.name=my-run`). Settings are applied to the document tree before sections
/// are read, so they are validated exactly like keys written in the file.
struct Setting: Sendable, Equatable {
    /// Section name (`local`).
    var section: String
    /// Key name inside the section (`lr`).
    var key: String
    /// The value.
    var value: TOMLNode

    /// The full name, `section.key`.
    var path: String { "\(section).\(key)" }

    /// Parses `section.key=value` as given to `--set`.
    static func parseOverride(_ text: String) throws(ConfigError) -> Setting {
        guard let equals = text.firstIndex(of: "=") else {
            throw .badOverride(text, reason: "there is no '='")
        }
        let name = text[..<equals].trimmingSpaces
        let raw = text[text.index(after: equals)...].trimmingSpaces
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if ["faults", "variant", "grid"].contains(parts.first ?? "") {
            throw .badOverride(text, reason: "[\(parts[0])] cannot be changed with --set; edit the file")
        }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .badOverride(text, reason: "'\(name)' is not of the form section.key (one dot)")
        }
        try KeyIndex.checkKnown(section: parts[0], key: parts[1])
        guard !raw.isEmpty else { throw .badOverride(text, reason: "there is no value after '='") }
        if let value = TOMLReader.parseValue(raw) {
            return Setting(section: parts[0], key: parts[1], value: value)
        }
        if let first = raw.first, "[{\"'".contains(first) {
            throw .badOverride(text, reason: "\(raw) is not a valid TOML value (arrays look like [\"nnm\", \"trimmed-mean\"] or [1, 2])")
        }
        return Setting(section: parts[0], key: parts[1], value: .string(raw))
    }

    /// Flattens a table of settings (a `[[variant]]` entry without its `name`, or `[grid]`):
    /// quoted dotted keys (`"aggregation.rule" = ...`) and unquoted ones, which TOML nests
    /// (`aggregation.rule = ...` is `aggregation = { rule = ... }`). Every key must exist.
    static func flatten(_ table: [String: TOMLNode], skipping skipped: Set<String> = []) throws(ConfigError) -> [Setting] {
        var settings: [Setting] = []
        for name in table.keys.sorted() where !skipped.contains(name) {
            let value = table[name]!
            if let dot = name.firstIndex(of: ".") {
                let section = String(name[..<dot]), key = String(name[name.index(after: dot)...])
                try KeyIndex.checkKnown(section: section, key: key)
                settings.append(Setting(section: section, key: key, value: value))
            } else if case .table(let nested) = value {
                for key in nested.keys.sorted() {
                    try KeyIndex.checkKnown(section: name, key: key)
                    settings.append(Setting(section: name, key: key, value: nested[key]!))
                }
            } else {
                throw .unknownKey(key: name, suggestion: KeyIndex.suggestion(forTopLevel: name))
            }
        }
        return settings
    }

    /// Applies the setting to a document tree. Keys of the same exclusive group set earlier (in the
    /// file or by an earlier layer) are removed, so `--set local.steps=5` replaces `local.epochs`.
    func apply(to root: inout [String: TOMLNode]) throws(ConfigError) {
        var table: [String: TOMLNode] = [:]
        if let existing = root[section] {
            guard case .table(let entries) = existing else {
                throw .wrongType(key: section, expected: "a table ([\(section)])", found: existing.described)
            }
            table = entries
        }
        for partner in KeyIndex.exclusivePartners(section: section, key: key) { table[partner] = nil }
        table[key] = value
        root[section] = .table(table)
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}

extension KeyIndex {
    /// Throws `unknownSection` / `unknownKey` (with suggestions) unless `section.key` exists.
    static func checkKnown(section: String, key: String) throws(ConfigError) {
        let sections = ExperimentConfig.reference.filter { !$0.keys.isEmpty }
        guard let match = sections.first(where: { $0.name == section }) else {
            throw .unknownSection(section, suggestion: Suggestion.closest(to: section, among: sections.map(\.name)))
        }
        guard match.keys.contains(where: { $0.name == key }) else {
            throw .unknownKey(key: "\(section).\(key)", suggestion: suggestion(for: key, in: section))
        }
    }

    /// The other keys of `key`'s exclusive group in `section` (empty when it has none).
    static func exclusivePartners(section: String, key: String) -> [String] {
        let groups = ExperimentConfig.reference.first { $0.name == section }?.exclusiveGroups ?? []
        return groups.filter { $0.contains(key) }.flatMap { $0.filter { $0 != key } }
    }
}
