#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Softmax cross-entropy kernels on a `rows × classes` row-major matrix of logits.
///
/// Each row is shifted by its maximum before `exp` (so logits of ±1e4 give finite losses), all in
/// Float32 as in the NumPy reference (`tasks.t1_train_numpy`): `p = exp(z − max) / Σ exp(z − max)`.
/// The per-row loss is `log Σ exp(z − max) − (z_y − max)`; row losses are summed in Double, in row
/// order. Labels outside `0 ..< classes` are programmer errors (the `Dataset` already rejects them).
package enum SoftmaxKernels {
    /// Replaces the logits, in place, by the gradient of the **mean** cross-entropy with respect to
    /// them, `(softmax(z) − onehot(y)) / rows`, and returns the **sum** of the row losses.
    ///
    /// Operation order follows the reference: divide by the row sum, subtract 1 at the label, divide
    /// by `rows`.
    package static func crossEntropyGradientInPlace(
        _ logits: UnsafeMutableBufferPointer<Float>, rows: Int, classes: Int, labels: UnsafeBufferPointer<Int32>
    ) -> Double {
        precondition(classes > 0 && logits.count >= rows * classes && labels.count >= rows,
                     "crossEntropyGradient: \(logits.count) logits, \(labels.count) labels for \(rows) × \(classes)")
        let batch = Float(rows)
        var total = 0.0
        for r in 0..<rows {
            let label = Int(labels[r])
            precondition(label >= 0 && label < classes, "crossEntropyGradient: label \(label) outside 0..<\(classes)")
            let row = UnsafeMutableBufferPointer(rebasing: logits[(r * classes)..<((r + 1) * classes)])
            var top = row[0]
            for j in 1..<classes { top = max(top, row[j]) }
            let shiftedLabel = row[label] - top
            var sum: Float = 0
            for j in 0..<classes {
                let e = exp(row[j] - top)
                row[j] = e
                sum += e
            }
            total += Double(log(sum) - shiftedLabel)
            for j in 0..<classes { row[j] /= sum }
            row[label] -= 1
            for j in 0..<classes { row[j] /= batch }
        }
        return total
    }

    /// The sum of the row losses and the number of rows whose arg-max (first maximum, as NumPy's
    /// `argmax`) equals the label. The logits are left unchanged.
    package static func crossEntropyAndCorrect(
        _ logits: UnsafeBufferPointer<Float>, rows: Int, classes: Int, labels: UnsafeBufferPointer<Int32>
    ) -> (lossSum: Double, correct: Int) {
        precondition(classes > 0 && logits.count >= rows * classes && labels.count >= rows,
                     "crossEntropyAndCorrect: \(logits.count) logits, \(labels.count) labels for \(rows) × \(classes)")
        var total = 0.0
        var correct = 0
        for r in 0..<rows {
            let label = Int(labels[r])
            precondition(label >= 0 && label < classes, "crossEntropyAndCorrect: label \(label) outside 0..<\(classes)")
            let base = r * classes
            var top = logits[base]
            var best = 0
            for j in 1..<classes where logits[base + j] > top {
                top = logits[base + j]
                best = j
            }
            var sum: Float = 0
            for j in 0..<classes { sum += exp(logits[base + j] - top) }
            total += Double(log(sum) - (logits[base + label] - top))
            if best == label { correct += 1 }
        }
        return (total, correct)
    }
}
