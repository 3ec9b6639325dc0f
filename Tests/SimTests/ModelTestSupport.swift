import Foundation
import Sim

/// Deterministic test inputs and Double-precision reference implementations for the model tests.
enum ModelFixtures {
    /// `count` floats uniform in [−scale, scale) from the portable generator.
    static func floats(seed: UInt64, count: Int, scale: Double = 1) -> [Float] {
        (0..<count).map { Float((PortableRandom.uniform(seed: seed, index: UInt64($0)) * 2 - 1) * scale) }
    }

    /// `count` labels in 0..<classes.
    static func labels(seed: UInt64, count: Int, classes: Int) -> [Int32] {
        (0..<count).map { Int32(PortableRandom.u64(seed: seed, index: UInt64($0)) % UInt64(classes)) }
    }

    /// A random data set of `count` samples.
    static func dataset(seed: UInt64, count: Int, dimension: Int, classes: Int) -> Dataset {
        Dataset(features: floats(seed: seed, count: count * dimension),
                labels: labels(seed: seed &+ 1, count: count, classes: classes),
                dimension: dimension, classes: classes)
    }

    /// Mean softmax cross-entropy of the model in Double: relu hidden layers, then softmax.
    static func referenceLoss(spec: ModelSpec, parameters: [Double], features: [Float], labels: [Int32]) -> Double {
        let rows = labels.count
        var activations = features.map(Double.init)
        var width = spec.inputs
        var offset = 0
        let shapes = spec.layerShapes
        for (l, shape) in shapes.enumerated() {
            var next = [Double](repeating: 0, count: rows * shape.outputs)
            for r in 0..<rows {
                for o in 0..<shape.outputs {
                    var z = parameters[offset + shape.inputs * shape.outputs + o]
                    for i in 0..<shape.inputs {
                        z += activations[r * width + i] * parameters[offset + i * shape.outputs + o]
                    }
                    next[r * shape.outputs + o] = l < shapes.count - 1 ? max(z, 0) : z
                }
            }
            offset += shape.inputs * shape.outputs + shape.outputs
            activations = next
            width = shape.outputs
        }
        var total = 0.0
        for r in 0..<rows {
            let row = activations[(r * width)..<((r + 1) * width)]
            let top = row.max() ?? 0
            let logSum = log(row.reduce(0) { $0 + exp($1 - top) }) + top
            total += logSum - row[r * width + Int(labels[r])]
        }
        return total / Double(rows)
    }

    /// One plain-SGD epoch of multinomial logistic regression in Double, written from the update rule
    /// `W ← W − lr · Xᵀ(P − Y)/B`, `b ← b − lr · Σ_rows (P − Y)/B` over consecutive batches of the
    /// rows `order`, the last partial batch kept.
    static func referenceLogisticEpoch(
        parameters: [Float], inputs: Int, classes: Int, data: Dataset, order: [Int], batch: Int, learningRate: Double
    ) -> [Double] {
        var w = parameters.map(Double.init)
        let biasOffset = inputs * classes
        var start = 0
        while start < order.count {
            let rows = Array(order[start..<min(start + batch, order.count)])
            var gradient = [Double](repeating: 0, count: w.count)
            for r in rows {
                let x = (0..<inputs).map { Double(data.features[r * inputs + $0]) }
                let z = (0..<classes).map { c in
                    w[biasOffset + c] + (0..<inputs).reduce(0.0) { $0 + x[$1] * w[$1 * classes + c] }
                }
                let top = z.max() ?? 0
                let e = z.map { exp($0 - top) }
                let s = e.reduce(0, +)
                for c in 0..<classes {
                    let delta = (e[c] / s - (c == Int(data.labels[r]) ? 1 : 0)) / Double(rows.count)
                    for i in 0..<inputs { gradient[i * classes + c] += x[i] * delta }
                    gradient[biasOffset + c] += delta
                }
            }
            for k in 0..<w.count { w[k] -= learningRate * gradient[k] }
            start += batch
        }
        return w
    }
}
