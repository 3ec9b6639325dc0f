import Foundation
import Protocol
import Testing

@testable import Sim

/// Participation processes (`../shared/specs/algorithms.md` §2): every `participation-stats` and
/// `participation-probs` fixture, plus determinism, snapshots and trace files.
@Suite struct ParticipationProcessTests {
    @Test func everyParticipationStatsFixture() throws {
        let cases = try AlgorithmFixture.all(kind: "participation-stats")
        #expect(!cases.isEmpty)
        for fixture in cases { try runStats(fixture) }
    }

    @Test func everyParticipationProbsFixture() throws {
        let cases = try AlgorithmFixture.all(kind: "participation-probs")
        #expect(!cases.isEmpty)
        for fixture in cases {
            let p = fixture.params
            let theta = try fixture.vector(fixture.inputs, "theta")
            let probabilities = try ParticipationProbabilities.fromLabelFractions(
                try fixture.matrix(fixture.inputs, "label_fractions"), theta: theta,
                mean: try fixture.number(p, "p_mean"), floor: try fixture.number(p, "p_min"))
            let expected = try fixture.vector(fixture.expected, "p")
            fixture.close("p", probabilities, expected)
            let counts = try fixture.matrix(fixture.inputs, "label_counts").map { $0.map { Int($0) } }
            let fromCounts = try ParticipationProbabilities.fromLabelCounts(
                counts, theta: theta, mean: try fixture.number(p, "p_mean"), floor: try fixture.number(p, "p_min"))
            for (a, b) in zip(fromCounts, expected) { #expect(abs(a - b) <= 1e-12 * b, "\(fixture.name): from counts") }
            // Our own θ: a probability vector of C entries, same for the same seed.
            let classes = Int(try fixture.number(p, "C"))
            let seed = UInt64(try fixture.number(p, "seed"))
            let ours = try ParticipationProbabilities.drawTheta(classes: classes, alpha: try fixture.number(p, "dirichlet_alpha"), seed: seed)
            #expect(ours.count == classes && abs(ours.reduce(0, +) - 1) < 1e-12 && ours.allSatisfy { $0 >= 0 })
            #expect(ours == (try ParticipationProbabilities.drawTheta(classes: classes, alpha: 0.1, seed: seed)))
        }
    }

    private func runStats(_ fixture: AlgorithmFixture) throws {
        let p = fixture.params
        let name = try #require(p["process"]?.stringValue, "\(fixture.name): process")
        let probabilities = try fixture.vector(p, "probabilities")
        let n = Int(try fixture.number(p, "N")), rounds = Int(try fixture.number(p, "T"))
        let pattern = try ParticipationPattern.named(name, probabilities: probabilities)
        let derived = try #require(p["derived"]?.arrayValue, "\(fixture.name): derived")
        // The derived parameters (Markov rates, cyclic lengths) match exactly.
        for c in 0..<n {
            switch pattern {
            case .markov(_, let a):
                let rates = ParticipationPattern.markovRates(probability: probabilities[c], toActive: a)
                fixture.exact("to_active[\(c)]", [rates.toActive], [try fixture.number(derived[c], "to_active")])
                fixture.exact("to_inactive[\(c)]", [rates.toInactive], [try fixture.number(derived[c], "to_inactive")])
            case .cyclic(_, let period):
                let lengths = ParticipationPattern.cyclicLengths(probability: probabilities[c], period: period)
                fixture.exact("active_len[\(c)]", [Double(lengths.active)], [try fixture.number(derived[c], "active_len")])
                fixture.exact("inactive_len[\(c)]", [Double(lengths.inactive)], [try fixture.number(derived[c], "inactive_len")])
            default: break
            }
        }
        // Cyclic: started from the reference's phases, the trace matches exactly.
        if case .cyclic(_, let period) = pattern, let counters = fixture.inputs["initial_counter"]?.vector {
            let expectedTrace = try fixture.matrix(fixture.expected, "trace")
            var state = try ParticipationState(cyclic: probabilities, period: period, initialCounters: counters.map { Int($0) })
            for (t, row) in state.simulate(rounds: expectedTrace.count).enumerated() {
                fixture.exact("trace[\(t)]", row.map { $0 ? 1 : 0 }, expectedTrace[t])
            }
        }
        // Statistics of our own seeded run.
        var state = try ParticipationState(pattern: pattern, clients: n, seed: 2026)
        let trace = state.simulate(rounds: rounds)
        let tolerance = try #require(fixture.root["tolerance"]?["absolute"], "\(fixture.name): tolerance.absolute")
        for stat in ["rate", "p_stay_active", "p_become_active", "mean_active_run", "mean_inactive_run"] {
            let expected = try fixture.vector(fixture.expected, stat), allowed = try fixture.vector(tolerance, stat)
            for c in 0..<n {
                let measured = Self.statistic(stat, trace.map { $0[c] })
                #expect(abs(measured - expected[c]) <= allowed[c],
                        "\(fixture.name): \(stat)[\(c)] = \(measured), expected \(expected[c]) ± \(allowed[c])")
            }
        }
    }

    /// The README's measurement rules on one client's trace.
    static func statistic(_ name: String, _ q: [Bool]) -> Double {
        switch name {
        case "rate":
            return Double(q.filter { $0 }.count) / Double(q.count)
        case "p_stay_active", "p_become_active":
            let from = name == "p_stay_active"
            var hits = 0, total = 0
            for t in 1..<q.count where q[t - 1] == from {
                total += 1
                if q[t] { hits += 1 }
            }
            return total == 0 ? 0 : Double(hits) / Double(total)
        default:
            let value = name == "mean_active_run"
            var runs: [Int] = []
            var start = 0
            for t in 1...q.count where t == q.count || q[t] != q[start] {
                if q[start] == value && start > 0 && t < q.count { runs.append(t - start) }
                start = t
            }
            return runs.isEmpty ? 0 : Double(runs.reduce(0, +)) / Double(runs.count)
        }
    }

    @Test func sameSeedSameRoundsAndSnapshotsResume() throws {
        let p = [0.1, 0.5, 0.02, 0.9]
        for pattern: ParticipationPattern in [.bernoulli(probabilities: p), .markov(probabilities: p, toActive: 0.05),
                                              .cyclic(probabilities: p, period: 10), .uniform(clientsPerRound: 2), .full] {
            var a = try ParticipationState(pattern: pattern, clients: 4, seed: 9)
            var b = try ParticipationState(pattern: pattern, clients: 4, seed: 9)
            #expect(a.simulate(rounds: 30) == b.simulate(rounds: 30))
            let snapshot = a
            let rest = a.simulate(rounds: 40)
            var resumed = snapshot
            #expect(resumed.simulate(rounds: 40) == rest, "\(pattern)")
            #expect(resumed == a)
        }
        var one = try ParticipationState(pattern: .bernoulli(probabilities: p), clients: 4, seed: 1)
        var two = try ParticipationState(pattern: .bernoulli(probabilities: p), clients: 4, seed: 2)
        #expect(one.simulate(rounds: 50) != two.simulate(rounds: 50))
    }

    @Test func uniformAndFullDelegateToTheFoundationSchedule() throws {
        var state = try ParticipationState(pattern: .uniform(clientsPerRound: 3), clients: 10, seed: 5)
        for r in 1...5 {
            #expect(state.nextParticipants() == ParticipationProcess.uniform(clientsPerRound: 3).participants(round: RoundID(r), clients: 10, seed: 5))
        }
        var full = try ParticipationState(pattern: .full, clients: 3, seed: 5)
        #expect(full.nextParticipants() == [0, 1, 2])
    }

    @Test func cyclicClientIsActiveForExactlyActiveLenRounds() throws {
        var state = try ParticipationState(pattern: .cyclic(probabilities: [0.3], period: 10), clients: 1, seed: 3)
        let q = state.simulate(rounds: 100).map { $0[0] }
        #expect(Self.statistic("mean_active_run", q) == 3 && Self.statistic("mean_inactive_run", q) == 7)
        #expect(!q[0])  // starts inactive: the first toggle happens when the counter reaches 0
    }

    @Test func namesAndValidation() throws {
        #expect(try ParticipationPattern.named("markov-0.2", probabilities: [0.5]) == .markov(probabilities: [0.5], toActive: 0.2))
        #expect(try ParticipationPattern.named("cyclic", probabilities: [0.5]) == .cyclic(probabilities: [0.5], period: 100))
        #expect(throws: ParticipationError.self) { try ParticipationPattern.named("poisson", probabilities: [0.5]) }
        #expect(throws: ParticipationError.probabilityOutOfRange(client: 1, value: 0)) {
            try ParticipationState(pattern: .bernoulli(probabilities: [0.5, 0]), clients: 2, seed: 0)
        }
        #expect(throws: ParticipationError.self) { try ParticipationState(pattern: .bernoulli(probabilities: [0.5]), clients: 2, seed: 0) }
        #expect(ParticipationPattern.cyclicLengths(probability: 0.025, period: 100) == (2, 98))  // half to even
        #expect(ParticipationPattern.markovRates(probability: 0.02, toActive: 0.05).toInactive == 1)
    }

    @Test func traceFilesInBothFormats() throws {
        let pairs = try ParticipationTrace.parse("round,client\n# comment\n1,0\n1,2\n3,1\n3,1\n", format: .pairs, clients: 3)
        #expect(pairs.rows == [[true, false, true], [false, false, false], [false, true, false]])
        let matrix = try ParticipationTrace.parse("1,0,1\n0 0 0\n\n0,1,0\n", format: .matrix, clients: 3)
        #expect(matrix == pairs)
        var state = try ParticipationState(pattern: .trace(matrix), clients: 3, seed: 0)
        #expect(state.simulate(rounds: 4).last == [true, false, true])  // round 4 repeats round 1
        #expect(throws: ParticipationError.self) { try ParticipationTrace.parse("1,5\n", format: .pairs, clients: 3) }
        #expect(throws: ParticipationError.self) { try ParticipationTrace.parse("0,1\n", format: .pairs, clients: 3) }
        #expect(throws: ParticipationError.self) { try ParticipationTrace.parse("1,0\n", format: .matrix, clients: 3) }
        #expect(throws: ParticipationError.self) { try ParticipationTrace.parse("1,2,0\n", format: .matrix, clients: 3) }
        #expect(throws: ParticipationError.emptyTrace) { try ParticipationTrace.parse("# nothing\n", format: .matrix, clients: 3) }
        #expect(throws: ParticipationError.self) { try ParticipationState(pattern: .trace(matrix), clients: 4, seed: 0) }
    }
}
