/// Element-wise and reduction kernels of the dense layers: bias broadcast, ReLU and its backward
/// mask, column sums, and the parameter updates of the local optimizers.
///
/// Plain loops over buffer pointers, written so that the compiler can vectorise them in release
/// builds; the order of every floating-point operation is fixed (a column sum adds the rows in
/// order 0, 1, 2, …), so results are bit-reproducible. No kernel allocates.
package enum DenseKernels {
    // MARK: - Layers

    /// Writes `bias` into each of the `rows` rows of `out` (`rows × bias.count`, row-major).
    package static func broadcastRows(
        _ bias: UnsafeBufferPointer<Float>, rows: Int, into out: UnsafeMutableBufferPointer<Float>
    ) {
        let width = bias.count
        precondition(out.count >= rows * width, "broadcastRows: \(out.count) < \(rows) × \(width)")
        guard width > 0, let source = bias.baseAddress, let target = out.baseAddress else { return }
        for r in 0..<rows { (target + r * width).update(from: source, count: width) }
    }

    /// `x ← max(x, 0)` element-wise (NaN stays NaN).
    package static func reluInPlace(_ x: UnsafeMutableBufferPointer<Float>) {
        for i in 0..<x.count { x[i] = x[i] < 0 ? 0 : x[i] }
    }

    /// The ReLU backward step, in place: `activations[i] ← activations[i] > 0 ? upstream[i] : 0`.
    ///
    /// `activations` holds the layer's ReLU outputs (so `> 0` is the derivative mask, 0 at the kink
    /// as in PyTorch) and receives the gradient with respect to the pre-activation.
    package static func reluBackwardInPlace(
        activations: UnsafeMutableBufferPointer<Float>, upstream: UnsafeBufferPointer<Float>
    ) {
        precondition(upstream.count >= activations.count, "reluBackward: \(upstream.count) < \(activations.count)")
        for i in 0..<activations.count { activations[i] = activations[i] > 0 ? upstream[i] : 0 }
    }

    /// `out[j] ← Σ_r matrix[r, j]` for a `rows × out.count` row-major matrix, rows added in order.
    package static func columnSums(
        of matrix: UnsafeBufferPointer<Float>, rows: Int, into out: UnsafeMutableBufferPointer<Float>
    ) {
        let width = out.count
        precondition(matrix.count >= rows * width, "columnSums: \(matrix.count) < \(rows) × \(width)")
        for j in 0..<width { out[j] = 0 }
        for r in 0..<rows {
            let row = r * width
            for j in 0..<width { out[j] += matrix[row + j] }
        }
    }

    // MARK: - Optimizer updates

    /// `y ← y + a · x` element-wise (the counts must match).
    package static func addScaled(_ a: Float, _ x: UnsafeBufferPointer<Float>, to y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "addScaled: \(x.count) vs \(y.count)")
        for i in 0..<y.count { y[i] += a * x[i] }
    }

    /// `y ← y − a · x` element-wise (the counts must match); the SGD step `x ← x − lr·g`.
    package static func subtractScaled(
        _ a: Float, _ x: UnsafeBufferPointer<Float>, from y: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(x.count == y.count, "subtractScaled: \(x.count) vs \(y.count)")
        for i in 0..<y.count { y[i] -= a * x[i] }
    }

    /// `v ← mu · v + g` element-wise (the counts must match); the heavy-ball velocity update.
    package static func accumulateMomentum(
        _ mu: Float, gradient g: UnsafeBufferPointer<Float>, into v: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(g.count == v.count, "accumulateMomentum: \(g.count) vs \(v.count)")
        for i in 0..<v.count { v[i] = mu * v[i] + g[i] }
    }
}
