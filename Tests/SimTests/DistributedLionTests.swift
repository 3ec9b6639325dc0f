import Protocol
import Testing

@testable import Sim

/// Distributed Lion: spec §5.4 worked example, §5.5 invariants, packing round trips, the vote
/// kernels against a naive count, and the one-worker equivalence with Lion.
@Suite struct DistributedLionTests {
    /// Signs in {−1, +1} drawn from the portable generator.
    static func randomSigns(seed: UInt64, count: Int) -> PackedSigns {
        PackedSigns(signs: PortableRandom.uniforms(seed: seed, count: count).map { $0 < 0.5 ? -1 : 1 })
    }

    static func naiveCounts(_ votes: [PackedSigns]) -> [Int] {
        (0..<votes[0].count).map { i in votes.filter { $0.sign(at: i) > 0 }.count }
    }

    // MARK: - Worked example (spec §5.4)

    @Test func workedExampleAverageAndMajority() throws {
        let votes = [PackedSigns(signs: [1, 1, -1, -1]), PackedSigns(signs: [1, -1, -1, 1]), PackedSigns(signs: [1, -1, -1, -1])]
        let average = DistributedLion.aggregate(votes, rule: .average)
        let majority = DistributedLion.aggregate(votes, rule: .majority(ties: .zero))
        #expect(DistributedLion.deltaValues(average) == [1, -1.0 / 3, -1, -1.0 / 3])
        #expect(DistributedLion.deltaValues(majority) == [1, -1, -1, -1])
        #expect(majority.codec == .packedSigns, "3 voters cannot tie: 1 bit per coordinate")
        var xAvg: [Double] = [1, -2, 0.5, 0], xMaVo: [Double] = [1, -2, 0.5, 0]
        try xAvg.withUnsafeMutableBufferPointer { try DistributedLion.apply(average, to: $0, learningRate: 0.01, weightDecay: 0.1) }
        try xMaVo.withUnsafeMutableBufferPointer { try DistributedLion.apply(majority, to: $0, learningRate: 0.01, weightDecay: 0.1) }
        for (a, e) in zip(xAvg, [0.989, -1.994667, 0.5095, 0.003333]) { #expect(abs(a - e) < 1e-6) }
        for (a, e) in zip(xMaVo, [0.989, -1.988, 0.5095, 0.01]) { #expect(abs(a - e) < 1e-12) }
    }

    @Test func workedExampleWorkerStep() {
        var m: [Double] = [0.2, -0.1, 0, 0.05]
        let g: [Double] = [1, -1, 0.5, 0.2]
        let signs = m.withUnsafeMutableBufferPointer { mb in
            g.withUnsafeBufferPointer { DistributedLion.workerStep(momentum: mb, gradient: $0, beta1: 0.9, beta2: 0.99) }
        }
        #expect(signs.signs == [1, -1, 1, 1])
        for (a, e) in zip(m, [0.208, -0.109, 0.005, 0.0515]) { #expect(abs(a - e) < 1e-15) }
    }

    @Test func workedExampleTies() {
        // N = 4, Σδ = (0, 0, −2): counts (2, 2, 1).
        let votes = [PackedSigns(signs: [1, 1, -1]), PackedSigns(signs: [1, -1, -1]),
                     PackedSigns(signs: [-1, 1, 1]), PackedSigns(signs: [-1, -1, -1])]
        let zero = DistributedLion.aggregate(votes, rule: .majority(ties: .zero))
        #expect(zero.codec == .ternary)
        #expect(DistributedLion.deltaValues(zero) == [0, 0, -1])
        #expect(DistributedLion.deltaValues(DistributedLion.aggregate(votes, rule: .majority(ties: .minusOne))) == [-1, -1, -1])
        #expect(DistributedLion.deltaValues(DistributedLion.aggregate(votes, rule: .average)) == [0, 0, -0.5])
    }

    // MARK: - Invariants (spec §5.5)

    @Test(arguments: [1, 2, 3, 4, 5, 8, 9, 16, 17, 40])
    func votesMatchANaiveCountAndStayInRange(voters: Int) {
        let d = 1000 + voters  // not a multiple of 64
        let votes = (0..<voters).map { Self.randomSigns(seed: UInt64(100 + voters * 7 + $0), count: d) }
        let counts = Self.naiveCounts(votes)
        #expect(PackedSignBatch(votes).plusCounts().map(Int.init) == counts)
        let average = DistributedLion.deltaValues(DistributedLion.aggregate(votes, rule: .average))!
        let zero = DistributedLion.deltaValues(DistributedLion.aggregate(votes, rule: .majority(ties: .zero)))!
        let minus = DistributedLion.deltaValues(DistributedLion.aggregate(votes, rule: .majority(ties: .minusOne)))!
        for i in 0..<d {
            let twice = 2 * counts[i] - voters
            #expect(average[i] == Double(twice) / Double(voters))
            #expect(abs(average[i]) <= 1)
            #expect(voters % 2 == 0 || average[i] != 0, "odd N never averages to 0")
            #expect(zero[i] == Double(twice.signum()))
            #expect(minus[i] == (twice > 0 ? 1 : -1))
        }
    }

    @Test func flippingVotesMovesAverageByTwoOverNAndKeepsAClearMajority() {
        let voters = 7, d = 300
        var votes = (0..<voters).map { Self.randomSigns(seed: UInt64(900 + $0), count: d) }
        let before = DistributedLion.deltaValues(DistributedLion.aggregate(votes, rule: .average))!
        let majorityBefore = DistributedLion.deltaValues(DistributedLion.aggregate(votes, rule: .majority(ties: .zero)))!
        let counts = Self.naiveCounts(votes)
        // Flip voter 0 on every coordinate.
        votes[0] = PackedSigns(signs: votes[0].signs.map { -$0 })
        let after = DistributedLion.deltaValues(DistributedLion.aggregate(votes, rule: .average))!
        let majorityAfter = DistributedLion.deltaValues(DistributedLion.aggregate(votes, rule: .majority(ties: .zero)))!
        for i in 0..<d {
            #expect(abs(abs(after[i] - before[i]) - 2.0 / 7) < 1e-15)
            // Winner with ≥ 5 of 7 votes keeps > N/2 after one flip.
            if counts[i] >= 5 || counts[i] <= 2 { #expect(majorityAfter[i] == majorityBefore[i]) }
        }
    }

    @Test func majorityOverAnOddNumberOfIdenticalWorkersEqualsEachWorker() {
        let vote = Self.randomSigns(seed: 77, count: 1001)
        for n in [1, 3, 5, 9] {
            #expect(DistributedLion.aggregate(Array(repeating: vote, count: n), rule: .majority(ties: .zero)) == .packedSigns(vote))
        }
    }

    @Test(arguments: [1, 2, 3, 10, 255, 256])
    func wireSizesFollowTheSpec(voters: Int) {
        let d = 1001
        let votes = (0..<voters).map { Self.randomSigns(seed: UInt64(5000 + $0), count: d) }
        #expect(votes[0].bytes.count == 126)  // ⌈1001 / 8⌉
        let b = Int.bitWidth - voters.leadingZeroBitCount  // ⌈log2(N + 1)⌉
        #expect(DistributedLion.aggregate(votes, rule: .average).byteCount == (d * b + 7) / 8)
        #expect(DistributedLion.aggregate(votes, rule: .majority(ties: .zero)).byteCount == (voters % 2 == 1 ? 126 : 251))
        #expect(DistributedLion.aggregate(votes, rule: .majority(ties: .minusOne)).byteCount == 126)
    }

    // MARK: - Packing round trips

    @Test(arguments: [0, 1, 7, 8, 9, 63, 64, 65, 1000])
    func packingRoundTrips(length: Int) {
        let values = PortableRandom.normals(seed: UInt64(length), count: length).map(Float.init)
        let packed = SignPacking.pack(values)
        #expect(packed.bytes.count == (length + 7) / 8)
        #expect(SignPacking.unpack(packed) == values.map { $0 > 0 ? 1 : -1 })
        #expect(PackedSigns(signs: values.map { $0 > 0 ? 1 : -1 }) == packed)
        #expect(SignPacking.pack(SignPacking.unpack(packed)) == packed)
        let ternary = PackedTernary(values: values.map { $0 > 0.5 ? 1 : ($0 < -0.5 ? -1 : 0) })
        #expect(ternary.values == values.map { $0 > 0.5 ? 1 : ($0 < -0.5 ? -1 : 0) })
        let counts = (0..<length).map { UInt32($0 % 11) }
        #expect(PackedCounts(voters: 10, counts: counts).counts == counts)
    }

    @Test func exactZeroIsSentAsMinusOne() {
        let packed = SignPacking.pack([0, -0.0, 1, -1, 0, 2, .leastNonzeroMagnitude, -.leastNonzeroMagnitude] as [Float])
        #expect(packed.bytes == [0b0110_0100])
    }

    // MARK: - One worker equals Lion

    /// With N = 1 the average and the majority both give Δ = δ, and the parameters follow
    /// single-process Lion bit for bit except on coordinates where c was exactly 0 (Lion does not move
    /// them, the packed sign sends −1).
    @Test(arguments: [SignVote.average, .majority(ties: .zero), .majority(ties: .minusOne)])
    func oneWorkerIsLionBitForBit(rule: SignVote) throws {
        let d = 203, steps = 12
        let p = LionParameters(learningRate: 0.003, beta1: 0.9, beta2: 0.99, weightDecay: 0.1)
        var xLion = PortableRandom.normals(seed: 1, count: d).map(Float.init)
        var xDLion = xLion
        var mLion = [Float](), mDLion = [Float](repeating: 0, count: d)
        var zeroSeen = [Bool](repeating: false, count: d)
        for t in 0..<steps {
            var g = PortableRandom.normals(seed: UInt64(10 + t), count: d).map(Float.init)
            if t == 0 { for i in stride(from: 0, to: d, by: 5) { g[i] = 0 } }  // c = 0 exactly at step 0
            let mBefore = mLion.isEmpty ? [Float](repeating: 0, count: d) : mLion
            for i in 0..<d where p.beta1 * mBefore[i] + (1 - p.beta1) * g[i] == 0 { zeroSeen[i] = true }
            Lion.step(parameters: &xLion, momentum: &mLion, gradient: g, p)
            let signs = mDLion.withUnsafeMutableBufferPointer { m in
                g.withUnsafeBufferPointer { DistributedLion.workerStep(momentum: m, gradient: $0, beta1: p.beta1, beta2: p.beta2) }
            }
            try DistributedLion.apply(DistributedLion.aggregate([signs], rule: rule), to: &xDLion, p)
            #expect(mDLion.map(\.bitPattern) == mLion.map(\.bitPattern))
        }
        #expect(zeroSeen.contains(true) && zeroSeen.contains(false))
        for i in 0..<d where !zeroSeen[i] {
            #expect(xDLion[i].bitPattern == xLion[i].bitPattern, "coordinate \(i)")
        }
        for i in 0..<d where zeroSeen[i] { #expect(xDLion[i] != xLion[i], "coordinate \(i) had c = 0") }
    }

    // MARK: - Replicas stay identical

    @Test func replicasFollowTheCoordinatorBitForBit() throws {
        let d = 77
        let p = LionParameters(learningRate: 0.01, weightDecay: 0.5)
        var coordinator = PortableRandom.normals(seed: 3, count: d).map(Float.init)
        var early = DistributedLionReplica(parameters: p), late = DistributedLionReplica(parameters: p)
        _ = try early.receive(.dense(coordinator), version: 0)
        for round in 1...6 {
            let votes = (0..<4).map { Self.randomSigns(seed: UInt64(round * 10 + $0), count: d) }
            let delta = DistributedLion.aggregate(votes, rule: round % 2 == 0 ? .average : .majority(ties: .zero))
            try DistributedLion.apply(delta, to: &coordinator, p)
            let model = try early.receive(delta, version: UInt64(round))
            #expect(model.map(\.bitPattern) == coordinator.map(\.bitPattern))
            #expect(throws: DistributedLionReplica.ReplicaError.self) { try late.receive(delta, version: UInt64(round)) }
        }
        _ = try late.receive(.dense(coordinator), version: 6)
        #expect(late.model == early.model)
        // A gap (version 8 on top of 6) is refused; the model is untouched.
        let skip = DistributedLion.aggregate([Self.randomSigns(seed: 1, count: d)], rule: .average)
        #expect(throws: DistributedLionReplica.ReplicaError.versionGap(held: 6, version: 8)) { try early.receive(skip, version: 8) }
        #expect(throws: DistributedLionReplica.ReplicaError.update(.dimensionMismatch(expected: d, found: 3))) {
            try early.receive(.packedSigns(PackedSigns(signs: [1, 1, 1])), version: 7)
        }
        #expect(early.model == late.model)
        // Momenta: fresh once, then kept.
        #expect(early.takeMomentum(client: 4).fresh)
        early.storeMomentum([1, 2], client: 4)
        let again = early.takeMomentum(client: 4)
        #expect(!again.fresh && again.momentum == [1, 2])
    }

    @Test func lionAsLocalOptimizerTrainsWithDecoupledDecay() {
        // Lion through the local optimizer state equals Lion.step on the same gradients.
        let p = LionParameters(learningRate: 0.01, beta1: 0.9, beta2: 0.99, weightDecay: 0.2)
        #expect(throws: LocalTrainingError.invalidBeta(1.5)) {
            try LocalOptimizer.lion(LionParameters(learningRate: 0.1, beta1: 1.5)).validate()
        }
        var state = OptimizerState(.lion(p), parameterCount: 5)
        var x: [Float] = [1, -1, 0.5, 0, 2], reference = x, m = [Float]()
        for t in 0..<3 {
            var g = PortableRandom.normals(seed: UInt64(t), count: 5).map(Float.init)
            let gCopy = g
            x.withUnsafeMutableBufferPointer { xb in g.withUnsafeMutableBufferPointer { state.step(parameters: xb, gradient: $0) } }
            Lion.step(parameters: &reference, momentum: &m, gradient: gCopy, p)
        }
        #expect(x == reference)
    }
}
