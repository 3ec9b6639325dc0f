// One-pass "reduce a row, then add it" sweeps for rules whose per-row factor depends only on that
// row's distance to a vector (static clipping + mean, centered clipping, a Weiszfeld step).
//
// The two-pass form reads the input twice from memory: once for the n distances, once for the
// weighted sum. When two rows plus the Double accumulator fit in the per-core L2 (d ≤ `rowPassLimit`,
// e.g. n = 200, d = 10^5: 2 × 400 KB + 800 KB), each pair of rows is instead reduced and then
// immediately added while it is still in L2, so the input streams from memory once. Results are bit-for-bit those of
// the two-pass form: the distance uses `rowReduce`'s lane structure, and every output coordinate is
// still `((acc + t_0) + t_1) + …` with the rows in order; only the loop nest differs. Above the limit
// the callers keep the two-pass form (a 4 MB row would fall out of L2 before its second read).

extension RobustKernels {
    /// Largest d for the one-pass form: two Float rows plus the Double accumulator within ~1.8 MB of L2.
    static let rowPassLimit = 114_688

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
                    // Reduction of one row: identical to rowReduce(squares: true).
                    @inline(__always) func reduce(_ row: UnsafePointer<S>) -> Double {
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
                        return total
                    }
                    let sub = hasC && centered
                    @inline(__always) func term(_ row: UnsafePointer<S>, _ k: Int, _ w: Double?, _ scale: SIMD8<Double>) -> SIMD8<Double> {
                        var t = wide8(row, k)
                        if sub { t = t - load8(c!, k) }
                        if w != nil {
                            t = t * scale
                            if roundToScalar { t = rounded8(t, as: S.self) }
                        }
                        return t
                    }
                    @inline(__always) func scalarTerm(_ row: UnsafePointer<S>, _ k: Int, _ w: Double?) -> Double {
                        var t = Double(row[k])
                        if sub { t -= c![k] }
                        if let w {
                            t *= w
                            if roundToScalar { t = Double(S(t)) }
                        }
                        return t
                    }
                    // Two rows at a time: both reduced, then added in one sweep (row order kept), so the
                    // L2-resident accumulator is read and written once per two rows.
                    var i = 0
                    while i < n {
                        let pair = i + 1 < n
                        let row0 = x + i * d, row1 = x + (pair ? i + 1 : i) * d
                        squares[i] = reduce(row0)
                        let w0 = factor(i, squares[i])
                        let scale0 = SIMD8<Double>(repeating: w0 ?? 1)
                        if pair {
                            squares[i + 1] = reduce(row1)
                            let w1 = factor(i + 1, squares[i + 1])
                            let scale1 = SIMD8<Double>(repeating: w1 ?? 1)
                            var k = 0
                            if !sub && roundToScalar && floatExact(w0, as: S.self) && floatExact(w1, as: S.self) {
                                // Both rows scaled by Float values: Float multiplies, same bits (`floatExact`).
                                let g0 = SIMD8<Float>(repeating: Float(w0!)), g1 = SIMD8<Float>(repeating: Float(w1!))
                                while k < vectorEnd {
                                    let s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self) + scaledFloat8(row0, k, g0)
                                    a.storeBytes(of: s + scaledFloat8(row1, k, g1), toByteOffset: 8 * k, as: SIMD8<Double>.self)
                                    k += 8
                                }
                            }
                            while k < vectorEnd {
                                let s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self) + term(row0, k, w0, scale0)
                                a.storeBytes(of: s + term(row1, k, w1, scale1), toByteOffset: 8 * k, as: SIMD8<Double>.self)
                                k += 8
                            }
                            while k < d {
                                o[k] = (o[k] + scalarTerm(row0, k, w0)) + scalarTerm(row1, k, w1)
                                k += 1
                            }
                            i += 2
                        } else {
                            var k = 0
                            while k < vectorEnd {
                                let s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self) + term(row0, k, w0, scale0)
                                a.storeBytes(of: s, toByteOffset: 8 * k, as: SIMD8<Double>.self)
                                k += 8
                            }
                            while k < d {
                                o[k] = o[k] + scalarTerm(row0, k, w0)
                                k += 1
                            }
                            i += 1
                        }
                    }
                }
                if let center { center.withUnsafeBufferPointer { run($0.baseAddress, true) } } else { run(nil, false) }
            }
        }
        return (acc, squares)
    }
}
