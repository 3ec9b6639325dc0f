// The rules linear in n·d (mean, static clipping + mean, ARC + mean, centered clipping) on Float
// batches through the runtime-dispatched AVX-512 / AVX2 kernels of CKernels (linear.c).
//
// Swift compiles for baseline x86-64, where widening a Float to Double runs two lanes per
// instruction; the C kernels use 8- and 16-lane conversions and read the rows in a few long
// streams, which brings these rules close to one (mean) or two (the clipping rules) memory passes.
// Each kernel computes exactly what its Swift counterpart computes — same operations, same order
// per output value (linear.c lists them) — so every function here returns either the Swift path's
// bits or nil: nil when gw_simd_level() < 2 (other CPUs, GRADWIRE_SIMD=0) or when a precondition
// of the kernel does not hold, and the caller then runs the Swift path. docs/simd-kernels.md.

import CKernels

enum LinearKernels {
    /// Whether the kernels run (an AVX2 or AVX-512 CPU, not capped by GRADWIRE_SIMD).
    static var available: Bool { gw_simd_level() >= 2 }

    /// d Floats written by `fill` (which reports whether it wrote them), or nil.
    private static func floats(_ d: Int, _ fill: (UnsafeMutablePointer<Float>) -> Bool) -> [Float]? {
        var done = false
        let out = [Float](unsafeUninitializedCapacity: d) { buffer, count in
            done = fill(buffer.baseAddress!)
            count = done ? d : 0
        }
        return done ? out : nil
    }

    /// Runs `body` on the batch's values when the kernels apply (n, d > 0).
    private static func withRows<T>(_ batch: UpdateBatch<Float>,
                                    _ body: (UnsafePointer<Float>, Int64, Int64) -> T?) -> T? {
        guard available, batch.rows > 0, batch.dimension > 0 else { return nil }
        return batch.values.withUnsafeBufferPointer { body($0.baseAddress!, Int64(batch.rows), Int64(batch.dimension)) }
    }

    /// `CoordinateRules.mean` rounded to Float.
    static func mean(_ batch: UpdateBatch<Float>) -> [Float]? {
        withRows(batch) { x, n, d in floats(Int(d)) { gw_mean_rows(x, n, d, $0) } }
    }

    /// `clipSquaredNorm` of every row.
    static func clipSquaredNorms(_ batch: UpdateBatch<Float>) -> [Double]? {
        withRows(batch) { x, n, d in
            var done = false
            let out = [Double](unsafeUninitializedCapacity: Int(n)) { buffer, count in
                done = gw_clip_squared_norms(x, n, d, buffer.baseAddress!)
                count = done ? Int(n) : 0
            }
            return done ? out : nil
        }
    }

    /// mean(clipping(batch, c)) rounded to Float (`AggregationChain.fusedMean`).
    static func clippedMean(_ batch: UpdateBatch<Float>, c: Double) -> [Float]? {
        withRows(batch) { x, n, d in floats(Int(d)) { gw_clipped_mean(x, n, d, c, $0) } }
    }

    /// `PreAggregators.meanOfRows(batch, rows)` rounded to Float, for the rows of static clipping and
    /// ARC (output row r is input row r, scaled or not); nil for other row sets and for scales that
    /// are not Float values (the kernel multiplies in Float, see `RobustKernels.floatExact`).
    static func meanOfScaledRows(_ batch: UpdateBatch<Float>, _ rows: VirtualRows) -> [Float]? {
        guard rows.count == batch.rows, rows.members.enumerated().allSatisfy({ $0.element == [$0.offset] }),
            rows.scales.allSatisfy({ $0 == nil || RobustKernels.floatExact($0, as: Float.self) })
        else { return nil }
        let factors = rows.scales.map { Float($0 ?? 1) }
        let scale = 1.0 / Double(max(1, rows.count))
        return withRows(batch) { x, n, d in floats(Int(d)) { gw_scaled_mean(x, n, d, factors, scale, $0) } }
    }

    /// Centered clipping of a Float batch rounded to Float (`IterativeRules.centeredClipping`, then
    /// the aggregate's rounding); `start` nil is the zero vector.
    static func centeredClipping(_ batch: UpdateBatch<Float>, tau: Double, iterations: Int,
                                 start: [Double]?) -> [Float]? {
        centeredSteps(batch, tau: tau, iterations: iterations, start: start, roundLast: true)?.rounded
    }

    /// `IterativeRules.centeredClipping` of a Float batch, in Double; `start` nil is the zero vector.
    static func centeredClippingInDouble(_ batch: UpdateBatch<Float>, tau: Double, iterations: Int,
                                         start: [Double]?) -> [Double]? {
        centeredSteps(batch, tau: tau, iterations: iterations, start: start, roundLast: false)?.exact
    }

    /// The iterations, each step's v in Double except the last one's when `roundLast` (then only
    /// its Float rounding is written).
    private static func centeredSteps(_ batch: UpdateBatch<Float>, tau: Double, iterations: Int, start: [Double]?,
                                      roundLast: Bool) -> (exact: [Double]?, rounded: [Float]?)? {
        guard iterations > 0 else { return nil }
        return withRows(batch) { x, n, d in
            var v = start
            for step in 0..<iterations {
                // x − 0 = x exactly: a zero v needs no center (as the Swift path decides).
                let center = v.flatMap { $0.allSatisfy { $0 == 0 } ? nil : $0 }
                let rounding = roundLast && step == iterations - 1
                var done = false
                var next: [Double] = []
                var out: [Float]? = nil
                RobustKernels.withOptionalPointer(center) { c in
                    RobustKernels.withOptionalPointer(v) { vp in
                        if rounding {
                            out = floats(Int(d)) { gw_centered_clipping_step(x, n, d, c, vp, tau, nil, $0) }
                            done = out != nil
                        } else {
                            next = [Double](unsafeUninitializedCapacity: Int(d)) { buffer, count in
                                done = gw_centered_clipping_step(x, n, d, c, vp, tau, buffer.baseAddress!, nil)
                                count = done ? Int(d) : 0
                            }
                        }
                    }
                }
                guard done else { return nil }
                if rounding { return (nil, out) }
                v = next
            }
            return (v, nil)
        }
    }
}
