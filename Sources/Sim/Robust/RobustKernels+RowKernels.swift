// Float batches of the row kernels through CKernels' AVX-512 / AVX2 versions (rows.c): the same
// operations in the same order per value as the Swift loops in RobustKernels+Sweeps.swift, so the
// same bits (tested in SIMDKernelTests). Each function returns nil when the batch is not Float or
// no kernel applies, and the caller runs its Swift loop.

import CKernels

extension RobustKernels {
    /// Whether `vectorRowReduce` and `vectorAccumulate` run for this batch (Float, kernels available).
    static func rowKernelsApply<S>(_ batch: UpdateBatch<S>) -> Bool {
        S.self == Float.self && gw_simd_level() >= 2
    }

    /// `rowReduce` of a Float batch.
    static func vectorRowReduce<S>(_ batch: UpdateBatch<S>, _ vector: [Double]?, squares: Bool) -> [Double]? {
        guard let batch = batch as? UpdateBatch<Float> else { return nil }
        let n = batch.rows, d = batch.dimension
        var out = [Double](repeating: 0, count: n)
        let done = batch.values.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { op in
                withOptionalPointer(vector) { v in
                    gw_row_reduce(xs.baseAddress, Int64(n), Int64(d), v, squares, op.baseAddress)
                }
            }
        }
        return done ? out : nil
    }

    /// `accumulate` of a Float batch.
    static func vectorAccumulate<S>(_ batch: UpdateBatch<S>, rows: [Int], weights: [Double]?, center: [Double]?) -> [Double]? {
        guard let batch = batch as? UpdateBatch<Float> else { return nil }
        let d = batch.dimension
        var out = [Double](repeating: 0, count: d)
        let indices = rows.map(Int64.init)
        let done = batch.values.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { op in
                withOptionalPointer(weights) { w in
                    withOptionalPointer(center) { c in
                        gw_accumulate(xs.baseAddress, Int64(d), indices, Int64(rows.count), w, c, op.baseAddress)
                    }
                }
            }
        }
        return done ? out : nil
    }

    /// `body` with the array's base address, or nil for a nil array.
    static func withOptionalPointer<T>(_ values: [Double]?, _ body: (UnsafePointer<Double>?) -> T) -> T {
        guard let values else { return body(nil) }
        return values.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
