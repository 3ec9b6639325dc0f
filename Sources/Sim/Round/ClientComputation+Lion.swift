import Protocol

extension ClientComputation {
    /// What one Distributed Lion client sends for a round.
    public struct SignOutput: Sendable, Equatable {
        /// sign(β1·m + (1 − β1)·g), packed (bit 1 ⇔ +1; an exact 0 is sent as −1).
        public var signs: PackedSigns
        /// The minibatch size.
        public var sampleCount: Int
        /// Loss of the minibatch at the received model.
        public var trainLoss: Double
        /// Virtual compute seconds of the default time model.
        public var virtualComputeSeconds: Double
    }

    /// Distributed Lion worker step for `client` in `round` (spec §5.1 steps 2–4): draws the same
    /// minibatch as distributed SGD (key (seed, minibatch, round, client)), computes its mean
    /// gradient at `model`, packs the signs of β1·m + (1 − β1)·g and updates `momentum` with β2.
    ///
    /// `momentum` is the client's state, kept by the worker across rounds; pass an empty array for a
    /// client that starts fresh (it becomes zeros). The trainer's optimizer must be `.lion`
    /// (precondition; `RunSettings` guarantees it).
    public func runDistributedLion(
        client: ClientID, round: RoundID, model: [Float], data: Dataset, indices: [Int], momentum: inout [Float],
        workspace: inout Network.Workspace
    ) -> SignOutput {
        guard case let .lion(lion) = trainer.optimizer else {
            preconditionFailure("runDistributedLion: local optimizer \(trainer.optimizer) is not Lion")
        }
        if momentum.isEmpty { momentum = [Float](repeating: 0, count: model.count) }
        precondition(momentum.count == model.count, "runDistributedLion: momentum \(momentum.count) vs model \(model.count)")
        let batch = MinibatchSampler.sample(from: indices, size: batchSize,
                                            key: RandomKey(seed: seed, purpose: .minibatch,
                                                           round: UInt64(round), client: UInt64(client)))
        let (gradient, loss) = network.gradient(parameters: model, data: data, indices: batch, workspace: &workspace)
        let signs = momentum.withUnsafeMutableBufferPointer { m in
            gradient.withUnsafeBufferPointer { g in
                DistributedLion.workerStep(momentum: m, gradient: g, beta1: lion.beta1, beta2: lion.beta2)
            }
        }
        return SignOutput(signs: signs, sampleCount: batch.count, trainLoss: Double(loss),
                          virtualComputeSeconds: timeModel.computeSeconds(
                              samples: batch.count, flopsPerSample: network.spec.flopsPerSampleTraining))
    }
}
