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

    /// Largest d for which `vectorSumOfDisjointRows` runs: its whole-row passes reread the d-long
    /// Double accumulator once per pass, which pays while it stays in L2 (1 MiB); above, the Swift
    /// sweep's 65,536-column blocks with eight rows per pass measured faster (RESULTS note 25).
    static let groupedSumLimit = 131_072

    /// `sumOfDisjointRows` of a Float batch of at most `groupedSumLimit` columns.
    static func vectorSumOfDisjointRows<S>(_ batch: UpdateBatch<S>, members: [[Int]], scales: [Double?]) -> [Double]? {
        guard let batch = batch as? UpdateBatch<Float>, batch.dimension <= groupedSumLimit else { return nil }
        let d = batch.dimension
        var out = [Double](repeating: 0, count: d)
        let rows = members.flatMap { $0 }.map(Int64.init)
        var starts: [Int32] = [0]
        for m in members { starts.append(starts[starts.count - 1] + Int32(m.count)) }
        let factors = scales.map { $0 ?? 1 }
        let scaled = scales.map { $0 != nil ? UInt8(1) : 0 }
        let exact = zip(members, scales).map { $0.count == 1 && floatExact($1, as: Float.self) ? UInt8(1) : 0 }
        let done = batch.values.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { op in
                gw_sum_groups(xs.baseAddress, Int64(d), rows, starts, Int64(members.count), factors, scaled, exact, op.baseAddress)
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
