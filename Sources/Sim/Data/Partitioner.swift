/// Seeded partitioners of a training set among clients (spec §9.2, DESIGN §7).
///
/// Every scheme assigns every sample to exactly one client. The order inside a client is the
/// order the scheme produces, because local training walks a client's samples in stored order:
///
/// - `.iid`: `PortableRandom.splitPermutation(seed, n, N)` — bit-exact with `tasks.iid_partition`
///   (T1: seed 43, T2: seed 8). Uses `seed` directly, not a `RandomKey`.
/// - `.dirichlet(α, .perClass, minSize)` (NIID-Bench `partition_data`, "noniid-labeldir"):
///   attempt a = 0, 1, …: for each class k (ascending) draw from the stream
///   `RandomKey(seed, .partition, round: a, client: k)` first N log-gammas (→ p ~ Dir(α·1_N)),
///   then one u64 that seeds the permutation shuffling the class's indices; zero p_j for clients
///   already holding ≥ n/N samples (balancing), renormalise, cut at ⌊cumsum(p)·n_k⌋ and append
///   the slices to clients 0…N−1. Retry while some client has fewer than `minSize` samples (at
///   most `maxAttempts`). Finally each client's list is shuffled by the permutation seeded from
///   `RandomKey(seed, .partition, round: a, client: 2³² + j)`. If every eligible p_j is 0 the
///   eligible clients share equally (NIID-Bench would divide by zero).
/// - `.dirichlet(α, .perClient, _)` (IBM/fedau `util.partition`): π_n ~ Dir(α·1_C) from
///   `RandomKey(seed, .partition, round: 0, client: n)`; each class's samples in data-set order are
///   cut with client n's chunk ending at round-half-even(n_c · Σ_{m≤n} π_{m,c} / Σ_m π_{m,c}).
///   No retry: clients can be empty.
/// - `.shards(perClient)`: stable sort by label, cut into N·perClient near-equal shards
///   (array_split), shard permutation from `RandomKey(seed, .partition, round: 0, client: 0)`;
///   client j gets shards perm[j·perClient ..< (j+1)·perClient], concatenated and then shuffled
///   (key client: 2³² + j) so that local SGD does not see one label after the other.
/// - `.quantity(α, minSize)`: sample permutation from `RandomKey(seed, .partition, round: 0,
///   client: 2³²)`; attempt a draws q ~ Dir(α·1_N) from `RandomKey(seed, .partition, round: a,
///   client: 0)`, cut at ⌊cumsum(q)·n⌋, retries until every client has ≥ minSize samples
///   (checked on the actual sizes, where NIID-Bench checks q·n).
public enum Partitioner {
    /// Attempts for the schemes that retry before giving up with `.invalidParameter`.
    public static let maxAttempts = 1000

    /// Partitions samples with `labels` (each in 0..<classes) among `clients` clients.
    /// Throws `.invalidParameter` for impossible settings: no clients, more clients than samples,
    /// α ≤ 0, a label outside 0..<classes, too few samples for the shards, a minimum size that
    /// is unreachable (N·minSize > n, or not met within `maxAttempts`), or `.natural`.
    public static func partition(labels: [Int32], classes: Int, clients: Int, scheme: PartitionScheme,
                                 seed: UInt64) throws(DataError) -> [[Int]] {
        let n = labels.count
        try validate(samples: n, clients: clients, scheme: scheme)
        guard classes >= 1, labels.allSatisfy({ $0 >= 0 && Int($0) < classes }) else {
            throw .invalidParameter(name: "labels", reason: "a label is outside 0..<\(classes)")
        }
        switch scheme {
        case .iid:
            return PortableRandom.splitPermutation(seed: seed, count: n, parts: clients)
        case .dirichlet(let alpha, let variant, let minSize):
            switch variant {
            case .perClass:
                return try perClass(labels, classes: classes, clients: clients, alpha: alpha, minSize: minSize,
                                    seed: seed)
            case .perClient:
                return perClient(labels, classes: classes, clients: clients, alpha: alpha, seed: seed)
            }
        case .shards(let perClient):
            return shards(labels, clients: clients, perClient: perClient, seed: seed)
        case .quantity(let alpha, let minSize):
            return try quantity(count: n, clients: clients, alpha: alpha, minSize: minSize, seed: seed)
        case .natural:
            throw .invalidParameter(name: "partition.scheme", reason: "\"natural\" needs a data source with its own "
                + "devices (synthetic); use iid, dirichlet, shards or quantity for this data")
        }
    }

    /// The checks of `partition` that need no labels: throws what `partition` would throw for
    /// `samples` samples, except a minimum client size not met within `maxAttempts` draws and an
    /// invalid label. Cheap — lets a process that never partitions reject a configuration early.
    public static func validate(samples n: Int, clients: Int, scheme: PartitionScheme) throws(DataError) {
        guard clients >= 1 else {
            throw .invalidParameter(name: "partition.clients", reason: "\(clients) must be at least 1")
        }
        guard clients <= n else {
            throw .invalidParameter(name: "partition.clients", reason: "\(clients) clients for \(n) training "
                + "samples; use at most \(n) clients")
        }
        switch scheme {
        case .iid:
            return
        case .dirichlet(let alpha, let variant, let minSize):
            try checkAlpha(alpha)
            if variant == .perClass { try checkMinSize(minSize, clients: clients, samples: n) }
        case .shards(let perClient):
            try checkShards(perClient, clients: clients, samples: n)
        case .quantity(let alpha, let minSize):
            try checkAlpha(alpha)
            try checkMinSize(minSize, clients: clients, samples: n)
        case .natural:
            throw .invalidParameter(name: "partition.scheme", reason: "\"natural\" needs a data source with its own "
                + "devices (synthetic); use iid, dirichlet, shards or quantity for this data")
        }
    }

    /// Whether `scheme` looks at the labels (dirichlet, shards); iid and quantity use only the
    /// sample count, so `partition` with any valid labels gives the same result for them.
    public static func needsLabels(_ scheme: PartitionScheme) -> Bool {
        switch scheme {
        case .iid, .quantity, .natural: return false
        case .dirichlet, .shards: return true
        }
    }

    // MARK: - Cut rules (exposed for the spec's worked examples)

    /// Variant A's cut points: ⌊cumsum(p)·count⌋ without the last (numpy `astype(int)[:-1]`),
    /// clamped to be non-decreasing and ≤ count. Slice j is `cuts[j-1] ..< cuts[j]`.
    public static func cutPoints(proportions: [Double], count: Int) -> [Int] {
        var cuts = [Int]()
        var sum = 0.0
        var previous = 0
        for p in proportions.dropLast() {
            sum += p
            let cut = min(count, max(previous, Int((sum * Double(count)).rounded(.towardZero))))
            cuts.append(cut)
            previous = cut
        }
        return cuts
    }

    /// Variant B's chunk ends for one class of `count` samples: client n's chunk ends at
    /// round-half-even(count · Σ_{m≤n} w_m / Σ_m w_m); the last end is `count`.
    public static func roundedEnds(weights: [Double], count: Int) -> [Int] {
        let total = weights.reduce(0, +)
        var ends = [Int]()
        var cumulative = 0.0
        var previous = 0
        for (i, w) in weights.enumerated() {
            cumulative += w
            var end = total > 0 ? Int((Double(count) * cumulative / total).rounded(.toNearestOrEven)) : count
            if i == weights.count - 1 { end = count }
            end = min(count, max(previous, end))
            ends.append(end)
            previous = end
        }
        return ends
    }

    /// Sizes from cut points: slice lengths of `0..<count` cut at `cuts`.
    public static func sizes(cuts: [Int], count: Int) -> [Int] {
        zip(cuts + [count], [0] + cuts).map { $0 - $1 }
    }

    // MARK: - Schemes

    private static let shuffleClientOffset: UInt64 = 1 << 32

    private static func perClass(_ labels: [Int32], classes: Int, clients: Int, alpha: Double, minSize: Int,
                                 seed: UInt64) throws(DataError) -> [[Int]] {
        let byClass = indicesByClass(labels, classes: classes)
        let n = labels.count
        let fairShare = Double(n) / Double(clients)
        var smallest = 0
        for attempt in 0..<maxAttempts {
            var batches = [[Int]](repeating: [], count: clients)
            for k in 0..<classes {
                var random = key(seed, round: UInt64(attempt), client: UInt64(k)).generator
                var p = Distributions.dirichlet(alpha: alpha, count: clients, using: &random)
                let order = PortableRandom.permutation(seed: random.next(), count: byClass[k].count)
                var total = 0.0
                for j in 0..<clients {
                    if Double(batches[j].count) >= fairShare { p[j] = 0 }
                    total += p[j]
                }
                if total > 0 {
                    for j in 0..<clients { p[j] /= total }
                } else {
                    let eligible = (0..<clients).filter { Double(batches[$0].count) < fairShare }
                    for j in eligible { p[j] = 1 / Double(eligible.count) }
                }
                let members = byClass[k]
                let cuts = cutPoints(proportions: p, count: members.count) + [members.count]
                var start = 0
                for j in 0..<clients {
                    for position in start..<cuts[j] { batches[j].append(members[order[position]]) }
                    start = cuts[j]
                }
            }
            smallest = batches.map(\.count).min() ?? 0
            if smallest >= minSize {
                return batches.enumerated().map { j, batch in
                    shuffled(batch, seed: key(seed, round: UInt64(attempt), client: shuffleClientOffset + UInt64(j)))
                }
            }
        }
        throw .invalidParameter(name: "partition.min_size", reason: "after \(maxAttempts) Dirichlet draws the "
            + "smallest client still had \(smallest) < \(minSize) samples; lower min_size, raise alpha or use "
            + "fewer clients")
    }

    private static func perClient(_ labels: [Int32], classes: Int, clients: Int, alpha: Double,
                                  seed: UInt64) -> [[Int]] {
        let byClass = indicesByClass(labels, classes: classes)
        let pi = (0..<clients).map { n in
            var random = key(seed, round: 0, client: UInt64(n)).generator
            return Distributions.dirichlet(alpha: alpha, count: classes, using: &random)
        }
        var batches = [[Int]](repeating: [], count: clients)
        for c in 0..<classes {
            let ends = roundedEnds(weights: pi.map { $0[c] }, count: byClass[c].count)
            var start = 0
            for n in 0..<clients {
                batches[n].append(contentsOf: byClass[c][start..<ends[n]])
                start = ends[n]
            }
        }
        return batches
    }

    private static func shards(_ labels: [Int32], clients: Int, perClient: Int,
                               seed: UInt64) -> [[Int]] {
        let count = clients * perClient
        let sorted = (0..<labels.count).sorted { labels[$0] != labels[$1] ? labels[$0] < labels[$1] : $0 < $1 }
        let shardList = chunks(sorted, count)
        let order = PortableRandom.permutation(seed: key(seed, round: 0, client: 0).streamSeed, count: count)
        return (0..<clients).map { j in
            let mine = order[(j * perClient)..<((j + 1) * perClient)].flatMap { shardList[$0] }
            return shuffled(mine, seed: key(seed, round: 0, client: shuffleClientOffset + UInt64(j)))
        }
    }

    private static func quantity(count n: Int, clients: Int, alpha: Double, minSize: Int,
                                 seed: UInt64) throws(DataError) -> [[Int]] {
        let perm = PortableRandom.permutation(seed: key(seed, round: 0, client: shuffleClientOffset).streamSeed,
                                              count: n)
        var smallest = 0
        for attempt in 0..<maxAttempts {
            var random = key(seed, round: UInt64(attempt), client: 0).generator
            let q = Distributions.dirichlet(alpha: alpha, count: clients, using: &random)
            let cuts = cutPoints(proportions: q, count: n)
            let sizes = sizes(cuts: cuts, count: n)
            smallest = sizes.min() ?? 0
            if smallest >= minSize {
                let bounds = [0] + cuts + [n]
                return (0..<clients).map { Array(perm[bounds[$0]..<bounds[$0 + 1]]) }
            }
        }
        throw .invalidParameter(name: "partition.min_size", reason: "after \(maxAttempts) Dirichlet draws the "
            + "smallest client still had \(smallest) < \(minSize) samples; lower min_size, raise alpha or use "
            + "fewer clients")
    }

    // MARK: - Helpers

    private static func key(_ seed: UInt64, round: UInt64, client: UInt64) -> RandomKey {
        RandomKey(seed: seed, purpose: .partition, round: round, client: client)
    }

    private static func shuffled(_ values: [Int], seed key: RandomKey) -> [Int] {
        PortableRandom.permutation(seed: key.streamSeed, count: values.count).map { values[$0] }
    }

    private static func indicesByClass(_ labels: [Int32], classes: Int) -> [[Int]] {
        var byClass = [[Int]](repeating: [], count: classes)
        for (i, label) in labels.enumerated() { byClass[Int(label)].append(i) }
        return byClass
    }

    /// `values` cut into `parts` contiguous chunks, the first `count % parts` one longer.
    private static func chunks(_ values: [Int], _ parts: Int) -> [[Int]] {
        let base = values.count / parts, extra = values.count % parts
        var result = [[Int]]()
        var start = 0
        for part in 0..<parts {
            let length = base + (part < extra ? 1 : 0)
            result.append(Array(values[start..<(start + length)]))
            start += length
        }
        return result
    }

    private static func checkShards(_ perClient: Int, clients: Int, samples: Int) throws(DataError) {
        guard perClient >= 1 else {
            throw .invalidParameter(name: "partition.shards_per_client", reason: "\(perClient) must be at least 1")
        }
        let (count, overflow) = clients.multipliedReportingOverflow(by: perClient)
        guard !overflow, count <= samples else {
            let shown = overflow ? "too many" : "\(count)"
            throw .invalidParameter(name: "partition.shards_per_client", reason: "\(clients) clients × \(perClient) "
                + "shards = \(shown) shards for \(samples) samples; use fewer shards per client or clients")
        }
    }

    private static func checkAlpha(_ alpha: Double) throws(DataError) {
        guard alpha > 0 && alpha.isFinite else {
            throw .invalidParameter(name: "partition.alpha", reason: "\(alpha) must be positive and finite "
                + "(small values such as 0.1 give strong skew, large values such as 100 nearly IID)")
        }
    }

    private static func checkMinSize(_ minSize: Int, clients: Int, samples: Int) throws(DataError) {
        guard minSize >= 0 else {
            throw .invalidParameter(name: "partition.min_size", reason: "\(minSize) must not be negative")
        }
        guard minSize <= samples / clients else {
            throw .invalidParameter(name: "partition.min_size", reason: "\(clients) clients × \(minSize) samples "
                + "exceeds the \(samples) training samples; lower min_size or use fewer clients")
        }
    }
}
