import Protocol
import Sim
import Testing

@Suite struct ServerAggregationTests {
    static func inputs(_ rows: [[Float]], samples: [Int]? = nil) -> [ServerAggregation.Input] {
        rows.enumerated().map { i, row in
            ServerAggregation.Input(client: ClientID(i), vector: row, samples: samples?[i] ?? 10)
        }
    }

    @Test func withoutAChainItIsTheWeightedMeanInClientOrder() {
        let rows: [[Float]] = [[1, 2], [3, 4], [5, 6]]
        let server = ServerAggregation(weighting: .samples, population: 3, chain: nil, attack: nil,
                                       byzantineClients: [], seed: 1)
        let outcome = server.aggregate(Self.inputs(rows, samples: [1, 1, 2]).reversed(), round: 1, previous: nil)
        #expect(outcome.aggregate == weightedSum(rows, weights: [0.25, 0.25, 0.5]))
        #expect(outcome.weights?[2] == 0.5)
        #expect(outcome.note == nil)
        #expect(outcome.distanceToHonestMean == nil, "no Byzantine client and no robust chain: no robustness metrics")
    }

    @Test func robustRulesSeeTheSameResultWhateverTheArrivalOrder() throws {
        let rows: [[Float]] = (0..<9).map { i in [Float(i), Float(i * i % 7), -Float(i)] }
        let chain = try AggregationChain(names: ["nnm", "trimmed-mean"], defaultF: 2)
        let server = ServerAggregation(weighting: .samples, population: 9, chain: chain, attack: nil,
                                       byzantineClients: [], seed: 5)
        let a = server.aggregate(Self.inputs(rows), round: 3, previous: nil)
        let b = server.aggregate(Self.inputs(rows).reversed(), round: 3, previous: nil)
        #expect(a.aggregate != nil)
        #expect(a == b)
    }

    @Test func theAdversaryReplacesByzantineInputsWithCraftedVectors() throws {
        let rows: [[Float]] = [[1, 1], [3, 1], [2, 4], [100, 100]]
        let server = ServerAggregation(weighting: .participants, population: 4, chain: nil,
                                       attack: try OmniscientAttack(name: "sign-flip"), byzantineClients: [3], seed: 1)
        let outcome = server.aggregate(Self.inputs(rows), round: 1, previous: nil)
        // Honest mean (2, 2); the Byzantine input becomes (−2, −2); the plain mean is (1, 1).
        #expect(outcome.aggregate == [1, 1])
        #expect(outcome.byzantine == [3])
        #expect(outcome.distanceToHonestMean! > 1.41 && outcome.distanceToHonestMean! < 1.42)
        #expect(outcome.byzantineNormMean! > 2.82 && outcome.byzantineNormMean! < 2.83)
    }

    @Test func selectionRulesReportTheClientsTheyKept() throws {
        var rows: [[Float]] = (0..<6).map { i in [Float(i) * 0.1, 1] }
        rows.append([50, -50])
        let chain = try AggregationChain(names: ["krum"], defaultF: 1)
        let server = ServerAggregation(weighting: .samples, population: 7, chain: chain, attack: nil,
                                       byzantineClients: [6], seed: 2)
        let outcome = server.aggregate(Self.inputs(rows), round: 1, previous: nil)
        let kept = try #require(outcome.selected)
        #expect(kept.count == 1 && kept[0] != 6)
        #expect(outcome.byzantineSelected == 0)
        #expect(outcome.aggregate == rows[Int(kept[0])])
    }

    @Test func tooFewInputsForTheRuleSkipTheRoundWithTheReason() throws {
        let chain = try AggregationChain(names: ["bulyan"], defaultF: 1)
        let server = ServerAggregation(weighting: .samples, population: 10, chain: chain, attack: nil,
                                       byzantineClients: [], seed: 1)
        let outcome = server.aggregate(Self.inputs([[1], [2], [3], [4]]), round: 4, previous: nil)
        #expect(outcome.aggregate == nil)
        #expect(outcome.note?.contains("4f + 3") == true, "\(outcome.note ?? "")")
    }
}
