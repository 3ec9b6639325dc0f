// Column-blocked row kernels: the memory-bound passes of the robust rules (means, weighted sums,
// distances of every row to one vector, dot products with one vector).
//
// The inputs are n rows of d values, row-major, and every output coordinate is a sum over rows. A
// plain row-by-row loop keeps a d-long Double accumulator and reads-modifies-writes it once per input
// row (20 bytes of traffic per 4-byte Float at d = 10^6, where the 8 MB accumulator lives in the
// shared L3). Here the columns are cut into blocks of `sweepBlock` (512 KB of Double accumulator, L2
// resident), and inside a block eight rows are added per sweep (explicit SIMD, see
// RobustKernels+Sweeps.swift), so the accumulator is touched once per eight input values and each
// input value is read exactly once, through unsafe pointers.
//
// Bit-for-bit equal to the row-by-row loops they replace for sums over rows: every output coordinate
// is still `((0 + t_0) + t_1) + …` in the given row order, with t_r = (x_rk − c_k) · w_r, and x − 0 = x,
// x · 1 = x are exact. Per-row reductions over columns (squared norms, distances, dot products) use
// eight lanes per block (lane j sums columns ≡ j mod 8 of the block), combined in a fixed order, block
// after block: deterministic and independent of anything but n and d, but not the sequential order
// of a plain loop (differences in the last bits).

extension RobustKernels {
    /// Columns per lane block of the per-row reductions (and the NNM block cap).
    static let columnBlock = 2048

    /// out_k = Σ_r (x_{rows[r], k} − c_k) · w_r in the order of `rows`, in Double. `weights` nil means
    /// w = 1 and `center` nil means c = 0 (both skipped: exact identities).
    static func accumulate<S>(_ batch: UpdateBatch<S>, rows: [Int], weights: [Double]? = nil,
                              center: [Double]? = nil) -> [Double] {
        if let fast = vectorAccumulate(batch, rows: rows, weights: weights, center: center) { return fast }
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

    private static func accumulateBlocks<S: BinaryFloatingPoint>(_ x: UnsafePointer<S>, d: Int, rows: [Int], weights: [Double]?,
                                            center: UnsafePointer<Double>?, out: UnsafeMutablePointer<Double>) {
        var k0 = 0
        while k0 < d {
            let width = min(sweepBlock, d - k0)
            accumulateBlock(x, d: d, k0: k0, width: width, rows: rows, weights: weights, center: center.map { $0 + k0 },
                            acc: out + k0)
            k0 += width
        }
    }

    /// Eight Doubles from c[k...].
    @inline(__always)
    static func load8(_ c: UnsafePointer<Double>, _ k: Int) -> SIMD8<Double> {
        UnsafeRawPointer(c + k).loadUnaligned(as: SIMD8<Double>.self)
    }

    /// For every row i: Σ_k (x_ik − c_k)² (c nil: the squared norm) in Double (lanes per 2048-column block).
    static func rowSquaredDistances<S>(_ batch: UpdateBatch<S>, to center: [Double]?) -> [Double] {
        rowReduce(batch, center, squares: true)
    }

    /// For every row i: Σ_k x_ik · v_k in Double (lanes per 2048-column block).
    static func rowDots<S>(_ batch: UpdateBatch<S>, with v: [Double]) -> [Double] {
        rowReduce(batch, v, squares: false)
    }

    /// Lanes of `a` summed pairwise in a fixed order.
    @inline(__always)
    static func lanesSum(_ a: SIMD8<Double>) -> Double {
        ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]))
    }

    /// Whether row i contains ±∞.
    static func rowHasInfinity<S>(_ batch: UpdateBatch<S>, _ i: Int) -> Bool {
        let d = batch.dimension
        return rowsWithoutInfinity(UpdateBatch(rows: 1, dimension: d, values: Array(batch.values[(i * d)..<((i + 1) * d)]))).isEmpty
    }

    /// The rows that contain no ±∞ (NaN rows are kept).
    static func rowsWithoutInfinity<S>(_ batch: UpdateBatch<S>) -> [Int] {
        let n = batch.rows, d = batch.dimension
        return batch.values.withUnsafeBufferPointer { xs in
            (0..<n).filter { i in
                let row = UnsafeBufferPointer(rebasing: xs[(i * d)..<((i + 1) * d)])
                if S.self == Float.self, let raw = UnsafeRawPointer(row.baseAddress) {
                    // 16 lanes at a time: |bits| == 0x7F80_0000 marks ±∞.
                    let mask = SIMD16<UInt32>(repeating: 0x7FFF_FFFF), inf = SIMD16<UInt32>(repeating: 0x7F80_0000)
                    var hits = SIMDMask<SIMD16<Int32>>()
                    var k = 0
                    while k + 16 <= d {
                        hits = hits .| ((raw.loadUnaligned(fromByteOffset: 4 * k, as: SIMD16<UInt32>.self) & mask) .== inf)
                        k += 16
                    }
                    if any(hits) { return false }
                    let bits = raw.assumingMemoryBound(to: UInt32.self)
                    while k < d { if (bits[k] & 0x7FFF_FFFF) == 0x7F80_0000 { return false }; k += 1 }
                    return true
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
