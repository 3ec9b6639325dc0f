import Foundation

/// An experiment file with its comparisons (DESIGN §8a): a base experiment, optional `[[variant]]`
/// tables, an optional `[grid]`, and `run.seeds`.
///
/// Expansion order: overrides (`--set`) are applied to the base, then each variant's keys, then
/// each grid point's keys; the result is validated; then it is repeated over `run.seeds` (or run
/// once with `run.seed`). Runs are ordered variant (file order) × grid point (axes in key order,
/// the last axis fastest) × seed. A variant and the grid must not set the same key.
public struct ExperimentFile: Sendable {
    /// The base experiment (the file without variants and grid), validated.
    public let base: ExperimentConfig
    /// One line per key of the base that has no effect (e.g. `local.momentum` with optimizer sgd).
    public let warnings: [String]
    /// Variant names in file order (empty without `[[variant]]`).
    public var variantNames: [String] { variants.map(\.name) }
    /// The grid's keys (`section.key`) in the order used for labels (empty without `[grid]`).
    public var gridKeys: [String] { grid.map { "\($0.section).\($0.key)" } }
    /// True when the file has `[[variant]]`, `[grid]` or a non-empty `run.seeds`: `launch` then runs
    /// each planned run in its own subdirectory and writes comparison.csv. (An override that adds
    /// seeds also makes `plannedRuns` return several runs.)
    public var isComparison: Bool { !variants.isEmpty || !grid.isEmpty || !base.run.seeds.isEmpty }

    private let root: [String: TOMLNode]
    private let variants: [Variant]
    private let grid: [GridAxis]
    private let context: ReadContext

    private struct Variant: Sendable, Equatable {
        var name: String
        var settings: [Setting]
    }

    // MARK: - Loading

    /// Reads and parses the file at `path`: relative `[data]` paths resolve against its directory and
    /// `run.name` defaults to its name without extension. Validates the base and every expanded run.
    public static func load(path: String) throws(ConfigError) -> ExperimentFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .fileNotFound(path: path) }
        let url = URL(fileURLWithPath: path)
        let stem = PlannedRun.safeName(url.deletingPathExtension().lastPathComponent)
        return try parse(toml: text, baseDirectory: url.deletingLastPathComponent().path,
                         defaultName: stem.isEmpty ? "experiment" : stem)
    }

    /// Parses an experiment file's text; see `load(path:)`.
    public static func parse(
        toml: String, baseDirectory: String? = nil, defaultName: String = "experiment"
    ) throws(ConfigError) -> ExperimentFile {
        var root = try TOMLReader.parse(toml)
        let variantNode = root.removeValue(forKey: "variant")
        let gridNode = root.removeValue(forKey: "grid")
        let context = ReadContext(baseDirectory: baseDirectory, defaultName: defaultName)
        let (base, warnings) = try ExperimentConfig.resolve(root, context: context)
        let file = ExperimentFile(base: base, warnings: warnings, root: root, variants: try readVariants(variantNode),
                                  grid: try readGrid(gridNode), context: context)
        _ = try file.plannedRuns(overrides: [])
        return file
    }

    private init(base: ExperimentConfig, warnings: [String], root: [String: TOMLNode], variants: [Variant],
                 grid: [GridAxis], context: ReadContext) {
        self.base = base
        self.warnings = warnings
        self.root = root
        self.variants = variants
        self.grid = grid
        self.context = context
    }

    // MARK: - Expansion

    /// Every run to perform, with `overrides` (`section.key=value`; the value is TOML, or a bare
    /// word taken as a string) applied to the base before the variants. A file without variants,
    /// grid or seeds gives exactly one run with an empty label. Errors in a variant or grid point
    /// are wrapped in `ConfigError.inVariant` naming it.
    public func plannedRuns(overrides: [String]) throws(ConfigError) -> [PlannedRun] {
        var tree = root
        for text in overrides { try Setting.parseOverride(text).apply(to: &tree) }
        let points = gridPoints()
        let layers: [(name: String, settings: [Setting])] = variants.isEmpty ? [("", [])] : variants.map { ($0.name, $0.settings) }
        var runs: [PlannedRun] = []
        var usedNames: Set<String> = []
        for layer in layers {
            for point in points {
                let label = [layer.name, point.label].filter { !$0.isEmpty }.joined(separator: ",")
                let config: ExperimentConfig
                do throws(ConfigError) {
                    var runTree = tree
                    for setting in layer.settings { try setting.apply(to: &runTree) }
                    let variantKeys = Set(layer.settings.map(\.path))
                    for setting in point.settings {
                        if variantKeys.contains(setting.path) {
                            throw .conflict(keys: [setting.path], reason: "both the variant and [grid] set it; set it in one place")
                        }
                        try setting.apply(to: &runTree)
                    }
                    config = try ExperimentConfig.resolve(runTree, context: context).config
                } catch {
                    throw label.isEmpty ? error : .inVariant(label: label, error: error)
                }
                for seed in config.run.seeds.isEmpty ? [config.run.seed] : config.run.seeds {
                    var runConfig = config
                    runConfig.run.seed = seed
                    runConfig.run.seeds = []
                    let stem = label.isEmpty ? "s\(seed)" : "\(PlannedRun.safeName(label))-s\(seed)"
                    var directory = stem
                    var counter = 2
                    while usedNames.contains(directory) {
                        directory = "\(stem)-\(counter)"
                        counter += 1
                    }
                    usedNames.insert(directory)
                    runs.append(PlannedRun(variant: label, seed: seed, config: runConfig, directoryName: directory))
                }
            }
        }
        return runs
    }

    /// The grid's cross product (one empty point without a grid), last axis fastest.
    private func gridPoints() -> [(label: String, settings: [Setting])] {
        var points: [(label: String, settings: [Setting])] = [("", [])]
        for axis in grid {
            var next: [(label: String, settings: [Setting])] = []
            for point in points {
                for (index, alternative) in axis.alternatives.enumerated() {
                    let part = "\(axis.labelKey)=\(axis.labels[index])"
                    next.append((point.label.isEmpty ? part : point.label + "," + part,
                                 point.settings + [Setting(section: axis.section, key: axis.key, value: alternative)]))
                }
            }
            points = next
        }
        return points
    }

    // MARK: - Reading comparisons

    private static func readVariants(_ node: TOMLNode?) throws(ConfigError) -> [Variant] {
        guard let node else { return [] }
        guard case .array(let entries) = node else {
            throw .wrongType(key: "variant", expected: "an array of tables ([[variant]])", found: node.described)
        }
        var variants: [Variant] = []
        for (index, entry) in entries.enumerated() {
            guard case .table(let table) = entry else {
                throw .wrongType(key: "variant", expected: "an array of tables ([[variant]])", found: entry.described)
            }
            guard let nameNode = table["name"] else {
                throw .missingKey(key: "variant.name", reason: "[[variant]] number \(index + 1) needs a name, e.g. name = \"mean\"")
            }
            guard case .string(let name) = nameNode, !name.isEmpty else {
                throw .wrongType(key: "variant.name", expected: "a non-empty string", found: nameNode.described)
            }
            if variants.contains(where: { $0.name == name }) {
                throw .invalidValue(key: "variant.name", value: TOMLNode.quoted(name), reason: "two variants have this name; rename one")
            }
            do throws(ConfigError) {
                variants.append(Variant(name: name, settings: try Setting.flatten(table, skipping: ["name"])))
            } catch {
                throw .inVariant(label: name, error: error)
            }
        }
        return variants
    }

    private static func readGrid(_ node: TOMLNode?) throws(ConfigError) -> [GridAxis] {
        guard let node else { return [] }
        guard case .table(let table) = node else {
            throw .wrongType(key: "grid", expected: "a table ([grid])", found: node.described)
        }
        var axes: [GridAxis] = []
        for setting in try Setting.flatten(table) {
            guard case .array(let alternatives) = setting.value, !alternatives.isEmpty else {
                throw .wrongType(key: "grid.\"\(setting.path)\"", expected: "a non-empty array of alternatives",
                                 found: setting.value.described)
            }
            for (index, alternative) in alternatives.enumerated() where alternatives[..<index].contains(alternative) {
                throw .invalidValue(key: "grid.\"\(setting.path)\"", value: alternative.tomlText, reason: "it is listed twice; list each alternative once")
            }
            var labels = alternatives.map { GridAxis.label($0, abbreviate: true) }
            if Set(labels).count < labels.count { labels = alternatives.map { GridAxis.label($0, abbreviate: false) } }
            if Set(labels).count < labels.count { labels = alternatives.map(\.tomlText) }
            axes.append(GridAxis(section: setting.section, key: setting.key, alternatives: alternatives,
                                 labelKey: setting.key, labels: labels))
        }
        for index in axes.indices where axes.filter({ $0.key == axes[index].key }).count > 1 {
            axes[index].labelKey = "\(axes[index].section).\(axes[index].key)"
        }
        return axes
    }
}
