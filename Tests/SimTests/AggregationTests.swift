import Protocol
import Sim
import Testing

// Weighting (algorithms.md §1.3 invariants) and the order-fixed Double-accumulated weighted sum.

/// `count` floats in [−scale, scale) from the portable generator.
private func floats(seed: UInt64, count: Int, scale: Double = 1) -> [Float] {
    (0..<count).map { Float((PortableRandom.uniform(seed: seed, index: UInt64($0)) * 2 - 1) * scale) }
}

/// `count` sample counts in 1...500.
private func sampleCounts(seed: UInt64, count: Int) -> [Int] {
    (0..<count).map { Int(PortableRandom.u64(seed: seed, index: UInt64($0)) % 500) + 1 }
}

private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

@Suite struct WeightingTests {
    @Test func namesMatchTheExperimentFile() {
        #expect(Weighting.allCases.map(\.rawValue) == ["samples", "participants", "all"])
    }

    @Test func samplesIsEachCountOverTheParticipantsTotal() {
        #expect(Weighting.samples.weights(sampleCounts: [10, 30, 60], population: 1000) == [0.1, 0.3, 0.6])
        #expect(Weighting.samples.weights(sampleCounts: [1, 3], population: 2) == [0.25, 0.75])
    }

    @Test(arguments: [1, 2, 3, 10, 77] as [UInt64])
    func samplesAndParticipantsWeightsSumToOne(seed: UInt64) {
        let counts = sampleCounts(seed: seed, count: Int(seed % 20) + 1)
        for weighting in [Weighting.samples, .participants] {
            let weights = weighting.weights(sampleCounts: counts, population: 1000)
            #expect(weights.count == counts.count)
            #expect(abs(weights.reduce(0, +) - 1) < 1e-12, "seed \(seed), \(weighting)")
            #expect(weights.allSatisfy { $0 > 0 })
        }
    }

    @Test func samplesWithEqualCountsIsAPlainMean() {
        for m in [1, 3, 7, 10] {
            let samples = Weighting.samples.weights(sampleCounts: Array(repeating: 144, count: m), population: 100)
            let plain = Weighting.participants.weights(sampleCounts: Array(repeating: 144, count: m), population: 100)
            #expect(samples == plain)
            #expect(samples == Array(repeating: 1.0 / Double(m), count: m))
        }
    }

    @Test func participantsIgnoresTheCounts() {
        let weights = Weighting.participants.weights(sampleCounts: [1, 1000, 5, 0], population: 9)
        #expect(weights == [0.25, 0.25, 0.25, 0.25])
    }

    @Test func allIsOneOverThePopulationForEveryParticipant() {
        let weights = Weighting.all.weights(sampleCounts: [5, 50, 500], population: 8)
        #expect(weights == [0.125, 0.125, 0.125])
        #expect(weights.reduce(0, +) == 3.0 / 8.0)
    }

    @Test func noParticipantsGiveNoWeights() {
        for weighting in Weighting.allCases {
            #expect(weighting.weights(sampleCounts: [], population: 10).isEmpty)
        }
    }

    @Test func samplesWithoutAnySampleFallsBackToAPlainMean() {
        #expect(Weighting.samples.weights(sampleCounts: [0, 0], population: 4) == [0.5, 0.5])
    }
}

@Suite struct WeightedSumTests {
    @Test func handComputedExample() {
        let sum = weightedSum([[1, 2, -4], [3, 4, 8]], weights: [0.25, 0.75])
        #expect(sum == [2.5, 3.5, 5])
    }

    @Test func accumulatesInDouble() {
        // In Float, 1e8 + 1 rounds back to 1e8 and the sum would be 0; in Double it is exactly 1.
        #expect(weightedSum([[1e8], [1], [-1e8]], weights: [1, 1, 1]) == [1])
    }

    @Test func addsInTheOrderGiven() {
        // 2^60 + 1 is not representable in Double either: the order of the terms decides the result.
        let big = Float(0x1p60)
        #expect(weightedSum([[big], [1], [-big]], weights: [1, 1, 1]) == [0])
        #expect(weightedSum([[big], [-big], [1]], weights: [1, 1, 1]) == [1])
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func equalsASequentialDoubleReference(seed: UInt64) {
        let n = Int(seed) * 3, d = 257
        let vectors = (0..<n).map { floats(seed: seed &* 100 &+ UInt64($0), count: d, scale: 10) }
        let weights = Weighting.samples.weights(sampleCounts: sampleCounts(seed: seed, count: n), population: n)
        var reference = [Double](repeating: 0, count: d)
        for (vector, weight) in zip(vectors, weights) {
            for i in 0..<d { reference[i] += weight * Double(vector[i]) }
        }
        #expect(bits(weightedSum(vectors, weights: weights)) == bits(reference.map { Float($0) }), "seed \(seed)")
    }

    /// algorithms.md §1.3: if all selected clients return the same model, the aggregate equals it.
    @Test(arguments: [1, 2, 3, 10, 99] as [UInt64])
    func identicalInputsGiveThatInput(seed: UInt64) {
        let v = floats(seed: seed, count: 300, scale: 3)
        let n = Int(seed % 13) + 1
        for weights in [Weighting.samples.weights(sampleCounts: sampleCounts(seed: seed, count: n), population: 100),
                        Weighting.participants.weights(sampleCounts: Array(repeating: 1, count: n), population: 100)] {
            #expect(bits(weightedSum(Array(repeating: v, count: n), weights: weights)) == bits(v), "seed \(seed)")
        }
    }

    /// The sum depends only on its inputs: computed twice, or from copies built elsewhere, or after
    /// sorting differently-ordered arrivals by client id as the coordinator does, the bits agree.
    @Test func isDeterministicWhateverTheArrivalOrder() {
        var clients: [(client: ClientID, samples: Int, vector: [Float])] = []
        for c in 0..<12 {
            let id = ClientID(c * 7 % 12)
            let samples = c * 13 % 50 + 1
            clients.append((id, samples, floats(seed: 500 + UInt64(c), count: 129, scale: 5)))
        }
        func aggregate(_ arrivals: [(client: ClientID, samples: Int, vector: [Float])]) -> [Float] {
            let sorted = arrivals.sorted { $0.client < $1.client }
            let weights = Weighting.samples.weights(sampleCounts: sorted.map(\.samples), population: 12)
            return weightedSum(sorted.map(\.vector), weights: weights)
        }
        let reference = bits(aggregate(clients))
        #expect(bits(aggregate(clients)) == reference)
        for seed in [1, 2, 3, 4, 5] as [UInt64] {
            let order = PortableRandom.permutation(seed: seed, count: clients.count)
            let arrivals = order.map { clients[$0] }.map { ($0.client, $0.samples, Array($0.vector)) }
            #expect(bits(aggregate(arrivals)) == reference, "seed \(seed)")
        }
    }

    @Test func noVectorsGiveAnEmptyResult() {
        #expect(weightedSum([], weights: []).isEmpty)
    }
}
