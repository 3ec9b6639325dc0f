/// A complete, validated experiment: one run's every setting, with defaults filled in.
///
/// Built from TOML by `parse(toml:baseDirectory:defaultName:)`, written back by `tomlText()`
/// (`parse(tomlText()) == self`), identified by `hash`. Comparisons (variants, grids, seeds) live
/// in `ExperimentFile`, which produces one `ExperimentConfig` per planned run.
public struct ExperimentConfig: Sendable, Equatable {
    /// `[run]`.
    public var run: RunSection
    /// `[data]`.
    public var data: DataSection
    /// `[partition]`.
    public var partition: PartitionSection
    /// `[model]`.
    public var model: ModelSection
    /// `[local]`.
    public var local: LocalSection
    /// `[participation]`.
    public var participation: ParticipationSection
    /// `[aggregation]`.
    public var aggregation: AggregationSection
    /// `[byzantine]`.
    public var byzantine: ByzantineSection
    /// `[compression]`.
    public var compression: CompressionSection
    /// `[timing]`.
    public var timing: TimingSection
    /// `[coding]`.
    public var coding: CodingSection
    /// `[[faults]]`: the injected faults, in file order.
    public var faults: [FaultSection]
    /// `[eval]`.
    public var eval: EvalSection

    /// Every default (the configuration of an empty file named "experiment").
    public init() {
        run = RunSection()
        data = DataSection()
        partition = PartitionSection()
        model = ModelSection()
        local = LocalSection()
        participation = ParticipationSection()
        aggregation = AggregationSection()
        byzantine = ByzantineSection()
        compression = CompressionSection()
        timing = TimingSection()
        coding = CodingSection()
        faults = []
        eval = EvalSection()
    }

    /// The section names in file order (`faults` is the `[[faults]]` array).
    public static let sectionNames = [
        "run", "data", "partition", "model", "local", "participation", "aggregation", "byzantine",
        "compression", "timing", "coding", "faults", "eval",
    ]

    /// Parses and validates one experiment (a file without `[[variant]]` or `[grid]`).
    ///
    /// - Parameters:
    ///   - toml: the file's text.
    ///   - baseDirectory: directory that relative `[data]` paths resolve against (stored absolute);
    ///     nil = the current directory.
    ///   - defaultName: `run.name` when the file gives none (usually the file name without `.toml`).
    /// - Throws: `ConfigError` naming the key and the fix.
    public static func parse(
        toml: String, baseDirectory: String? = nil, defaultName: String = "experiment"
    ) throws(ConfigError) -> ExperimentConfig {
        let root = try TOMLReader.parse(toml)
        for comparisonKey in ["variant", "grid"] where root[comparisonKey] != nil {
            throw .invalidValue(key: comparisonKey, value: comparisonKey == "grid" ? "[grid]" : "[[variant]]",
                                reason: "a single experiment has no variants or grid; load the file with ExperimentFile to expand them")
        }
        return try resolve(root, context: ReadContext(baseDirectory: baseDirectory, defaultName: defaultName)).config
    }

    // MARK: - Resolution

    /// Reads every section of a document tree and checks the rules that span sections.
    static func resolve(_ root: [String: TOMLNode], context: ReadContext) throws(ConfigError) -> (config: ExperimentConfig, warnings: [String]) {
        for key in root.keys.sorted() where !sectionNames.contains(key) {
            if case .table = root[key] {
                throw .unknownSection(key, suggestion: Suggestion.closest(to: key, among: sectionNames))
            }
            throw .unknownKey(key: key, suggestion: KeyIndex.suggestion(forTopLevel: key))
        }
        var warnings: [String] = []
        func section<S: ConfigSection>(_ type: S.Type) throws(ConfigError) -> S {
            let (value, notes) = try S.read(root[S.sectionName], context: context)
            warnings += notes
            return value
        }
        var config = ExperimentConfig()
        config.run = try section(RunSection.self)
        config.data = try section(DataSection.self)
        config.partition = try section(PartitionSection.self)
        config.model = try section(ModelSection.self)
        config.local = try section(LocalSection.self)
        config.participation = try section(ParticipationSection.self)
        config.aggregation = try section(AggregationSection.self)
        config.byzantine = try section(ByzantineSection.self)
        config.compression = try section(CompressionSection.self)
        config.timing = try section(TimingSection.self)
        config.coding = try section(CodingSection.self)
        config.faults = try FaultSection.readList(root["faults"])
        config.eval = try section(EvalSection.self)
        try config.checkAcrossSections()
        return (config, warnings)
    }

    /// Rules that involve more than one section.
    private func checkAcrossSections() throws(ConfigError) {
        if participation.process == .uniform, participation.clientsPerRound > partition.clients {
            throw .conflict(keys: ["participation.clients_per_round", "partition.clients"],
                            reason: "\(participation.clientsPerRound) clients per round out of \(partition.clients) clients; "
                                + "lower participation.clients_per_round or raise partition.clients")
        }
        if partition.scheme == .natural, data.source != .synthetic {
            throw .conflict(keys: ["partition.scheme", "data.source"],
                            reason: "only the synthetic source has natural clients; use another partition.scheme")
        }
        try checkDistributedLion()
        try checkCompression()
        try checkStragglers()
        let byzantine = byzantine.byzantineCount(clients: partition.clients)
        if byzantine >= partition.clients {
            throw .conflict(keys: [self.byzantine.fraction == nil ? "byzantine.count" : "byzantine.fraction", "partition.clients"],
                            reason: "\(byzantine) Byzantine clients out of \(partition.clients) leaves no honest client; lower it")
        }
    }
}

extension ExperimentConfig {
    /// Combinations of Distributed Lion and Lion keys that cannot run.
    fileprivate func checkDistributedLion() throws(ConfigError) {
        if aggregation.serverOptimizer == .lion, run.mode != .distributedSGD {
            throw .conflict(keys: ["aggregation.server_optimizer", "run.mode"],
                            reason: "the \"lion\" server optimizer steps on averaged gradients; use it with "
                                + "run.mode = \"distributed-sgd\" (run.mode = \"distributed-lion\" votes on signs instead)")
        }
        guard run.mode == .distributedLion else { return }
        if local.optimizer != .lion {
            throw .conflict(keys: ["run.mode", "local.optimizer"],
                            reason: "Distributed Lion's workers run Lion (local.lr is ε, local.beta1/beta2/weight_decay "
                                + "its β1, β2, λ); set local.optimizer = \"lion\"")
        }
        if local.steps != nil || local.epochs != 1 {
            throw .conflict(keys: ["run.mode", local.steps != nil ? "local.steps" : "local.epochs"],
                            reason: "a Distributed Lion round is one minibatch gradient per client; remove "
                                + (local.steps != nil ? "local.steps" : "local.epochs (or set it to 1)"))
        }
        if aggregation.serverOptimizer != .sgd {
            throw .conflict(keys: ["run.mode", "aggregation.server_optimizer"],
                            reason: "Distributed Lion applies the vote itself (x ← x − ε(Δ + λx)); remove "
                                + "aggregation.server_optimizer")
        }
        if aggregation.rule != ["mean"] {
            throw .conflict(keys: ["run.mode", "aggregation.rule"],
                            reason: "Distributed Lion counts sign votes (aggregation.dlion_vote); remove aggregation.rule")
        }
        if aggregation.dlionVote == .average, partition.clients > 65_536 {
            throw .conflict(keys: ["aggregation.dlion_vote", "partition.clients"],
                            reason: "vote counts travel in at most 17 bits (N ≤ 65536 votes), but there are "
                                + "\(partition.clients) clients; use aggregation.dlion_vote = \"majority\" or fewer clients")
        }
    }
}

/// Where a misplaced or misspelt key probably belongs, for "did you mean" suggestions.
enum KeyIndex {
    /// Every `section.key` of every section, in registry order.
    static var allKeys: [(section: String, key: String)] {
        ExperimentConfig.reference.flatMap { section in section.keys.map { (section.name, $0.name) } }
    }

    /// For an unknown `key` in `section`: the closest key of that section; else a key of that exact
    /// name (or closest name) in another section. Returned as `section.key`.
    static func suggestion(for key: String, in section: String) -> String? {
        let all = allKeys
        let own = all.filter { $0.section == section }.map(\.key)
        if let near = Suggestion.closest(to: key, among: own) { return "\(section).\(near)" }
        if let synonym = synonyms[key.lowercased()], let match = all.first(where: { $0.key == synonym }) {
            return "\(match.section).\(match.key)"
        }
        if let other = all.first(where: { $0.key == key && $0.section != section }) { return "\(other.section).\(other.key)" }
        return nil
    }

    /// Names other tools use for our keys (the key they suggest is looked up section-first).
    static let synonyms = [
        "learning_rate": "lr", "num_rounds": "rounds", "epochs_per_round": "epochs", "local_epochs": "epochs",
        "batch": "batch_size", "num_clients": "clients", "n_clients": "clients", "fraction_fit": "clients_per_round",
        "clients_per_step": "clients_per_round", "aggregator": "rule", "rules": "rule", "compressor": "uplink",
        "dataset": "source", "layers": "hidden", "optimiser": "optimizer", "server_learning_rate": "server_lr",
    ]

    /// For a key outside any section (`seed = 3` at the top): the section key of that name, if one exists.
    static func suggestion(forTopLevel key: String) -> String? {
        if let exact = allKeys.first(where: { $0.key == key || $0.key == synonyms[key.lowercased()] }) {
            return "\(exact.section).\(exact.key)"
        }
        let dotted = allKeys.map { "\($0.section).\($0.key)" }
        return Suggestion.closest(to: key, among: dotted)
    }
}
