import Foundation
import Testing
@testable import Sim

@Suite struct LocalTrainerTests {
    private let key = RandomKey(seed: 11, purpose: .localShuffle, round: 3, client: 7)

    private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    /// A hand-made T1-like set: 7 samples of 4 features in [0, 1], 3 classes.
    private var tinyData: Dataset {
        Dataset(features: ModelFixtures.floats(seed: 21, count: 7 * 4).map { ($0 + 1) / 2 },
                labels: [0, 2, 1, 1, 0, 2, 2], dimension: 4, classes: 3)
    }

    @Test(arguments: [ModelInit.zeros, .uniformFanIn(baseSeed: 5)])
    func oneSGDEpochReproducesTheT1UpdateRule(initialization: ModelInit) {
        let data = tinyData
        let network = Network(spec: ModelSpec(inputs: 4, hidden: [], classes: 3))
        let order = [4, 0, 6, 2, 5, 1, 3]  // a client's partition, in stored order: batches 3, 3 and 1
        let start = network.initialParameters(initialization)
        var parameters = start
        let trainer = LocalTrainer(network: network, optimizer: .sgd(learningRate: 0.1),
                                   plan: LocalTrainingPlan(batchSize: 3))
        let result = trainer.train(parameters: &parameters, data: data, indices: order, shuffleKey: key)
        let expected = ModelFixtures.referenceLogisticEpoch(
            parameters: start, inputs: 4, classes: 3, data: data, order: order, batch: 3, learningRate: 0.1)
        for k in 0..<parameters.count {
            #expect(abs(Double(parameters[k]) - expected[k]) <= 1e-6, "parameter \(k)")
        }
        #expect(result.steps == 3 && result.samplesProcessed == 7)
        #expect(parameters != start)
    }

    @Test func meanLossIsTheSampleWeightedMeanOfBatchLosses() {
        let data = tinyData
        let network = Network(spec: ModelSpec(inputs: 4, hidden: [], classes: 3))
        var parameters = network.initialParameters(.zeros)
        let trainer = LocalTrainer(network: network, optimizer: .sgd(learningRate: 0.1), plan: LocalTrainingPlan(batchSize: 5))
        let result = trainer.train(parameters: &parameters, data: data, indices: Array(0..<7), shuffleKey: key)
        // The first batch is seen by the zero model: its loss is ln 3 exactly as computed; the second batch
        // is seen after one step. Recompute both directly.
        var manual = network.initialParameters(.zeros)
        var workspace = Network.Workspace()
        let first = network.gradient(parameters: manual, data: data, indices: Array(0..<5), workspace: &workspace)
        for k in 0..<manual.count { manual[k] -= 0.1 * first.gradient[k] }
        let second = network.gradient(parameters: manual, data: data, indices: [5, 6], workspace: &workspace)
        let expected = (Double(first.loss) * 5 + Double(second.loss) * 2) / 7
        #expect(abs(result.meanLoss - expected) < 1e-12)
        #expect(bits(parameters) == bits(manual.enumerated().map { $1 - 0.1 * second.gradient[$0] }))
    }

    @Test func trainingOnSeparableDataReducesLoss() {
        // Class 1 iff x0 + x1 > 0, with a margin of 0.2.
        var features = [Float]()
        var labels = [Int32]()
        var i: UInt64 = 0
        while labels.count < 60 {
            let a = Float(PortableRandom.uniform(seed: 40, index: i) * 2 - 1)
            let b = Float(PortableRandom.uniform(seed: 41, index: i) * 2 - 1)
            i += 1
            if abs(a + b) < 0.2 { continue }
            features += [a, b]
            labels.append(a + b > 0 ? 1 : 0)
        }
        let data = Dataset(features: features, labels: labels, dimension: 2, classes: 2)
        for spec in [ModelSpec(inputs: 2, hidden: [], classes: 2), ModelSpec(inputs: 2, hidden: [8], classes: 2)] {
            let network = Network(spec: spec)
            var parameters = network.initialParameters(.uniformFanIn(baseSeed: 1))
            let before = network.evaluate(parameters: parameters, on: data)
            let trainer = LocalTrainer(network: network, optimizer: .momentum(learningRate: 0.2, momentum: 0.5),
                                       plan: LocalTrainingPlan(batchSize: 8, epochs: 20, shuffle: true))
            let result = trainer.train(parameters: &parameters, data: data, indices: Array(0..<60), shuffleKey: key)
            let after = network.evaluate(parameters: parameters, on: data)
            #expect(after.loss < before.loss / 2, "\(spec)")
            #expect(after.accuracy >= 0.95, "\(spec)")
            #expect(result.meanLoss < before.loss)
            #expect(result.steps == 20 * 8 && result.samplesProcessed == 20 * 60)
        }
    }

    @Test func momentumWithZeroCoefficientEqualsSGDBitForBit() {
        let data = ModelFixtures.dataset(seed: 8, count: 23, dimension: 3, classes: 4)
        let network = Network(spec: ModelSpec(inputs: 3, hidden: [5], classes: 4))
        let start = network.initialParameters(.uniformFanIn(baseSeed: 2))
        let plan = LocalTrainingPlan(batchSize: 4, epochs: 3)
        var sgd = start, momentum = start
        let a = LocalTrainer(network: network, optimizer: .sgd(learningRate: 0.3, weightDecay: 0.01), plan: plan)
            .train(parameters: &sgd, data: data, indices: Array(0..<23), shuffleKey: key)
        let b = LocalTrainer(network: network, optimizer: .momentum(learningRate: 0.3, momentum: 0, weightDecay: 0.01),
                             plan: plan)
            .train(parameters: &momentum, data: data, indices: Array(0..<23), shuffleKey: key)
        #expect(bits(sgd) == bits(momentum))
        #expect(a == b)
        #expect(sgd != start)
    }

    @Test func momentumFollowsTheHeavyBallRule() {
        let data = ModelFixtures.dataset(seed: 9, count: 10, dimension: 3, classes: 3)
        let network = Network(spec: ModelSpec(inputs: 3, hidden: [4], classes: 3))
        var parameters = network.initialParameters(.uniformFanIn(baseSeed: 3))
        var manual = parameters
        _ = LocalTrainer(network: network, optimizer: .momentum(learningRate: 0.1, momentum: 0.9, weightDecay: 0.05),
                         plan: LocalTrainingPlan(batchSize: 4))
            .train(parameters: &parameters, data: data, indices: Array(0..<10), shuffleKey: key)
        var velocity = [Float](repeating: 0, count: manual.count)
        var workspace = Network.Workspace()
        for batch in [Array(0..<4), Array(4..<8), [8, 9]] {
            let g = network.gradient(parameters: manual, data: data, indices: batch, workspace: &workspace).gradient
            for k in 0..<manual.count {
                velocity[k] = 0.9 * velocity[k] + (g[k] + 0.05 * manual[k])
                manual[k] -= 0.1 * velocity[k]
            }
        }
        #expect(bits(parameters) == bits(manual))
    }

    @Test func stepsModeRunsExactlyThatManyCyclicSteps() {
        let data = ModelFixtures.dataset(seed: 10, count: 6, dimension: 2, classes: 2)
        let network = Network(spec: ModelSpec(inputs: 2, hidden: [], classes: 2))
        let indices = [5, 3, 1, 0, 2, 4]
        var parameters = network.initialParameters(.uniformFanIn(baseSeed: 4))
        var manual = parameters
        let result = LocalTrainer(network: network, optimizer: .sgd(learningRate: 0.5),
                                  plan: LocalTrainingPlan(batchSize: 4, epochs: 99, steps: 5))
            .train(parameters: &parameters, data: data, indices: indices, shuffleKey: key)
        #expect(result.steps == 5 && result.samplesProcessed == 20)
        var workspace = Network.Workspace()
        let positions = [[0, 1, 2, 3], [4, 5, 0, 1], [2, 3, 4, 5], [0, 1, 2, 3], [4, 5, 0, 1]]
        for batch in positions {
            let g = network.gradient(parameters: manual, data: data, indices: batch.map { indices[$0] },
                                     workspace: &workspace).gradient
            for k in 0..<manual.count { manual[k] -= 0.5 * g[k] }
        }
        #expect(bits(parameters) == bits(manual))
        // A batch larger than the client's data set is the whole set each step.
        var small = network.initialParameters(.zeros)
        let whole = LocalTrainer(network: network, optimizer: .sgd(learningRate: 0.5),
                                 plan: LocalTrainingPlan(batchSize: 50, steps: 3))
            .train(parameters: &small, data: data, indices: indices, shuffleKey: key)
        #expect(whole.steps == 3 && whole.samplesProcessed == 18)
    }

    @Test func shuffleIsKeyedAndStoredOrderIgnoresTheKey() {
        let data = ModelFixtures.dataset(seed: 12, count: 30, dimension: 3, classes: 3)
        let network = Network(spec: ModelSpec(inputs: 3, hidden: [4], classes: 3))
        let start = network.initialParameters(.uniformFanIn(baseSeed: 6))
        let otherKey = RandomKey(seed: 11, purpose: .localShuffle, round: 4, client: 7)
        func run(shuffle: Bool, steps: Int? = nil, _ key: RandomKey) -> [UInt32] {
            var p = start
            _ = LocalTrainer(network: network, optimizer: .sgd(learningRate: 0.1),
                             plan: LocalTrainingPlan(batchSize: 7, epochs: 2, steps: steps, shuffle: shuffle))
                .train(parameters: &p, data: data, indices: Array(0..<30), shuffleKey: key)
            return bits(p)
        }
        #expect(run(shuffle: false, key) == run(shuffle: false, key))
        #expect(run(shuffle: false, key) == run(shuffle: false, otherKey))
        #expect(run(shuffle: true, key) == run(shuffle: true, key))
        #expect(run(shuffle: true, key) != run(shuffle: true, otherKey))
        #expect(run(shuffle: true, key) != run(shuffle: false, key))
        #expect(run(shuffle: true, steps: 11, key) == run(shuffle: true, steps: 11, key))
        #expect(run(shuffle: true, steps: 11, key) != run(shuffle: false, steps: 11, key))
    }

    @Test func emptyClientLeavesParametersUnchanged() {
        let network = Network(spec: ModelSpec(inputs: 2, hidden: [], classes: 2))
        var parameters = network.initialParameters(.uniformFanIn(baseSeed: 1))
        let start = parameters
        let result = LocalTrainer(network: network, optimizer: .sgd(learningRate: 0.1), plan: LocalTrainingPlan(batchSize: 4))
            .train(parameters: &parameters, data: ModelFixtures.dataset(seed: 1, count: 3, dimension: 2, classes: 2),
                   indices: [], shuffleKey: key)
        #expect(parameters == start)
        #expect(result == LocalTrainingResult(meanLoss: 0, samplesProcessed: 0, steps: 0))
    }

    @Test func invalidSettingsAreTypedErrors() {
        #expect(throws: LocalTrainingError.nonPositiveBatchSize(0)) { try LocalTrainingPlan(batchSize: 0).validate() }
        #expect(throws: LocalTrainingError.nonPositiveEpochs(0)) { try LocalTrainingPlan(batchSize: 1, epochs: 0).validate() }
        #expect(throws: LocalTrainingError.nonPositiveSteps(0)) { try LocalTrainingPlan(batchSize: 1, steps: 0).validate() }
        #expect(throws: Never.self) { try LocalTrainingPlan(batchSize: 1, epochs: 0, steps: 2).validate() }
        #expect(throws: LocalTrainingError.invalidLearningRate(0)) { try LocalOptimizer.sgd(learningRate: 0).validate() }
        #expect(throws: LocalTrainingError.invalidWeightDecay(-1)) {
            try LocalOptimizer.sgd(learningRate: 1, weightDecay: -1).validate()
        }
        #expect(throws: LocalTrainingError.invalidMomentum(1)) {
            try LocalOptimizer.momentum(learningRate: 1, momentum: 1).validate()
        }
        #expect(LocalOptimizer.momentum(learningRate: 0.5, momentum: 0.9, weightDecay: 0.1).learningRate == 0.5)
        #expect(LocalOptimizer.momentum(learningRate: 0.5, momentum: 0.9, weightDecay: 0.1).weightDecay == 0.1)
    }
}

@Suite struct MinibatchSamplerTests {
    @Test func samplesAreDistinctMembersOfThePoolAndKeyed() {
        let pool = Array(stride(from: 100, to: 160, by: 2))  // 30 values
        for client: UInt64 in 0..<20 {
            let key = RandomKey(seed: 5, purpose: .minibatch, round: 1, client: client)
            let sample = MinibatchSampler.sample(from: pool, size: 8, key: key)
            #expect(sample.count == 8)
            #expect(Set(sample).count == 8)
            #expect(sample.allSatisfy(pool.contains))
            #expect(MinibatchSampler.sample(from: pool, size: 8, key: key) == sample)
        }
        let a = MinibatchSampler.sample(from: pool, size: 8, key: RandomKey(seed: 5, purpose: .minibatch, round: 1))
        let b = MinibatchSampler.sample(from: pool, size: 8, key: RandomKey(seed: 5, purpose: .minibatch, round: 2))
        #expect(a != b)
    }

    @Test func wholePoolAndEmptyRequests() {
        let pool = [9, 4, 7]
        let key = RandomKey(seed: 1, purpose: .minibatch)
        #expect(MinibatchSampler.sample(from: pool, size: 3, key: key) == pool)
        #expect(MinibatchSampler.sample(from: pool, size: 10, key: key) == pool)
        #expect(MinibatchSampler.sample(from: pool, size: 0, key: key) == [])
        #expect(MinibatchSampler.sample(from: [], size: 2, key: key) == [])
    }

    @Test func everyElementIsPickedAboutEquallyOften() {
        // 2,000 draws of 3 out of 10: each element expected 600 times (σ ≈ 20.5).
        var counts = [Int](repeating: 0, count: 10)
        for round: UInt64 in 0..<2_000 {
            for v in MinibatchSampler.sample(from: Array(0..<10), size: 3,
                                             key: RandomKey(seed: 2, purpose: .minibatch, round: round)) {
                counts[v] += 1
            }
        }
        #expect(counts.allSatisfy { (520...680).contains($0) }, "\(counts)")
    }
}
