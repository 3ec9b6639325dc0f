import Protocol
import Sim
import Testing

// Round policies as pure decisions over virtual arrivals (properties over seeded random arrivals,
// plus worked cases), and the round machine's end-of-task marker and cut-off events.

/// `count` arrivals with seeded pseudo-random times in [0, 10), some of them tied.
private func arrivals(_ count: Int, seed: UInt64) -> [RoundArrival] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { i in
        state = PortableRandom.mix(state &+ UInt64(i))
        let tenths = Double(state % 40) / 4  // many ties
        return RoundArrival(client: ClientID((i * 7) % 97), seconds: tenths)
    }
}

@Suite struct RoundPolicyTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func deadlineKeepsExactlyTheArrivalsAtOrBeforeIt(seed: UInt64) {
        let all = arrivals(20, seed: seed)
        for deadline in [0.0, 2.5, 4.9, 9.75, 20] {
            let d = RoundPolicy.deadline(seconds: deadline).decide(all)
            #expect(d.kept == all.filter { $0.seconds <= deadline }.map(\.client).sorted())
            #expect(d.late == all.filter { $0.seconds > deadline }.map(\.client).sorted())
            let slowest = all.map(\.seconds).max()!
            #expect(d.closeSeconds == (d.late.isEmpty ? slowest : deadline))
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func firstKKeepsTheKEarliestWithTiesByClient(seed: UInt64) {
        let all = arrivals(20, seed: seed)
        let ordered = all.sorted { ($0.seconds, $0.client) < ($1.seconds, $1.client) }
        for k in [1, 5, 19, 20, 25] {
            let d = RoundPolicy.firstK(k).decide(all.reversed())
            #expect(d.kept == ordered.prefix(k).map(\.client).sorted())
            #expect(Set(d.kept).isDisjoint(with: d.late) && d.kept.count + d.late.count == all.count)
            // Every kept arrival is no later than every late one.
            let keptMax = all.filter { d.kept.contains($0.client) }.map(\.seconds).max() ?? 0
            #expect(all.filter { d.late.contains($0.client) }.allSatisfy { $0.seconds >= keptMax })
            #expect(d.closeSeconds == (k <= all.count ? ordered[k - 1].seconds : ordered.last!.seconds))
        }
    }

    @Test func waitAllIsTheSlowestArrivalAndKeepsEveryone() {
        for seed: UInt64 in 1...6 {
            let all = arrivals(15, seed: seed)
            let d = RoundPolicy.waitAll.decide(all)
            #expect(d.kept == all.map(\.client).sorted() && d.late.isEmpty)
            #expect(d.closeSeconds == all.map(\.seconds).max()!)
        }
        #expect(RoundPolicy.waitAll.decide([]).closeSeconds == 0)
    }

    @Test func overcommitSamplesTheCeilingAndKeepsK() {
        #expect(RoundPolicy.overcommit(factor: 1.3, keep: 10).selectionCount(nominal: 10) == 13)
        #expect(RoundPolicy.overcommit(factor: 1.2, keep: 10).selectionCount(nominal: 10) == 12)  // 1.2·10 is 12.000000000000002
        #expect(RoundPolicy.overcommit(factor: 1.25, keep: 3).selectionCount(nominal: 3) == 4)     // ⌈3.75⌉
        #expect(RoundPolicy.overcommit(factor: 1, keep: 7).selectionCount(nominal: 7) == 7)
        #expect(RoundPolicy.deadline(seconds: 1).selectionCount(nominal: 7) == 7)
        for c in stride(from: 1.0, through: 3.0, by: 0.05) {
            for k in 1...40 {
                let n = RoundPolicy.ceilProduct(c, k)
                #expect(Double(n) >= c * Double(k) - 1e-9 && Double(n - 1) < c * Double(k))
            }
        }
        let all = arrivals(13, seed: 9)
        #expect(RoundPolicy.overcommit(factor: 1.3, keep: 10).decide(all) == RoundPolicy.firstK(10).decide(all))
    }

    @Test func cutOffArrivalsAreAlwaysLateAndNeverDecideTheCloseTime() {
        let got = [RoundArrival(client: 1, seconds: 0.5), RoundArrival(client: 2, seconds: .infinity),
                   RoundArrival(client: 3, seconds: 0.7)]
        #expect(RoundPolicy.deadline(seconds: 2).decide(got) == RoundPolicyDecision(kept: [1, 3], late: [2], closeSeconds: 2))
        #expect(RoundPolicy.firstK(3).decide(got) == RoundPolicyDecision(kept: [1, 3], late: [2], closeSeconds: 0.7))
        #expect(RoundPolicy.firstK(1).decide(got) == RoundPolicyDecision(kept: [1], late: [2, 3], closeSeconds: 0.5))
    }

    @Test func wallModeClosesEarlyOnlyForKPolicies() {
        #expect(RoundPolicy.firstK(3).closesEarly(arrived: 3) && !RoundPolicy.firstK(3).closesEarly(arrived: 2))
        #expect(RoundPolicy.overcommit(factor: 1.5, keep: 2).closesEarly(arrived: 2))
        #expect(!RoundPolicy.waitAll.closesEarly(arrived: 100) && !RoundPolicy.deadline(seconds: 1).closesEarly(arrived: 100))
    }

    // MARK: - Round machine events

    private func update(_ client: ClientID) -> Update {
        Update(round: 2, client: client, sampleCount: 5, trainLoss: 0.1, wallComputeSeconds: 0, virtualComputeSeconds: 1,
               payload: .dense([1]))
    }

    @Test func endOfTaskMarkerMarksUnansweredClientsDropped() {
        var m = RoundMachine(round: 2, clients: [0, 1, 2, 3], assignment: ClientAssignment(workers: ["a", "b"]))
        _ = m.start()  // a: 0, 2; b: 1, 3
        _ = m.handle(.updateReceived(worker: "a", update: update(0), bytes: 10))
        #expect(m.handle(.taskFinished(worker: "a", round: 1)).isEmpty)  // an earlier round's marker
        let actions = m.handle(.taskFinished(worker: "a", round: 2))
        #expect(actions == [.record(kind: "client_dropped", worker: "a", client: 2,
                                    detail: "a finished round 2 without an answer for client 2")])
        _ = m.handle(.updateReceived(worker: "b", update: update(1), bytes: 10))
        _ = m.handle(.updateReceived(worker: "b", update: update(3), bytes: 10))
        #expect(m.isClosed)
        #expect(m.results.map(\.status) == [.ok, .ok, .dropped, .ok])
    }

    @Test func cutOffMarksEveryPendingClientStragglerAndCloses() {
        var m = RoundMachine(round: 2, clients: [0, 1, 2], assignment: ClientAssignment(workers: ["a"]))
        _ = m.start()
        _ = m.handle(.updateReceived(worker: "a", update: update(1), bytes: 10))
        let actions = m.handle(.cutOff(reason: "deadline"))
        #expect(actions.contains(.closeRound) && m.isClosed)
        #expect(m.results.map(\.status) == [.straggler, .ok, .straggler])
        #expect(m.handle(.updateReceived(worker: "a", update: update(0), bytes: 10)).isEmpty)  // closed: ignored
    }
}
