/// How the training samples are divided among clients (see `Partitioner`).
public enum PartitionScheme: Sendable, Equatable, Hashable {
    /// A seeded permutation cut into near-equal contiguous chunks (numpy `array_split`; the first
    /// n mod N clients get one more sample) — bit-exact with `tasks.iid_partition`.
    case iid
    /// Dirichlet(α) label skew; `minSize` is the smallest client size variant A retries for
    /// (NIID-Bench uses 10); variant B ignores it (the FedAU code has no retry).
    case dirichlet(alpha: Double, variant: DirichletVariant, minSize: Int)
    /// McMahan et al.'s pathological split: samples sorted by label (stable) are cut into
    /// N·perClient shards, and each client receives `perClient` random shards.
    case shards(perClient: Int)
    /// Quantity skew with IID labels (NIID-Bench "iid-diff-quantity"): client shares
    /// q ~ Dir(α·1_N), redrawn until every client holds at least `minSize` samples.
    case quantity(alpha: Double, minSize: Int)
    /// The data's own devices (synthetic data only).
    case natural

    /// NIID-Bench's default: variant A with minimum client size 10.
    public static func dirichlet(alpha: Double) -> PartitionScheme {
        .dirichlet(alpha: alpha, variant: .perClass, minSize: 10)
    }
}

/// Which of the two common Dirichlet label-skew recipes to use (spec §9.2).
public enum DirichletVariant: String, Sendable, Equatable, Hashable, CaseIterable {
    /// A: per class, p ~ Dir(α·1_N) over clients, with the balancing step and min-size retry
    /// (NIID-Bench `noniid-labeldir`). The default.
    case perClass = "per-class"
    /// B: per client, π ~ Dir(α·1_C) over classes; classes cut by rounded cumulative shares
    /// (IBM/fedau `util.partition`).
    case perClient = "per-client"
}
