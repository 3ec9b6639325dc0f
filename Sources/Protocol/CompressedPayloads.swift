// Value types of the compressed payload forms (issue 4) whose layout is more than one packed array:
// sparse index/value pairs, shared-index values, QSGD levels with per-bucket norms, and low-rank
// factors. Each has a trusting initialiser for this process's own output (preconditions: a
// programmer error) and a `validated` constructor for untrusted input that throws a `DecodeError`
// naming the field. Layouts on the wire are in docs/wire-format.md (codec ids 3, 5, 8, 11); the
// Float16, scaled-sign, scaled-ternary and powers-of-two forms reuse plain arrays and the packed
// types, see `TensorPayload`.

/// Kept values at ascending, duplicate-free indices below `count` (codec id 3, top-k, threshold,
/// DGC). Wire: k in the parameters (UInt32), then k UInt32 indices, then k Float32 values.
public struct SparseValues: Sendable, Equatable {
    /// Number of elements of the dense vector (the model dimension).
    public let count: Int
    /// Indices of the kept elements, strictly ascending, each `< count`.
    public let indices: [UInt32]
    /// The kept values, finite, `values[j]` at `indices[j]`.
    public let values: [Float]

    /// Wraps this process's own output (precondition: same lengths, indices ascending and in range).
    public init(count: Int, indices: [UInt32], values: [Float]) {
        precondition(indices.count == values.count, "SparseValues: \(indices.count) indices, \(values.count) values")
        precondition(Self.indexProblem(count: count, indices: indices) == nil,
                     "SparseValues: \(Self.indexProblem(count: count, indices: indices) ?? "")")
        self.count = count
        self.indices = indices
        self.values = values
    }

    /// Checks untrusted parts: equal lengths, k ≤ count, indices strictly ascending and `< count`,
    /// values finite. Errors name `field.indices` or `field.values`.
    public static func validated(
        count: Int, indices: [UInt32], values: [Float], field: String
    ) throws(DecodeError) -> SparseValues {
        guard indices.count == values.count else {
            throw .invalidValue(field: field, reason: "\(indices.count) indices but \(values.count) values")
        }
        if let problem = indexProblem(count: count, indices: indices) {
            throw .invalidValue(field: field + ".indices", reason: problem)
        }
        if let bad = firstNonFiniteFloat(values) { throw .nonFinite(field: field + ".values", index: bad) }
        return SparseValues(count: count, indices: indices, values: values)
    }

    /// The dense vector (zeros outside the kept indices).
    public var dense: [Float] {
        var out = [Float](repeating: 0, count: count)
        for (j, index) in indices.enumerated() { out[Int(index)] = values[j] }
        return out
    }

    /// Why the indices are not strictly ascending below `count`, or nil.
    static func indexProblem(count: Int, indices: [UInt32]) -> String? {
        guard indices.count <= count else { return "\(indices.count) kept elements exceed the \(count) elements" }
        var previous: Int = -1
        for (j, raw) in indices.enumerated() {
            let index = Int(raw)
            guard index < count else { return "index \(index) at position \(j) is not below the \(count) elements" }
            guard index > previous else {
                return "index \(index) at position \(j) does not exceed the previous index \(previous) "
                    + "(indices must ascend without duplicates)"
            }
            previous = index
        }
        return nil
    }
}

/// Values at indices both sides derive from a shared random key (codec id 8, random-k): only the
/// k finite values travel (k ≤ `count`, as UInt32 in the parameters, then k Float32 values). The
/// receiver re-derives the indices from the key and k.
public struct SharedSparseValues: Sendable, Equatable {
    /// Number of elements of the dense vector (the model dimension).
    public let count: Int
    /// The kept values in the order of the ascending shared indices, finite.
    public let values: [Float]

    /// Wraps this process's own output (precondition: `values.count ≤ count`).
    public init(count: Int, values: [Float]) {
        precondition(values.count <= count, "SharedSparseValues: \(values.count) values for \(count) elements")
        self.count = count
        self.values = values
    }

    /// Checks untrusted values: k ≤ count (`field`), every value finite (`field.values`).
    public static func validated(count: Int, values: [Float], field: String) throws(DecodeError) -> SharedSparseValues {
        guard values.count <= count else {
            throw .invalidValue(field: field, reason: "\(values.count) values exceed the \(count) elements")
        }
        if let bad = firstNonFiniteFloat(values) { throw .nonFinite(field: field + ".values", index: bad) }
        return SharedSparseValues(count: count, values: values)
    }
}

/// Rank-r factors of a rows × columns matrix (codec id 11, PowerSGD): the vector is P·Qᵀ, row-major,
/// so `rows · columns` is the element count. Wire: rows, columns, rank (UInt32 each) in the
/// parameters; P (rows × rank, row-major Float32) then Q (columns × rank) in the frame.
public struct LowRankMatrix: Sendable, Equatable {
    /// n, rows of the matrix (≥ 1).
    public let rows: Int
    /// m, columns of the matrix (≥ 1).
    public let columns: Int
    /// r, 1 … min(rows, columns).
    public let rank: Int
    /// P, rows × rank, row-major, finite.
    public let p: [Float]
    /// Q, columns × rank, row-major, finite.
    public let q: [Float]

    /// Number of elements of the matrix, `rows · columns`.
    public var count: Int { rows * columns }

    /// Wraps this process's own output (precondition: shapes consistent, see `shapeProblem`).
    public init(rows: Int, columns: Int, rank: Int, p: [Float], q: [Float]) {
        precondition(Self.shapeProblem(rows: rows, columns: columns, rank: rank) == nil,
                     "LowRankMatrix: \(Self.shapeProblem(rows: rows, columns: columns, rank: rank) ?? "")")
        precondition(p.count == rows * rank && q.count == columns * rank,
                     "LowRankMatrix: P has \(p.count), Q \(q.count) values for \(rows)×\(columns) rank \(rank)")
        self.rows = rows
        self.columns = columns
        self.rank = rank
        self.p = p
        self.q = q
    }

    /// Checks untrusted factors: shape (`field.rank` etc.), `rows · columns == count`
    /// (`field.rows`), factor lengths (`field.p`, `field.q`), finite values (`field.p`, `field.q`).
    public static func validated(
        count: Int, rows: Int, columns: Int, rank: Int, p: [Float], q: [Float], field: String
    ) throws(DecodeError) -> LowRankMatrix {
        try checkShape(count: count, rows: rows, columns: columns, rank: rank, field: field)
        guard p.count == rows * rank else {
            throw .invalidValue(field: field + ".p", reason: "P of \(rows)×\(rank) takes \(rows * rank) values, found \(p.count)")
        }
        guard q.count == columns * rank else {
            throw .invalidValue(field: field + ".q", reason: "Q of \(columns)×\(rank) takes \(columns * rank) values, found \(q.count)")
        }
        if let bad = firstNonFiniteFloat(p) { throw .nonFinite(field: field + ".p", index: bad) }
        if let bad = firstNonFiniteFloat(q) { throw .nonFinite(field: field + ".q", index: bad) }
        return LowRankMatrix(rows: rows, columns: columns, rank: rank, p: p, q: q)
    }

    /// The dense rows × columns matrix P·Qᵀ, row-major (a reference product for tests and small sizes).
    public var dense: [Float] {
        var out = [Float](repeating: 0, count: rows * columns)
        for i in 0..<rows {
            for j in 0..<columns {
                var sum: Float = 0
                for k in 0..<rank { sum += p[i * rank + k] * q[j * rank + k] }
                out[i * columns + j] = sum
            }
        }
        return out
    }

    /// Throws unless 1 ≤ rows, 1 ≤ columns, rows · columns == count (no overflow), 1 ≤ rank ≤ min.
    static func checkShape(count: Int, rows: Int, columns: Int, rank: Int, field: String) throws(DecodeError) {
        let (product, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow, product == count else {
            throw .invalidValue(field: field + ".rows",
                                reason: "a \(rows)×\(columns) matrix does not have the \(count) elements of the payload")
        }
        if let problem = shapeProblem(rows: rows, columns: columns, rank: rank) {
            throw .invalidValue(field: field + ".rank", reason: problem)
        }
    }

    /// Why (rows, columns, rank) is not a valid shape, or nil.
    static func shapeProblem(rows: Int, columns: Int, rank: Int) -> String? {
        guard rows >= 1, columns >= 1 else { return "a \(rows)×\(columns) matrix has no elements; send it dense" }
        guard rank >= 1, rank <= min(rows, columns) else {
            return "rank \(rank) is outside 1 … \(min(rows, columns)) for a \(rows)×\(columns) matrix"
        }
        return nil
    }
}

/// Index of the first NaN or infinity, or nil.
func firstNonFiniteFloat(_ values: [Float]) -> Int? {
    values.withUnsafeBufferPointer { buffer in
        for i in buffer.indices where !buffer[i].isFinite { return i }
        return nil
    }
}

/// Index of the first IEEE binary16 infinity or NaN (exponent bits all ones), or nil.
func firstNonFiniteHalf(_ bits: [UInt16]) -> Int? {
    bits.withUnsafeBufferPointer { buffer in
        for i in buffer.indices where buffer[i] & 0x7C00 == 0x7C00 { return i }
        return nil
    }
}
