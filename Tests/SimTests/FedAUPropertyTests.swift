import Foundation
import Testing

@testable import Sim

/// FedAU and the baselines: the worked example of `../shared/specs/algorithms.md` §3.6 and the
/// statistical properties / invariants of §3.7.
@Suite struct FedAUPropertyTests {
    static let example: [Bool] = [0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1].map { $0 == 1 }

    /// The weights used at the participation rounds and the final ω̂ of §3.6.
    private func usedWeights(cutoff: Int?) throws -> (used: [Int: Double], final: Double, intervals: [Int]) {
        var estimator = try FedAUEstimator(clients: 1, cutoff: cutoff, keepHistory: true)
        var used: [Int: Double] = [:]
        for (t, q) in Self.example.enumerated() {
            if q { used[t] = estimator.weight(client: 0) }
            try estimator.record(participated: [q])
        }
        return (used, estimator.weight(client: 0), estimator.history?[0] ?? [])
    }

    @Test func workedExampleInfiniteCutoff() throws {
        let r = try usedWeights(cutoff: nil)
        #expect(r.used == [2: 1, 4: 3, 5: 2.5, 11: 2, 13: 3])
        #expect(r.intervals == [3, 2, 1, 6, 2] && r.final == 2.8)
    }

    @Test func workedExampleCutoffThree() throws {
        let r = try usedWeights(cutoff: 3)
        #expect(r.used == [2: 1, 4: 3, 5: 2.5, 11: 2.25, 13: 2.4])
        #expect(r.intervals == [3, 2, 1, 3, 3, 2] && abs(r.final - 7.0 / 3.0) < 1e-15)
    }

    /// §3.6: N = 4, η = 1, participants 1 (ω = 2.5, Δ = 0.4) and 3 (ω = 1, Δ = −0.2) ⇒ x += 0.2.
    @Test func workedAggregationExample() throws {
        var state = try ClientWeightingState(weighting: .fedau(cutoff: nil), clients: 4, dimension: 1)
        for q in Self.example.prefix(5) {  // client 1 follows the example: ω = 2.5 at round 5
            _ = try state.aggregate(participants: q ? [1] : [], deltas: q ? [[0]] : [])
        }
        #expect(state.factors(participants: [1, 3])?.factors == [2.5, 1])
        let step = try state.aggregate(participants: [3, 1], deltas: [[-0.2], [0.4]])
        #expect(abs(step[0] - 0.2) < 1e-15)
    }

    /// §3.7: under Bernoulli(p) the estimate tends to (1 − (1 − p)^K)/p (1/p for K = ∞), within
    /// 4 standard errors of the interval mean (seeded, so deterministic).
    @Test(arguments: [(0.1, Int?.none), (0.1, Int?.some(10)), (0.3, Int?.some(5)), (0.05, Int?.some(50))])
    func expectedWeightUnderBernoulli(p: Double, cutoff: Int?) throws {
        var process = try ParticipationState(pattern: .bernoulli(probabilities: [p]), clients: 1, seed: 37)
        var estimator = try FedAUEstimator(clients: 1, cutoff: cutoff)
        for _ in 0..<60_000 { try estimator.record(participated: process.advance()) }
        let k = Double(cutoff ?? Int.max)
        let theory = cutoff == nil ? 1 / p : (1 - pow(1 - p, k)) / p
        let samples = Double(estimator.intervalCount[0])
        let standardError = ((1 - p) / (p * p) / samples).squareRoot()
        #expect(abs(estimator.weight(client: 0) - theory) <= 4 * standardError,
                "p = \(p), K = \(String(describing: cutoff)): ω̂ = \(estimator.weight(client: 0)), theory \(theory)")
    }

    /// §3.7 invariants 1–4 on random traces: no look-ahead, 1 ≤ ω ≤ K, always-present ⇒ 1,
    /// period P ⇒ P from the second participation.
    @Test func estimatorInvariants() throws {
        var process = try ParticipationState(pattern: .bernoulli(probabilities: [0.2, 0.6, 1, 0.05]), clients: 4, seed: 11)
        let trace = process.simulate(rounds: 200)
        var estimator = try FedAUEstimator(clients: 4, cutoff: 7)
        for (t, row) in trace.enumerated() {
            let weights = estimator.weights
            #expect(weights.allSatisfy { $0 >= 1 && $0 <= 7 })
            #expect(t == 0 || weights[2] == 1)
            try estimator.record(participated: row)
        }
        // No look-ahead: the factor applied in round t is ω̂ before round t, whether or not the
        // client takes part in round t (a unit delta of client n moves the step by ω_n^t / N).
        for t in [0, 1, 17, 100] {
            var state = try ClientWeightingState(weighting: .fedau(cutoff: 7), clients: 4, dimension: 1)
            var prefix = try FedAUEstimator(clients: 4, cutoff: 7)
            for s in 0..<t {
                let ids = trace[s].indices.filter { trace[s][$0] }
                _ = try state.aggregate(participants: ids, deltas: ids.map { _ in [0] })
                try prefix.record(participated: trace[s])
            }
            for n in 0..<4 {
                var alone = state
                let step = try alone.aggregate(participants: [n], deltas: [[1]])
                #expect(step == [prefix.weight(client: n) / 4], "round \(t), client \(n)")
            }
        }
        let period = 6
        var periodic = try FedAUEstimator(clients: 1, cutoff: nil)
        var participations = 0
        for t in 0..<60 {
            let q = t % period == period - 1
            if q {
                participations += 1
                if participations >= 2 { #expect(periodic.weight(client: 0) == Double(period)) }
            }
            try periodic.record(participated: [q])
        }
    }

    /// §3.7 invariants 5–6: K = 1 is bit-identical to `all`; non-participants never move x but
    /// count in N.
    @Test func cutoffOneIsAverageAll() throws {
        var process = try ParticipationState(pattern: .markov(probabilities: [0.3, 0.5, 0.1, 0.9, 0.2], toActive: 0.2), clients: 5, seed: 4)
        var random = RandomKey(seed: 4, purpose: .aggregationShuffle).generator
        var fedau = try ClientWeightingState(weighting: .fedau(cutoff: 1), clients: 5, dimension: 3)
        var all = try ClientWeightingState(weighting: .all, clients: 5, dimension: 3)
        for _ in 0..<40 {
            let participants = process.advance().enumerated().filter(\.element).map(\.offset)
            let deltas = participants.map { _ in (0..<3).map { _ in random.nextNormal() } }
            let a = try fedau.aggregate(participants: participants, deltas: deltas)
            #expect(a == (try all.aggregate(participants: participants, deltas: deltas)))
            if participants.isEmpty { #expect(a == [0, 0, 0]) }
        }
        #expect(fedau.estimator?.weights == [1, 1, 1, 1, 1])
    }

    @Test func baselinesFollowTheirFormulas() throws {
        let deltas: [[Double]] = [[2, -4], [6, 8]]
        var participants = try ClientWeightingState(weighting: .participants, clients: 4, dimension: 2)
        #expect(try participants.aggregate(participants: [0, 2], deltas: deltas) == [4, 2])
        #expect(try participants.aggregate(participants: [], deltas: []) == [0, 0])
        var all = try ClientWeightingState(weighting: .all, clients: 4, dimension: 2)
        #expect(try all.aggregate(participants: [0, 2], deltas: deltas) == [2, 1])
        var known = try ClientWeightingState(weighting: .knownProbability([0.5, 1, 0.25, 1]), clients: 4, dimension: 2)
        #expect(try known.aggregate(participants: [0, 2], deltas: deltas) == [(4 + 24) / 4.0, (-8 + 32) / 4.0])
        #expect(throws: ParticipationError.self) { try ClientWeightingState(weighting: .knownProbability([0.5]), clients: 4, dimension: 2) }
        #expect(throws: ParticipationError.self) { try all.aggregate(participants: [0, 0], deltas: deltas) }
        #expect(throws: ParticipationError.self) { try all.aggregate(participants: [0], deltas: [[1]]) }
    }

    /// MIFA and FedVARP on a hand-computed sequence (N = 2, d = 1).
    @Test func memoryBaselines() throws {
        var mifa = try ClientWeightingState(weighting: .mifa, clients: 2, dimension: 1)
        #expect(try mifa.aggregate(participants: [0], deltas: [[2]]) == [1])
        #expect(try mifa.aggregate(participants: [1], deltas: [[4]]) == [3])
        #expect(try mifa.aggregate(participants: [], deltas: []) == [3])
        var varp = try ClientWeightingState(weighting: .fedvarp, clients: 2, dimension: 1)
        #expect(try varp.aggregate(participants: [0], deltas: [[2]]) == [2])
        #expect(try varp.aggregate(participants: [1], deltas: [[4]]) == [5])
        #expect(try varp.aggregate(participants: [], deltas: []) == [0])
        #expect(varp.memory == [2, 4])
        #expect(try varp.aggregate(participants: [1, 0], deltas: [[5], [3]]) == [4])
        #expect(varp.memory == [3, 5])
    }
}
