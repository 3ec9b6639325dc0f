import Foundation
import Testing

@testable import Experiment
@testable import Sim

/// `timing.policy` with its keys, `run.time = "wall"` and `[[faults]]`: what they map to and the
/// errors that name the key and the fix.
@Suite struct StragglerConfigTests {
    static func settings(_ toml: String) throws -> RunSettings {
        try RunSettings(ExperimentConfig.parse(toml: "[run]\nseed = 5\nrounds = 10\n[partition]\nclients = 20\n" + toml))
    }

    static func message(_ toml: String) -> String {
        do { _ = try settings(toml); return "" } catch { return "\(error)" }
    }

    @Test func policiesMapToRoundPolicies() throws {
        #expect(try Self.settings("").roundPolicy == .waitAll)
        #expect(try Self.settings("[timing]\npolicy = \"deadline\"\ndeadline_s = 2.5\n").roundPolicy == .deadline(seconds: 2.5))
        #expect(try Self.settings("[timing]\npolicy = \"first-k\"\nfirst_k = 7\n").roundPolicy == .firstK(7))
        let over = try Self.settings("[participation]\nclients_per_round = 10\n[timing]\npolicy = \"overcommit\"\novercommit = 1.3\n")
        #expect(over.roundPolicy == .overcommit(factor: 1.3, keep: 10))
        // ⌈1.3·10⌉ = 13 sampled: the uniform process's permutation, a longer prefix.
        for round: UInt32 in 1...5 {
            let sampled = over.roundParticipants(round: round)
            #expect(sampled.count == 13)
            #expect(Set(over.participation.participants(round: round, clients: 20, seed: 5)).isSubset(of: sampled))
        }
        // Written back and read again: the same config.
        #expect(try ExperimentConfig.parse(toml: over.config.tomlText()) == over.config)
    }

    @Test func policyKeysAreRequiredCheckedAndIgnoredWhenUnused() throws {
        #expect(Self.message("[timing]\npolicy = \"deadline\"\n").contains("missing key 'timing.deadline_s'"))
        #expect(Self.message("[timing]\npolicy = \"first-k\"\n").contains("missing key 'timing.first_k'"))
        #expect(Self.message("[timing]\npolicy = \"overcommit\"\n").contains("missing key 'timing.overcommit'"))
        #expect(Self.message("[timing]\npolicy = \"deadline\"\ndeadline_s = 0\n").contains("timing.deadline_s"))
        #expect(Self.message("[timing]\npolicy = \"overcommit\"\novercommit = 0.5\n").contains("timing.overcommit"))
        #expect(Self.message("[timing]\npolicy = \"first-k\"\nfirst_k = 0\n").contains("timing.first_k"))
        #expect(Self.message("[timing]\npolicy = \"deadlin\"\n").contains("did you mean \"deadline\""))
        // k larger than the selection, over-commitment beyond the population or without uniform sampling.
        #expect(Self.message("[participation]\nclients_per_round = 5\n[timing]\npolicy = \"first-k\"\nfirst_k = 6\n")
            .contains("'timing.first_k' and 'participation.clients_per_round' conflict"))
        #expect(Self.message("[participation]\nclients_per_round = 10\n[timing]\npolicy = \"overcommit\"\novercommit = 2.5\n")
            .contains("= 25 clients to sample out of 20"))
        #expect(Self.message("[participation]\nprocess = \"full\"\n[timing]\npolicy = \"overcommit\"\novercommit = 1.5\n")
            .contains("'timing.policy' and 'participation.process' conflict"))
        // A deadline under wait-all has no effect and is dropped from the resolved config.
        let s = try Self.settings("[timing]\ndeadline_s = 3\n")
        #expect(s.config.timing.deadlineSeconds == nil && s.roundPolicy == .waitAll)
    }

    @Test func codedAndBufferedRunsRefuseRoundPoliciesAndWallMode() {
        func message(_ toml: String) -> String {
            do { _ = try RunSettings(ExperimentConfig.parse(toml: toml)); return "" } catch { return "\(error)" }
        }
        let coded = "[run]\nmode = \"distributed-sgd\"\n[partition]\nclients = 10\n[participation]\nprocess = \"full\"\n"
            + "[coding]\nscheme = \"crc\"\ns = 2\n"
        #expect(message(coded).isEmpty)
        #expect(message(coded + "[timing]\npolicy = \"deadline\"\ndeadline_s = 1.0\n").contains("timing.policy"))
        #expect(message(coded.replacingOccurrences(of: "[run]\n", with: "[run]\ntime = \"wall\"\n")).contains("run.time"))
        #expect(Self.message("[aggregation]\nmode = \"fedbuff\"\n[timing]\npolicy = \"first-k\"\nfirst_k = 5\n")
            .contains("aggregation.mode"))
    }

    @Test func wallTimeIsAvailableWithItsScale() throws {
        let s = try Self.settings("[timing]\nwall_scale = 0.01\n")
        #expect(s.wallScale == 0.01 && !s.isWallTime)
        let wall = try RunSettings(ExperimentConfig.parse(toml: "[run]\ntime = \"wall\"\n"))
        #expect(wall.isWallTime && wall.wallScale == 1)
        #expect(Self.message("[timing]\nwall_scale = 0\n").contains("timing.wall_scale"))
    }

    @Test func faultsParseMapAndRoundTrip() throws {
        let s = try Self.settings("""
            [[faults]]
            kind = "crash"
            worker = 1
            round = 3
            [[faults]]
            kind = "rejoin"
            worker = 1
            round = 6
            [[faults]]
            kind = "drop"
            client = 4
            round = 2
            [[faults]]
            kind = "drop"
            client = 5
            round = 2
            rounds = 0
            [[faults]]
            kind = "rejoin"
            client = 5
            round = 8
            [[faults]]
            kind = "late"
            client = 6
            round = 4
            delay_s = 2.5
            [[faults]]
            kind = "corrupt"
            client = 7
            round = 5
            """)
        #expect(s.config.faults.count == 7)
        #expect(s.crashes(worker: "w1", round: 3) && !s.crashes(worker: "w0", round: 3) && !s.crashes(worker: "w1", round: 4))
        #expect(s.isDropped(client: 4, round: 2) && !s.isDropped(client: 4, round: 3))
        #expect((2...7).allSatisfy { s.isDropped(client: 5, round: UInt32($0)) })
        #expect(!s.isDropped(client: 5, round: 1) && !s.isDropped(client: 5, round: 8))
        #expect(s.isCorrupted(client: 7, round: 5) && !s.isCorrupted(client: 7, round: 4))
        // A late fault is part of the client's injected delay, on every process.
        #expect(s.clientTiming(round: 4, client: 6).extraDelaySeconds == 2.5)
        #expect(s.clientTiming(round: 3, client: 6).extraDelaySeconds == 0)
        #expect(s.faults(round: 2).map(\.kind) == [.drop, .drop])
        #expect(try ExperimentConfig.parse(toml: s.config.tomlText()) == s.config)
    }

    @Test func badFaultsNameTheEntryAndTheFix() {
        func fault(_ body: String) -> String { Self.message("[[faults]]\n" + body + "\n") }
        #expect(fault("kind = \"crsh\"\nworker = 0\nround = 1").contains("did you mean \"crash\""))
        #expect(fault("worker = 0\nround = 1").contains("missing key 'faults[0].kind'"))
        #expect(fault("kind = \"crash\"\nround = 1").contains("missing key 'faults[0].worker'"))
        #expect(fault("kind = \"crash\"\nworker = 0").contains("missing key 'faults[0].round'"))
        #expect(fault("kind = \"drop\"\nclient = 1\nround = 11").contains("the run has 10 rounds"))
        #expect(fault("kind = \"drop\"\nclient = 20\nround = 1").contains("client 20 does not exist"))
        #expect(fault("kind = \"late\"\nclient = 1\nround = 1").contains("missing key 'faults[0].delay_s'"))
        #expect(fault("kind = \"corrupt\"\nclient = 1\nround = 1\ndelay_s = 2").contains("only a late fault has a delay"))
        #expect(fault("kind = \"drop\"\nclient = 1\nround = 1\nwhen = 2").contains("unknown key 'faults[0].when'"))
        #expect(fault("kind = \"rejoin\"\nworker = 1\nround = 4").contains("no earlier [[faults]] entry crashes it"))
        #expect(fault("kind = \"rejoin\"\nclient = 1\nround = 4").contains("no earlier entry drops it until a rejoin"))
        #expect(fault("kind = \"rejoin\"\nclient = 1\nworker = 1\nround = 4").contains("give exactly one"))
    }
}
