import Sim
import Testing

/// Sequential gradient coding invariants (spec §A.6.7) and the delayed-gradient schedule.
@Suite struct SequentialCodingTests {
    @Test func loadFormulas() throws {
        for (b, w, lambda) in [(1, 2, 1), (1, 2, 5), (2, 3, 3), (1, 5, 2), (3, 4, 7)] {
            let m = try SequentialCodingParameters(n: 16, scheme: .multiplexed(burst: b, window: w, lambda: lambda), jobs: 4)
            #expect(m.load < Double(lambda + 1) / 16, "M-SGC load ≥ GC load for \(b), \(w), \(lambda)")
        }
        // The n = 256 values of §A.6.6.
        #expect(try SequentialCodingParameters(n: 256, scheme: .gradientCoding(s: 15), jobs: 1).load == 0.0625)
        #expect(try SequentialCodingParameters(n: 256, scheme: .selectiveRepeat(burst: 2, window: 3, lambda: 23), jobs: 1).load == 0.05078125)
        let m = try SequentialCodingParameters(n: 256, scheme: .multiplexed(burst: 1, window: 2, lambda: 27), jobs: 1)
        #expect(abs(m.load - 0.007543103448275862) < 1e-15)
        #expect(m.delay == 1 && m.slots == 2)
        let f = try #require(m.multiplexedFractions)
        #expect(abs(f.d1 + f.d2 - 1) < 1e-15)
        #expect(throws: CodingError.self) { try SequentialCodingParameters(n: 4, scheme: .selectiveRepeat(burst: 2, window: 4, lambda: 2), jobs: 3) }
        #expect(throws: CodingError.self) { try SequentialCodingParameters(n: 4, scheme: .multiplexed(burst: 2, window: 2, lambda: 2), jobs: 3) }
    }

    /// W = 1: s = λ and SR-SGC never repeats — it is GC with s = λ.
    @Test func windowOneDegeneratesToGC() throws {
        let p = try SequentialCodingParameters(n: 6, scheme: .selectiveRepeat(burst: 1, window: 1, lambda: 2), jobs: 20)
        #expect(p.s == 2)
        let pattern = StragglerPattern.fixedCount(2).generate(rounds: p.totalRounds, workers: 6, seed: 11)
        var machine = SequentialCodingMachine(parameters: p)
        for r in 0..<p.jobs {
            #expect(machine.plannedState().allSatisfy { $0 == [r] }, "round \(r) repeats a job")
            let outcome = try machine.completeRound(stragglers: pattern[r])
            #expect(!outcome.waitedForAll && outcome.dueJobDecodable)
        }
    }

    /// The model checker: patterns drawn from the (B, W, λ) generator never make SR-SGC or M-SGC wait,
    /// every job is decoded at round t + T, and the schedule's assignments match the state encoding.
    @Test(arguments: [(1, 2, 2), (2, 3, 3), (1, 3, 2), (2, 5, 3), (1, 4, 4)])
    func burstyPatternsAlwaysDecode(b: Int, w: Int, lambda: Int) throws {
        let n = 7, jobs = 40
        let schemes: [SequentialScheme] = [.multiplexed(burst: b, window: w, lambda: lambda)]
            + ((w - 1) % b == 0 ? [.selectiveRepeat(burst: b, window: w, lambda: lambda)] : [])
        for scheme in schemes {
            let p = try SequentialCodingParameters(n: n, scheme: scheme, jobs: jobs)
            for seed in UInt64(1)...5 {
                let pattern = StragglerPattern.bursty(burst: b, window: w, lambda: lambda, probability: 0.25, continuation: 0.8)
                    .generate(rounds: p.totalRounds, workers: n, seed: seed)
                var machine = SequentialCodingMachine(parameters: p)
                var decoded: [Int] = []
                while !machine.isFinished {
                    let r = machine.round
                    let assignments = machine.assignments()
                    #expect(assignments.allSatisfy { $0.count == p.slots })
                    #expect(machine.followsModel(stragglers: pattern[r]) || machine.currentRoundIsIdle, "\(scheme) seed \(seed) round \(r)")
                    let outcome = try machine.completeRound(stragglers: pattern[r])
                    #expect(!outcome.waitedForAll && outcome.dueJobDecodable, "\(scheme) seed \(seed) round \(r)")
                    if let job = outcome.decodedJob { decoded.append(job) }
                    #expect(outcome.dueJob == (r >= p.delay ? r - p.delay : nil))
                }
                #expect(decoded == Array(0..<jobs), "\(scheme) seed \(seed)")
                #expect(machine.waits == 0)
            }
        }
    }

    @Test func srSGCWorkedExampleA64() throws {
        let p = try SequentialCodingParameters(n: 4, scheme: .selectiveRepeat(burst: 1, window: 2, lambda: 2), jobs: 2)
        #expect(p.s == 1 && p.delay == 1 && p.load == 0.5)
        var machine = SequentialCodingMachine(parameters: p)
        try machine.completeRound(stragglers: [true, true, false, false])
        // Round 1: W0 redoes job 0, the others start job 1.
        #expect(machine.assignments().map { $0[0] } == [.codedTask(job: 0), .codedTask(job: 1), .codedTask(job: 1), .codedTask(job: 1)])
        let outcome = try machine.completeRound(stragglers: [false, false, false, false])
        #expect(outcome.decodedJob == 0)
        // Round 2 (tail): job 1 is already decodable → idle.
        #expect(machine.currentRoundIsIdle)
        #expect(try machine.completeRound(stragglers: [true, false, false, false]).isIdle)
    }

    @Test func mSGCWorkedExampleA65() throws {
        let p = try SequentialCodingParameters(n: 4, scheme: .multiplexed(burst: 1, window: 2, lambda: 2), jobs: 2)
        #expect(p.load == 0.375 && p.delay == 1)
        var machine = SequentialCodingMachine(parameters: p)
        #expect(machine.assignments()[0] == [.uncodedPiece(job: 0, piece: 0), .idle])
        try machine.completeRound(stragglers: [true, true, false, false])
        let slots = machine.assignments()
        #expect(slots[0] == [.uncodedPiece(job: 1, piece: 0), .uncodedPiece(job: 0, piece: 0)])  // catch-up
        #expect(slots[2] == [.uncodedPiece(job: 1, piece: 0), .codedGroup(job: 0, group: 0)])
        #expect(try machine.completeRound(stragglers: [false, false, false, false]).decodedJob == 0)
    }

    @Test func gcRuleSpecVersusReference() throws {
        let spec = try SequentialCodingParameters(n: 5, scheme: .gradientCoding(s: 2), jobs: 1)
        let reference = try SequentialCodingParameters(n: 5, scheme: .gradientCoding(s: 2), jobs: 1, strictGCRule: true)
        let mask = [true, false, true, false, false]
        #expect(SequentialCodingMachine(parameters: spec).followsModel(stragglers: mask))
        #expect(!SequentialCodingMachine(parameters: reference).followsModel(stragglers: mask))
        var machine = SequentialCodingMachine(parameters: spec)
        #expect(throws: CodingError.roundInputMismatch(round: 0, expected: 5, found: 2)) { try machine.completeRound(stragglers: [true, false]) }
    }
}
