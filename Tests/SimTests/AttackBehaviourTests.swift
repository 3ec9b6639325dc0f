import Sim
import Testing

// Client-side Byzantine behaviours (run by the worker) and the seeded choice of Byzantine clients.

private let update: [Float] = [0.5, -1.25, 3, 0, -0.001]

@Suite struct ClientBehaviourTests {
    @Test func scaledMultipliesTheHonestUpdate() throws {
        let behaviour = try ClientBehaviour(name: "scaled", parameters: ["factor": .number(-10)])
        #expect(behaviour == .scaled(factor: -10))
        #expect(behaviour.apply(to: update, previous: nil, seed: 1, round: 1, client: 4) == update.map { $0 * -10 })
    }

    @Test func bitFlipNegatesTheClientsOwnUpdate() {
        #expect(ClientBehaviour.signFlip.apply(to: update, previous: nil, seed: 1, round: 1, client: 4) == update.map { -$0 })
    }

    @Test func zerosSendsZeros() {
        #expect(ClientBehaviour.zeros.apply(to: update, previous: [9, 9, 9, 9, 9], seed: 1, round: 1, client: 4) == [0, 0, 0, 0, 0])
    }

    @Test func staleResendsThePreviousUpdate() {
        let previous: [Float] = [1, 2, 3, 4, 5]
        #expect(ClientBehaviour.stale.apply(to: update, previous: previous, seed: 1, round: 2, client: 4) == previous)
        #expect(ClientBehaviour.stale.apply(to: update, previous: nil, seed: 1, round: 1, client: 4) == update,
                "first round: nothing to resend, the honest update goes out")
    }

    @Test func gaussianNoiseIsSeededAndReplacesTheUpdate() throws {
        let behaviour = try ClientBehaviour(name: "gaussian", parameters: ["std": .number(2)])
        let long = [Float](repeating: 100, count: 4000)
        let a = behaviour.apply(to: long, previous: nil, seed: 9, round: 3, client: 17)
        let b = behaviour.apply(to: long, previous: nil, seed: 9, round: 3, client: 17)
        #expect(a == b)
        #expect(a != behaviour.apply(to: long, previous: nil, seed: 9, round: 3, client: 18))
        #expect(a != behaviour.apply(to: long, previous: nil, seed: 9, round: 4, client: 17))
        // N(0, 2²) independent of the update (which was all 100s).
        let mean = a.map(Double.init).reduce(0, +) / Double(a.count)
        let variance = a.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +) / Double(a.count - 1)
        #expect(abs(mean) < 0.15)
        #expect(abs(variance.squareRoot() - 2) < 0.1)
        // The exact draws: RandomKey(seed, .attack, round, client), one nextNormal per coordinate.
        var generator = RandomKey(seed: 9, purpose: .attack, round: 3, client: 17).generator
        #expect(a.prefix(3) == [Float(2 * generator.nextNormal()), Float(2 * generator.nextNormal()), Float(2 * generator.nextNormal())])
        #expect(ClientBehaviour.gaussianNoise(std: 0).apply(to: update, previous: nil, seed: 1, round: 1, client: 1) == [0, 0, 0, 0, 0])
    }

    @Test func labelFlipMapsYToCMinusOneMinusY() throws {
        let behaviour = try ClientBehaviour(name: "label-flip")
        #expect((0..<10).map { behaviour.flipLabel(Int32($0), classes: 10) } == [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
        #expect(behaviour.flipLabel(12, classes: 10) == 12, "labels outside 0..<C are left alone")
        #expect(ClientBehaviour.labelFlip(classes: 3).flipLabel(0, classes: 10) == 2, "the behaviour's own C wins")
        #expect(behaviour.apply(to: update, previous: nil, seed: 1, round: 1, client: 1) == update)
        #expect(behaviour.flipsLabels && !ClientBehaviour.zeros.flipsLabels)
        #expect(ClientBehaviour.scaled(factor: 2).flipLabel(4, classes: 10) == 4)
    }
}

@Suite struct ByzantineSelectionTests {
    @Test func selectionIsDeterministicAndOfTheRightSize() {
        let a = ByzantineSelection.clients(total: 100, count: 20, seed: 42)
        #expect(a.count == 20)
        #expect(a == ByzantineSelection.clients(total: 100, count: 20, seed: 42))
        #expect(a != ByzantineSelection.clients(total: 100, count: 20, seed: 43))
        #expect(a.allSatisfy { (0..<100).contains($0) })
    }

    @Test func selectionIsThePrefixOfTheSeededPermutation() {
        let key = RandomKey(seed: 5, purpose: .byzantineSelection)
        let permutation = PortableRandom.permutation(seed: key.streamSeed, count: 30)
        #expect(ByzantineSelection.clients(total: 30, count: 6, seed: 5) == Set(permutation.prefix(6)))
        #expect(ByzantineSelection.clients(total: 30, count: 3, seed: 5).isSubset(of: ByzantineSelection.clients(total: 30, count: 6, seed: 5)))
    }

    @Test func countsAreClamped() {
        #expect(ByzantineSelection.clients(total: 5, count: 9, seed: 1) == Set(0..<5))
        #expect(ByzantineSelection.clients(total: 5, count: -1, seed: 1).isEmpty)
        #expect(ByzantineSelection.clients(total: 0, count: 3, seed: 1).isEmpty)
    }

    @Test func fractionsRoundDownWithoutBinaryArtefacts() {
        #expect(ByzantineSelection.count(total: 100, fraction: 0.29) == 29)
        #expect(ByzantineSelection.count(total: 10, fraction: 0.2) == 2)
        #expect(ByzantineSelection.count(total: 7, fraction: 0.2) == 1)
        #expect(ByzantineSelection.count(total: 10, fraction: 1.5) == 10)
        #expect(ByzantineSelection.count(total: 10, fraction: -0.1) == 0)
    }
}
