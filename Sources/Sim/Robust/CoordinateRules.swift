// Coordinate-wise rules: mean, median (Yin et al. 2018), trimmed mean (Yin et al. 2018; b = f as
// ByzFL, or b = int(β·n) as Flower's `proportiontocut`), Meamed (Xie, Koyejo, Gupta 2018) and the
// coordinate step shared with Bulyan (mean of the `keep` values closest to the median).
//
// Each works column by column on a scratch buffer (RobustKernels.forEachColumn) and uses selection
// (nth element) rather than a full sort for n > 32; for n ≤ 32 the column is insertion-sorted,
// which is as fast and sums the kept values in sorted order (bit-identical under row permutations).
// Median of an even count: mean of the two middle values (numpy). Values are accumulated in Double.
// Ties (equal |x − median| at the boundary of Meamed/Bulyan) keep the value that a stable sort by
// distance would put first; the fixtures avoid such ties because numpy's order is implementation-defined.

enum CoordinateRules {
    /// Arithmetic mean of all rows.
    static func mean<S>(_ batch: UpdateBatch<S>) -> [Double] {
        RobustKernels.meanOfRows(batch, Array(0..<batch.rows))
    }

    /// Coordinate-wise median.
    static func median<S>(_ batch: UpdateBatch<S>) -> [Double] {
        if let fast = floatMedian(batch) { return fast }
        var out = [Double](repeating: 0, count: batch.dimension)
        let n = batch.rows
        RobustKernels.forEachColumn(batch) { col, k in out[k] = RobustKernels.median(col, n) }
        return out
    }

    /// Coordinate-wise trimmed mean dropping `b` values at each end. Precondition: 2b < n.
    static func trimmedMean<S>(_ batch: UpdateBatch<S>, trim b: Int) -> [Double] {
        if b == 0 { return mean(batch) }
        if let fast = floatTrimmedMean(batch, trim: b) { return fast }
        let n = batch.rows
        let kept = Double(n - 2 * b)
        var out = [Double](repeating: 0, count: batch.dimension)
        RobustKernels.forEachColumn(batch) { col, k in
            if n <= 32 {
                RobustKernels.insertionSort(col, 0, n)
            } else {
                RobustKernels.nthElement(col, 0, n, b)
                RobustKernels.nthElement(col, b, n, n - b - 1)
            }
            var s = 0.0
            for i in b..<(n - b) { s += col[i] }
            out[k] = s / kept
        }
        return out
    }

    /// Per coordinate: the mean of the `keep` values closest to the coordinate's median.
    static func meanAroundMedian<S>(_ batch: UpdateBatch<S>, keep: Int) -> [Double] {
        if let fast = floatMeanAroundMedian(batch, rows: Array(0..<batch.rows), keep: keep) { return fast }
        let n = batch.rows
        var out = [Double](repeating: 0, count: batch.dimension)
        var sorted = [Double](repeating: 0, count: n)
        var keys = [Double](repeating: 0, count: n)
        RobustKernels.forEachColumn(batch) { col, k in
            // Keep the original order for the stable tie rule; the median works on a copy.
            for i in 0..<n { sorted[i] = col[i] }
            let m = sorted.withUnsafeMutableBufferPointer { RobustKernels.median($0, n) }
            for i in 0..<n { keys[i] = abs(col[i] - m) }
            keys.withUnsafeMutableBufferPointer { kp in
                if n <= 32 {
                    RobustKernels.insertionSort(kp, 0, n, companion: col)  // stable: equal keys keep row order
                } else {
                    RobustKernels.nthElement(kp, 0, n, keep - 1, companion: col)
                }
            }
            var s = 0.0
            for i in 0..<keep { s += col[i] }
            out[k] = s / Double(keep)
        }
        return out
    }
}
