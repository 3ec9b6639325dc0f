// Float batches of the coordinate-wise rules through the lane-parallel sorting networks of
// ColumnNetworks (see there for exactness and fallbacks). Each function returns nil for batches
// whose scalar is not Float, and the generic rules in CoordinateRules run instead.

extension CoordinateRules {
    /// Coordinate-wise median of a Float batch (bit-identical to the scalar path).
    static func floatMedian<S>(_ batch: UpdateBatch<S>) -> [Double]? {
        guard let batch = batch as? UpdateBatch<Float> else { return nil }
        let n = batch.rows, h = n / 2
        let ends = n % 2 == 1 ? [h, h + 1, n] : [h - 1, h, h + 1, n]
        return columns(batch.dimension) { out in
            ColumnNetworks.forEachBlock(batch, rows: Array(0..<n), groupEnds: ends, { s, k, count in
                for l in 0..<count {
                    out[k + l] = n % 2 == 1 ? Double(s[h][l]) : (Double(s[h - 1][l]) + Double(s[h][l])) / 2
                }
            }, fallback: { k in out[k] = scalarColumn(batch, rows: Array(0..<n), k) { RobustKernels.median($0, n) } })
        }
    }

    /// Trimmed mean of a Float batch: the kept middle n − 2b sorted positions summed in Double.
    static func floatTrimmedMean<S>(_ batch: UpdateBatch<S>, trim b: Int) -> [Double]? {
        guard let batch = batch as? UpdateBatch<Float> else { return nil }
        let n = batch.rows
        let kept = Double(n - 2 * b)
        return columns(batch.dimension) { out in
            ColumnNetworks.forEachBlock(batch, rows: Array(0..<n), groupEnds: [b, n - b, n], { s, k, count in
                let sums = ColumnNetworks.laneSums(s, b, n - b)
                for l in 0..<count { out[k + l] = sums[l] / kept }
            }, fallback: { k in
                out[k] = scalarColumn(batch, rows: Array(0..<n), k) { col in
                    RobustKernels.insertionSort(col, 0, n)
                    var s = 0.0
                    for i in b..<(n - b) { s += col[i] }
                    return s / kept
                }
            })
        }
    }

    /// Per coordinate of the rows `rows` of a Float batch: the mean of the `keep` values closest to the median.
    static func floatMeanAroundMedian<S>(_ batch: UpdateBatch<S>, rows: [Int], keep: Int) -> [Double]? {
        guard let batch = batch as? UpdateBatch<Float> else { return nil }
        let n = rows.count, f = n - keep, h = n / 2
        guard f >= 0, keep > 0 else { return nil }
        // f < keep: exact positions are the f lowest, the f highest and the median, the rest [f, keep)
        // one set. f ≥ keep (Bulyan's step: β = θ − 2f of θ rows): the kept window can sit anywhere,
        // so the network sorts fully and the window is summed position by position.
        let wide = f >= keep
        var ends = Array(stride(from: 1, through: wide ? n : f, by: 1))
        ends += n % 2 == 1 ? [h, h + 1] : [h - 1, h, h + 1]
        if !wide { ends += Array(keep...n) }
        ends = Array(Set(ends.filter { $0 > 0 && $0 <= n })).sorted()
        return columns(batch.dimension) { out in
        let scalar: (Int) -> Void = { k in
            out[k] = scalarColumn(batch, rows: rows, k) { col in meanAroundMedianColumn(col, n: n, keep: keep) }
        }
        ColumnNetworks.forEachBlock(batch, rows: rows, groupEnds: ends, { s, k, count in
            let middle = wide ? SIMD16<Double>() : ColumnNetworks.laneSums(s, f, keep)
            for l in 0..<count {
                let m = n % 2 == 1 ? Double(s[h][l]) : (Double(s[h - 1][l]) + Double(s[h][l])) / 2
                var lo = 0, hi = n
                var tie = false
                for _ in 0..<f {
                    let below = m - Double(s[lo][l]), above = Double(s[hi - 1][l]) - m
                    if below > above { lo += 1 } else if above > below { hi -= 1 } else {
                        if s[lo][l] != s[hi - 1][l] { tie = true; break }
                        hi -= 1
                    }
                }
                if tie { scalar(k + l); continue }
                if wide {
                    var total = 0.0
                    for p in lo..<hi { total += Double(s[p][l]) }
                    out[k + l] = total / Double(keep)
                    continue
                }
                // The window lo..<hi contains f..<keep; add its ends in position order.
                var total = 0.0
                for p in lo..<f { total += Double(s[p][l]) }
                total += middle[l]
                for p in keep..<hi { total += Double(s[p][l]) }
                out[k + l] = total / Double(keep)
            }
        }, fallback: scalar)
        }
    }

    /// A Double vector of `d` values written by `fill` through a pointer (column ranges may be
    /// filled by several threads: see `ColumnNetworks.forEachBlock`).
    static func columns(_ d: Int, _ fill: (UnsafeMutableBufferPointer<Double>) -> Void) -> [Double] {
        [Double](unsafeUninitializedCapacity: d) { buffer, count in
            buffer.initialize(repeating: 0)
            fill(buffer)
            count = d
        }
    }

    /// `body` applied to column k of the rows `rows`, widened to Double, in row order.
    static func scalarColumn(_ batch: UpdateBatch<Float>, rows: [Int], _ k: Int,
                             _ body: (UnsafeMutableBufferPointer<Double>) -> Double) -> Double {
        var col = rows.map { Double(batch.values[$0 * batch.dimension + k]) }
        return col.withUnsafeMutableBufferPointer { body($0) }
    }

    /// Mean of the `keep` values of `col[0..<n]` closest to their median (stable tie rule); reorders `col`.
    static func meanAroundMedianColumn(_ col: UnsafeMutableBufferPointer<Double>, n: Int, keep: Int) -> Double {
        var sorted = Array(col)
        let m = sorted.withUnsafeMutableBufferPointer { RobustKernels.median($0, n) }
        var keys = (0..<n).map { abs(col[$0] - m) }
        keys.withUnsafeMutableBufferPointer { kp in
            if n <= 32 {
                RobustKernels.insertionSort(kp, 0, n, companion: col)
            } else {
                RobustKernels.nthElement(kp, 0, n, keep - 1, companion: col)
            }
        }
        var s = 0.0
        for i in 0..<keep { s += col[i] }
        return s / Double(keep)
    }
}
