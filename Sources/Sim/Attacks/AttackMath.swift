// Column statistics of the honest updates, accumulated in Double whatever the update's float
// type (spec §0 recommendation 1), in the same order of operations as numpy's float64 path:
// the mean is the row-by-row sum divided by n; the sample variance is Σ (x − μ)² / (n − 1).

/// Shared arithmetic of the omniscient attacks (internal).
enum AttackMath {
    /// The coordinate-wise mean of the rows.
    static func mean<S: BinaryFloatingPoint & Sendable>(_ batch: UpdateBatch<S>) -> [Double] {
        let d = batch.dimension
        var sum = [Double](repeating: 0, count: d)
        batch.values.withUnsafeBufferPointer { values in
            for row in 0..<batch.rows {
                let base = row * d
                for k in 0..<d { sum[k] += Double(values[base + k]) }
            }
        }
        let n = Double(batch.rows)
        return sum.map { $0 / n }
    }

    /// The coordinate-wise sample standard deviation (ddof = 1); needs at least two rows.
    static func sampleStd<S: BinaryFloatingPoint & Sendable>(_ batch: UpdateBatch<S>, mean: [Double]) -> [Double] {
        let d = batch.dimension
        var squares = [Double](repeating: 0, count: d)
        batch.values.withUnsafeBufferPointer { values in
            for row in 0..<batch.rows {
                let base = row * d
                for k in 0..<d {
                    let deviation = Double(values[base + k]) - mean[k]
                    squares[k] += deviation * deviation
                }
            }
        }
        let denominator = Double(batch.rows - 1)
        return squares.map { ($0 / denominator).squareRoot() }
    }

    /// Row `index` as Doubles.
    static func row<S: BinaryFloatingPoint & Sendable>(_ batch: UpdateBatch<S>, _ index: Int) -> [Double] {
        batch.row(index).map { Double($0) }
    }

    /// ‖a − b‖² for a row of the batch and a Double vector.
    static func squaredDistance<S: BinaryFloatingPoint & Sendable>(_ batch: UpdateBatch<S>, row: Int, to vector: [Double]) -> Double {
        let d = batch.dimension, base = row * d
        return batch.values.withUnsafeBufferPointer { values in
            var total = 0.0
            for k in 0..<d {
                let difference = Double(values[base + k]) - vector[k]
                total += difference * difference
            }
            return total
        }
    }

    /// ‖x_i − x_j‖² between two rows of the batch.
    static func squaredDistance<S: BinaryFloatingPoint & Sendable>(_ batch: UpdateBatch<S>, _ i: Int, _ j: Int) -> Double {
        let d = batch.dimension, a = i * d, b = j * d
        return batch.values.withUnsafeBufferPointer { values in
            var total = 0.0
            for k in 0..<d {
                let difference = Double(values[a + k]) - Double(values[b + k])
                total += difference * difference
            }
            return total
        }
    }

    /// The Euclidean norm.
    static func norm(_ vector: [Double]) -> Double {
        var total = 0.0
        for value in vector { total += value * value }
        return total.squareRoot()
    }

    /// numpy's `sign`: −1, 0 or +1.
    static func sign(_ value: Double) -> Double {
        value > 0 ? 1 : (value < 0 ? -1 : 0)
    }

    /// The vector in the update's float type, repeated `count` times.
    static func copies<S: BinaryFloatingPoint & Sendable>(_ vector: [Double], _ count: Int, as _: S.Type) -> [[S]] {
        let converted = vector.map { S($0) }
        return Array(repeating: converted, count: count)
    }
}
