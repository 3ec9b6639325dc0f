/// One run of an experiment file: a variant / grid point at one seed, fully resolved.
public struct PlannedRun: Sendable, Equatable {
    /// The run's label: the variant name, the grid point (`attack=alie,rule=nnm+cc`), both joined by
    /// a comma, or "" for a file without variants and grid.
    public var variant: String
    /// This run's seed (equal to `config.run.seed`).
    public var seed: UInt64
    /// The resolved configuration: `run.seed` is `seed` and `run.seeds` is empty.
    public var config: ExperimentConfig
    /// Subdirectory name inside the comparison's run directory: the label made filesystem-safe
    /// plus `-s<seed>` (`mean-s1`), or `s<seed>` for an empty label; unique among the planned runs.
    public var directoryName: String

    /// A planned run.
    public init(variant: String, seed: UInt64, config: ExperimentConfig, directoryName: String) {
        self.variant = variant
        self.seed = seed
        self.config = config
        self.directoryName = directoryName
    }

    /// `label` with every character outside `A–Z a–z 0–9 . _ + = , -` replaced by `_` (and a leading
    /// `.` too), so it is a safe single path component everywhere.
    static func safeName(_ label: String) -> String {
        var out = ""
        for scalar in label.unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || "._+=,-".unicodeScalars.contains(scalar)
            out.unicodeScalars.append(ok ? scalar : "_")
        }
        if out.hasPrefix(".") { out = "_" + out.dropFirst() }
        return out
    }
}

/// One axis of a `[grid]`: a key and its alternatives, with the short names used in run labels.
struct GridAxis: Sendable, Equatable {
    /// Section name.
    var section: String
    /// Key name.
    var key: String
    /// The alternatives, in file order.
    var alternatives: [TOMLNode]
    /// Name of the key in labels: the key alone, or `section.key` when two axes share a key name.
    var labelKey: String
    /// Name of each alternative in labels (unique within the axis).
    var labels: [String]

    /// Short label of an alternative: strings as they are, numbers in TOML form, arrays (chains)
    /// joined with `+`, where hyphenated names in a chain of two or more are cut to their initials
    /// (`["nnm", "centered-clipping"]` → `nnm+cc`) unless `abbreviate` is false.
    static func label(_ node: TOMLNode, abbreviate: Bool) -> String {
        switch node {
        case .string(let text): return text
        case .array(let items):
            let parts = items.map { item -> String in
                if abbreviate, items.count > 1, case .string(let text) = item, text.contains("-") {
                    return String(text.split(separator: "-").compactMap(\.first))
                }
                return label(item, abbreviate: false)
            }
            return parts.joined(separator: "+")
        default: return node.tomlText
        }
    }
}
