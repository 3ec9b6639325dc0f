// PowerSGD (Vogels, Karimireddy, Jaggi, NeurIPS 2019; spec §B.10) for one rows × cols matrix M
// (the vector, row-major), rank r (capped at min(rows, cols)). One power-iteration step per call:
//   Q̂ = orth(Q); P = M·Q̂; P̂ = orth(P); Q = Mᵀ·P̂; send (P̂, Q); the decoded matrix is P̂·Qᵀ.
// Variants: `.warmStart` (spec: Q carries over in `CompressionMemory.factorQ`; the first Q is
// N(0,1) from the shared key), `.freshEachStep` (GRACE: a new Gaussian Q every call), and
// `.alternating` (epfml/powersgd's `BasicPowerSGD`: P and Q both carried, even calls orthogonalise P
// and set Q = Mᵀ·P, odd calls orthogonalise Q and set P = M·Q; P₀ then Q₀ drawn as normals).
// Orthogonalisation is modified Gram–Schmidt in Double (a zero column stays zero, the spec's ε
// guard); results equal LAPACK QR up to column signs, which cancel in P·Qᵀ.
// Error feedback is the generic `ErrorFeedback` wrapper (e = M − P̂Qᵀ, as both reference codes).
// In a star topology each client compresses on its own (no averaging of P between the two
// half-steps), so this is the single-worker form of the algorithm; the factors are additive.

/// PowerSGD low-rank compressor (biased; 32·r·(rows + cols) bits).
public struct PowerSGD: Compressor {
    /// Where Q comes from at each call.
    public enum Variant: Sendable, Equatable {
        /// Warm start from the previous call's Q (spec).
        case warmStart
        /// A fresh Gaussian Q at every call (GRACE).
        case freshEachStep
        /// epfml/powersgd's alternating single-matmul step.
        case alternating
    }

    /// n, rows of the matrix.
    public var rows: Int
    /// m, columns of the matrix.
    public var columns: Int
    /// r, the requested rank.
    public var rank: Int
    /// The variant.
    public var variant: Variant

    /// PowerSGD for a `rows` × `columns` matrix at `rank`.
    public init(rows: Int, columns: Int, rank: Int, variant: Variant = .warmStart) {
        precondition(rows >= 1 && columns >= 1 && rank >= 1, "PowerSGD \(rows)×\(columns) rank \(rank)")
        self.rows = rows
        self.columns = columns
        self.rank = rank
        self.variant = variant
    }

    /// min(rank, rows, columns).
    public var effectiveRank: Int { min(rank, rows, columns) }
    public var randomness: CompressionRandomness { .shared }
    public var isUnbiased: Bool { false }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        precondition(x.count == rows * columns, "PowerSGD: \(x.count) elements for \(rows)×\(columns)")
        let r = effectiveRank
        let m = x.map(Double.init)
        var p: [Double], q: [Double]
        switch variant {
        case .warmStart, .freshEachStep:
            if variant == .warmStart, memory.factorQ.count == columns * r {
                q = memory.factorQ.map(Double.init)
            } else {
                q = (0..<(columns * r)).map { _ in random.normal() }
            }
            LowRank.orthonormalize(&q, rows: columns, rank: r)
            p = LowRank.multiply(m, q, rows: rows, columns: columns, rank: r, transposed: false)
            LowRank.orthonormalize(&p, rows: rows, rank: r)
            q = LowRank.multiply(m, p, rows: rows, columns: columns, rank: r, transposed: true)
            if variant == .warmStart { memory.factorQ = q.map { Float($0) } }
        case .alternating:
            if memory.factorP.count == rows * r, memory.factorQ.count == columns * r {
                p = memory.factorP.map(Double.init)
                q = memory.factorQ.map(Double.init)
            } else {
                p = (0..<(rows * r)).map { _ in random.normal() }
                q = (0..<(columns * r)).map { _ in random.normal() }
            }
            if memory.steps % 2 == 0 {
                LowRank.orthonormalize(&p, rows: rows, rank: r)
                q = LowRank.multiply(m, p, rows: rows, columns: columns, rank: r, transposed: true)
            } else {
                LowRank.orthonormalize(&q, rows: columns, rank: r)
                p = LowRank.multiply(m, q, rows: rows, columns: columns, rank: r, transposed: false)
            }
            memory.factorP = p.map { Float($0) }
            memory.factorQ = q.map { Float($0) }
            memory.steps += 1
        }
        let factors = LowRankFactors(rows: rows, columns: columns, rank: r,
                                     p: p.map { Float($0) }, q: q.map { Float($0) })
        return CompressedTensor(count: x.count, form: .lowRank(factors))
    }
}

/// Small dense kernels for low-rank factors (row-major, Double accumulation).
public enum LowRank {
    /// P·Qᵀ as a row-major rows × columns Float matrix.
    public static func product(_ f: LowRankFactors) -> [Float] {
        var out = [Float](repeating: 0, count: f.rows * f.columns)
        for i in 0..<f.rows {
            for j in 0..<f.columns {
                var sum = 0.0
                for k in 0..<f.rank { sum += Double(f.p[i * f.rank + k]) * Double(f.q[j * f.rank + k]) }
                out[i * f.columns + j] = Float(sum)
            }
        }
        return out
    }

    /// M·F (F columns × rank → rows × rank) or, `transposed`, Mᵀ·F (F rows × rank → columns × rank).
    static func multiply(_ m: [Double], _ f: [Double], rows: Int, columns: Int, rank: Int, transposed: Bool) -> [Double] {
        var out = [Double](repeating: 0, count: (transposed ? columns : rows) * rank)
        for i in 0..<rows {
            for j in 0..<columns {
                let mij = m[i * columns + j]
                for k in 0..<rank {
                    if transposed { out[j * rank + k] += mij * f[i * rank + k] } else { out[i * rank + k] += mij * f[j * rank + k] }
                }
            }
        }
        return out
    }

    /// Modified Gram–Schmidt on the columns of a row-major rows × rank matrix; zero columns stay zero.
    static func orthonormalize(_ a: inout [Double], rows: Int, rank: Int) {
        for c in 0..<rank {
            var norm = 0.0
            for i in 0..<rows { norm += a[i * rank + c] * a[i * rank + c] }
            norm = norm.squareRoot()
            if norm > 1e-16 { for i in 0..<rows { a[i * rank + c] /= norm } }
            for other in (c + 1)..<max(c + 1, rank) {
                var dot = 0.0
                for i in 0..<rows { dot += a[i * rank + c] * a[i * rank + other] }
                for i in 0..<rows { a[i * rank + other] -= dot * a[i * rank + c] }
            }
        }
    }
}
