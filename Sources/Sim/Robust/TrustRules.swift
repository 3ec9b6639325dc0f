// Rules that filter or weight updates by their direction and norm, specs §2.14–§2.15:
//
// - FLTrust (Cao, Fang, Liu, Gong, NDSS 2021): with the server's root-data update g₀ (context.trusted),
//   TS_i = max(0, cos(g_i, g₀)), ḡ_i = g_i · ‖g₀‖/‖g_i‖, output Σ TS_i ḡ_i / Σ TS_i. A zero-norm row gets
//   TS = 0. When every TS is 0 the output is the zero vector (no trusted direction: no step).
// - SignGuard (Xu et al., ICDCS 2022), a deterministic variant of the official code: NaN entries count
//   as 0; norm filter lower·M < ‖g_i‖ < upper·M with M the median norm; sign statistics (fractions of
//   positive, zero, negative entries) on a contiguous block of ⌈fraction·d⌉ coordinates starting at a
//   seeded position (RandomKey(seed, .bucketing, round, client: 0x5167)), each feature divided by its
//   maximum over rows + 1e-8; the features are split by 2-means (deterministic start: the two rows
//   farthest apart, lowest indices first; Lloyd steps until stable) instead of MeanShift, and the larger
//   cluster is kept (equal sizes: the one holding the lowest row). Selected = norm filter ∩ cluster
//   (the norm filter alone if that is empty). Output: mean over the selected rows of g_i · min(1, M/‖g_i‖).

enum TrustRules {
    static func fltrust<S>(_ batch: UpdateBatch<S>, trusted: [Double]) -> ([Double], [Int]) {
        let n = batch.rows, d = batch.dimension
        let norms = RobustKernels.rowNorms(batch)
        var trustedNorm = 0.0
        for v in trusted { trustedNorm += v * v }
        trustedNorm = trustedNorm.squareRoot()
        var coefficients = [Double](repeating: 0, count: n)
        var total = 0.0
        let dots = trustedNorm > 0 ? RobustKernels.rowDots(batch, with: trusted) : [Double](repeating: 0, count: n)
        for i in 0..<n where norms[i] > 0 && trustedNorm > 0 {
            let score = max(0, dots[i] / (norms[i] * trustedNorm))
            total += score
            coefficients[i] = score * trustedNorm / norms[i]
        }
        let selected = (0..<n).filter { coefficients[$0] > 0 }
        guard total > 0 else { return ([Double](repeating: 0, count: d), []) }
        for i in 0..<n { coefficients[i] /= total }
        return (RobustKernels.combination(batch, coefficients: coefficients), selected)
    }

    static func signGuard<S>(_ batch: UpdateBatch<S>, lower: Double, upper: Double, fraction: Double,
                             seed: UInt64, round: UInt64) -> ([Double], [Int]) {
        let n = batch.rows, d = batch.dimension
        let clean: UpdateBatch<S> = batch.values.contains { $0.isNaN }
            ? UpdateBatch(rows: n, dimension: d, values: batch.values.map { $0.isNaN ? 0 : $0 }) : batch
        let norms = RobustKernels.rowNorms(clean)
        var sortedNorms = norms
        let median = sortedNorms.withUnsafeMutableBufferPointer { RobustKernels.median($0, n) }
        let normOK = (0..<n).filter { norms[$0] > lower * median && norms[$0] < upper * median }

        let length = max(1, min(d, Int((fraction * Double(d)).rounded(.up))))
        var rng = RandomKey(seed: seed, purpose: .bucketing, round: round, client: 0x5167).generator
        let start = min(d - length, Int(rng.nextUniform() * Double(d - length + 1)))
        var features = [[Double]](repeating: [0, 0, 0], count: n)
        clean.values.withUnsafeBufferPointer { xs in
            for i in 0..<n {
                var pos = 0, neg = 0
                for k in start..<(start + length) {
                    let v = xs[i * d + k]
                    if v > 0 { pos += 1 } else if v < 0 { neg += 1 }
                }
                let len = Double(length)
                features[i] = [Double(pos) / len, Double(length - pos - neg) / len, Double(neg) / len]
            }
        }
        for t in 0..<3 {
            let top = features.map { $0[t] }.max() ?? 0
            for i in 0..<n { features[i][t] /= top + 1e-8 }
        }
        let cluster = largestOfTwoMeans(features)
        var selected = normOK.filter { cluster.contains($0) }
        if selected.isEmpty { selected = normOK }
        guard !selected.isEmpty, median > 0 else { return ([Double](repeating: 0, count: d), selected) }
        var coefficients = [Double](repeating: 0, count: n)
        for i in selected { coefficients[i] = min(1, median / norms[i]) / Double(selected.count) }
        return (RobustKernels.combination(clean, coefficients: coefficients), selected)
    }

    /// Rows of the larger of two 2-means clusters (deterministic start, see the file comment).
    static func largestOfTwoMeans(_ points: [[Double]]) -> Set<Int> {
        let n = points.count
        func dist(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        var bestPair = (0, 0), bestDistance = 0.0
        for i in 0..<n { for j in (i + 1)..<n {
            let v = dist(points[i], points[j])
            if v > bestDistance { bestDistance = v; bestPair = (i, j) }
        } }
        guard bestDistance > 0 else { return Set(0..<n) }
        var centers = [points[bestPair.0], points[bestPair.1]]
        var labels = [Int](repeating: -1, count: n)
        for _ in 0..<100 {
            let next = points.map { dist($0, centers[0]) <= dist($0, centers[1]) ? 0 : 1 }
            if next == labels { break }
            labels = next
            for c in 0..<2 {
                let members = (0..<n).filter { labels[$0] == c }
                guard !members.isEmpty else { continue }
                centers[c] = (0..<3).map { t in members.reduce(0) { $0 + points[$1][t] } / Double(members.count) }
            }
        }
        let zero = (0..<n).filter { labels[$0] == 0 }, one = (0..<n).filter { labels[$0] == 1 }
        if zero.count != one.count { return Set(zero.count > one.count ? zero : one) }
        return Set(labels[0] == 0 ? zero : one)
    }
}
