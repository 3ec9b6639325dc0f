/// `[partition]`: how the training samples are split among the clients.
public struct PartitionSection: ConfigSection {
    /// Partitioning scheme (all seeded).
    public enum Scheme: String, CaseIterable, Sendable, Hashable {
        /// Random permutation cut into equal chunks (numpy.array_split sizes).
        case iid
        /// Dirichlet(α) label skew (`dirichletVariant` chooses the variant of algorithms.md §9.2).
        case dirichlet
        /// Sort by label, cut into shards, deal `shardsPerClient` shards to each client.
        case shards
        /// Quantity skew: client shares ~ Dirichlet(α), at least `minSize` samples each.
        case quantity
        /// The data's own clients (synthetic devices).
        case natural
    }

    /// Which Dirichlet label-skew variant (algorithms.md §9.2).
    public enum DirichletVariant: String, CaseIterable, Sendable, Hashable {
        /// A: per class, proportions over clients ~ Dir(α), balancing and min-size retry (NIID-Bench).
        case perClass = "per-class"
        /// B: per client, proportions over classes ~ Dir(α), no retry (FedAU code).
        case perClient = "per-client"
    }

    /// Scheme.
    public var scheme: Scheme = .iid
    /// Number of clients N.
    public var clients: Int = 100
    /// Concentration α (dirichlet, quantity): smaller = more skewed.
    public var alpha: Double = 0.5
    /// Dirichlet variant.
    public var dirichletVariant: DirichletVariant = .perClass
    /// Shards per client (shards).
    public var shardsPerClient: Int = 2
    /// Minimum samples per client before the draw is accepted (per-class dirichlet, quantity).
    public var minSize: Int = 10

    /// The defaults.
    public init() {}

    static let sectionName = "partition"
    static let summary = "How the training samples are split among the clients."

    static var keys: [KeySpec<PartitionSection>] {
        [
            .choice("scheme", \.scheme, "Partitioning scheme; natural keeps the synthetic source's own devices."),
            .integer("clients", \.clients, min: 1, "Number of clients N."),
            .float("alpha", \.alpha, .positive, "Concentration α of the Dirichlet draw; smaller is more skewed.")
                .unused(when: { [.dirichlet, .quantity].contains($0.scheme) ? nil : "only dirichlet and quantity schemes use it" }),
            .choice("dirichlet_variant", \.dirichletVariant,
                    "per-class: algorithms.md §9.2 A (NIID-Bench, min-size retry); per-client: §9.2 B (FedAU code).")
                .unused(when: { $0.scheme != .dirichlet ? "only partition.scheme = \"dirichlet\" uses it" : nil }),
            .integer("shards_per_client", \.shardsPerClient, min: 1, "Label-sorted shards dealt to each client.")
                .unused(when: { $0.scheme != .shards ? "only partition.scheme = \"shards\" uses it" : nil }),
            .integer("min_size", \.minSize, min: 0, "Redraw until every client has at least this many samples.")
                .unused(when: { section in
                    switch (section.scheme, section.dirichletVariant) {
                    case (.quantity, _), (.dirichlet, .perClass): nil
                    default: "only quantity and per-class dirichlet use it"
                    }
                }),
        ]
    }
}
