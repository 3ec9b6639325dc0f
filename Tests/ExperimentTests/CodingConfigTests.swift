import Foundation
import Testing

@testable import Experiment
@testable import Sim

/// `[coding]`: the schemes map to the Sim decoders and schedules, each client's row of the code is
/// derived from the settings alone, and combinations that cannot decode are refused with the keys.
@Suite struct CodingConfigTests {
    static let base = """
        [run]
        seed = 7
        rounds = 20
        mode = "distributed-sgd"
        [partition]
        clients = 10
        [participation]
        process = "full"

        """

    static func settings(_ coding: String, extra: String = "") throws -> RunSettings {
        try RunSettings(ExperimentConfig.parse(toml: base + extra + "\n[coding]\n" + coding))
    }

    static func message(_ coding: String, extra: String = "") -> String {
        do { _ = try settings(coding, extra: extra); return "" } catch { return "\(error)" }
    }

    @Test func noneIsNoCoding() throws {
        #expect(try Self.settings("scheme = \"none\"").coding == nil)
        #expect(try Self.settings("scheme = \"none\"").codedTask(client: 0) == nil)
    }

    @Test func oneShotSchemesMapToTheirDecoders() throws {
        let frc = try Self.settings("scheme = \"frc\"\ns = 1")
        guard case .oneShot(let f) = frc.coding, let code = f.code else { Issue.record("frc did not map to a code"); return }
        #expect(code == (try GradientCode.fractionalRepetition(n: 10, s: 1)))
        #expect(frc.codedTask(client: 3)?.map(\.partition).sorted() == [2, 3])

        let crc = try Self.settings("scheme = \"crc\"\ns = 2\nresidual_tolerance = 1e-7")
        guard case .oneShot(let c) = crc.coding, let crcCode = c.code else { Issue.record("crc did not map to a code"); return }
        #expect(c.residualTolerance == 1e-7)
        #expect(crcCode.kind == .cyclicRepetition && crcCode.s == 2)
        // Client i holds partitions i, i+1, i+2 (mod 10) with B[i, i] = 1.
        let row = try #require(crc.codedTask(client: 9))
        #expect(row.map(\.partition) == [9, 0, 1] && row[0].coefficient == 1)
        // Derived from the seed alone: every process builds the same B.
        guard case .oneShot(let again) = try Self.settings("scheme = \"crc\"\ns = 2").coding else {
            Issue.record("crc did not map"); return
        }
        #expect(again.code == crcCode)
        #expect(try RunSettings(ExperimentConfig.parse(toml: crc.config.tomlText())).coding == crc.coding)

        let ignore = try Self.settings("scheme = \"ignore-stragglers\"\ns = 2")
        #expect(ignore.coding == .oneShot(OneShotCoding(scheme: .ignoreStragglers(n: 10, s: 2), residualTolerance: 1e-8)))
        #expect(ignore.codedTask(client: 0) == nil)  // uncoded: clients send their own gradient
    }

    @Test func sequentialSchemesMapToTheirSchedules() throws {
        let m = try Self.settings("scheme = \"m-sgc\"\nB = 1\nW = 2\nlambda = 2\nburst_probability = 0.2")
        guard case .sequential(let seq) = m.coding else { Issue.record("m-sgc did not map"); return }
        #expect(seq.parameters.scheme == .multiplexed(burst: 1, window: 2, lambda: 2))
        #expect(seq.parameters.delay == 1 && seq.parameters.jobs == 19)  // run.rounds = jobs + T
        #expect(seq.stragglers == .bursty(.bursty(burst: 1, window: 2, lambda: 2, probability: 0.2, continuation: 0.5),
                                          slowdown: 5))
        let gc = try Self.settings("scheme = \"gc\"\ns = 2\nreference_gc_rule = true\nstraggler_model = \"threshold\"\nmu = 0.5")
        guard case .sequential(let g) = gc.coding else { Issue.record("gc did not map"); return }
        #expect(g.parameters.scheme == .gradientCoding(s: 2) && g.parameters.strictGCRule && g.parameters.jobs == 20)
        #expect(g.stragglers == .threshold(ThresholdStragglerRule(mu: 0.5)))
        let sr = try Self.settings("scheme = \"sr-sgc\"\nB = 1\nW = 2\nlambda = 2")
        guard case .sequential(let r) = sr.coding else { Issue.record("sr-sgc did not map"); return }
        #expect(r.parameters.s == 1 && r.parameters.delay == 1)
    }

    @Test func impossibleCodesAreRefusedWithTheKey() {
        #expect(Self.message("scheme = \"frc\"\ns = 2").contains("coding.s"))          // 3 does not divide 10
        #expect(Self.message("scheme = \"crc\"\ns = 10").contains("below the number of clients"))
        #expect(Self.message("scheme = \"sr-sgc\"\nB = 2\nW = 2").contains("coding.B"))  // B must divide W − 1
        #expect(Self.message("scheme = \"m-sgc\"\nB = 2\nW = 2").contains("1 ≤ B < W"))
        #expect(Self.message("scheme = \"m-sgc\"\nlambda = 11").contains("lambda"))
        #expect(Self.message("scheme = \"sr-sgc\"", extra: "").isEmpty)
        let short = (try? ExperimentConfig.parse(toml: Self.base.replacingOccurrences(of: "rounds = 20", with: "rounds = 1")
                                                 + "[coding]\nscheme = \"m-sgc\"\n")).map { c in
            do { _ = try RunSettings(c); return "" } catch { return "\(error)" }
        }
        #expect(short?.contains("run.rounds") == true)
    }

    @Test func codingNeedsDistributedSGDWithEveryClient() {
        let federated = "[run]\nmode = \"federated\"\n[coding]\nscheme = \"crc\"\n"
        let message = { (toml: String) -> String in
            do { _ = try RunSettings(ExperimentConfig.parse(toml: toml)); return "" } catch { return "\(error)" }
        }
        #expect(message(federated).contains("'coding.scheme' and 'run.mode' conflict"))
        let sampled = Self.base.replacingOccurrences(of: "process = \"full\"", with: "process = \"uniform\"\nclients_per_round = 5")
            + "[coding]\nscheme = \"frc\"\n"
        #expect(message(sampled).contains("participation.process"))
        #expect(Self.message("scheme = \"crc\"", extra: "[aggregation]\nrule = \"median\"\n").contains("aggregation.rule"))
        #expect(Self.message("scheme = \"frc\"", extra: "[byzantine]\ncount = 1\nattack = \"sign-flip\"\n")
            .contains("byzantine.attack"))
    }

    @Test func unusedKeysAreDroppedWithAWarning() throws {
        // λ means nothing to crc: the configs with and without it are equal.
        let with = try Self.settings("scheme = \"crc\"\ns = 2\nlambda = 5")
        let without = try Self.settings("scheme = \"crc\"\ns = 2")
        #expect(with.config == without.config)
    }
}
