import Protocol
import Sim
import Testing

@Suite struct ParticipationTests {
    /// `tasks.sample_clients(r, 100, 10, 42)` of benchmarks/peers/tasks.py for r = 1, 2, 3 (printed
    /// by python3 with numpy from the reference generator).
    static let referenceSchedule: [[ClientID]] = [
        [9, 19, 22, 24, 25, 31, 75, 79, 89, 95],
        [21, 23, 24, 52, 62, 64, 74, 78, 86, 95],
        [13, 18, 26, 32, 33, 38, 71, 86, 88, 91],
    ]

    @Test(arguments: [1, 2, 3] as [RoundID])
    func uniformMatchesTheReferenceClientSchedule(round: RoundID) {
        let process = ParticipationProcess.uniform(clientsPerRound: 10)
        let picked = process.participants(round: round, clients: 100, seed: 42)
        #expect(picked == Self.referenceSchedule[Int(round) - 1])
    }

    /// k distinct ids in 0..<N, sorted, for many (seed, round, N, k).
    @Test(arguments: [(1, 10, 3), (7, 1000, 100), (42, 100, 10), (5, 37, 36), (9, 2, 1), (3, 64, 0)]
          as [(UInt64, Int, Int)])
    func uniformGivesDistinctSortedIdsInRange(seed: UInt64, clients: Int, k: Int) {
        let process = ParticipationProcess.uniform(clientsPerRound: k)
        for round in 1...20 as ClosedRange<RoundID> {
            let picked = process.participants(round: round, clients: clients, seed: seed)
            #expect(picked.count == k, "seed \(seed) round \(round)")
            #expect(Set(picked).count == picked.count, "seed \(seed) round \(round): duplicates in \(picked)")
            #expect(picked == picked.sorted(), "seed \(seed) round \(round)")
            #expect(picked.allSatisfy { Int($0) < clients }, "seed \(seed) round \(round)")
        }
    }

    @Test func uniformDependsOnlyOnSeedRoundAndCounts() {
        let process = ParticipationProcess.uniform(clientsPerRound: 10)
        let a = process.participants(round: 4, clients: 100, seed: 42)
        #expect(process.participants(round: 4, clients: 100, seed: 42) == a)
        // Other rounds and other seeds pick other clients (these cases do differ).
        #expect(process.participants(round: 5, clients: 100, seed: 42) != a)
        #expect(process.participants(round: 4, clients: 100, seed: 43) != a)
    }

    @Test func uniformVisitsEveryClientOverManyRounds() {
        let process = ParticipationProcess.uniform(clientsPerRound: 5)
        var seen = Set<ClientID>()
        for round in 1...60 as ClosedRange<RoundID> {
            seen.formUnion(process.participants(round: round, clients: 50, seed: 11))
        }
        #expect(seen.count == 50)
    }

    @Test(arguments: [20, 21, 150])
    func uniformWithKAtLeastNGivesEveryone(k: Int) {
        let picked = ParticipationProcess.uniform(clientsPerRound: k).participants(round: 3, clients: 20, seed: 42)
        #expect(picked == (0..<20).map { ClientID($0) })
    }

    @Test func fullIsEveryClientEveryRound() {
        for (round, clients, seed) in [(1, 1, 0), (2, 10, 42), (77, 1000, 7)] as [(RoundID, Int, UInt64)] {
            let picked = ParticipationProcess.full.participants(round: round, clients: clients, seed: seed)
            #expect(picked == (0..<clients).map { ClientID($0) })
        }
    }
}
