// Shared numerical kernels of the robust rules: pairwise squared distances and Gram matrices,
// row norms, in-place selection (nth element) and column-blocked iteration for coordinate-wise rules.
//
// Precision policy. All accumulation is in Double whatever the input type. Pairwise distances are
// computed from direct differences Σ_k (x_ik − x_jk)² while n²·d is small (every fixture: the
// oracles use direct differences and the fixtures require 1e-9); above `gramThreshold` they use the
// Gram identity ‖x_i‖² + ‖x_j‖² − 2⟨x_i, x_j⟩ with OpenBLAS `cblas_dsyrk` over Double column blocks
// (Float inputs are widened block by block, so no full Double copy exists; Float batches use Float
// block Grams instead, see RobustKernels+FloatGram.swift), clamped at 0. The Gram
// form loses relative accuracy for near-identical rows (cancellation); selections among such rows
// may then differ from the direct form, which is why it is reserved for large inputs.
// Both forms give an exactly symmetric matrix with a zero diagonal (computed once for i < j).

import COpenBLAS

enum RobustKernels {
    /// n²·d above which distances and Gram matrices use the BLAS path.
    static let gramThreshold = 1 << 22

    /// Columns per block when widening to Double or gathering columns.
    static let blockWidth = 1024

    // MARK: - Distances and inner products

    /// n × n squared Euclidean distances (row-major), symmetric, zero diagonal.
    static func squaredDistances<S>(_ batch: UpdateBatch<S>) -> [Double] {
        let n = batch.rows, d = batch.dimension
        var out = [Double](repeating: 0, count: n * n)
        if let fast = floatSquaredDistances(batch) { return fast }
        if n * n * d >= gramThreshold && n > 2 {
            let g = gram(batch, center: nil)
            for i in 0..<n {
                for j in (i + 1)..<n {
                    let v = max(0, g[i * n + i] + g[j * n + j] - 2 * g[i * n + j])
                    out[i * n + j] = v
                    out[j * n + i] = v
                }
            }
            return out
        }
        batch.values.withUnsafeBufferPointer { x in
            for i in 0..<n {
                for j in (i + 1)..<n {
                    var s = 0.0
                    let a = i * d, b = j * d
                    for k in 0..<d {
                        let t = Double(x[a + k]) - Double(x[b + k])
                        s += t * t
                    }
                    out[i * n + j] = s
                    out[j * n + i] = s
                }
            }
        }
        return out
    }

    /// n × n inner products ⟨x_i − c, x_j − c⟩ in Double (c = `center`, or 0), full symmetric matrix.
    static func gram<S>(_ batch: UpdateBatch<S>, center: [Double]?) -> [Double] {
        let n = batch.rows, d = batch.dimension
        var g = [Double](repeating: 0, count: n * n)
        guard n > 0 else { return g }
        if n * n * d < gramThreshold {
            batch.values.withUnsafeBufferPointer { x in
                var ri = [Double](repeating: 0, count: d), rj = [Double](repeating: 0, count: d)
                for i in 0..<n {
                    for k in 0..<d { ri[k] = Double(x[i * d + k]) - (center?[k] ?? 0) }
                    for j in i..<n {
                        for k in 0..<d { rj[k] = Double(x[j * d + k]) - (center?[k] ?? 0) }
                        var s = 0.0
                        for k in 0..<d { s += ri[k] * rj[k] }
                        g[i * n + j] = s
                        g[j * n + i] = s
                    }
                }
            }
            return g
        }
        _ = BLAS.threads  // applies the project's single-thread default before the first BLAS call
        let w = min(blockWidth, d)
        var block = [Double](repeating: 0, count: n * w)
        batch.values.withUnsafeBufferPointer { x in
            g.withUnsafeMutableBufferPointer { gp in
                var k0 = 0
                var beta = 0.0
                while k0 < d {
                    let width = min(w, d - k0)
                    block.withUnsafeMutableBufferPointer { bp in
                        // x − 0 = x exactly, so skipping the subtraction without a center is bit-identical.
                        for i in 0..<n {
                            let src = i * d + k0, dst = i * width
                            if let center {
                                for c in 0..<width { bp[dst + c] = Double(x[src + c]) - center[k0 + c] }
                            } else {
                                for c in 0..<width { bp[dst + c] = Double(x[src + c]) }
                            }
                        }
                    }
                    block.withUnsafeBufferPointer { bp in
                        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(width), 1.0,
                                    bp.baseAddress, Int32(width), beta, gp.baseAddress, Int32(n))
                    }
                    beta = 1.0
                    k0 += width
                }
            }
        }
        for i in 0..<n { for j in (i + 1)..<n { g[j * n + i] = g[i * n + j] } }
        return g
    }

    /// Euclidean norm of every row, accumulated in Double (column-blocked, eight lanes).
    static func rowNorms<S>(_ batch: UpdateBatch<S>) -> [Double] {
        rowSquaredDistances(batch, to: nil).map { $0.squareRoot() }
    }

    /// The mean of the given rows (in the given order), in Double.
    static func meanOfRows<S>(_ batch: UpdateBatch<S>, _ indices: [Int]) -> [Double] {
        var sum = accumulate(batch, rows: indices)
        let scale = 1.0 / Double(max(1, indices.count))
        for k in sum.indices { sum[k] *= scale }
        return sum
    }

    /// Σ_i w_i x_i / Σ_i w_i in Double (rows with w_i = 0 skipped).
    static func weightedMean<S>(_ batch: UpdateBatch<S>, weights: [Double]) -> [Double] {
        let rows = (0..<batch.rows).filter { weights[$0] != 0 }
        var total = 0.0
        for i in rows { total += weights[i] }
        var sum = accumulate(batch, rows: rows, weights: rows.map { weights[$0] })
        for k in sum.indices { sum[k] /= total }
        return sum
    }

    // MARK: - Column iteration

    /// Calls `body(column, k)` for every coordinate k with the n values of that column in a scratch
    /// buffer (which `body` may reorder). Columns are gathered in blocks for cache-friendly reads.
    static func forEachColumn<S>(_ batch: UpdateBatch<S>, _ body: (UnsafeMutableBufferPointer<Double>, Int) -> Void) {
        let n = batch.rows, d = batch.dimension
        guard n > 0, d > 0 else { return }
        let w = min(blockWidth, d)
        var block = [Double](repeating: 0, count: n * w)
        var column = [Double](repeating: 0, count: n)
        batch.values.withUnsafeBufferPointer { x in
            var k0 = 0
            while k0 < d {
                let width = min(w, d - k0)
                for i in 0..<n {
                    let src = i * d + k0
                    for c in 0..<width { block[c * n + i] = Double(x[src + c]) }
                }
                column.withUnsafeMutableBufferPointer { col in
                    for c in 0..<width {
                        for i in 0..<n { col[i] = block[c * n + i] }
                        body(col, k0 + c)
                    }
                }
                k0 += width
            }
        }
    }

    // MARK: - Selection

    /// Rearranges `a[lo..<hi]` so that `a[k]` is the value a full sort would put there, with no
    /// larger value before it and no smaller after it (Hoare selection, median-of-three pivot).
    /// `companion`, when given, is permuted alongside.
    static func nthElement(_ a: UnsafeMutableBufferPointer<Double>, _ lo: Int, _ hi: Int, _ k: Int,
                           companion: UnsafeMutableBufferPointer<Double>? = nil) {
        var lo = lo, hi = hi - 1
        @inline(__always) func swapAt(_ i: Int, _ j: Int) {
            a.swapAt(i, j)
            companion?.swapAt(i, j)
        }
        while hi > lo {
            if hi - lo < 16 {
                // Insertion sort of the small range.
                for i in (lo + 1)...hi {
                    var j = i
                    while j > lo && a[j - 1] > a[j] {
                        swapAt(j - 1, j)
                        j -= 1
                    }
                }
                return
            }
            let mid = lo + (hi - lo) / 2
            if a[mid] < a[lo] { swapAt(mid, lo) }
            if a[hi] < a[lo] { swapAt(hi, lo) }
            if a[hi] < a[mid] { swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j {
                    swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return }
        }
    }

    /// Sorts `a[lo..<hi]` ascending (insertion sort; for the small ranges of fixtures and n ≤ 32).
    static func insertionSort(_ a: UnsafeMutableBufferPointer<Double>, _ lo: Int, _ hi: Int,
                              companion: UnsafeMutableBufferPointer<Double>? = nil) {
        guard hi - lo > 1 else { return }
        for i in (lo + 1)..<hi {
            var j = i
            while j > lo && a[j - 1] > a[j] {
                a.swapAt(j - 1, j)
                companion?.swapAt(j - 1, j)
                j -= 1
            }
        }
    }

    /// The median of `a[0..<n]` (mean of the two middle values for even n); reorders `a`.
    static func median(_ a: UnsafeMutableBufferPointer<Double>, _ n: Int) -> Double {
        if n <= 32 {
            insertionSort(a, 0, n)
            return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2
        }
        let h = n / 2
        nthElement(a, 0, n, h)
        if n % 2 == 1 { return a[h] }
        var lower = a[0]
        for i in 1..<h where a[i] > lower { lower = a[i] }
        return (lower + a[h]) / 2
    }

    /// Stable argsort of `keys` (ties by lowest index).
    static func stableOrder(_ keys: [Double]) -> [Int] {
        let keys = keys.map { $0.isNaN ? Double.infinity : $0 }
        return keys.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
    }
}

extension RobustKernels {
    /// Σ_i w_i x_i in Double (no normalisation; rows with w_i = 0 skipped).
    static func combination<S>(_ batch: UpdateBatch<S>, coefficients: [Double]) -> [Double] {
        let rows = (0..<batch.rows).filter { coefficients[$0] != 0 }
        return accumulate(batch, rows: rows, weights: rows.map { coefficients[$0] })
    }
}
