// One-pass "reduce a row, then add it" sweeps for rules whose per-row factor depends only on that
// row's distance to a vector (static clipping + mean, centered clipping, a Weiszfeld step).
//
// The two-pass form reads the input twice from memory: once for the n distances, once for the
// weighted sum. When one row plus the Double accumulator fit in the per-core L2 (d ≤ `rowPassLimit`,
// e.g. n = 200, d = 10^5: 400 KB + 800 KB), each row is instead reduced and then immediately added
// while it is still in L2, so the input streams from memory once. Results are bit-for-bit those of
// the two-pass form: the distance uses `rowReduce`'s lane structure, and every output coordinate is
// still `((acc + t_0) + t_1) + …` with the rows in order; only the loop nest differs. Above the limit
// the callers keep the two-pass form (a 4 MB row would fall out of L2 before its second read).

extension RobustKernels {
    /// Largest d for the one-pass form: a Float row plus the Double accumulator within ~1.5 MB of L2.
    static let rowPassLimit = 131_072

    /// Whether `rowPass` applies to this batch.
    static func rowPassFits<S>(_ batch: UpdateBatch<S>) -> Bool {
        batch.dimension <= rowPassLimit && batch.rows > 0
    }

    /// For each row i in order: s_i = Σ_k (x_ik − c_k)² (as `rowSquaredDistances`), w_i = `factor(i, s_i)`,
    /// then acc_k += t_ik with t = (x − c) · w (`centered`) or x · w, rounded to S when `roundToScalar`
    /// (w = nil: the term unscaled and unrounded). Returns (acc, s).
    static func rowPass<S>(_ batch: UpdateBatch<S>, center: [Double]?, centered: Bool, roundToScalar: Bool,
                           factor: (Int, Double) -> Double?) -> (sum: [Double], squares: [Double]) {
        let n = batch.rows, d = batch.dimension
        var acc = [Double](repeating: 0, count: d)
        var squares = [Double](repeating: 0, count: n)
        guard d > 0 else { return (acc, squares) }
        let vectorEnd = d & ~7
        batch.values.withUnsafeBufferPointer { xs in
            acc.withUnsafeMutableBufferPointer { ap in
                guard let x = xs.baseAddress, let o = ap.baseAddress else { return }
                let a = UnsafeMutableRawPointer(o)
                @inline(__always) func run(_ c: UnsafePointer<Double>?, _ hasC: Bool) {
                    for i in 0..<n {
                        let row = x + i * d
                        // Reduction: identical to rowReduce(squares: true).
                        var total = 0.0
                        var k0 = 0
                        while k0 < d {
                            let width = min(columnBlock, d - k0)
                            let p = row + k0
                            var lanes = SIMD8<Double>()
                            var k = 0
                            while k + 8 <= width {
                                var t = wide8(p, k)
                                if hasC { t = t - load8(c! + k0, k) }
                                lanes += t * t
                                k += 8
                            }
                            var s = lanesSum(lanes)
                            while k < width {
                                let t: Double = Double(p[k]) - (hasC ? c![k0 + k] : 0)
                                s += t * t
                                k += 1
                            }
                            total += s
                            k0 += width
                        }
                        squares[i] = total
                        // Accumulation of this row while it is in L2.
                        let w = factor(i, total)
                        let sub = hasC && centered
                        let scale = SIMD8<Double>(repeating: w ?? 1)
                        var k = 0
                        while k < vectorEnd {
                            var t = wide8(row, k)
                            if sub { t = t - load8(c!, k) }
                            if w != nil {
                                t = t * scale
                                if roundToScalar { t = rounded8(t, as: S.self) }
                            }
                            a.storeBytes(of: a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self) + t,
                                         toByteOffset: 8 * k, as: SIMD8<Double>.self)
                            k += 8
                        }
                        while k < d {
                            var t = Double(row[k])
                            if sub { t -= c![k] }
                            if let w {
                                t *= w
                                if roundToScalar { t = Double(S(t)) }
                            }
                            o[k] = o[k] + t
                            k += 1
                        }
                    }
                }
                if let center { center.withUnsafeBufferPointer { run($0.baseAddress, true) } } else { run(nil, false) }
            }
        }
        return (acc, squares)
    }
}
