import Protocol

/// What one logical client computes in one round, as a pure function of (model, data, seed,
/// round, client) — the same on whichever worker process runs it.
///
/// - federated: copy the global model, train it locally (`LocalTrainer`), send Δ = x_local − x.
/// - distributed-sgd: draw one minibatch of `batchSize` distinct samples from the client's shard
///   (key (seed, minibatch, round, client)) and send its mean gradient.
/// - distributed-lion: the same minibatch gradient, turned into packed Lion signs with the client's
///   momentum (`runDistributedLion`, ClientComputation+Lion.swift).
/// The virtual compute time is the default model's: samples processed × training FLOPs per
/// sample ÷ nominal speed.
public struct ClientComputation: Sendable {
    public struct Output: Sendable, Equatable {
        /// The model delta (federated) or gradient (distributed SGD).
        public var vector: [Float]
        /// The weight basis: n_k, the client's training samples (federated), or the minibatch size
        /// (distributed SGD).
        public var sampleCount: Int
        /// Mean training loss over what the client processed.
        public var trainLoss: Double
        public var samplesProcessed: Int
        public var virtualComputeSeconds: Double
    }

    public let network: Network
    public let trainer: LocalTrainer
    public let mode: TrainingMode
    public let batchSize: Int
    public let seed: UInt64
    public let timeModel: VirtualTimeModel

    public init(network: Network, trainer: LocalTrainer, mode: TrainingMode, batchSize: Int, seed: UInt64,
                timeModel: VirtualTimeModel) {
        self.network = network
        self.trainer = trainer
        self.mode = mode
        self.batchSize = batchSize
        self.seed = seed
        self.timeModel = timeModel
    }

    /// Runs `client` for `round` from the global `model` on the client's shard `indices` of `data`.
    public func run(client: ClientID, round: RoundID, model: [Float], data: Dataset, indices: [Int],
                    workspace: inout Network.Workspace) -> Output {
        switch mode {
        case .federated:
            var local = model
            let result = trainer.train(parameters: &local, data: data, indices: indices,
                                       shuffleKey: RandomKey(seed: seed, purpose: .localShuffle,
                                                             round: UInt64(round), client: UInt64(client)))
            local.withUnsafeMutableBufferPointer { l in
                model.withUnsafeBufferPointer { x in
                    for i in 0..<l.count { l[i] -= x[i] }
                }
            }
            return Output(vector: local, sampleCount: indices.count, trainLoss: result.meanLoss,
                          samplesProcessed: result.samplesProcessed,
                          virtualComputeSeconds: timeModel.computeSeconds(
                              samples: result.samplesProcessed, flopsPerSample: network.spec.flopsPerSampleTraining))
        case .distributedSGD:
            let batch = MinibatchSampler.sample(from: indices, size: batchSize,
                                                key: RandomKey(seed: seed, purpose: .minibatch,
                                                               round: UInt64(round), client: UInt64(client)))
            let (gradient, loss) = network.gradient(parameters: model, data: data, indices: batch, workspace: &workspace)
            // The gradient's weight is the minibatch it averages, so `samples` weighting is a plain
            // mean over equal batches (and weights a short shard's smaller batch less).
            return Output(vector: gradient, sampleCount: batch.count, trainLoss: Double(loss),
                          samplesProcessed: batch.count,
                          virtualComputeSeconds: timeModel.computeSeconds(
                              samples: batch.count, flopsPerSample: network.spec.flopsPerSampleTraining))
        case .distributedLion:
            preconditionFailure("ClientComputation.run: distributed-lion keeps client state; call runDistributedLion")
        }
    }
}
