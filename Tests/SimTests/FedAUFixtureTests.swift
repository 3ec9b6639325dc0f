import Foundation
import Testing

@testable import Sim

/// The FedAU fixtures of `../shared/fixtures/algorithms/` (README: fedau-weights, fedau-rounds).
/// Each test globs every `*.json` of the directory and runs those of its kind.
@Suite struct FedAUFixtureTests {
    @Test func everyFedAUWeightsFixture() throws {
        let cases = try AlgorithmFixture.all(kind: "fedau-weights")
        #expect(!cases.isEmpty)
        for fixture in cases { try runWeights(fixture) }
    }

    @Test func everyFedAURoundsFixture() throws {
        let cases = try AlgorithmFixture.all(kind: "fedau-rounds")
        #expect(!cases.isEmpty)
        for fixture in cases { try runRounds(fixture) }
    }

    /// K = "Infinity" → nil, an integer → that cutoff.
    static func cutoff(_ fixture: AlgorithmFixture) throws -> Int? {
        let k = try fixture.number(fixture.params, "K")
        if k.isInfinite { return nil }
        #expect(k >= 1 && k < 1e9 && k.rounded() == k, "\(fixture.name): K = \(k) is not an integer ≥ 1")
        return Int(min(max(k, 1), 1e9))
    }

    private func runWeights(_ fixture: AlgorithmFixture) throws {
        let n = Int(try fixture.number(fixture.params, "N"))
        let participation = try fixture.matrix(fixture.inputs, "participation")
        let e = fixture.expected
        let before = try fixture.matrix(e, "weight_before_round"), applied = try fixture.matrix(e, "applied_weight")
        var estimator = try FedAUEstimator(clients: n, cutoff: try Self.cutoff(fixture), keepHistory: true)
        #expect(participation.count == Int(try fixture.number(fixture.params, "T")), "\(fixture.name): T")
        for (t, row) in participation.enumerated() {
            let weights = estimator.weights
            fixture.close("weight_before_round[\(t)]", weights, before[t])
            fixture.close("applied_weight[\(t)]", zip(weights, row).map { $1 == 1 ? $0 : 0 }, applied[t])
            try estimator.record(participated: row.map { $0 == 1 })
        }
        fixture.close("final_open_interval", estimator.openInterval.map(Double.init), try fixture.vector(e, "final_open_interval"))
        fixture.close("final_interval_count", estimator.intervalCount.map(Double.init), try fixture.vector(e, "final_interval_count"))
        fixture.close("final_interval_sum", estimator.intervalSum.map(Double.init), try fixture.vector(e, "final_interval_sum"))
        fixture.close("final_weight", estimator.weights, try fixture.vector(e, "final_weight"))
        let intervals = try fixture.matrix(e, "final_intervals")
        let history = try #require(estimator.history)
        for c in 0..<n { fixture.close("final_intervals[\(c)]", history[c].map(Double.init), intervals[c]) }
    }

    private func runRounds(_ fixture: AlgorithmFixture) throws {
        let p = fixture.params
        let n = Int(try fixture.number(p, "N")), d = Int(try fixture.number(p, "d"))
        let eta = try fixture.number(p, "eta")
        var x = try fixture.vector(fixture.inputs, "x0")
        let participation = try fixture.matrix(fixture.inputs, "participation")
        let deltas = try fixture.tensor3(fixture.inputs, "deltas")
        let applied = try fixture.matrix(fixture.expected, "applied_weight"), xs = try fixture.matrix(fixture.expected, "x")
        var state = try ClientWeightingState(weighting: .fedau(cutoff: try Self.cutoff(fixture)), clients: n, dimension: d)
        for (t, row) in participation.enumerated() {
            let participants = row.indices.filter { row[$0] == 1 }
            let factors = try #require(state.factors(participants: participants), "\(fixture.name): FedAU is linear")
            var weights = [Double](repeating: 0, count: n)
            for (k, c) in participants.enumerated() { weights[c] = factors.factors[k] }
            fixture.close("applied_weight[\(t)]", weights, applied[t])
            let step = try state.aggregate(participants: participants, deltas: participants.map { deltas[t][$0] })
            for i in 0..<d { x[i] = x[i] + eta * step[i] }
            fixture.close("x[\(t)]", x, xs[t])
        }
    }
}
