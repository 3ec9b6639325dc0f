extension Network {
    /// One minibatch gradient (distributed SGD): mean loss and gradient over the samples `indices`
    /// of `data`, in that order.
    ///
    /// Every index must be in `0 ..< data.count` and `data.dimension == spec.inputs` (checked). An empty
    /// `indices` gives a zero gradient and loss 0. Allocates only the returned gradient (and the
    /// workspace on first use).
    public func gradient(
        parameters: [Float], data: Dataset, indices: [Int], workspace: inout Workspace
    ) -> (gradient: [Float], loss: Float) {
        precondition(parameters.count == parameterCount,
                     "gradient: \(parameters.count) parameters for a model of \(parameterCount)")
        var gradient = [Float](repeating: 0, count: parameterCount)
        let loss = parameters.withUnsafeBufferPointer { p in
            gradient.withUnsafeMutableBufferPointer { g in
                indices.withUnsafeBufferPointer { rows in
                    lossAndGradient(p, data: data, indices: rows, gradient: g, workspace: &workspace)
                }
            }
        }
        return (gradient, loss)
    }

    /// Gathers the rows `indices` of `data` into the workspace, then runs `lossAndGradient` on them.
    func lossAndGradient(
        _ parameters: UnsafeBufferPointer<Float>, data: Dataset, indices: UnsafeBufferPointer<Int>,
        gradient: UnsafeMutableBufferPointer<Float>, workspace: inout Workspace
    ) -> Float {
        let dimension = data.dimension
        precondition(dimension == spec.inputs,
                     "lossAndGradient: data set of dimension \(dimension) for a model of \(spec.inputs) inputs")
        // Move the gather buffers out so that the workspace can be passed on while they are read.
        var features = workspace.batchFeatures
        var labels = workspace.batchLabels
        workspace.batchFeatures = []
        workspace.batchLabels = []
        defer {
            workspace.batchFeatures = features
            workspace.batchLabels = labels
        }
        features.removeAll(keepingCapacity: true)
        labels.removeAll(keepingCapacity: true)
        data.features.withUnsafeBufferPointer { source in
            data.labels.withUnsafeBufferPointer { sourceLabels in
                for index in indices {
                    precondition(index >= 0 && index < sourceLabels.count,
                                 "lossAndGradient: sample index \(index) outside 0..<\(sourceLabels.count)")
                    features.append(contentsOf: UnsafeBufferPointer(
                        rebasing: source[(index * dimension)..<((index + 1) * dimension)]))
                    labels.append(sourceLabels[index])
                }
            }
        }
        return features.withUnsafeBufferPointer { f in
            labels.withUnsafeBufferPointer { l in
                lossAndGradient(parameters, features: f, labels: l, gradient: gradient, workspace: &workspace)
            }
        }
    }
}
