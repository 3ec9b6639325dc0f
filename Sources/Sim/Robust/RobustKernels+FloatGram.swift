// Pairwise squared distances of Float batches from a Float Gram matrix (second performance pass).
//
// The Double route widens every Float input to Double in 1024-column blocks and calls `cblas_dsyrk`:
// the widening copy costs about a third of the time and double-precision products half the
// throughput of single precision. For Float batches above `gramThreshold` this route instead calls
// `cblas_ssyrk` directly on the input rows (leading dimension d, no copy) over 4096-column blocks,
// and adds each block's n × n Float Gram to a Double Gram, so Float rounding only acts within one
// block (relative error of a block entry about √4096 · 2⁻²⁴ ≈ 4·10⁻⁶ of the block's ‖x_i‖·‖x_j‖).
//
// The Gram identity D_ij = G_ii + G_jj − 2G_ij cancels when rows are close relative to their norms.
// Guard: a pair with D_ij < (G_ii + G_jj) / 64 (where that error could reach ~10⁻³ of D_ij: near or
// identical rows, e.g. Byzantine clients sending one vector) is recomputed from direct differences
// in Double; above 4n such pairs the whole matrix is left to the Double route. The result is deterministic (OpenBLAS syrk
// assigns every output entry to one thread, in a fixed order of the k loop) and, apart from the guard,
// agrees with the Double route within Float rounding of the products; selections (Krum scores,
// NNM neighbours) can differ from the Double route only between rows whose scores tie to ~10⁻⁵.
// Double batches (fixtures, `gradwire aggregate`) never take this path.

import CKernels
import COpenBLAS

extension RobustKernels {
    /// Columns per ssyrk call.
    static let floatGramBlock = 4096

    /// n × n squared distances of a Float batch via Float block Grams, or nil (not Float, too small,
    /// or ill-conditioned: use the Double route).
    static func floatSquaredDistances<S>(_ batch: UpdateBatch<S>) -> [Double]? {
        guard let batch = batch as? UpdateBatch<Float> else { return nil }
        let n = batch.rows, d = batch.dimension
        guard n > 2, n * n * d >= gramThreshold else { return nil }
        _ = BLAS.threads  // applies the project's single-thread default before the first BLAS call
        var g = [Double](repeating: 0, count: n * n)
        var block = [Float](repeating: 0, count: n * n)
        batch.values.withUnsafeBufferPointer { xs in
            guard let x = xs.baseAddress else { return }
            block.withUnsafeMutableBufferPointer { bp in
                g.withUnsafeMutableBufferPointer { gp in
                    var k0 = 0
                    while k0 < d {
                        let width = min(floatGramBlock, d - k0)
                        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(width), 1.0,
                                    x + k0, Int32(d), 0.0, bp.baseAddress, Int32(n))
                        for i in 0..<n { for j in i..<n { gp[i * n + j] += Double(bp[i * n + j]) } }
                        k0 += width
                    }
                }
            }
        }
        var out = [Double](repeating: 0, count: n * n)
        var close: [(Int, Int)] = []
        for i in 0..<n {
            for j in (i + 1)..<n {
                let norms = g[i * n + i] + g[j * n + j]
                let v = norms - 2 * g[i * n + j]
                if !(v >= norms / 64) {  // cancellation (or NaN / ∞): computed directly below
                    close.append((i, j))
                    if close.count > 4 * n { return nil }
                    continue
                }
                out[i * n + j] = v
                out[j * n + i] = v
            }
        }
        batch.values.withUnsafeBufferPointer { xs in
            guard let x = xs.baseAddress else { return }
            for (i, j) in close {
                let v = pairSquaredDistance(x + i * d, x + j * d, d: d)
                out[i * n + j] = v
                out[j * n + i] = v
            }
        }
        return out
    }

    /// Σ_k (a_k − b_k)² in Double from direct differences (lanes per 2048-column block, as `rowReduce`).
    static func pairSquaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, d: Int) -> Double {
        var total = 0.0
        var k0 = 0
        while k0 < d {
            let width = min(columnBlock, d - k0)
            var acc = SIMD8<Double>()
            var k = 0
            while k + 8 <= width {
                let t = wide8(a + k0, k) - wide8(b + k0, k)
                acc += t * t
                k += 8
            }
            var s = lanesSum(acc)
            while k < width {
                let t = Double(a[k0 + k]) - Double(b[k0 + k])
                s += t * t
                k += 1
            }
            total += s
            k0 += width
        }
        return total
    }
}

extension RobustKernels {
    /// ⟨x_i − c, x_j − c⟩ of a Float batch from Float block Grams (CAF's covariance), or nil (not
    /// Float, too small, or values whose Float squares could overflow or lose their precision:
    /// use `gram`). Per 1024-column block the centred rows are rounded to Float, `cblas_ssyrk`
    /// forms the block's Gram and it is added to a Double Gram: entries within about
    /// √1024 · 2⁻²⁴ ≈ 2·10⁻⁶ of ‖x_i − c‖·‖x_j − c‖ of the Double route, at a third of its cost
    /// (no Double products, half the bytes). Deterministic as `floatSquaredDistances`.
    static func floatGram<S>(_ batch: UpdateBatch<S>, center: [Double]?) -> [Double]? {
        guard let batch = batch as? UpdateBatch<Float> else { return nil }
        let n = batch.rows, d = batch.dimension
        guard n > 2, n * n * d >= gramThreshold else { return nil }
        if let center, center.count != d { return nil }
        _ = BLAS.threads  // applies the project's single-thread default before the first BLAS call
        let w = min(blockWidth, d)
        var g = [Double](repeating: 0, count: n * n)
        var block = [Float](repeating: 0, count: n * n)
        var tile = [Float](repeating: 0, count: n * w)
        // Per block, every row's largest |value| must keep its squares' sums in Float's normal range.
        let largest: Float = 1e17, smallest: Float = 1e-15
        var rowMax = [Float](repeating: 0, count: n)
        let fits: Bool = batch.values.withUnsafeBufferPointer { xs in
            guard let x = xs.baseAddress else { return false }
            return tile.withUnsafeMutableBufferPointer { tp in
                block.withUnsafeMutableBufferPointer { bp in
                    g.withUnsafeMutableBufferPointer { gp in
                        var k0 = 0
                        while k0 < d {
                            let width = min(w, d - k0)
                            centerTile(x + k0, ld: d, rows: n, width: width, center: center, from: k0, tp.baseAddress!, &rowMax)
                            for top in rowMax where !(top <= largest) || (top > 0 && top < smallest) { return false }
                            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(width), 1.0,
                                        tp.baseAddress, Int32(width), 0.0, bp.baseAddress, Int32(n))
                            for i in 0..<n { for j in i..<n { gp[i * n + j] += Double(bp[i * n + j]) } }
                            k0 += width
                        }
                        return true
                    }
                }
            }
        }
        guard fits else { return nil }
        for i in 0..<n { for j in (i + 1)..<n { g[j * n + i] = g[i * n + j] } }
        return g
    }

    /// tile[i · width + c] = Float(Double(x[i · ld + c]) − center[from + c]) (no center: x itself)
    /// and each row's largest |value| (NaN if it holds one), through CKernels' `gw_center_tile` when
    /// it applies, else this loop: the same bits.
    static func centerTile(_ x: UnsafePointer<Float>, ld: Int, rows n: Int, width: Int, center: [Double]?, from k0: Int,
                           _ tile: UnsafeMutablePointer<Float>, _ rowMax: inout [Float]) {
        let done = rowMax.withUnsafeMutableBufferPointer { mp in
            if let center {
                return center.withUnsafeBufferPointer { cp in
                    gw_center_tile(x, Int64(ld), Int32(n), Int32(width), cp.baseAddress! + k0, tile, mp.baseAddress)
                }
            }
            return gw_center_tile(x, Int64(ld), Int32(n), Int32(width), nil, tile, mp.baseAddress)
        }
        if done { return }
        for i in 0..<n {
            let src = x + i * ld, dst = tile + i * width
            var top: Float = 0
            var sawNaN = false
            for c in 0..<width {
                let v = center.map { Float(Double(src[c]) - $0[k0 + c]) } ?? src[c]
                dst[c] = v
                if v.isNaN { sawNaN = true } else if abs(v) > top { top = abs(v) }
            }
            rowMax[i] = sawNaN ? .nan : top
        }
    }
}
