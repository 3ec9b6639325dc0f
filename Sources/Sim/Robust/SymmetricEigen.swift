// Eigen-decomposition of small symmetric matrices (n ≤ a few hundred) for the spectral rules
// (SMEA, CAF, Flag Aggregator, DnC). All of them need eigenpairs of an n × n Gram-type matrix only,
// never of a d × d covariance: for rows Z (n × d), ZᵀZ and ZZᵀ share their non-zero eigenvalues, and
// a right singular vector v of Z gives Z v = σ u with u an eigenvector of ZZᵀ.
//
// Method: cyclic Jacobi rotations (Golub & Van Loan §8.5) to full convergence — deterministic and
// accurate to a few ulps of the largest eigenvalue — for n ≤ `jacobiLimit` (every fixture), and above
// it LAPACK's `dsyevr` (Householder tridiagonalisation + MRRR, from OpenBLAS) asked for the top
// eigenpairs only: O(n³) once instead of O(n³) per Jacobi sweep (CAF at n = 200 ran ~80 full
// decompositions). Both are exact solvers; eigenvectors agree up to sign, which every caller squares
// or pairs. `largestEigenvalue` uses power iteration from a fixed pseudo-random start for the many
// small matrices of SMEA.

import COpenBLAS

enum SymmetricEigen {
    /// Largest n decomposed by Jacobi rotations; larger matrices go to LAPACK.
    static let jacobiLimit = 32

    /// The `count` largest eigenvalues (descending) and their unit eigenvectors of the symmetric
    /// n × n row-major matrix `a` (all n when `count ≥ n`).
    static func top(_ a: [Double], _ n: Int, count: Int) -> (values: [Double], vectors: [[Double]]) {
        let count = min(count, n)
        guard n > jacobiLimit, count > 0 else {
            let (values, vectors) = decompose(a, n)
            return (Array(values.prefix(count)), Array(vectors.prefix(count)))
        }
        _ = BLAS.threads  // applies the project's single-thread default before the first LAPACK call
        var m = a  // symmetric: row-major = column-major
        var n32 = Int32(n), lda = Int32(n), il = Int32(n - count + 1), iu = Int32(n), found: Int32 = 0, info: Int32 = 0
        var vl = 0.0, vu = 0.0, abstol = 0.0
        var w = [Double](repeating: 0, count: n)
        var z = [Double](repeating: 0, count: n * count)
        var support = [Int32](repeating: 0, count: 2 * count)
        var lwork = Int32(-1), liwork = Int32(-1)
        var workSize = 0.0, iworkSize: Int32 = 0
        var jobz = CChar(UInt8(ascii: "V")), range = CChar(UInt8(ascii: "I")), uplo = CChar(UInt8(ascii: "U"))
        dsyevr_(&jobz, &range, &uplo, &n32, &m, &lda, &vl, &vu, &il, &iu, &abstol, &found, &w, &z, &lda,
                &support, &workSize, &lwork, &iworkSize, &liwork, &info, 1, 1, 1)
        lwork = Int32(workSize); liwork = iworkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevr_(&jobz, &range, &uplo, &n32, &m, &lda, &vl, &vu, &il, &iu, &abstol, &found, &w, &z, &lda,
                &support, &work, &lwork, &iwork, &liwork, &info, 1, 1, 1)
        guard info == 0, Int(found) == count else {
            let (values, vectors) = decompose(a, n)  // LAPACK failed to converge: fall back to Jacobi
            return (Array(values.prefix(count)), Array(vectors.prefix(count)))
        }
        // Ascending from LAPACK; column j of z (column-major, leading dimension n) belongs to w[j].
        let order = (0..<count).reversed()
        return (order.map { w[$0] }, order.map { j in Array(z[(j * n)..<(j * n + n)]) })
    }

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
