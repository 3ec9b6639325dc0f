/// Loss and accuracy of a model on a data set.
public struct Evaluation: Sendable, Equatable {
    /// Mean softmax cross-entropy over the samples (0 for an empty data set).
    public var loss: Double
    /// `correct / count` (0 for an empty data set).
    public var accuracy: Double
    /// Samples whose arg-max logit (first maximum on ties) is the label.
    public var correct: Int
    /// Samples evaluated.
    public var count: Int

    /// Creates an evaluation from its figures.
    public init(loss: Double, accuracy: Double, correct: Int, count: Int) {
        self.loss = loss
        self.accuracy = accuracy
        self.correct = correct
        self.count = count
    }
}

extension Network {
    /// Rows per forward pass in `evaluate`.
    static let evaluationChunkRows = 1024

    /// Loss and accuracy of the model on the whole `dataset`, evaluated in chunks of 1,024 rows.
    ///
    /// `dataset.dimension == spec.inputs` and its labels below `spec.classes` (checked).
    /// Row losses are summed in Double in row order, so the result does not depend on the chunking.
    /// - Complexity: one forward pass over the data set; allocates one workspace of 1,024 rows.
    public func evaluate(parameters: [Float], on dataset: Dataset) -> Evaluation {
        precondition(parameters.count == parameterCount,
                     "evaluate: \(parameters.count) parameters for a model of \(parameterCount)")
        precondition(dataset.dimension == spec.inputs,
                     "evaluate: data set of dimension \(dataset.dimension) for a model of \(spec.inputs) inputs")
        let count = dataset.count
        guard count > 0 else { return Evaluation(loss: 0, accuracy: 0, correct: 0, count: 0) }
        var workspace = Workspace()
        workspace.reserve(rows: min(count, Self.evaluationChunkRows), for: self)
        var lossSum = 0.0
        var correct = 0
        parameters.withUnsafeBufferPointer { p in
            dataset.features.withUnsafeBufferPointer { features in
                dataset.labels.withUnsafeBufferPointer { labels in
                    workspace.storage.withUnsafeMutableBufferPointer { storage in
                        var start = 0
                        while start < count {
                            let rows = min(Self.evaluationChunkRows, count - start)
                            let x = UnsafeBufferPointer(
                                rebasing: features[(start * spec.inputs)..<((start + rows) * spec.inputs)])
                            forward(p, features: x, rows: rows, storage: storage)
                            let chunk = SoftmaxKernels.crossEntropyAndCorrect(
                                UnsafeBufferPointer(activations(layers.count - 1, rows: rows, in: storage)),
                                rows: rows, classes: spec.classes,
                                labels: UnsafeBufferPointer(rebasing: labels[start..<(start + rows)]))
                            lossSum += chunk.lossSum
                            correct += chunk.correct
                            start += rows
                        }
                    }
                }
            }
        }
        return Evaluation(loss: lossSum / Double(count), accuracy: Double(correct) / Double(count),
                          correct: correct, count: count)
    }
}
