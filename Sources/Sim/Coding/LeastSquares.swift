// Small dense linear algebra in Double for gradient coding (n ≲ 100): a square solve for the cyclic
// code's construction and a least-squares solve for its decoder.
//
// `solve` is Gaussian elimination with partial pivoting (LAPACK `gesv`'s method, which numpy's
// `linalg.solve` calls). `leastSquares` is Householder QR with column pivoting (the rank-revealing
// variant of `geqp3`): min ‖A x − b‖₂ for A of m × k, m ≥ k. With full column rank the solution is
// unique and agrees with numpy's SVD-based `lstsq` to rounding; with rank deficiency it returns the
// basic solution (dependent columns get 0) rather than numpy's minimum-norm one — same residual,
// different x. Gradient-code decoding only needs the residual to decide decodability.

/// Dense Double solvers used by the gradient codes. Matrices are row-major `[Double]`.
enum DenseSolve {
    /// Solves the n × n system A x = b; nil when A is singular (a zero pivot after partial pivoting).
    static func solve(_ a: [Double], _ b: [Double], n: Int) -> [Double]? {
        precondition(a.count == n * n && b.count == n, "solve: shapes")
        var m = a, x = b
        for col in 0..<n {
            var pivot = col
            for r in (col + 1)..<max(col + 1, n) where abs(m[r * n + col]) > abs(m[pivot * n + col]) { pivot = r }
            if m[pivot * n + col] == 0 || !m[pivot * n + col].isFinite { return nil }
            if pivot != col {
                for c in 0..<n { m.swapAt(col * n + c, pivot * n + c) }
                x.swapAt(col, pivot)
            }
            let p = m[col * n + col]
            for r in (col + 1)..<max(col + 1, n) {
                let f = m[r * n + col] / p
                if f == 0 { continue }
                m[r * n + col] = 0
                for c in (col + 1)..<n { m[r * n + c] -= f * m[col * n + c] }
                x[r] -= f * x[col]
            }
        }
        for col in stride(from: n - 1, through: 0, by: -1) {
            var v = x[col]
            for c in (col + 1)..<max(col + 1, n) { v -= m[col * n + c] * x[c] }
            x[col] = v / m[col * n + col]
        }
        return x
    }

    /// min ‖A x − b‖₂ for A of `rows` × `columns` (rows ≥ columns) by Householder QR with column
    /// pivoting. Columns whose remaining norm falls below `rows · ε · ‖A‖` are treated as dependent
    /// and get coefficient 0.
    static func leastSquares(_ a: [Double], _ b: [Double], rows m: Int, columns k: Int) -> [Double] {
        precondition(a.count == m * k && b.count == m && m >= k, "leastSquares: shapes")
        var r = a, y = b
        var perm = Array(0..<k)
        var norms = (0..<k).map { c in (0..<m).reduce(0.0) { $0 + r[$1 * k + c] * r[$1 * k + c] } }
        let scale = norms.max().map { $0.squareRoot() } ?? 0
        let tiny = Double(m) * Double.ulpOfOne * max(scale, Double.leastNormalMagnitude)
        var rank = 0
        for j in 0..<k {
            // Pivot: the remaining column with the largest norm below row j (recomputed: k is small).
            for c in j..<k { norms[c] = (j..<m).reduce(0.0) { $0 + r[$1 * k + c] * r[$1 * k + c] } }
            var best = j
            for c in j..<k where norms[c] > norms[best] { best = c }
            if norms[best].squareRoot() <= tiny { break }
            if best != j {
                for row in 0..<m { r.swapAt(row * k + j, row * k + best) }
                perm.swapAt(j, best)
                norms.swapAt(j, best)
            }
            // Householder reflector zeroing r[j+1..<m, j].
            let alpha = norms[j].squareRoot()
            let x0 = r[j * k + j]
            let beta = x0 >= 0 ? -alpha : alpha
            var v = [Double](repeating: 0, count: m)
            v[j] = x0 - beta
            for row in (j + 1)..<max(j + 1, m) { v[row] = r[row * k + j] }
            let vv = (j..<m).reduce(0.0) { $0 + v[$1] * v[$1] }
            if vv > 0 {
                for c in j..<k {
                    var dot = 0.0
                    for row in j..<m { dot += v[row] * r[row * k + c] }
                    let f = 2 * dot / vv
                    for row in j..<m { r[row * k + c] -= f * v[row] }
                }
                var dot = 0.0
                for row in j..<m { dot += v[row] * y[row] }
                let f = 2 * dot / vv
                for row in j..<m { y[row] -= f * v[row] }
            }
            rank = j + 1
        }
        var z = [Double](repeating: 0, count: k)
        for j in stride(from: rank - 1, through: 0, by: -1) {
            var v = y[j]
            for c in (j + 1)..<max(j + 1, rank) { v -= r[j * k + c] * z[c] }
            z[j] = v / r[j * k + j]
        }
        var x = [Double](repeating: 0, count: k)
        for j in 0..<k { x[perm[j]] = z[j] }
        return x
    }
}
