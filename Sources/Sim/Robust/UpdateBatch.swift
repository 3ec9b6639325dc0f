// The value types every robust rule works on: a batch of n updates (rows) of dimension d, the
// per-round context some rules need (seed, round, FLTrust's trusted update, the previous aggregate),
// and the result (the aggregate plus, for selection rules, which rows were chosen).

/// n rows × d columns, row-major. Rules are generic over the float type: fixture tests and
/// `gradwire aggregate` run in Double, the coordinator in Float.
///
/// Invariant: `values.count == rows * dimension`.
public struct UpdateBatch<Scalar: BinaryFloatingPoint & Sendable>: Sendable, Equatable {
    /// Number of updates n.
    public var rows: Int
    /// Dimension d of every update.
    public var dimension: Int
    /// Row-major storage: row i occupies `values[i*dimension ..< (i+1)*dimension]`.
    public var values: [Scalar]

    /// A batch from equal-length rows. Precondition: all rows have the same length
    /// (use `init(checkedRows:)` for external data).
    public init(rows: [[Scalar]]) {
        let d = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == d }, "UpdateBatch: rows of different lengths")
        self.rows = rows.count
        self.dimension = d
        self.values = rows.flatMap { $0 }
    }

    /// A batch from equal-length rows; throws `dimensionMismatch` naming the first odd row's length.
    public init(checkedRows rows: [[Scalar]]) throws(RobustError) {
        let d = rows.first?.count ?? 0
        if let bad = rows.first(where: { $0.count != d }) {
            throw .dimensionMismatch(expected: d, found: bad.count)
        }
        self.init(rows: rows)
    }

    /// A batch over existing row-major storage. Precondition: `values.count == rows * dimension`.
    public init(rows: Int, dimension: Int, values: [Scalar]) {
        precondition(rows >= 0 && dimension >= 0 && values.count == rows * dimension,
                     "UpdateBatch: \(values.count) values for \(rows) × \(dimension)")
        self.rows = rows
        self.dimension = dimension
        self.values = values
    }

    /// Row i as a slice of `values` (indices are those of `values`).
    public func row(_ i: Int) -> ArraySlice<Scalar> {
        values[i * dimension..<(i + 1) * dimension]
    }

    /// The rows as separate arrays.
    public var rowArrays: [[Scalar]] {
        (0..<rows).map { Array(row($0)) }
    }

    /// The batch restricted to the given rows, in the given order.
    public func selecting(_ indices: [Int]) -> UpdateBatch {
        var out: [Scalar] = []
        out.reserveCapacity(indices.count * dimension)
        for i in indices { out.append(contentsOf: row(i)) }
        return UpdateBatch(rows: indices.count, dimension: dimension, values: out)
    }

    /// The same batch converted to another float type (rounding to nearest).
    public func converted<T: BinaryFloatingPoint & Sendable>(to _: T.Type) -> UpdateBatch<T> {
        UpdateBatch<T>(rows: rows, dimension: dimension, values: values.map { T($0) })
    }
}

/// Per-round inputs that some rules need besides the updates.
public struct AggregationContext<Scalar: BinaryFloatingPoint & Sendable>: Sendable {
    /// Run seed; seeded rules draw from `RandomKey(seed: seed, purpose: .bucketing, round: round)`.
    public var seed: UInt64
    /// Round number (part of the random key).
    public var round: UInt64
    /// FLTrust's server (root-data) update g₀; required by `fltrust`.
    public var trusted: [Scalar]?
    /// The previous round's aggregate: centered clipping's default start v₀ (zero when nil).
    public var previous: [Scalar]?

    /// A context; every field defaults to "none" (seed 0, round 0).
    public init(seed: UInt64 = 0, round: UInt64 = 0, trusted: [Scalar]? = nil, previous: [Scalar]? = nil) {
        self.seed = seed
        self.round = round
        self.trusted = trusted
        self.previous = previous
    }
}

/// The output of an aggregation chain.
public struct AggregationResult<Scalar: BinaryFloatingPoint & Sendable>: Sendable, Equatable {
    /// The aggregate (dimension d).
    public var vector: [Scalar]
    /// For selection rules (Krum: one row; Multi-Krum, MDA, SMEA: ascending; Bulyan: in the order its
    /// Krum rounds chose them; MoNNA, FLTrust, SignGuard, DnC: ascending): 0-based rows of the batch the
    /// final rule saw. Nil for rules that select nothing. After a pre-aggregator that changes the row
    /// count (bucketing) the indices refer to the pre-aggregated rows.
    public var selected: [Int]?

    /// A result.
    public init(vector: [Scalar], selected: [Int]? = nil) {
        self.vector = vector
        self.selected = selected
    }
}
