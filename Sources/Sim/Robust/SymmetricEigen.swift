// Eigen-decomposition of small symmetric matrices (n ≤ a few hundred) for the spectral rules
// (SMEA, CAF, Flag Aggregator, DnC). All of them need eigenpairs of an n × n Gram-type matrix only,
// never of a d × d covariance: for rows Z (n × d), ZᵀZ and ZZᵀ share their non-zero eigenvalues, and
// a right singular vector v of Z gives Z v = σ u with u an eigenvector of ZZᵀ.
//
// Method: cyclic Jacobi rotations (Golub & Van Loan §8.5) to full convergence — deterministic and
// accurate to a few ulps of the largest eigenvalue. `largestEigenvalue` uses power iteration from a
// fixed pseudo-random start for the many small matrices of SMEA.

enum SymmetricEigen {
    /// Eigenvalues (descending) and eigenvectors (`vectors[j]` belongs to `values[j]`, unit length) of
    /// the symmetric n × n row-major matrix `a`.
    static func decompose(_ a: [Double], _ n: Int) -> (values: [Double], vectors: [[Double]]) {
        var m = a
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0, diag = 0.0
            for i in 0..<n {
                diag += m[i * n + i] * m[i * n + i]
                for j in (i + 1)..<n { off += m[i * n + j] * m[i * n + j] }
            }
            if off <= 1e-30 * max(diag, 1e-300) || off == 0 { break }
            for p in 0..<n {
                for q in (p + 1)..<n {
                    let apq = m[p * n + q]
                    if apq == 0 { continue }
                    let app = m[p * n + p], aqq = m[q * n + q]
                    let theta = (aqq - app) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let mkp = m[k * n + p], mkq = m[k * n + q]
                        m[k * n + p] = c * mkp - s * mkq
                        m[k * n + q] = s * mkp + c * mkq
                    }
                    for k in 0..<n {
                        let mpk = m[p * n + k], mqk = m[q * n + k]
                        m[p * n + k] = c * mpk - s * mqk
                        m[q * n + k] = s * mpk + c * mqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let values = (0..<n).map { m[$0 * n + $0] }
        let order = values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }
        return (order.map { values[$0] }, order.map { j in (0..<n).map { v[$0 * n + j] } })
    }

    /// The largest eigenvalue of a symmetric positive semi-definite n × n matrix (power iteration).
    static func largestEigenvalue(_ a: [Double], _ n: Int) -> Double {
        guard n > 0 else { return 0 }
        var x = PortableRandom.normals(seed: 0x5EA, count: n)
        var y = [Double](repeating: 0, count: n)
        var lambda = 0.0
        for _ in 0..<1000 {
            var norm = 0.0
            for i in 0..<n { norm += x[i] * x[i] }
            norm = norm.squareRoot()
            if norm == 0 { return 0 }
            for i in 0..<n { x[i] /= norm }
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n { s += a[i * n + j] * x[j] }
                y[i] = s
            }
            var rayleigh = 0.0
            for i in 0..<n { rayleigh += x[i] * y[i] }
            let done = abs(rayleigh - lambda) <= 1e-13 * abs(rayleigh)
            lambda = rayleigh
            swap(&x, &y)
            if done { break }
        }
        return lambda
    }
}
