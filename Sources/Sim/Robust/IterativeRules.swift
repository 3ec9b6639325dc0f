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
        let finite = RobustKernels.rowsWithoutInfinity(batch)
        guard !finite.isEmpty else { return [Double](repeating: 0, count: d) }
        let x = finite.count == batch.rows ? batch : batch.selecting(finite)
        let n = x.rows
        var z: [Double]
        switch options.start {
        case .zero: z = [Double](repeating: 0, count: d)
        case .mean: z = CoordinateRules.mean(x)
        case .previous: z = previous ?? [Double](repeating: 0, count: d)
        }
        var weights = [Double](repeating: 0, count: n)
        var previousObjective = Double.infinity
        let all = Array(0..<n)
        for _ in 0..<options.maxIterations {
            let squared = RobustKernels.rowSquaredDistances(x, to: z)
            var objective = 0.0
            for i in 0..<n {
                let dist = squared[i].squareRoot()
                objective += dist
                weights[i] = 1 / max(options.nu, dist)
            }
            objective /= Double(n)
            if options.tolerance > 0 {
                if abs(previousObjective - objective) <= options.tolerance * objective { break }
                previousObjective = objective
            }
            var total = 0.0
            for i in 0..<n { total += weights[i] }
            var next = RobustKernels.accumulate(x, rows: all, weights: weights)
            var step = 0.0, size = 0.0
            for k in 0..<d {
                next[k] /= total
                step += (next[k] - z[k]) * (next[k] - z[k])
                size += next[k] * next[k]
            }
            z = next
            if options.stepTolerance > 0 && step.squareRoot() <= options.stepTolerance * max(1, size.squareRoot()) { break }
        }
        return z
    }

    static func centeredClipping<S>(_ batch: UpdateBatch<S>, tau: Double, iterations: Int, start: [Double]) -> [Double] {
        let n = batch.rows, d = batch.dimension
        var v = start
        let all = Array(0..<n)
        for _ in 0..<iterations {
            // Pass 1: ‖x_i − v‖ for every row; pass 2: Σ_i (x_i − v) · factor_i (x − v recomputed, not stored).
            let factors = RobustKernels.rowSquaredDistances(batch, to: v).map { s in
                let norm = s.squareRoot()
                return norm > 0 ? min(1, tau / norm) : 1
            }
            let step = RobustKernels.accumulate(batch, rows: all, weights: factors, center: v)
            for k in 0..<d { v[k] += step[k] / Double(n) }
        }
        return v
    }
}
