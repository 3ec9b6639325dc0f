import Foundation
import Sim
import Testing

/// Timing distributions (seeded Monte Carlo means), the per-(round, client) timing model, the
/// threshold rule, the (B, W, λ) generator, and trace parsing with its errors.
@Suite struct StragglerModelTests {
    static let nominal = VirtualTimeModel(computeFlopsPerSecond: 1e9, uplinkBytesPerSecond: 1e6,
                                          downlinkBytesPerSecond: 1e7, latencySeconds: 0.01)

    /// Sample mean of 20,000 seeded draws lies within 5 standard errors (0.05 relative for Pareto α = 3,
    /// whose variance is finite but large tails make the CLT slow).
    @Test(arguments: [
        (TimingDistribution.constant(2.5), 2.5, 0.0),
        (.normal(mean: 10, sd: 2, minimum: 0.001), 10, 2),
        (.logNormal(mu: 0, sigma: 1), exp(0.5), (exp(1.0) - 1).squareRoot() * exp(0.5)),
        (.exponential(mean: 2, shift: 1), 3, 2),
        (.pareto(alpha: 3, scale: 1), 1.5, (0.75).squareRoot()),
    ])
    func distributionMeans(distribution: TimingDistribution, mean: Double, sd: Double) throws {
        #expect(abs(distribution.mean - mean) < 1e-12)
        var g = RandomKey(seed: 2024, purpose: .timing, round: 9).generator
        let count = 20_000
        var total = 0.0
        for _ in 0..<count {
            let x = distribution.sample(using: &g)
            #expect(x > 0)
            total += x
        }
        let bound = sd == 0 ? 1e-12 : 5 * sd / Double(count).squareRoot()
        #expect(abs(total / Double(count) - mean) <= bound, "\(distribution): mean \(total / Double(count))")
    }

    @Test func paretoMinimumAndInvalidParameters() {
        var g = RandomKey(seed: 1, purpose: .timing).generator
        #expect((0..<1000).allSatisfy { _ in TimingDistribution.pareto(alpha: 1.5, scale: 2).sample(using: &g) >= 2 })
        #expect(TimingDistribution.pareto(alpha: 1, scale: 1).mean == .infinity)
        #expect(throws: StragglerModelError.self) { try TimingDistribution.pareto(alpha: 0, scale: 1).validate(what: "x") }
        #expect(throws: StragglerModelError.self) { try TimingDistribution.constant(0).validate(what: "x") }
        #expect(throws: StragglerModelError.self) { try StragglerTimingModel(seed: 1, speed: .logNormal(mu: 0, sigma: -1)) }
    }

    @Test func timingModelIsSeededPerRoundAndClient() throws {
        let model = try StragglerTimingModel(seed: 7, speed: .logNormal(mu: 0, sigma: 0.5),
                                             slowdown: .pareto(alpha: 1.5, scale: 1),
                                             uplinkBytesPerSecond: .constant(2e6))
        let a = model.timing(round: 3, client: 5, nominal: Self.nominal)
        #expect(a == model.timing(round: 3, client: 5, nominal: Self.nominal))             // deterministic
        let b = model.timing(round: 4, client: 5, nominal: Self.nominal)
        #expect(a.speed == b.speed && a.slowdown != b.slowdown)                           // speed persists, slowdown per round
        #expect(a.speed != model.timing(round: 3, client: 6, nominal: Self.nominal).speed)
        #expect(a.uplinkBytesPerSecond == 2e6 && a.downlinkBytesPerSecond == 1e7 && a.latencySeconds == 0.01)
        let seconds = a.roundSeconds(nominalComputeSeconds: 2, bytesDown: 1_000_000, bytesUp: 500_000)
        #expect(abs(seconds - (0.01 + 0.1 + 2 / a.speed * a.slowdown + 0.01 + 0.25)) < 1e-12)
        // Defaults reproduce the nominal model.
        let plain = try StragglerTimingModel(seed: 7).timing(round: 0, client: 0, nominal: Self.nominal)
        #expect(plain.computeSeconds(nominalSeconds: 3) == 3 && plain.linkSeconds(bytesDown: 10, bytesUp: 10)
                    == Self.nominal.linkSeconds(bytesDown: 10, bytesUp: 10))
    }

    @Test func thresholdRule() {
        let rule = ThresholdStragglerRule(mu: 1)
        #expect(rule.stragglers(delays: [3.75, 3.28, 1.377, 1.227]) == [true, true, false, false])
        #expect(rule.roundDuration(delays: [3.75, 3.28, 1.377, 1.227], waitForAll: false) == 1.227 * 2)
        #expect(rule.roundDuration(delays: [3.75, 3.28, 1.377, 1.227], waitForAll: true) == 3.75)
    }

    @Test func generatedPatternsFollowTheirModel() throws {
        for (b, w, lambda) in [(1, 2, 2), (2, 3, 3), (1, 3, 2), (2, 5, 4)] {
            let model = StragglerPattern.bursty(burst: b, window: w, lambda: lambda, probability: 0.3, continuation: 0.7)
            try model.validate(workers: 8)
            let pattern = model.generate(rounds: 60, workers: 8, seed: UInt64(b * 100 + w))
            #expect(StragglerPattern.violation(pattern, burst: b, window: w, lambda: lambda) == nil)
            #expect(pattern.joined().contains(true), "no stragglers at all for \(b), \(w), \(lambda)")
        }
        let fixed = StragglerPattern.fixedCount(2).generate(rounds: 30, workers: 6, seed: 3)
        #expect(fixed.allSatisfy { $0.filter { $0 }.count == 2 })
        #expect(Set(fixed.map { $0 }).count > 1)
        // The checker finds both kinds of violation.
        #expect(StragglerPattern.violation([[true, true, true]], burst: 1, window: 2, lambda: 2)?.round == 0)
        #expect(StragglerPattern.violation([[true, false], [false, false], [true, false]], burst: 1, window: 3, lambda: 2)?.round == 2)
        #expect(StragglerPattern.violation([[true, false], [true, false]], burst: 2, window: 3, lambda: 1) == nil)
    }

    // MARK: - Traces

    @Test func traceParsesAndOverridesTheModel() throws {
        let text = """
            # example trace
            client,start_round,end_round,speed,up_bytes_per_s,down_bytes_per_s,latency_s,available
            0,0,,1.0,1e6,1e7,0.05,1
            1,0,9,0.25,,,,true

            1,10,19,,,,,0
            """
        let trace = try TimingTrace.parse(text, file: "t.csv")
        #expect(trace.entry(client: 1, round: 9)?.speed == 0.25)
        #expect(trace.entry(client: 1, round: 15)?.available == false)
        #expect(trace.entry(client: 1, round: 20) == nil && trace.entry(client: 2, round: 0) == nil)
        #expect(trace.entry(client: 0, round: 1000)?.latencySeconds == 0.05)
        let model = try StragglerTimingModel(seed: 1, trace: trace)
        let t = model.timing(round: 12, client: 1, nominal: Self.nominal)
        #expect(!t.available && t.speed == 1)
        #expect(model.timing(round: 2, client: 1, nominal: Self.nominal).speed == 0.25)

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("gradwire-trace-\(UInt32.random(in: 0...UInt32.max)).csv")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(try TimingTrace.load(path: file.path) == trace)
        #expect(throws: StragglerModelError.self) { try TimingTrace.load(path: file.path + ".missing") }
    }

    @Test(arguments: [
        ("client,start_round\n0,0\n1,x\n", StragglerModelError.invalidField(file: "f.csv", line: 3, column: "start_round", text: "x", reason: "not a non-negative integer")),
        ("client,start_round,speed\n0,0\n", .wrongFieldCount(file: "f.csv", line: 2, expected: 3, found: 2)),
        ("client,start_round,colour\n", .unknownColumn(file: "f.csv", line: 1, column: "colour")),
        ("# only\nclient,speed\n", .missingColumn(file: "f.csv", column: "start_round")),
        ("client,start_round,speed\n0,0,-1\n", .invalidField(file: "f.csv", line: 2, column: "speed", text: "-1", reason: "not a positive finite number")),
        ("client,start_round,end_round\n0,5,9\n0,9,12\n", .overlappingWindows(file: "f.csv", line: 3, client: 0, otherLine: 2)),
        ("client,start_round,end_round\n0,5,3\n", .invalidField(file: "f.csv", line: 2, column: "end_round", text: "3", reason: "ends before start_round 5")),
        ("client,start_round,available\n0,0,maybe\n", .invalidField(file: "f.csv", line: 2, column: "available", text: "maybe", reason: "use 1/0 or true/false")),
        ("client,client,start_round\n", .duplicateColumn(file: "f.csv", line: 1, column: "client")),
        ("", .missingColumn(file: "f.csv", column: "client")),
    ])
    func traceErrorsNameFileAndLine(text: String, error: StragglerModelError) {
        #expect(throws: error) { try TimingTrace.parse(text, file: "f.csv") }
        #expect("\(error)".hasPrefix("f.csv"))
    }
}
