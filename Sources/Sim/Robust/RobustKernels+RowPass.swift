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

/// Distance state of one row being reduced by `RobustKernels.rowPass`: the Double total (rowReduce's
/// blocks) or the Double carry of `clipSquaredNorm`'s 64-column Float blocks.
struct PendingDistance {
    var total = 0.0
    var carry = SIMD8<Double>()
}

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
    /// `clipSquares`: for a Float batch without center, s_i is `clipSquaredNorm` (static clipping's norm).
    ///
    /// Software pipeline (third pass): rows go in pairs, and while pair p is added to the accumulator
    /// (re-read from L2) the distances of pair p + 1 are reduced in the same 2048-column steps, so the
    /// memory stream of the next rows overlaps the adding instead of alternating with it. Each row's
    /// distance is still its blocks' sums added in column order, and each output coordinate still
    /// `((acc + t_0) + t_1) + …` in row order: the same bits as the two-pass form.
    static func rowPass<S>(_ batch: UpdateBatch<S>, center: [Double]?, centered: Bool, roundToScalar: Bool,
                           clipSquares: Bool = false,
                           factor: (Int, Double) -> Double?) -> (sum: [Double], squares: [Double]) {
        let n = batch.rows, d = batch.dimension
        var acc = [Double](repeating: 0, count: d)
        var squares = [Double](repeating: 0, count: n)
        guard d > 0, n > 0 else { return (acc, squares) }
        let vectorEnd = d & ~7
        batch.values.withUnsafeBufferPointer { xs in
            acc.withUnsafeMutableBufferPointer { ap in
                guard let x = xs.baseAddress, let o = ap.baseAddress else { return }
                let a = UnsafeMutableRawPointer(o)
                @inline(__always) func run(_ c: UnsafePointer<Double>?, _ hasC: Bool) {
                    let clip = clipSquares && !hasC && S.self == Float.self
                    // Columns k0..<k0+width (width = columnBlock except at the end) of one row's distance.
                    @inline(__always) func reduceStep(_ row: UnsafePointer<S>, _ k0: Int, _ width: Int, _ st: inout PendingDistance) {
                        if clip {
                            let f = UnsafeRawPointer(row).assumingMemoryBound(to: Float.self)
                            clipBlocks(f, from: k0, to: k0 + (width & ~(clipNormBlock - 1)), carry: &st.carry)
                            return
                        }
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
                        st.total += s
                    }
                    @inline(__always) func finish(_ row: UnsafePointer<S>, _ st: PendingDistance) -> Double {
                        guard clip else { return st.total }
                        var total = lanesSum(st.carry)
                        var k = d & ~(clipNormBlock - 1)
                        while k < d {
                            let t = Double(row[k])
                            total += t * t
                            k += 1
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
                    // Pair p = rows 2p and 2p + 1 (the last pair may be one row).
                    @inline(__always) func rowsOf(_ i: Int) -> (UnsafePointer<S>, UnsafePointer<S>?) {
                        (x + i * d, i + 1 < n ? x + (i + 1) * d : nil)
                    }
                    // Distances of the first pair alone.
                    do {
                        let (r0, r1) = rowsOf(0)
                        var s0 = PendingDistance(), s1 = PendingDistance()
                        var k0 = 0
                        while k0 < d {
                            let width = min(columnBlock, d - k0)
                            reduceStep(r0, k0, width, &s0)
                            if let r1 { reduceStep(r1, k0, width, &s1) }
                            k0 += width
                        }
                        squares[0] = finish(r0, s0)
                        if let r1 { squares[1] = finish(r1, s1) }
                    }
                    var i = 0
                    while i < n {
                        let (row0, second) = rowsOf(i)
                        let pair = second != nil
                        let row1 = second ?? row0
                        let w0 = factor(i, squares[i])
                        let w1 = pair ? factor(i + 1, squares[i + 1]) : nil
                        let scale0 = SIMD8<Double>(repeating: w0 ?? 1), scale1 = SIMD8<Double>(repeating: w1 ?? 1)
                        let fast = pair && !sub && roundToScalar && floatExact(w0, as: S.self) && floatExact(w1, as: S.self)
                        let g0 = SIMD8<Float>(repeating: Float(w0 ?? 1)), g1 = SIMD8<Float>(repeating: Float(w1 ?? 1))
                        let next = i + 2 < n ? Optional(rowsOf(i + 2)) : nil
                        var s0 = PendingDistance(), s1 = PendingDistance()
                        var k0 = 0
                        while k0 < d {
                            let width = min(columnBlock, d - k0)
                            if let next {
                                reduceStep(next.0, k0, width, &s0)
                                if let r = next.1 { reduceStep(r, k0, width, &s1) }
                            }
                            // Columns k0..<min(k0 + width, vectorEnd) of the current pair, eight at a time.
                            var k = k0
                            let end = min(k0 + width, vectorEnd)
                            if fast {
                                // Both rows scaled by Float values: Float multiplies, same bits (`floatExact`).
                                while k < end {
                                    let s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self) + scaledFloat8(row0, k, g0)
                                    a.storeBytes(of: s + scaledFloat8(row1, k, g1), toByteOffset: 8 * k, as: SIMD8<Double>.self)
                                    k += 8
                                }
                            } else if pair {
                                while k < end {
                                    let s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self) + term(row0, k, w0, scale0)
                                    a.storeBytes(of: s + term(row1, k, w1, scale1), toByteOffset: 8 * k, as: SIMD8<Double>.self)
                                    k += 8
                                }
                            } else {
                                while k < end {
                                    let s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self) + term(row0, k, w0, scale0)
                                    a.storeBytes(of: s, toByteOffset: 8 * k, as: SIMD8<Double>.self)
                                    k += 8
                                }
                            }
                            k0 += width
                        }
                        for k in vectorEnd..<d {
                            o[k] = pair ? (o[k] + scalarTerm(row0, k, w0)) + scalarTerm(row1, k, w1) : o[k] + scalarTerm(row0, k, w0)
                        }
                        if let next {
                            squares[i + 2] = finish(next.0, s0)
                            if let r = next.1 { squares[i + 3] = finish(r, s1) }
                        }
                        i += pair ? 2 : 1
                    }
                }
                if let center { center.withUnsafeBufferPointer { run($0.baseAddress, true) } } else { run(nil, false) }
            }
        }
        return (acc, squares)
    }
}
