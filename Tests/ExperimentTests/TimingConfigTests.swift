import Foundation
import Testing

@testable import Experiment
@testable import Sim

/// `[timing]` quantities: numbers or distribution tables, their errors, the trace file, and the
/// per-client timing every process derives from them.
@Suite struct TimingConfigTests {
    static func settings(_ timing: String) throws -> RunSettings {
        try RunSettings(ExperimentConfig.parse(toml: "[run]\nseed = 5\n[timing]\n" + timing))
    }

    @Test func numbersAndTablesMapToDistributions() throws {
        let s = try Self.settings("""
            speed = { dist = "lognormal", sigma = 1.0 }
            slowdown = { dist = "pareto", alpha = 1.5 }
            bandwidth_up_bytes_per_s = { dist = "normal", mean = 1e6, sd = 2e5, minimum = 1e4 }
            latency_s = 0.02
            delay_s = { dist = "exponential", mean = 0.5 }
            """)
        #expect(s.timing.speed == .logNormal(mu: 0, sigma: 1))
        #expect(s.timing.slowdown == .pareto(alpha: 1.5, scale: 1))
        #expect(s.timing.uplinkBytesPerSecond == .normal(mean: 1e6, sd: 2e5, minimum: 1e4))
        #expect(s.timing.latencySeconds == .constant(0.02))
        #expect(s.timing.extraDelaySeconds == .exponential(mean: 0.5, shift: 0))
        // The nominal model takes the means, so the default-model figures are unchanged for numbers.
        #expect(s.timeModel.uplinkBytesPerSecond == 1e6)
        #expect(s.timeModel.latencySeconds == 0.02)
        // Written back and read again: the same config.
        let again = try ExperimentConfig.parse(toml: s.config.tomlText())
        #expect(again == s.config)
    }

    @Test func defaultsReproduceTheNominalModel() throws {
        let s = try Self.settings("")
        for client: UInt32 in 0..<5 {
            let t = s.clientTiming(round: 3, client: client)
            #expect(t.speed == 1 && t.slowdown == 1 && t.extraDelaySeconds == 0)
            #expect(t.linkSeconds(bytesDown: 1000, bytesUp: 500) == s.timeModel.linkSeconds(bytesDown: 1000, bytesUp: 500))
        }
    }

    @Test func timingIsPerClientSeededAndPersistentWhereItShouldBe() throws {
        let s = try Self.settings("speed = { dist = \"lognormal\", sigma = 1.0 }\nslowdown = { dist = \"pareto\", alpha = 1.5 }\n")
        let a = s.clientTiming(round: 1, client: 3), b = s.clientTiming(round: 2, client: 3)
        #expect(a.speed == b.speed)            // drawn once per client
        #expect(a.slowdown != b.slowdown)      // drawn per round
        #expect(a.slowdown >= 1)               // Pareto with scale 1
        #expect(s.clientTiming(round: 1, client: 4).speed != a.speed)
        #expect(try Self.settings("speed = { dist = \"lognormal\", sigma = 1.0 }\n").clientTiming(round: 1, client: 3).speed == a.speed)
    }

    @Test func badDistributionsNameTheKeyAndTheFix() {
        func message(_ timing: String) -> String {
            do { _ = try Self.settings(timing); return "" } catch { return "\(error)" }
        }
        #expect(message("speed = { dist = \"lognormla\", sigma = 1 }").contains("did you mean \"lognormal\""))
        #expect(message("speed = { sigma = 1 }").contains("timing.speed.dist"))
        #expect(message("slowdown = { dist = \"pareto\" }").contains("timing.slowdown.alpha"))
        #expect(message("slowdown = { dist = \"pareto\", alpha = 1.5, shape = 2 }").contains("timing.slowdown.shape"))
        #expect(message("speed = 0").contains("timing.speed"))
        #expect(message("delay_s = { dist = \"normal\", mean = 1, sd = -1, minimum = 0 }").contains("sd"))
        #expect(message("speed = \"fast\"").contains("a number or a table"))
        #expect(message("delay_s = 0").isEmpty)
    }

    @Test func traceFileIsReadAtValidationAndOverridesTheModel() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gradwire-trace-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.csv").path
        try "client,start_round,end_round,speed,available\n1,0,9,0.25,1\n1,10,,,0\n".write(toFile: good, atomically: true, encoding: .utf8)
        let s = try Self.settings("trace = \"\(good)\"\n")
        #expect(s.clientTiming(round: 5, client: 1).speed == 0.25)
        #expect(s.clientTiming(round: 12, client: 1).available == false)
        #expect(s.clientTiming(round: 5, client: 0).speed == 1)
        let bad = dir.appendingPathComponent("bad.csv").path
        try "client,start_round,speed\n0,0,-1\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try Self.settings("trace = \"\(bad)\"\n") }
        #expect(throws: ConfigError.self) { try Self.settings("trace = \"\(dir.path)/missing.csv\"\n") }
    }
}
