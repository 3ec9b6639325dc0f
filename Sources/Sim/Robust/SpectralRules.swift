// Rules built on the spectrum of the inputs' (weighted) covariance, all computed through n × n
// Gram-type matrices (SymmetricEigen), never a d × d matrix:
//
// - CAF, covariance-bound agnostic filter (Allouah, Guerraoui, Stephan, ICML 2025), as ByzFL 0.0.11
//   runs it: weights c = 1; while Σc > n − 2f: μ = weighted mean, (λ, v) = top eigenpair of the weighted
//   covariance, τ_i = ((x_i − μ)·v)², c_i ← c_i (1 − τ_i / max τ); return the μ with the smallest λ seen.
//   Deviations: the eigenpair is exact (ByzFL: one power step from a random vector, so random), max τ
//   is taken over rows with positive weight (guarantees a weight reaches 0 every pass, ≤ n passes),
//   f = 0 returns the mean (ByzFL returns None), and a zero covariance stops the loop at that μ.
// - Flag Aggregator (Almasi et al., arXiv 2302.05865; reference code hamidralmasi/FlagAggregator):
//   unit rows ĝ_i; Y = top-r left singular vectors of [w_i ĝ_i]; IRLS weights
//   w_i = (1 − ‖Yᵀĝ_i‖² + 1e-7)^(−1/4); a step is kept only if Σ √(1 − ‖Yᵀĝ_i‖²) decreased;
//   output (1/r) Σ_i Y Yᵀ ĝ_i (the reference's scale: built from unit vectors). Deviations: the first
//   Y comes from uniform weights instead of a random matrix (seed 1), r is capped at n, λ = 0 only
//   (no pairwise terms).
// - DnC (Shejwalkar & Houmansadr, NDSS 2021): `iterations` times, b coordinates drawn without
//   replacement (all when b ≥ d); scores s_i = ((x_i − μ)·v)² with v the top right singular vector of
//   the centred n × b sub-matrix (= λ u_i² with (λ, u) the top eigenpair of its Gram matrix); keep the
//   n − ⌊c·f⌋ lowest (stable); output the mean of the rows kept in every iteration (if none is, the
//   rows kept in the last iteration). Coordinates come from RandomKey(seed, .bucketing, round,
//   client: 0xD0C0 + iteration) by selection sampling.

enum SpectralRules {
    static func caf<S>(_ batch: UpdateBatch<S>, f: Int) -> [Double] {
        let n = batch.rows
        guard f > 0 else { return CoordinateRules.mean(batch) }
        // Float batches: the covariance from Float block Grams (its eigen-analysis only weighs the rows).
        let mean = CoordinateRules.mean(batch)
        let g = RobustKernels.floatGram(batch, center: mean) ?? RobustKernels.gram(batch, center: mean)
        var c = [Double](repeating: 1, count: n)
        var total = Double(n)
        var bestLambda = Double.infinity
        var bestWeights = c
        var m = [Double](repeating: 0, count: n * n)
        var p = [Double](repeating: 0, count: n * n)
        while total > Double(n - 2 * f) {
            // P = inner products of the rows centred at the weighted mean.
            var a = [Double](repeating: 0, count: n)
            var b = 0.0
            for i in 0..<n {
                var s = 0.0
                for j in 0..<n { s += c[j] * g[i * n + j] }
                a[i] = s / total
                b += c[i] * a[i]
            }
            b /= total
            for i in 0..<n { for j in 0..<n { p[i * n + j] = g[i * n + j] - a[i] - a[j] + b } }
            let root = c.map { max(0, $0).squareRoot() }
            for i in 0..<n { for j in 0..<n { m[i * n + j] = root[i] * p[i * n + j] * root[j] / total } }
            let (values, vectors) = SymmetricEigen.top(m, n, count: 1)
            let lambda = max(0, values[0])
            if lambda < bestLambda {
                bestLambda = lambda
                bestWeights = c
            }
            if lambda <= 0 { break }
            let u = vectors[0]
            var tau = [Double](repeating: 0, count: n)
            var tauMax = 0.0
            for j in 0..<n {
                var s = 0.0
                for i in 0..<n { s += root[i] * u[i] * p[j * n + i] }
                tau[j] = s * s / (total * lambda)
                if c[j] > 0 { tauMax = max(tauMax, tau[j]) }
            }
            if tauMax <= 0 { break }
            for j in 0..<n { c[j] = c[j] > 0 ? max(0, c[j] * (1 - tau[j] / tauMax)) : 0 }
            total = c.reduce(0, +)
        }
        return RobustKernels.weightedMean(batch, weights: bestWeights)
    }

    static func flag<S>(_ batch: UpdateBatch<S>, rank r: Int, iterations: Int) -> [Double] {
        let n = batch.rows
        let norms = RobustKernels.rowNorms(batch)
        let g = RobustKernels.gram(batch, center: nil)
        var cosine = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n where norms[i] > 0 && norms[j] > 0 {
            cosine[i * n + j] = g[i * n + j] / (norms[i] * norms[j])
        } }
        let rank = min(r, n)
        // For weights w: eigenpairs of W C W give Y; returns (projections p[i][k] = y_k·ĝ_i, σ_k, u_k).
        func subspace(_ w: [Double]) -> (proj: [[Double]], sigma: [Double], u: [[Double]]) {
            var m = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n { m[i * n + j] = w[i] * cosine[i * n + j] * w[j] } }
            let (values, vectors) = SymmetricEigen.top(m, n, count: rank)
            let top = values.first ?? 0
            var sigma: [Double] = [], us: [[Double]] = []
            for k in 0..<rank where values[k] > 1e-12 * top && values[k] > 0 {
                sigma.append(values[k].squareRoot())
                us.append(vectors[k])
            }
            let proj = (0..<n).map { i in
                (0..<sigma.count).map { k in
                    var s = 0.0
                    for j in 0..<n { s += w[j] * us[k][j] * cosine[j * n + i] }
                    return s / sigma[k]
                }
            }
            return (proj, sigma, us)
        }
        func objective(_ proj: [[Double]]) -> Double {
            proj.reduce(0) { $0 + max(0, 1 - $1.reduce(0) { $0 + $1 * $1 }).squareRoot() }
        }
        var w = norms.map { $0 > 0 ? 1.0 : 0.0 }
        var current = subspace(w)
        var currentObjective = objective(current.proj)
        for _ in 0..<iterations {
            let next = current.proj.enumerated().map { i, p in
                norms[i] > 0 ? 1 / (max(0, 1 - p.reduce(0) { $0 + $1 * $1 }) + 1e-7).squareRoot().squareRoot() : 0
            }
            let candidate = subspace(next)
            let candidateObjective = objective(candidate.proj)
            if !(candidateObjective < currentObjective) { break }
            w = next
            current = candidate
            currentObjective = candidateObjective
        }
        // (1/r) Σ_i Y Yᵀ ĝ_i = Σ_j coef_j ĝ_j with coef_j = (1/r) Σ_k (Σ_i p_ik) w_j u_kj / σ_k.
        var coefficients = [Double](repeating: 0, count: n)
        for k in 0..<current.sigma.count {
            let total = current.proj.reduce(0) { $0 + $1[k] }
            for j in 0..<n { coefficients[j] += total * w[j] * current.u[k][j] / current.sigma[k] }
        }
        for j in 0..<n { coefficients[j] = norms[j] > 0 ? coefficients[j] / (Double(rank) * norms[j]) : 0 }
        return RobustKernels.combination(batch, coefficients: coefficients)
    }

    static func dnc<S>(_ batch: UpdateBatch<S>, f: Int, subDimension b: Int, iterations: Int, filterFraction c: Double,
                       seed: UInt64, round: UInt64) -> ([Double], [Int]) {
        let n = batch.rows, d = batch.dimension
        let keepCount = max(1, n - Int((c * Double(f)).rounded(.down)))
        var survivors = Set(0..<n)
        var lastKept: [Int] = Array(0..<n)
        for it in 0..<iterations {
            let coords: [Int]
            if b >= d {
                coords = Array(0..<d)
            } else {
                var rng = RandomKey(seed: seed, purpose: .bucketing, round: round, client: 0xD0C0 + UInt64(it)).generator
                var chosen: [Int] = []
                chosen.reserveCapacity(b)
                for t in 0..<d where chosen.count < b {
                    if Double(d - t) * rng.nextUniform() < Double(b - chosen.count) { chosen.append(t) }
                }
                coords = chosen
            }
            let sub = UpdateBatch<Double>(rows: n, dimension: coords.count, values: batch.values.withUnsafeBufferPointer { xs in
                var v = [Double]()
                v.reserveCapacity(n * coords.count)
                for i in 0..<n { for k in coords { v.append(Double(xs[i * d + k])) } }
                return v
            })
            let k = RobustKernels.gram(sub, center: CoordinateRules.mean(sub))
            let (values, vectors) = SymmetricEigen.top(k, n, count: 1)
            let lambda = max(0, values[0])
            let scores = vectors[0].map { lambda * $0 * $0 }
            lastKept = Array(RobustKernels.stableOrder(scores).prefix(keepCount))
            survivors.formIntersection(lastKept)
        }
        let chosen = survivors.isEmpty ? lastKept.sorted() : survivors.sorted()
        return (RobustKernels.meanOfRows(batch, chosen), chosen)
    }
}
