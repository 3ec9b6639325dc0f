/// An MLP with ReLU hidden layers and a softmax cross-entropy head; `hidden == []` is multinomial
/// logistic regression.
///
/// The layer widths are `[inputs] + hidden + [classes]`; layer `l` maps `widths[l]` inputs to
/// `widths[l + 1]` outputs with a weight matrix and a bias. The parameter vector is laid out as
/// `[W1 (in, out) row-major, b1, W2, b2, …]` (see `Network`).
public struct ModelSpec: Sendable, Hashable {
    /// Features per sample.
    public var inputs: Int
    /// Widths of the hidden ReLU layers, input side first.
    public var hidden: [Int]
    /// Number of classes (outputs of the last layer).
    public var classes: Int

    /// Creates a specification; call `validate()` before building a `Network` from external input.
    public init(inputs: Int, hidden: [Int], classes: Int) {
        self.inputs = inputs
        self.hidden = hidden
        self.classes = classes
    }

    // MARK: - Shape

    /// `(inputs, outputs)` of every dense layer, input side first.
    public var layerShapes: [(inputs: Int, outputs: Int)] {
        let widths = [inputs] + hidden + [classes]
        return (0..<(widths.count - 1)).map { (inputs: widths[$0], outputs: widths[$0 + 1]) }
    }

    /// Number of Float32 parameters: `Σ_l (in_l · out_l + out_l)`.
    /// T1 (64→10): 650; T2 (784→200→10): 159,010; T5 (64→128→10): 9,610.
    public var parameterCount: Int {
        layerShapes.reduce(0) { $0 + $1.inputs * $1.outputs + $1.outputs }
    }

    /// Number of weights (excluding biases), `Σ_l in_l · out_l`: the multiply-adds of one forward pass.
    public var weightCount: Int {
        layerShapes.reduce(0) { $0 + $1.inputs * $1.outputs }
    }

    // MARK: - Cost model

    /// Floating-point operations of one forward pass per sample: `2 · weightCount`
    /// (each multiply-add counts as two; bias adds, ReLU and softmax are ignored).
    public var flopsPerSampleInference: Double {
        2 * Double(weightCount)
    }

    /// Floating-point operations of one training step per sample: `6 · weightCount`, i.e. the
    /// forward pass plus a backward pass of twice its cost (gradients with respect to the weights and
    /// to the layer inputs). The first layer's input gradient is not actually computed, so this
    /// over-counts by `2 · in_1 · out_1`; it is the conventional "6 × weights" rule, used by the
    /// virtual-time model only.
    public var flopsPerSampleTraining: Double {
        3 * flopsPerSampleInference
    }

    // MARK: - Validation

    /// Checks that every width is positive and the model has fewer than 2³¹ parameters per matrix
    /// (OpenBLAS uses 32-bit indices).
    public func validate() throws(ModelSpecError) {
        if inputs < 1 { throw .nonPositiveWidth(layer: "inputs", value: inputs) }
        for (index, width) in hidden.enumerated() where width < 1 {
            throw .nonPositiveWidth(layer: "hidden[\(index)]", value: width)
        }
        if classes < 1 { throw .nonPositiveWidth(layer: "classes", value: classes) }
        for shape in layerShapes {
            let (product, overflow) = shape.inputs.multipliedReportingOverflow(by: shape.outputs)
            if overflow || product > Int(Int32.max) {
                throw .layerTooLarge(inputs: shape.inputs, outputs: shape.outputs)
            }
        }
    }
}

/// Why a `ModelSpec` cannot be built.
public enum ModelSpecError: Error, Equatable, CustomStringConvertible {
    /// A width (`inputs`, `hidden[i]` or `classes`) is zero or negative.
    case nonPositiveWidth(layer: String, value: Int)
    /// A weight matrix has 2³¹ or more elements.
    case layerTooLarge(inputs: Int, outputs: Int)

    /// One line naming the problem and the fix.
    public var description: String {
        switch self {
        case let .nonPositiveWidth(layer, value):
            return "model width \(layer) is \(value); every layer width must be at least 1"
        case let .layerTooLarge(inputs, outputs):
            return "model layer \(inputs)×\(outputs) has too many weights (limit 2^31 − 1); use narrower layers"
        }
    }
}
