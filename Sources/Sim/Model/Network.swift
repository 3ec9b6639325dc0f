// Network — the forward and backward pass of Gradwire's models.
//
// What. A multilayer perceptron with ReLU hidden layers and a softmax cross-entropy head, over one
// flat Float32 parameter vector in the wire layout of benchmarks/TASKS.md:
// `[W1 (in, out) row-major, b1, W2, b2, …]`. With no hidden layer it is multinomial logistic
// regression (T1); 784→200→10 is T2, 64→128→10 is T5. The network is stateless: parameters come
// in, loss and gradient go out, and a caller-owned `Workspace` holds the activations so that a
// training loop allocates nothing per minibatch once the workspace has grown to the largest batch.
//
// Forward, for a batch X of `rows` samples (rows × inputs, row-major):
//     A0 = X,  A_l = relu(A_{l−1} W_l + b_l)  (hidden layers),  Z = A_{L−1} W_L + b_L  (logits)
// each affine map computed as "broadcast the bias into the output, then sgemm with beta = 1".
// Loss: mean over the rows of the softmax cross-entropy, with every row shifted by its maximum.
// Backward (the rule of `tasks.t1_train_numpy`, generalised to hidden layers):
//     dZ_L = (softmax(Z) − onehot(y)) / rows
//     dW_l = A_{l−1}ᵀ dZ_l,   db_l = column sums of dZ_l,   dZ_{l−1} = (dZ_l W_lᵀ) ⊙ [A_{l−1} > 0]
//
// Source. The T1 NumPy reference (`peers/tasks.py`, `t1_train_numpy`) and PyTorch's `nn.Linear` +
// `CrossEntropyLoss(reduction="mean")`; the ReLU derivative is 0 at 0, as in PyTorch.
//
// Deviations and numerical caveats. All model math is Float32; the loss is accumulated over rows
// in Double (it is a reported figure, not part of the update). Products go through OpenBLAS
// single-threaded, which is bit-reproducible on one machine but may differ from NumPy's BLAS in the
// last ulps; `expf`/`logf` may differ from NumPy's SIMD `exp` likewise. Row sums in the softmax
// are sequential where NumPy sums pairwise. Against the reference the updates agree to ~1e-7.

/// A feed-forward classifier of shape `spec`, evaluated on flat parameter vectors.
///
/// Stateless and `Sendable`: one `Network` may serve many threads, each with its own `Workspace`.
public struct Network: Sendable {
    /// The model's shape.
    public let spec: ModelSpec
    /// Number of parameters, `spec.parameterCount` (stored: the spec computes it by allocating).
    public let parameterCount: Int
    /// Per-layer shapes and offsets into the parameter vector, input side first.
    let layers: [Layer]
    /// `outputOffsets[l]` = Σ_{j<l} outputs_j: where layer l's activations start in the workspace, per row.
    let outputOffsets: [Int]
    /// Σ_l outputs_l: activation floats per row.
    let totalOutputs: Int
    /// The widest hidden layer (0 without one): size per row of the backward scratch buffer.
    let widestHidden: Int

    /// Creates the network for `spec`. The spec must be valid (`spec.validate()`; checked).
    public init(spec: ModelSpec) {
        do { try spec.validate() } catch { preconditionFailure("Network: \(error)") }
        self.spec = spec
        var layers: [Layer] = []
        var offsets: [Int] = []
        var parameterOffset = 0
        var outputOffset = 0
        for shape in spec.layerShapes {
            layers.append(Layer(inputs: shape.inputs, outputs: shape.outputs,
                                weightOffset: parameterOffset, biasOffset: parameterOffset + shape.inputs * shape.outputs))
            parameterOffset += shape.inputs * shape.outputs + shape.outputs
            offsets.append(outputOffset)
            outputOffset += shape.outputs
        }
        self.layers = layers
        self.outputOffsets = offsets
        self.totalOutputs = outputOffset
        self.widestHidden = spec.hidden.max() ?? 0
        self.parameterCount = parameterOffset
    }

    // MARK: - Public API

    /// The initial parameter vector for `initialization` (`spec.parameterCount` values).
    public func initialParameters(_ initialization: ModelInit) -> [Float] {
        initialization.parameters(for: spec)
    }

    /// Mean softmax cross-entropy over the rows of the batch and its gradient w.r.t. all parameters.
    ///
    /// `features` is `rows × spec.inputs` row-major with `rows = labels.count`; every label is in
    /// `0 ..< spec.classes`; `parameters.count == parameterCount` (all checked). `gradient` is resized to
    /// `parameterCount` if needed and overwritten. An empty batch has loss 0 and a zero gradient.
    /// `workspace` grows to the largest batch seen and is then reused without allocating.
    public func lossAndGradient(
        parameters: [Float], features: UnsafeBufferPointer<Float>, labels: UnsafeBufferPointer<Int32>,
        gradient: inout [Float], workspace: inout Workspace
    ) -> Float {
        precondition(parameters.count == parameterCount,
                     "lossAndGradient: \(parameters.count) parameters for a model of \(parameterCount)")
        if gradient.count != parameterCount { gradient = [Float](repeating: 0, count: parameterCount) }
        return parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                lossAndGradient(p, features: features, labels: labels, gradient: g, workspace: &workspace)
            }
        }
    }

    /// Reusable buffers of the forward and backward passes (activations and one scratch matrix).
    ///
    /// Owned by one caller at a time; it only grows, to the largest batch it has served.
    public struct Workspace: Sendable {
        /// Activations of every layer (rows × Σ outputs), then the backward scratch (rows × widest hidden).
        var storage: [Float] = []
        /// Gathered rows of a minibatch taken from a `Dataset` by index.
        var batchFeatures: [Float] = []
        /// Labels of the gathered rows.
        var batchLabels: [Int32] = []

        /// An empty workspace; it grows on first use.
        public init() {}

        mutating func reserve(rows: Int, for network: Network) {
            let needed = rows * (network.totalOutputs + network.widestHidden)
            if storage.count < needed { storage = [Float](repeating: 0, count: needed) }
        }
    }

    // MARK: - Internal passes

    /// One dense layer: `inputs → outputs`, its weight matrix and bias located in the parameter vector.
    struct Layer: Sendable {
        var inputs: Int
        var outputs: Int
        var weightOffset: Int
        var biasOffset: Int
    }

    /// The pointer form of `lossAndGradient`; `gradient.count == parameterCount`.
    func lossAndGradient(
        _ parameters: UnsafeBufferPointer<Float>, features: UnsafeBufferPointer<Float>,
        labels: UnsafeBufferPointer<Int32>, gradient: UnsafeMutableBufferPointer<Float>, workspace: inout Workspace
    ) -> Float {
        let rows = labels.count
        precondition(features.count == rows * spec.inputs,
                     "lossAndGradient: \(features.count) features for \(rows) rows of \(spec.inputs)")
        precondition(gradient.count == parameterCount, "lossAndGradient: gradient has \(gradient.count) elements")
        guard rows > 0 else {
            gradient.update(repeating: 0)
            return 0
        }
        workspace.reserve(rows: rows, for: self)
        return workspace.storage.withUnsafeMutableBufferPointer { storage in
            forward(parameters, features: features, rows: rows, storage: storage)
            let lossSum = SoftmaxKernels.crossEntropyGradientInPlace(
                activations(layers.count - 1, rows: rows, in: storage), rows: rows, classes: spec.classes, labels: labels)
            backward(parameters, features: features, rows: rows, storage: storage, gradient: gradient)
            return Float(lossSum / Double(rows))
        }
    }

    /// Layer `l`'s outputs for `rows` rows inside the workspace storage.
    func activations(_ l: Int, rows: Int, in storage: UnsafeMutableBufferPointer<Float>) -> UnsafeMutableBufferPointer<Float> {
        let start = rows * outputOffsets[l]
        return UnsafeMutableBufferPointer(rebasing: storage[start..<(start + rows * layers[l].outputs)])
    }

    /// Computes every layer's outputs into `storage`; the last layer's are the logits.
    func forward(
        _ parameters: UnsafeBufferPointer<Float>, features: UnsafeBufferPointer<Float>, rows: Int,
        storage: UnsafeMutableBufferPointer<Float>
    ) {
        var input = features
        for (l, layer) in layers.enumerated() {
            let output = activations(l, rows: rows, in: storage)
            DenseKernels.broadcastRows(slice(parameters, layer.biasOffset, layer.outputs), rows: rows, into: output)
            BLAS.sgemm(.none, .none, m: rows, n: layer.outputs, k: layer.inputs,
                       a: input, b: slice(parameters, layer.weightOffset, layer.inputs * layer.outputs),
                       beta: 1, c: output)
            if l < layers.count - 1 { DenseKernels.reluInPlace(output) }
            input = UnsafeBufferPointer(output)
        }
    }

    /// Back-propagates the logits' gradient (already in the last layer's storage) into `gradient`.
    /// Overwrites the hidden activations with their pre-activation gradients.
    func backward(
        _ parameters: UnsafeBufferPointer<Float>, features: UnsafeBufferPointer<Float>, rows: Int,
        storage: UnsafeMutableBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>
    ) {
        let scratchStart = rows * totalOutputs
        let scratch = UnsafeMutableBufferPointer(rebasing: storage[scratchStart..<(scratchStart + rows * widestHidden)])
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let layer = layers[l]
            let delta = UnsafeBufferPointer(activations(l, rows: rows, in: storage))
            let input = l == 0 ? features : UnsafeBufferPointer(activations(l - 1, rows: rows, in: storage))
            let weightGradient = UnsafeMutableBufferPointer(
                rebasing: gradient[layer.weightOffset..<(layer.weightOffset + layer.inputs * layer.outputs)])
            BLAS.sgemm(.transposed, .none, m: layer.inputs, n: layer.outputs, k: rows,
                       a: input, b: delta, beta: 0, c: weightGradient)
            DenseKernels.columnSums(
                of: delta, rows: rows,
                into: UnsafeMutableBufferPointer(rebasing: gradient[layer.biasOffset..<(layer.biasOffset + layer.outputs)]))
            guard l > 0 else { break }
            let upstream = UnsafeMutableBufferPointer(rebasing: scratch[0..<(rows * layer.inputs)])
            BLAS.sgemm(.none, .transposed, m: rows, n: layer.inputs, k: layer.outputs,
                       a: delta, b: slice(parameters, layer.weightOffset, layer.inputs * layer.outputs),
                       beta: 0, c: upstream)
            DenseKernels.reluBackwardInPlace(activations: activations(l - 1, rows: rows, in: storage),
                                             upstream: UnsafeBufferPointer(upstream))
        }
    }

    private func slice(_ buffer: UnsafeBufferPointer<Float>, _ start: Int, _ count: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(rebasing: buffer[start..<(start + count)])
    }
}
