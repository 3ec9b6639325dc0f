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
import Dispatch

extension RobustKernels {
    /// Columns per ssyrk call.
    static let floatGramBlock = 4096

    /// n × n squared distances of a Float batch via Float block Grams, or nil (not Float, too small,
    /// or ill-conditioned: use the Double route).
    static func floatSquaredDistances<S>(_ batch: UpdateBatch<S>) -> [Double]? {
        guard let batch = batch as? UpdateBatch<Float> else { return nil }
        let n = batch.rows, d = batch.dimension
        guard n > 2, n * n * d >= gramThreshold else { return nil }
        var g = [Double](repeating: 0, count: n * n)
        batch.values.withUnsafeBufferPointer { xs in
            guard let x = xs.baseAddress else { return }
            _ = sumBlockGrams(n: n, columns: d, width: floatGramBlock, into: &g) { k0, width, _, out in
                blockGram(x + k0, rows: n, width: width, ld: d, out)
                return true
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
        let w = min(blockWidth, d)
        var g = [Double](repeating: 0, count: n * n)
        // Per block, every row's largest |value| must keep its squares' sums in Float's normal range.
        let largest: Float = 1e17, smallest: Float = 1e-15
        let fits: Bool = batch.values.withUnsafeBufferPointer { xs in
            guard let x = xs.baseAddress else { return false }
            return sumBlockGrams(n: n, columns: d, width: w, tile: n * w, into: &g) { k0, width, tile, out in
                var rowMax = [Float](repeating: 0, count: n)
                centerTile(x + k0, ld: d, rows: n, width: width, center: center, from: k0, tile, &rowMax)
                for top in rowMax where !(top <= largest) || (top > 0 && top < smallest) { return false }
                blockGram(tile, rows: n, width: width, ld: width, out)
                return true
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

extension RobustKernels {
    /// Rows up to which a block Gram is an `sgemm` (X·Xᵀ) rather than an `ssyrk`: OpenBLAS's syrk is
    /// 2–6× slower than its gemm for so few rows (n = 11, 4096 columns: 1.9 against 0.6 ms per 10^5
    /// columns; equal at n = 16, syrk ahead from n = 20; SkylakeX kernels).
    static let gemmGramRows = 16

    /// The upper triangle (at least) of the n × n Float Gram of `rows` rows of `width` values at
    /// stride `ld`, written to `out` (row-major, n × n) by one OpenBLAS call.
    static func blockGram(_ x: UnsafePointer<Float>, rows n: Int, width: Int, ld: Int, _ out: UnsafeMutablePointer<Float>) {
        if n <= gemmGramRows {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(n), Int32(width), 1.0,
                        x, Int32(ld), x, Int32(ld), 0.0, out, Int32(n))
        } else {
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(width), 1.0,
                        x, Int32(ld), 0.0, out, Int32(n))
        }
    }

    /// Σ over the column blocks [k0, k0 + width) of `columns` (in block order, in Double, upper
    /// triangle) of the n × n Float Gram that `blockGram(k0, width, tile, out)` writes to `out`
    /// (`tile`: `tile` Floats of scratch), added into `g`; false as soon as a block returns false.
    ///
    /// With `BLAS.threads` = T > 1 the blocks are computed in rounds on T threads (each thread a run
    /// of consecutive blocks, through single-threaded OpenBLAS calls) and added in block order: every
    /// block's Float Gram, hence every bit of the result, is the one thread's. (OpenBLAS's own
    /// threads split each small n × n output, which gained little: Krum at n = 50, d = 10^6 took as
    /// long on two threads.)
    static func sumBlockGrams(n: Int, columns d: Int, width w: Int, tile: Int = 0, into g: inout [Double],
                              _ blockGram: (Int, Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Bool) -> Bool {
        let blocks = (d + w - 1) / w
        let threads = max(1, min(BLAS.threads, blocks))  // BLAS.threads applies the single-thread default first
        // Blocks per thread and round: consecutive blocks, their Grams kept until the round is added
        // (at most about 16 MB of them, so that rounds are few however small each block's work is).
        let perThread = threads == 1 ? 1 : max(1, min((blocks + threads - 1) / threads, (1 << 22) / max(1, threads * n * n)))
        let outs = UnsafeMutablePointer<Float>.allocate(capacity: threads * perThread * n * n)
        let tiles = UnsafeMutablePointer<Float>.allocate(capacity: max(1, threads * tile))
        defer { outs.deallocate(); tiles.deallocate() }
        return g.withUnsafeMutableBufferPointer { gp in
            func add(_ out: UnsafeMutablePointer<Float>) {
                for i in 0..<n { for j in i..<n { gp[i * n + j] += Double(out[i * n + j]) } }
            }
            if threads == 1 {
                for b in 0..<blocks {
                    guard blockGram(b * w, min(w, d - b * w), tiles, outs) else { return false }
                    add(outs)
                }
                return true
            }
            return withoutActuallyEscaping(blockGram) { blockGram in
                let work = BlockWork(blockGram: blockGram, outs: outs, tiles: tiles, square: n * n, tile: tile)
                return BLAS.withSingleThreadedCalls {
                    var first = 0
                    while first < blocks {
                        let count = min(threads * perThread, blocks - first)
                        let ok = UnsafeMutablePointer<Bool>.allocate(capacity: count)
                        ok.initialize(repeating: false, count: count)
                        defer { ok.deallocate() }
                        let flags = BlockFlags(flags: ok), start = first
                        DispatchQueue.concurrentPerform(iterations: threads) { t in
                            for slot in (t * perThread)..<min(count, (t + 1) * perThread) {
                                let b = start + slot
                                flags.flags[slot] = work.run(slot, tile: t, k0: b * w, width: min(w, d - b * w))
                                if !flags.flags[slot] { break }
                            }
                        }
                        for slot in 0..<count {
                            guard ok[slot] else { return false }
                            add(outs + slot * n * n)
                        }
                        first += count
                    }
                    return true
                }
            }
        }
    }

    /// One `sumBlockGrams` call's block function and per-thread buffers, carried into its threads.
    /// `@unchecked Sendable`: each thread writes only its own slots and tile, and the call waits
    /// for every thread.
    private struct BlockWork: @unchecked Sendable {
        let blockGram: (Int, Int, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Bool
        let outs: UnsafeMutablePointer<Float>
        let tiles: UnsafeMutablePointer<Float>
        let square: Int
        let tile: Int

        func run(_ slot: Int, tile t: Int, k0: Int, width: Int) -> Bool {
            blockGram(k0, width, tiles + t * tile, outs + slot * square)
        }
    }

    /// Per-block results of one round of `sumBlockGrams` (each written by the block's thread only).
    private struct BlockFlags: @unchecked Sendable {
        let flags: UnsafeMutablePointer<Bool>
    }
}
