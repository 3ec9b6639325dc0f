// Iterative rules: the geometric median by smoothed Weiszfeld (RFA: Pillutla, Kakade, Harchaoui,
// IEEE TSP 2022) and centered clipping (Karimireddy, He, Jaggi, ICML 2021), specs §2.7 and §2.9.
//
// Weiszfeld step: β_i = 1 / max(ν, ‖z − x_i‖), z ← Σ β_i x_i / Σ β_i. Rows containing ±∞ are dropped
// first (ByzFL); if every row is dropped the result is the zero vector. With `tolerance` > 0 the loop
// stops when the objective F(z) = mean ‖z − x_i‖ changes by at most tolerance · F (geom_median's test);
// with `stepTolerance` > 0 it stops when a step moves z by at most stepTolerance · max(1, ‖z‖) (the
// `exact` preset); with both 0 exactly `maxIterations` steps run (ByzFL's fixed T).
// Centered clipping: v ← v + (1/n) Σ_i (x_i − v) · min(1, τ / ‖x_i − v‖), L times; a zero-length
// difference gets factor 1. v₀ is the given start, else the previous aggregate, else zero.

enum IterativeRules {
    static func geometricMedian<S>(_ batch: UpdateBatch<S>, options: WeiszfeldOptions, previous: [Double]?) -> [Double] {
        let d = batch.dimension
        var z: [Double]? = nil  // nil: the zero vector (distances are then plain norms, x − 0 = x exactly)
        var known: [Double]? = nil  // squared distances of the kept rows to z, when already computed
        let finite: [Int]
        if options.start == .zero || (options.start == .previous && previous == nil) {
            // The norms pass doubles as the ±∞ scan: a row with a finite squared norm holds no ±∞ (nor NaN).
            let norms = RobustKernels.rowSquaredDistances(batch, to: nil)
            finite = (0..<batch.rows).filter { norms[$0].isFinite || !RobustKernels.rowHasInfinity(batch, $0) }
            known = finite.map { norms[$0] }
        } else {
            finite = RobustKernels.rowsWithoutInfinity(batch)
        }
        guard !finite.isEmpty else { return [Double](repeating: 0, count: d) }
        let x = finite.count == batch.rows ? batch : batch.selecting(finite)
        let n = x.rows
        switch options.start {
        case .zero: break
        case .mean: z = CoordinateRules.mean(x)
        case .previous: z = previous
        }
        var weights = [Double](repeating: 0, count: n)
        var previousObjective = Double.infinity
        let all = Array(0..<n)
        // The Swift one-pass sweep, unless the row kernels (CKernels) run: their two passes are faster
        // than it and give the same bits (as the one pass gives the two passes').
        let onePass = RobustKernels.rowPassFits(x) && !RobustKernels.rowKernelsApply(x)
        for _ in 0..<options.maxIterations {
            let weight: (Int, Double) -> Double = { _, squared in 1 / max(options.nu, squared.squareRoot()) }
            var squared: [Double]
            var sum: [Double]? = nil
            if let k = known {
                squared = k
                known = nil
            } else if onePass {
                // Distances and the weighted sum in one pass over the rows (bit-identical to two passes).
                (sum, squared) = RobustKernels.rowPass(x, center: z, centered: false, roundToScalar: false, factor: weight)
            } else {
                squared = RobustKernels.rowSquaredDistances(x, to: z)
            }
            var objective = 0.0
            for i in 0..<n {
                let dist = squared[i].squareRoot()
                objective += dist
                weights[i] = weight(i, squared[i])
            }
            objective /= Double(n)
            if options.tolerance > 0 {
                if abs(previousObjective - objective) <= options.tolerance * objective { break }
                previousObjective = objective
            }
            var total = 0.0
            for i in 0..<n { total += weights[i] }
            var next = sum ?? RobustKernels.accumulate(x, rows: all, weights: weights)
            var step = 0.0, size = 0.0
            for k in 0..<d {
                next[k] /= total
                let zk = z?[k] ?? 0
                step += (next[k] - zk) * (next[k] - zk)
                size += next[k] * next[k]
            }
            z = next
            if options.stepTolerance > 0 && step.squareRoot() <= options.stepTolerance * max(1, size.squareRoot()) { break }
        }
        return z ?? [Double](repeating: 0, count: d)
    }

    static func centeredClipping<S>(_ batch: UpdateBatch<S>, tau: Double, iterations: Int, start: [Double]) -> [Double] {
        let n = batch.rows, d = batch.dimension
        var v = start
        let all = Array(0..<n)
        let factor: (Int, Double) -> Double = { _, s in
            let norm = s.squareRoot()
            return norm > 0 ? min(1, tau / norm) : 1
        }
        for _ in 0..<iterations {
            // x − 0 = x exactly: a zero v (the first round's start) needs no center at all.
            let center: [Double]? = v.allSatisfy { $0 == 0 } ? nil : v
            var step: [Double]
            if RobustKernels.rowPassFits(batch) {
                // ‖x_i − v‖ and the clipped step in one pass over each row (bit-identical to two passes).
                step = RobustKernels.rowPass(batch, center: center, centered: true, roundToScalar: false, factor: factor).sum
            } else {
                // Pass 1: ‖x_i − v‖ for every row; pass 2: Σ_i (x_i − v) · factor_i (x − v recomputed, not stored).
                let factors = RobustKernels.rowSquaredDistances(batch, to: center).enumerated().map { factor($0.offset, $0.element) }
                step = RobustKernels.accumulate(batch, rows: all, weights: factors, center: center)
            }
            // v ← v + step / n, written into the step's fresh array (no copy of v).
            v.withUnsafeBufferPointer { vp in
                step.withUnsafeMutableBufferPointer { sp in
                    for k in 0..<d { sp[k] = vp[k] + sp[k] / Double(n) }
                }
            }
            v = step
        }
        return v
    }
}
