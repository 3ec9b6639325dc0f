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
        materialize(batch, nnmRows(batch, f: f))
    }

    static func bucketing<S>(_ batch: UpdateBatch<S>, size s: Int, permutation: [Int]) -> UpdateBatch<S> {
        materialize(batch, bucketingRows(rows: batch.rows, size: s, permutation: permutation))
    }

    static func clipping<S>(_ batch: UpdateBatch<S>, c: Double) -> UpdateBatch<S> {
        let rows = clippingRows(batch, c: c)
        return rows.scales.contains { $0 != nil } ? materialize(batch, rows) : batch
    }

    /// ARC's clipped count k = ⌊2f(n − f)/n⌋.
    static func arcCount(n: Int, f: Int) -> Int { n > 0 ? (2 * f * (n - f)) / n : 0 }

    static func arc<S>(_ batch: UpdateBatch<S>, f: Int) -> UpdateBatch<S> {
        let rows = arcRows(batch, f: f)
        return rows.scales.contains { $0 != nil } ? materialize(batch, rows) : batch
    }

    /// MoNNA: (aggregate, selected rows ascending).
    static func monna<S>(_ batch: UpdateBatch<S>, f: Int, pivot: [Double]) -> ([Double], [Int]) {
        let n = batch.rows
        let dist = RobustKernels.rowSquaredDistances(batch, to: pivot)
        let chosen = Array(RobustKernels.stableOrder(dist).prefix(n - f)).sorted()
        return (RobustKernels.meanOfRows(batch, chosen), chosen)
    }
}
