import Protocol
import Sim
import Testing

// What one logical client computes in a round, checked against its building blocks (LocalTrainer,
// MinibatchSampler, Network.gradient) bit for bit, and the default virtual-time model.

private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

/// A small random classification set from the portable generator: `count` samples of dimension 6, 3 classes.
private func dataset(seed: UInt64, count: Int = 90) -> Dataset {
    let dimension = 6, classes = 3
    let features = (0..<(count * dimension)).map {
        Float(PortableRandom.uniform(seed: seed, index: UInt64($0)) * 2 - 1)
    }
    let labels = (0..<count).map { Int32(PortableRandom.u64(seed: seed &+ 1, index: UInt64($0)) % UInt64(classes)) }
    return Dataset(features: features, labels: labels, dimension: dimension, classes: classes)
}

private let timeModel = VirtualTimeModel(computeFlopsPerSecond: 1e6, uplinkBytesPerSecond: 1e5,
                                         downlinkBytesPerSecond: 2e5, latencySeconds: 0.01)

/// The pieces a worker builds; `hidden` empty = logistic regression.
private struct Setup {
    let network: Network
    let trainer: LocalTrainer
    let data = dataset(seed: 2024)
    let model: [Float]

    init(hidden: [Int] = [], plan: LocalTrainingPlan = LocalTrainingPlan(batchSize: 8, epochs: 2, shuffle: true),
         optimizer: LocalOptimizer = .momentum(learningRate: 0.2, momentum: 0.5)) {
        network = Network(spec: ModelSpec(inputs: 6, hidden: hidden, classes: 3))
        trainer = LocalTrainer(network: network, optimizer: optimizer, plan: plan)
        model = network.initialParameters(.uniformFanIn(baseSeed: 99))
    }

    func computation(_ mode: TrainingMode, batchSize: Int = 8, seed: UInt64 = 42) -> ClientComputation {
        ClientComputation(network: network, trainer: trainer, mode: mode, batchSize: batchSize, seed: seed,
                          timeModel: timeModel)
    }

    /// Client `c`'s shard: every third sample starting at c (30 samples for c < 3).
    func shard(_ c: Int) -> [Int] { Array(stride(from: c % 3, to: data.count, by: 3)) }

    func run(_ mode: TrainingMode, client: ClientID, round: RoundID, indices: [Int]? = nil, batchSize: Int = 8,
             seed: UInt64 = 42) -> ClientComputation.Output {
        var workspace = Network.Workspace()
        return computation(mode, batchSize: batchSize, seed: seed).run(
            client: client, round: round, model: model, data: data, indices: indices ?? shard(Int(client)),
            workspace: &workspace)
    }
}

@Suite struct ClientComputationTests {
    // MARK: - Federated

    @Test(arguments: [[], [5]] as [[Int]])
    func federatedSendsTheLocallyTrainedModelMinusTheGlobalModel(hidden: [Int]) {
        let setup = Setup(hidden: hidden)
        let (client, round): (ClientID, RoundID) = (2, 7)
        let output = setup.run(.federated, client: client, round: round)

        var local = setup.model
        let trained = setup.trainer.train(
            parameters: &local, data: setup.data, indices: setup.shard(2),
            shuffleKey: RandomKey(seed: 42, purpose: .localShuffle, round: 7, client: 2))
        let delta = zip(local, setup.model).map { $0 - $1 }

        #expect(bits(output.vector) == bits(delta))
        #expect(output.vector.contains { $0 != 0 })
        #expect(output.sampleCount == 30)
        #expect(output.samplesProcessed == trained.samplesProcessed)
        #expect(output.samplesProcessed == 60)  // 2 epochs of 30
        #expect(output.trainLoss == trained.meanLoss)
        #expect(output.virtualComputeSeconds
                == timeModel.computeSeconds(samples: 60, flopsPerSample: setup.network.spec.flopsPerSampleTraining))
    }

    @Test func federatedWithoutShuffleFollowsThePlanInStoredOrder() {
        // Stored order: the shuffle key is irrelevant, so clients with the same shard agree.
        let setup = Setup(plan: LocalTrainingPlan(batchSize: 10, epochs: 1, shuffle: false),
                          optimizer: .sgd(learningRate: 0.1))
        let a = setup.run(.federated, client: 0, round: 1, indices: setup.shard(0))
        let b = setup.run(.federated, client: 5, round: 9, indices: setup.shard(0))
        #expect(bits(a.vector) == bits(b.vector))
    }

    // MARK: - Distributed SGD

    @Test(arguments: [[], [4]] as [[Int]])
    func distributedSGDSendsTheGradientOfTheKeyedMinibatch(hidden: [Int]) {
        let setup = Setup(hidden: hidden)
        let output = setup.run(.distributedSGD, client: 1, round: 4, batchSize: 8)

        let batch = MinibatchSampler.sample(from: setup.shard(1), size: 8,
                                            key: RandomKey(seed: 42, purpose: .minibatch, round: 4, client: 1))
        var workspace = Network.Workspace()
        let (gradient, loss) = setup.network.gradient(parameters: setup.model, data: setup.data, indices: batch,
                                                      workspace: &workspace)
        #expect(batch.count == 8)
        #expect(Set(batch).count == 8)
        #expect(bits(output.vector) == bits(gradient))
        #expect(output.sampleCount == 8)
        #expect(output.samplesProcessed == 8)
        #expect(output.trainLoss == Double(loss))
        #expect(output.virtualComputeSeconds
                == timeModel.computeSeconds(samples: 8, flopsPerSample: setup.network.spec.flopsPerSampleTraining))
    }

    @Test func distributedSGDOnAShardSmallerThanTheBatchUsesTheWholeShard() {
        let setup = Setup()
        let shard = [4, 17, 33, 60, 89]
        let output = setup.run(.distributedSGD, client: 3, round: 2, indices: shard, batchSize: 8)
        var workspace = Network.Workspace()
        let (gradient, _) = setup.network.gradient(parameters: setup.model, data: setup.data, indices: shard,
                                                   workspace: &workspace)
        #expect(output.sampleCount == 5)
        #expect(bits(output.vector) == bits(gradient))
    }

    // MARK: - Determinism

    @Test(arguments: [TrainingMode.federated, .distributedSGD])
    func sameRoundAndClientGiveIdenticalBitsOnFreshInstances(mode: TrainingMode) {
        let first = Setup(hidden: [5]).run(mode, client: 1, round: 3)
        let second = Setup(hidden: [5]).run(mode, client: 1, round: 3)
        #expect(bits(first.vector) == bits(second.vector))
        #expect(first.trainLoss.bitPattern == second.trainLoss.bitPattern)
        #expect(first == second)
    }

    @Test(arguments: [TrainingMode.federated, .distributedSGD])
    func aReusedWorkspaceDoesNotChangeTheResult(mode: TrainingMode) {
        let setup = Setup(hidden: [5])
        let computation = setup.computation(mode)
        var workspace = Network.Workspace()
        // Warm the workspace up on another client with a bigger batch first.
        _ = computation.run(client: 0, round: 3, model: setup.model, data: setup.data, indices: Array(0..<90),
                            workspace: &workspace)
        let reused = computation.run(client: 1, round: 3, model: setup.model, data: setup.data,
                                     indices: setup.shard(1), workspace: &workspace)
        #expect(reused == setup.run(mode, client: 1, round: 3))
    }

    @Test(arguments: [TrainingMode.federated, .distributedSGD])
    func differentClientsRoundsAndSeedsDiffer(mode: TrainingMode) {
        let setup = Setup()
        let base = setup.run(mode, client: 1, round: 3)
        // Another client on its own shard.
        #expect(base.vector != setup.run(mode, client: 2, round: 3).vector)
        // Same samples, other client id, round or seed: the keyed draws (shuffle / minibatch) differ.
        #expect(base.vector != setup.run(mode, client: 4, round: 3, indices: setup.shard(1)).vector)
        #expect(base.vector != setup.run(mode, client: 1, round: 4).vector)
        #expect(base.vector != setup.run(mode, client: 1, round: 3, seed: 43).vector)
    }
}

@Suite struct VirtualTimeModelTests {
    /// 1024 FLOP/s; 500 B/s down, 100 B/s up; 0.25 s latency.
    let model = VirtualTimeModel(computeFlopsPerSecond: 1024, uplinkBytesPerSecond: 100,
                                 downlinkBytesPerSecond: 500, latencySeconds: 0.25)

    @Test func computeIsSamplesTimesFlopsOverSpeed() {
        #expect(model.computeSeconds(samples: 3, flopsPerSample: 512) == 1.5)
        #expect(model.computeSeconds(samples: 0, flopsPerSample: 512) == 0)
        #expect(model.computeSeconds(samples: 96, flopsPerSample: 32) == 3)
    }

    @Test func linkIsLatencyPlusBytesOverBandwidthBothWays() {
        // (0.25 + 1000/500) + (0.25 + 300/100)
        #expect(model.linkSeconds(bytesDown: 1000, bytesUp: 300) == 5.5)
        #expect(model.linkSeconds(bytesDown: 0, bytesUp: 0) == 0.5)
        // Down and up use their own bandwidths.
        #expect(model.linkSeconds(bytesDown: 250, bytesUp: 0) == 1)
        #expect(model.linkSeconds(bytesDown: 0, bytesUp: 100) == 1.5)
    }
}
