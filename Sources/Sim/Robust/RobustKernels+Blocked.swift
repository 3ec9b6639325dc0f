// Column-blocked row kernels: the memory-bound passes of the robust rules (means, weighted sums,
// distances of every row to one vector, dot products with one vector).
//
// The inputs are n rows of d values, row-major, and every output coordinate is a sum over rows. A
// plain row-by-row loop keeps a d-long Double accumulator and reads-modifies-writes it once per input
// row (20 bytes of traffic per 4-byte Float at d = 10^6, where the 8 MB accumulator lives in the
// shared L3). Here the columns are cut into blocks of `columnBlock` (16 KB of Double accumulator, L1
// resident), and inside a block four rows are added per sweep, so the accumulator is touched once
// per four input values and each input value is read exactly once, through unsafe pointers.
//
// Bit-for-bit equal to the row-by-row loops they replace for sums over rows: every output coordinate
// is still `((0 + t_0) + t_1) + …` in the given row order, with t_r = (x_rk − c_k) · w_r, and x − 0 = x,
// x · 1 = x are exact. Per-row reductions over columns (squared norms, distances, dot products) use
// eight lanes per block (lane j sums columns ≡ j mod 8 of the block), combined in a fixed order, block
// after block: deterministic and independent of anything but n and d, but not the sequential order
// of a plain loop (differences in the last bits).

extension RobustKernels {
    /// Columns per block of the row kernels (16 KB of Double accumulator).
    static let columnBlock = 2048

    /// out_k = Σ_r (x_{rows[r], k} − c_k) · w_r in the order of `rows`, in Double. `weights` nil means
    /// w = 1 and `center` nil means c = 0 (both skipped: exact identities).
    static func accumulate<S>(_ batch: UpdateBatch<S>, rows: [Int], weights: [Double]? = nil,
                              center: [Double]? = nil) -> [Double] {
        let d = batch.dimension
        var out = [Double](repeating: 0, count: d)
        guard d > 0, !rows.isEmpty else { return out }
        batch.values.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { op in
                guard let x = xs.baseAddress, let o = op.baseAddress else { return }
                if let center {
                    center.withUnsafeBufferPointer { cp in
                        accumulateBlocks(x, d: d, rows: rows, weights: weights, center: cp.baseAddress, out: o)
                    }
                } else {
                    accumulateBlocks(x, d: d, rows: rows, weights: weights, center: nil, out: o)
                }
            }
        }
        return out
    }

    @inline(__always)
    private static func term<S: BinaryFloatingPoint>(_ p: UnsafePointer<S>, _ k: Int, _ c: UnsafePointer<Double>?,
                                                     _ w: Double?) -> Double {
        var t = Double(p[k])
        if let c { t -= c[k] }
        if let w { t *= w }
        return t
    }

    private static func accumulateBlocks<S: BinaryFloatingPoint>(_ x: UnsafePointer<S>, d: Int, rows: [Int], weights: [Double]?,
                                            center: UnsafePointer<Double>?, out: UnsafeMutablePointer<Double>) {
        var k0 = 0
        while k0 < d {
            let width = min(columnBlock, d - k0)
            accumulateBlock(x, d: d, k0: k0, width: width, rows: rows, weights: weights, center: center.map { $0 + k0 },
                            acc: out + k0)
            k0 += width
        }
    }

    /// acc[k] += Σ_r (x_{rows[r], k0 + k} − c_k) · w_r for k in 0..<width, four rows per sweep, rows in order.
    static func accumulateBlock<S: BinaryFloatingPoint>(_ x: UnsafePointer<S>, d: Int, k0: Int, width: Int, rows: [Int],
                                                        weights: [Double]?, center c: UnsafePointer<Double>?,
                                                        acc: UnsafeMutablePointer<Double>) {
        var r = 0
        while r + 4 <= rows.count {
            let p0 = x + rows[r] * d + k0, p1 = x + rows[r + 1] * d + k0
            let p2 = x + rows[r + 2] * d + k0, p3 = x + rows[r + 3] * d + k0
            if let weights {
                let w0 = weights[r], w1 = weights[r + 1], w2 = weights[r + 2], w3 = weights[r + 3]
                if let c {
                    for k in 0..<width {
                        let ck: Double = c[k]
                        let t0: Double = (Double(p0[k]) - ck) * w0, t1: Double = (Double(p1[k]) - ck) * w1
                        let t2: Double = (Double(p2[k]) - ck) * w2, t3: Double = (Double(p3[k]) - ck) * w3
                        var s: Double = acc[k] + t0
                        s = s + t1
                        s = s + t2
                        acc[k] = s + t3
                    }
                } else {
                    for k in 0..<width {
                        let t0: Double = Double(p0[k]) * w0, t1: Double = Double(p1[k]) * w1
                        let t2: Double = Double(p2[k]) * w2, t3: Double = Double(p3[k]) * w3
                        var s: Double = acc[k] + t0
                        s = s + t1
                        s = s + t2
                        acc[k] = s + t3
                    }
                }
            } else if let c {
                for k in 0..<width {
                    let ck: Double = c[k]
                    let t0: Double = Double(p0[k]) - ck, t1: Double = Double(p1[k]) - ck
                    let t2: Double = Double(p2[k]) - ck, t3: Double = Double(p3[k]) - ck
                    var s: Double = acc[k] + t0
                    s = s + t1
                    s = s + t2
                    acc[k] = s + t3
                }
            } else {
                for k in 0..<width {
                    let t0 = Double(p0[k]), t1 = Double(p1[k]), t2 = Double(p2[k]), t3 = Double(p3[k])
                    var s: Double = acc[k] + t0
                    s = s + t1
                    s = s + t2
                    acc[k] = s + t3
                }
            }
            r += 4
        }
        while r < rows.count {
            let p = x + rows[r] * d + k0
            let w = weights?[r]
            for k in 0..<width { acc[k] = acc[k] + term(p, k, c, w) }
            r += 1
        }
    }

    /// Eight values from p[k...] widened to Double.
    @inline(__always)
    static func wide8<S: BinaryFloatingPoint>(_ p: UnsafePointer<S>, _ k: Int) -> SIMD8<Double> {
        var v = SIMD8<Double>()
        for l in 0..<8 { v[l] = Double(p[k + l]) }
        return v
    }

    /// Eight Doubles from c[k...].
    @inline(__always)
    static func load8(_ c: UnsafePointer<Double>, _ k: Int) -> SIMD8<Double> {
        UnsafeRawPointer(c + k).loadUnaligned(as: SIMD8<Double>.self)
    }

    /// For every row i: Σ_k (x_ik − c_k)² (c nil: the squared norm) in Double, blocked over columns.
    static func rowSquaredDistances<S>(_ batch: UpdateBatch<S>, to center: [Double]?) -> [Double] {
        rowReduce(batch, center) { p, c, width in
            var a = SIMD8<Double>()
            var k = 0
            if let c {
                while k + 8 <= width {
                    let t = wide8(p, k) - load8(c, k)
                    a += t * t
                    k += 8
                }
            } else {
                while k + 8 <= width {
                    let t = wide8(p, k)
                    a += t * t
                    k += 8
                }
            }
            var s = lanesSum(a)
            while k < width { let t: Double = Double(p[k]) - (c?[k] ?? 0); s += t * t; k += 1 }
            return s
        }
    }

    /// For every row i: Σ_k x_ik · v_k in Double, blocked over columns.
    static func rowDots<S>(_ batch: UpdateBatch<S>, with v: [Double]) -> [Double] {
        rowReduce(batch, v) { p, c, width in
            let c = c!
            var a = SIMD8<Double>()
            var k = 0
            while k + 8 <= width {
                a += wide8(p, k) * load8(c, k)
                k += 8
            }
            var s = lanesSum(a)
            while k < width { s += Double(p[k]) * c[k]; k += 1 }
            return s
        }
    }

    /// Lanes of `a` summed pairwise in a fixed order.
    @inline(__always)
    static func lanesSum(_ a: SIMD8<Double>) -> Double {
        ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]))
    }

    /// Σ over column blocks of `blockSum(row block, vector block, width)` for every row.
    @inline(__always)
    private static func rowReduce<S>(_ batch: UpdateBatch<S>, _ vector: [Double]?,
                                     _ blockSum: (UnsafePointer<S>, UnsafePointer<Double>?, Int) -> Double) -> [Double] {
        let n = batch.rows, d = batch.dimension
        var out = [Double](repeating: 0, count: n)
        guard d > 0 else { return out }
        batch.values.withUnsafeBufferPointer { xs in
            guard let x = xs.baseAddress else { return }
            func run(_ v: UnsafePointer<Double>?) {
                var k0 = 0
                while k0 < d {
                    let width = min(columnBlock, d - k0)
                    for i in 0..<n { out[i] += blockSum(x + i * d + k0, v.map { $0 + k0 }, width) }
                    k0 += width
                }
            }
            if let vector { vector.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
        }
        return out
    }

    /// The rows that contain no ±∞ (NaN rows are kept).
    static func rowsWithoutInfinity<S>(_ batch: UpdateBatch<S>) -> [Int] {
        let n = batch.rows, d = batch.dimension
        return batch.values.withUnsafeBufferPointer { xs in
            (0..<n).filter { i in
                let row = UnsafeBufferPointer(rebasing: xs[(i * d)..<((i + 1) * d)])
                if S.self == Float.self, let raw = UnsafeRawPointer(row.baseAddress) {
                    let bits = raw.assumingMemoryBound(to: UInt32.self)
                    var hits: UInt32 = 0
                    for k in 0..<d { hits |= (bits[k] & 0x7FFF_FFFF) == 0x7F80_0000 ? 1 : 0 }
                    return hits == 0
                }
                if S.self == Double.self, let raw = UnsafeRawPointer(row.baseAddress) {
                    let bits = raw.assumingMemoryBound(to: UInt64.self)
                    var hits: UInt64 = 0
                    for k in 0..<d { hits |= (bits[k] & 0x7FFF_FFFF_FFFF_FFFF) == 0x7FF0_0000_0000_0000 ? 1 : 0 }
                    return hits == 0
                }
                return row.allSatisfy { !$0.isInfinite }
            }
        }
    }
}
