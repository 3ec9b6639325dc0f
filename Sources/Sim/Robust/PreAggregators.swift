// Pre-aggregation rules (n rows → n' rows) and MoNNA, specs §2.11–§2.12:
// - NNM (Allouah et al., AISTATS 2023): row i ← mean of the n − f rows nearest to x_i, itself included
//   (stable order by distance, ties by lowest index).
// - Bucketing (Karimireddy, He, Jaggi, ICLR 2022): rows reordered by a permutation (injected, or drawn
//   with `PortableRandom.permutation` from RandomKey(seed, .bucketing, round)), cut into consecutive
//   buckets of s rows (the last may be smaller), each bucket averaged: ⌈n/s⌉ rows.
// - Static clipping: x_i ← x_i · c/‖x_i‖ when ‖x_i‖ > c.
// - ARC (Allouah et al. 2024): k = ⌊2f(n − f)/n⌋ largest-norm rows (stable order by norm) scaled to
//   the (k+1)-th largest norm when strictly larger.
// - MoNNA (Farhadkhani et al., ICML 2023): the mean of the n − f rows nearest to a pivot vector. In
//   ByzFL the pivot is the aggregating node's own vector (row idx). In Gradwire's star topology the
//   coordinator plays that node: with `pivot = previous` its own vector is the previous aggregate
//   (the coordinate-wise median of the inputs in the first round); `pivot = <row>` reproduces ByzFL.
// Outputs are rounded to the batch's scalar type after computing in Double.

enum PreAggregators {
    static func nnm<S>(_ batch: UpdateBatch<S>, f: Int) -> UpdateBatch<S> {
        let n = batch.rows, d = batch.dimension
        let dist = RobustKernels.squaredDistances(batch)
        var out = [S]()
        out.reserveCapacity(n * d)
        for i in 0..<n {
            let order = RobustKernels.stableOrder(Array(dist[i * n..<(i + 1) * n]))
            let mixed = RobustKernels.meanOfRows(batch, Array(order.prefix(n - f)))
            out.append(contentsOf: mixed.map { S($0) })
        }
        return UpdateBatch(rows: n, dimension: d, values: out)
    }

    static func bucketing<S>(_ batch: UpdateBatch<S>, size s: Int, permutation: [Int]) -> UpdateBatch<S> {
        let n = batch.rows, d = batch.dimension
        var out = [S]()
        var start = 0
        var buckets = 0
        while start < n {
            let members = Array(permutation[start..<min(start + s, n)])
            out.append(contentsOf: RobustKernels.meanOfRows(batch, members).map { S($0) })
            start += s
            buckets += 1
        }
        return UpdateBatch(rows: buckets, dimension: d, values: out)
    }

    static func clipping<S>(_ batch: UpdateBatch<S>, c: Double) -> UpdateBatch<S> {
        let norms = RobustKernels.rowNorms(batch)
        return scalingRows(batch, norms.map { $0 > c ? c / $0 : nil })
    }

    /// The batch with row i multiplied by `scales[i]` (in Double, rounded to S); rows whose scale is nil
    /// are copied unchanged. Writes every output value once (no copy-then-overwrite).
    static func scalingRows<S>(_ batch: UpdateBatch<S>, _ scales: [Double?]) -> UpdateBatch<S> {
        guard scales.contains(where: { $0 != nil }) else { return batch }
        let n = batch.rows, d = batch.dimension
        let values = [S](unsafeUninitializedCapacity: n * d) { out, count in
            batch.values.withUnsafeBufferPointer { x in
                for i in 0..<n {
                    if let scale = scales[i] {
                        for k in (i * d)..<((i + 1) * d) { out.initializeElement(at: k, to: S(Double(x[k]) * scale)) }
                    } else {
                        for k in (i * d)..<((i + 1) * d) { out.initializeElement(at: k, to: x[k]) }
                    }
                }
            }
            count = n * d
        }
        return UpdateBatch(rows: n, dimension: d, values: values)
    }

    /// ARC's clipped count k = ⌊2f(n − f)/n⌋.
    static func arcCount(n: Int, f: Int) -> Int { n > 0 ? (2 * f * (n - f)) / n : 0 }

    static func arc<S>(_ batch: UpdateBatch<S>, f: Int) -> UpdateBatch<S> {
        let n = batch.rows
        let k = arcCount(n: n, f: f)
        guard k > 0, k < n else { return batch }
        let norms = RobustKernels.rowNorms(batch)
        let order = RobustKernels.stableOrder(norms)
        let threshold = norms[order[n - k - 1]]
        var scales = [Double?](repeating: nil, count: n)
        for i in order[(n - k)...] where norms[i] > threshold { scales[i] = threshold / norms[i] }
        return scalingRows(batch, scales)
    }

    /// MoNNA: (aggregate, selected rows ascending).
    static func monna<S>(_ batch: UpdateBatch<S>, f: Int, pivot: [Double]) -> ([Double], [Int]) {
        let n = batch.rows, d = batch.dimension
        var dist = [Double](repeating: 0, count: n)
        batch.values.withUnsafeBufferPointer { xs in
            for i in 0..<n {
                var s = 0.0
                for k in 0..<d { let t = Double(xs[i * d + k]) - pivot[k]; s += t * t }
                dist[i] = s
            }
        }
        let chosen = Array(RobustKernels.stableOrder(dist).prefix(n - f)).sorted()
        return (RobustKernels.meanOfRows(batch, chosen), chosen)
    }
}
