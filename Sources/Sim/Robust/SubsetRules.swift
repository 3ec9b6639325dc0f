// Rules that search subsets of the inputs: MDA, minimum-diameter averaging (El Mhamdi et al.,
// PODC 2020) and SMEA, smallest-maximum-eigenvalue averaging (Allouah et al., ICML 2023).
//
// Both enumerate every subset of n − f rows in `itertools.combinations` order (lexicographic in
// the row indices) and keep the first subset with the strictly smallest criterion, then output the
// subset's mean. MDA's criterion is the diameter (largest pairwise Euclidean distance, compared as
// the square root of the squared distances exactly like ByzFL). SMEA's is the top eigenvalue of the
// subset's empirical covariance; ByzFL estimates it with one power-iteration step from a random
// vector (so its output is random); we compute it exactly from the Gram matrix of the centred rows
// (deviation, documented). Both are exponential in f and refused above n = 20.

enum SubsetRules {
    /// Largest n accepted by the subset searches.
    static let maximumInputs = 20

    /// Calls `visit` with every (n − f)-subset of 0..<n in lexicographic order.
    static func forEachSubset(n: Int, size: Int, _ visit: ([Int]) -> Void) {
        guard size <= n else { return }
        var idx = Array(0..<size)
        while true {
            visit(idx)
            var i = size - 1
            while i >= 0 && idx[i] == n - size + i { i -= 1 }
            if i < 0 { return }
            idx[i] += 1
            for j in (i + 1)..<size { idx[j] = idx[j - 1] + 1 }
        }
    }

    /// MDA: the selected rows (ascending).
    static func mda<S>(_ batch: UpdateBatch<S>, f: Int) -> [Int] {
        let n = batch.rows
        let dist = RobustKernels.squaredDistances(batch).map { $0.squareRoot() }
        var best = Double.infinity
        var bestSubset = Array(0..<(n - f))
        forEachSubset(n: n, size: n - f) { subset in
            var diameter = 0.0
            outer: for a in 0..<subset.count {
                for b in (a + 1)..<subset.count {
                    let v = dist[subset[a] * n + subset[b]]
                    if v > diameter { diameter = v; if diameter >= best { break outer } }
                }
            }
            if diameter < best {
                best = diameter
                bestSubset = subset
            }
        }
        return bestSubset
    }

    /// SMEA: the selected rows (ascending).
    static func smea<S>(_ batch: UpdateBatch<S>, f: Int) -> [Int] {
        let n = batch.rows
        let g = RobustKernels.gram(batch, center: CoordinateRules.mean(batch))
        let m = n - f
        var best = Double.infinity
        var bestSubset = Array(0..<m)
        var k = [Double](repeating: 0, count: m * m)
        forEachSubset(n: n, size: m) { subset in
            // Centred Gram of the subset: K = (I − 11ᵀ/m) G_S (I − 11ᵀ/m); covariance top eigenvalue = λ_max(K)/m.
            var rowMean = [Double](repeating: 0, count: m)
            var total = 0.0
            for a in 0..<m {
                var s = 0.0
                for b in 0..<m { s += g[subset[a] * n + subset[b]] }
                rowMean[a] = s / Double(m)
                total += s
            }
            total /= Double(m * m)
            for a in 0..<m {
                for b in 0..<m { k[a * m + b] = g[subset[a] * n + subset[b]] - rowMean[a] - rowMean[b] + total }
            }
            let lambda = SymmetricEigen.largestEigenvalue(k, m) / Double(m)
            if lambda < best {
                best = lambda
                bestSubset = subset
            }
        }
        return bestSubset
    }
}
