import Protocol
import Sim
import Testing

// The coded round end to end in Sim: clients' coded messages (ClientComputation+Coding) decode to
// the uncoded full gradient sum from any n − s arrivals, and the coordinator's close decisions
// (CodedRoundClose) follow virtual arrival order.

private func dataset(seed: UInt64, count: Int) -> Dataset {
    let dimension = 5, classes = 3
    let features = (0..<(count * dimension)).map { Float(PortableRandom.uniform(seed: seed, index: UInt64($0)) * 2 - 1) }
    let labels = (0..<count).map { Int32(PortableRandom.u64(seed: seed &+ 1, index: UInt64($0)) % UInt64(classes)) }
    return Dataset(features: features, labels: labels, dimension: dimension, classes: classes)
}

private struct CodedSetup {
    let n = 6
    let network = Network(spec: ModelSpec(inputs: 5, hidden: [4], classes: 3))
    let shards: [Dataset]
    let model: [Float]
    let computation: ClientComputation

    init() {
        shards = (0..<n).map { dataset(seed: 100 + UInt64($0), count: 20 + $0) }
        model = network.initialParameters(.uniformFanIn(baseSeed: 3))
        let trainer = LocalTrainer(network: network, optimizer: .sgd(learningRate: 0.1, weightDecay: 0),
                                   plan: LocalTrainingPlan(batchSize: 8, epochs: 1, shuffle: true))
        computation = ClientComputation(network: network, trainer: trainer, mode: .distributedSGD, batchSize: 8, seed: 11,
                                        timeModel: VirtualTimeModel(computeFlopsPerSecond: 1e6, uplinkBytesPerSecond: 1e5,
                                                                    downlinkBytesPerSecond: 1e5, latencySeconds: 0.01))
    }

    /// Client `i`'s coded message under `code`.
    func message(_ code: GradientCode, client i: Int, round: RoundID = 4) -> ClientComputation.Output {
        var workspace = Network.Workspace()
        let row = code.task(worker: i)
        return computation.runCoded(task: row, datasets: row.map { shards[$0.partition] }, round: round, model: model,
                                    workspace: &workspace)
    }

    /// Σ_j g_j as the uncoded clients of a wait-for-all round compute them (client j on its own shard).
    func uncodedSum(round: RoundID = 4) -> [Double] {
        var workspace = Network.Workspace()
        var sum = [Double](repeating: 0, count: model.count)
        for j in 0..<n {
            let out = computation.run(client: ClientID(j), round: round, model: model, data: shards[j],
                                      indices: Array(0..<shards[j].count), workspace: &workspace)
            for k in 0..<sum.count { sum[k] += Double(out.vector[k]) }
        }
        return sum
    }
}

@Suite struct CodedRoundTests {
    @Test func everyClientHoldingAPartitionComputesTheSameGradient() {
        let setup = CodedSetup()
        var w1 = Network.Workspace(), w2 = Network.Workspace()
        // Partition 2 computed "by" two different clients: the key is the partition's, not the client's.
        let a = setup.computation.partitionGradient(partition: 2, round: 9, model: setup.model, data: setup.shards[2],
                                                    workspace: &w1)
        let b = setup.computation.partitionGradient(partition: 2, round: 9, model: setup.model, data: setup.shards[2],
                                                    workspace: &w2)
        #expect(a.gradient.map(\.bitPattern) == b.gradient.map(\.bitPattern))
        // And it is what uncoded client 2 sends in that round.
        let uncoded = setup.computation.run(client: 2, round: 9, model: setup.model, data: setup.shards[2],
                                            indices: Array(0..<setup.shards[2].count), workspace: &w1)
        #expect(uncoded.vector.map(\.bitPattern) == a.gradient.map(\.bitPattern))
        // Another round draws another minibatch.
        let c = setup.computation.partitionGradient(partition: 2, round: 10, model: setup.model, data: setup.shards[2],
                                                    workspace: &w2)
        #expect(c.gradient != a.gradient)
    }

    @Test(arguments: ["frc", "crc"]) func anyNMinusSArrivalsDecodeTheUncodedSum(kind: String) throws {
        let setup = CodedSetup()
        let s = 2
        var random = CounterRandom(seed: RandomKey(seed: 5, purpose: .coding).streamSeed)
        let code = kind == "frc" ? try GradientCode.fractionalRepetition(n: setup.n, s: s)
            : try GradientCode.cyclicRepetition(n: setup.n, s: s, random: &random)
        let messages = (0..<setup.n).map { setup.message(code, client: $0) }
        // Load: s + 1 minibatches of 8 each, and the virtual time grows with it.
        #expect(messages.allSatisfy { $0.sampleCount == 8 * (s + 1) })
        let expected = setup.uncodedSum()
        let scale = expected.map(abs).max() ?? 1
        // Every straggler set of size s (all C(6, 2) = 15), arriving last.
        for a in 0..<setup.n {
            for b in (a + 1)..<setup.n {
                let order = (0..<setup.n).filter { $0 != a && $0 != b } + [a, b]
                let close = try OneShotRoundClose.resolve(scheme: .code(code), residualTolerance: 1e-8,
                                                          arrivals: order.enumerated().map { ($1, Double($0)) })
                #expect(close.plan.isDecodable)
                #expect(!close.plan.usedWorkers.contains(a) && !close.plan.usedWorkers.contains(b))
                let decoded = try close.plan.combine(floatMessages: { messages[$0].vector })
                let error = zip(decoded, expected).map { abs(Double($0) - $1) }.max() ?? 0
                #expect(error <= 1e-5 * max(1, scale), "stragglers {\(a), \(b)}: error \(error)")
            }
        }
    }

    @Test func oneShotCloseFollowsVirtualArrivalOrder() throws {
        var random = CounterRandom(seed: 1)
        let code = try GradientCode.cyclicRepetition(n: 5, s: 2, random: &random)
        // Times: client 3 first, then 0 and 4 tie (id order), then 1, then 2.
        let arrivals: [(client: Int, seconds: Double)] = [(0, 2.0), (1, 3.0), (2, 9.0), (3, 1.0), (4, 2.0)]
        let close = try OneShotRoundClose.resolve(scheme: .code(code), residualTolerance: 1e-8, arrivals: arrivals)
        #expect(close.order == [3, 0, 4, 1, 2])
        #expect(close.consumed == 3 && close.seconds == 2.0 && close.isComplete)
        #expect(close.stragglers == [1, 2])
        #expect(close.plan.usedWorkers == [0, 3, 4] && close.plan.isDecodable)

        // FRC (n = 6, s = 1: groups {0,1}, {2,3}, {4,5}) closes once every group has arrived.
        let frc = try GradientCode.fractionalRepetition(n: 6, s: 1)
        let f = try OneShotRoundClose.resolve(scheme: .code(frc), residualTolerance: 1e-8,
                                              arrivals: [(0, 1), (1, 2), (2, 3), (4, 4), (3, 5), (5, 6)])
        #expect(f.consumed == 4 && f.seconds == 4 && f.plan.usedWorkers == [0, 2, 4] && f.stragglers == [3, 5])

        // Ignore-stragglers keeps the first n − s and rescales by n/(n − s).
        let ignore = try OneShotRoundClose.resolve(scheme: .ignoreStragglers(n: 4, s: 1), residualTolerance: 1e-8,
                                                   arrivals: [(0, 4), (1, 1), (2, 2), (3, 3)])
        #expect(ignore.plan.usedWorkers == [1, 2, 3] && ignore.plan.coefficients == [4.0 / 3, 4.0 / 3, 4.0 / 3])
        #expect(ignore.seconds == 3 && ignore.stragglers == [0])
    }

    @Test func tooFewArrivalsAreNotDecodable() throws {
        var random = CounterRandom(seed: 1)
        let code = try GradientCode.cyclicRepetition(n: 5, s: 1, random: &random)
        // Two clients crashed: only 3 < n − s = 4 messages; the round lasted until the last one.
        let close = try OneShotRoundClose.resolve(scheme: .code(code), residualTolerance: 1e-8,
                                                  arrivals: [(0, 1), (2, 5), (4, 3)])
        #expect(!close.isComplete && !close.plan.isDecodable && close.seconds == 5 && close.stragglers.isEmpty)
        #expect(throws: CodingError.self) {
            try OneShotRoundClose.resolve(scheme: .code(code), residualTolerance: 1e-8, arrivals: [(0, 1), (0, 2)])
        }
    }

    @Test func sequentialCloseUsesTheMaskAndTheModel() throws {
        // GC with s = 1 on 4 workers: one straggler is tolerated (the round ends at the last other
        // client), two break the model and the round waits for everyone.
        let parameters = try SequentialCodingParameters(n: 4, scheme: .gradientCoding(s: 1), jobs: 3)
        var machine = SequentialCodingMachine(parameters: parameters)
        let times: [Double?] = [1, 2, 10, 3]
        let one = try SequentialRoundClose.complete(&machine, times: times, mask: [false, false, true, false], rule: nil)
        #expect(one.seconds == 3 && !one.outcome.waitedForAll && one.lost == [false, false, true, false])
        #expect(one.outcome.decodedJob == 0)
        let two = try SequentialRoundClose.complete(&machine, times: times, mask: [true, false, true, false], rule: nil)
        #expect(two.seconds == 10 && two.outcome.waitedForAll && two.lost == [false, false, false, false])
        // Threshold rule μ = 1: stragglers are the clients slower than 2 × the fastest (client 2 at 10
        // and client 3 at 3 > 2): two stragglers → wait for all.
        let threshold = try SequentialRoundClose.complete(&machine, times: times, mask: nil, rule: ThresholdStragglerRule(mu: 1))
        #expect(threshold.stragglers == [false, false, true, true] && threshold.outcome.waitedForAll && threshold.seconds == 10)

        // M-SGC (n = 4, B = 1, W = 2, λ = 2): job t is decoded at the end of round t + 1.
        let m = try SequentialCodingParameters(n: 4, scheme: .multiplexed(burst: 1, window: 2, lambda: 2), jobs: 2)
        var msgc = SequentialCodingMachine(parameters: m)
        let r0 = try SequentialRoundClose.complete(&msgc, times: [1, 1, 1, 1], mask: [true, true, false, false], rule: nil)
        #expect(r0.outcome.decodedJob == nil && r0.seconds == 1)
        let r1 = try SequentialRoundClose.complete(&msgc, times: [1, 1, 1, 1], mask: [false, false, false, false], rule: nil)
        #expect(r1.outcome.decodedJob == 0)
        // A missing message (crashed client) is a straggler with no time.
        var gc = SequentialCodingMachine(parameters: parameters)
        let crashed = try SequentialRoundClose.complete(&gc, times: [1, nil, 2, 2], mask: [false, false, false, false], rule: nil)
        #expect(crashed.stragglers == [false, true, false, false] && crashed.seconds == 2)
    }
}
