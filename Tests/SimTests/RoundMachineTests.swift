import Protocol
import Sim
import Testing

// The synchronous round state machine, driven by events with no sockets and no clocks: every test
// feeds events and asserts the actions and the resolved clients.

/// An update for `client` in `round` whose payload identifies it (so results can be told apart).
private func update(_ client: ClientID, round: RoundID = 3, samples: UInt32 = 10) -> Update {
    Update(round: round, client: client, sampleCount: samples, trainLoss: Double(client) / 10,
           wallComputeSeconds: 0.5, virtualComputeSeconds: 1.5, payload: .dense([Float(client), -Float(client)]))
}

/// A round-3 machine over `clients` on workers a, b, c (client c goes to worker c mod 3 of the sorted names).
private func machine(_ clients: [ClientID], workers: [String] = ["a", "b", "c"]) -> RoundMachine {
    RoundMachine(round: 3, clients: clients, assignment: ClientAssignment(workers: workers))
}

/// The `record` actions' kinds, in order.
private func recordKinds(_ actions: [RoundMachine.Action]) -> [String] {
    actions.compactMap { action -> String? in
        if case let .record(kind, _, _, _) = action { return kind }
        return nil
    }
}

private func closes(_ actions: [RoundMachine.Action]) -> Bool { actions.contains(.closeRound) }

@Suite struct RoundMachineTests {
    // MARK: - Start

    @Test func startSendsOneTaskPerWorkerWithItsClientsInSelectionOrder() {
        var m = machine([0, 1, 2, 3, 4, 5, 6])
        #expect(m.start() == [
            .sendTask(worker: "a", clients: [0, 3, 6]),
            .sendTask(worker: "b", clients: [1, 4]),
            .sendTask(worker: "c", clients: [2, 5]),
        ])
        #expect(!m.isClosed)
        #expect(m.pendingClients == [0, 1, 2, 3, 4, 5, 6])
        #expect(m.results.isEmpty)
    }

    @Test func startSkipsWorkersWithoutClientsAndKeepsTheGivenOrder() {
        // Workers are ordered by name whatever order they were given in; c gets nothing here.
        var m = machine([7, 4, 1, 3], workers: ["c", "a", "b"])
        #expect(m.start() == [
            .sendTask(worker: "a", clients: [3]),
            .sendTask(worker: "b", clients: [7, 4, 1]),
        ])
    }

    @Test func emptySelectionClosesImmediately() {
        var m = machine([])
        #expect(m.start() == [.closeRound])
        #expect(m.isClosed)
        #expect(m.results.isEmpty)
        #expect(m.pendingClients.isEmpty)
        // Also without any live worker (nothing needs placing).
        var empty = RoundMachine(round: 1, clients: [], assignment: ClientAssignment(workers: []))
        #expect(empty.start() == [.closeRound])
    }

    // MARK: - Closing

    @Test func closesExactlyWhenTheLastClientIsResolved() {
        var m = machine([0, 1, 2, 3])
        _ = m.start()
        #expect(m.handle(.updateReceived(worker: "a", update: update(0), bytes: 100)) == [])
        #expect(m.handle(.updateReceived(worker: "b", update: update(1), bytes: 101)) == [])
        #expect(m.handle(.updateReceived(worker: "a", update: update(3), bytes: 103)) == [])
        #expect(m.pendingClients == [2])
        #expect(!m.isClosed)
        #expect(m.handle(.updateReceived(worker: "c", update: update(2), bytes: 102)) == [.closeRound])
        #expect(m.isClosed)
        #expect(m.pendingClients.isEmpty)
        let results = m.results
        #expect(results.map(\.client) == [0, 1, 2, 3])
        #expect(results.allSatisfy { $0.status == .ok && $0.reason == nil })
        #expect(results.map(\.worker) == ["a", "b", "c", "a"])
        #expect(results.map(\.bytesUp) == [100, 101, 102, 103])
        #expect(results.map(\.update) == [update(0), update(1), update(2), update(3)])
    }

    @Test func eventsAfterCloseAreIgnored() {
        var m = machine([0])
        _ = m.start()
        #expect(m.handle(.updateReceived(worker: "a", update: update(0), bytes: 9)) == [.closeRound])
        let before = m.results
        #expect(m.handle(.updateReceived(worker: "a", update: update(0), bytes: 9)) == [])
        #expect(m.handle(.messageRejected(worker: "a", reason: "late garbage")) == [])
        #expect(m.handle(.workerLost(worker: "a")) == [])
        #expect(m.results == before)
    }

    // MARK: - Ignored updates

    @Test func updateForAnotherRoundIsIgnoredWithARecord() {
        var m = machine([0, 1])
        _ = m.start()
        let actions = m.handle(.updateReceived(worker: "a", update: update(0, round: 2), bytes: 50))
        #expect(recordKinds(actions).first == "update_ignored")
        guard case let .record(_, worker, client, detail) = actions.first else {
            Issue.record("expected a record action, got \(actions)")
            return
        }
        #expect(worker == "a")
        #expect(client == 0)
        #expect(detail.contains("round 2"))
        #expect(!m.results.contains { $0.client == 0 && $0.status == .ok })
        #expect(!closes(actions))
    }

    @Test func updateFromAWorkerTheClientIsNotAssignedToIsIgnoredWithARecord() {
        var m = machine([0])
        _ = m.start()
        // Client 0 lives on a; b and c (which have nothing this round) and an unknown worker claim it.
        let fromB = m.handle(.updateReceived(worker: "b", update: update(0), bytes: 50))
        #expect(recordKinds(fromB) == ["update_ignored"])
        if case let .record(_, worker, client, detail) = fromB.first {
            #expect(worker == "b")
            #expect(client == 0)
            #expect(detail.contains("not assigned"))
        }
        let fromC = m.handle(.updateReceived(worker: "c", update: update(0), bytes: 50))
        #expect(recordKinds(fromC) == ["update_ignored"])
        let fromStranger = m.handle(.updateReceived(worker: "zz", update: update(0), bytes: 50))
        #expect(recordKinds(fromStranger) == ["update_ignored"])
        #expect(m.pendingClients == [0])
        #expect(m.results.isEmpty)
        #expect(m.handle(.updateReceived(worker: "a", update: update(0), bytes: 50)) == [.closeRound])
        #expect(m.results.map(\.worker) == ["a"])
    }

    @Test func updateForAClientOutsideTheSelectionIsIgnoredWithARecord() {
        var m = machine([0, 1])
        _ = m.start()
        // Client 3 would live on a, but it was not selected this round.
        let actions = m.handle(.updateReceived(worker: "a", update: update(3), bytes: 50))
        #expect(recordKinds(actions).first == "update_ignored")
        #expect(!m.results.contains { $0.client == 3 })
    }

    @Test func duplicateUpdateIsIgnoredAndTheFirstOneKept() {
        var m = machine([0, 3, 1])
        _ = m.start()
        #expect(m.handle(.updateReceived(worker: "a", update: update(0), bytes: 100)) == [])
        var second = update(0)
        second.payload = .dense([42, 42])
        let actions = m.handle(.updateReceived(worker: "a", update: second, bytes: 999))
        #expect(recordKinds(actions).first == "update_ignored")
        if case let .record(_, _, client, detail) = actions.first {
            #expect(client == 0)
            #expect(detail.contains("duplicate"))
        }
        let zero = m.results.first { $0.client == 0 }
        #expect(zero?.update == update(0))
        #expect(zero?.bytesUp == 100)
    }

    /// A stale update from an earlier round is not an answer to this round's task, so it must not
    /// make the machine give up on the worker's other clients.
    ///
    /// Fails with the current code: `handle` calls `countAnswer(worker)` before checking the round,
    /// so the stale message fills worker a's answer budget and client 2 is marked `rejected` while
    /// its real update is still on its way (it is then dropped as a "duplicate").
    @Test func staleUpdateFromAnEarlierRoundDoesNotCountAsAnAnswer() {
        var m = machine([0, 1, 2], workers: ["a", "b"])  // a: 0, 2; b: 1
        _ = m.start()
        _ = m.handle(.updateReceived(worker: "a", update: update(2, round: 2), bytes: 50))  // late, round 2
        let afterFirst = m.handle(.updateReceived(worker: "a", update: update(0), bytes: 100))
        #expect(!recordKinds(afterFirst).contains("client_rejected"))
        #expect(m.pendingClients == [1, 2])
        _ = m.handle(.updateReceived(worker: "a", update: update(2), bytes: 102))
        _ = m.handle(.updateReceived(worker: "b", update: update(1), bytes: 101))
        #expect(m.isClosed)
        #expect(m.results.map(\.status) == [.ok, .ok, .ok])
    }

    // MARK: - Rejected and failed clients

    @Test func malformedMessageLeavesItsClientRejectedOnceTheWorkerHasAnsweredForAll() {
        var m = machine([0, 1, 2], workers: ["a", "b"])  // a: 0, 2; b: 1
        _ = m.start()
        let rejected = m.handle(.messageRejected(worker: "a", reason: "truncated message"))
        #expect(recordKinds(rejected) == ["message_rejected"])
        #expect(m.pendingClients == [0, 1, 2], "one of a's two answers is still due")
        let second = m.handle(.updateReceived(worker: "a", update: update(0), bytes: 100))
        #expect(recordKinds(second) == ["client_rejected"])
        if case let .record(_, worker, client, _) = second.first {
            #expect(worker == "a")
            #expect(client == 2)
        }
        #expect(m.pendingClients == [1])
        #expect(m.handle(.updateReceived(worker: "b", update: update(1), bytes: 101)) == [.closeRound])
        let two = m.results.first { $0.client == 2 }
        #expect(two?.status == .rejected)
        #expect(two?.update == nil)
        #expect(two?.bytesUp == 0)
        #expect(two?.reason?.isEmpty == false)
        #expect(m.results.first { $0.client == 0 }?.status == .ok)
    }

    @Test func malformedLastAnswerClosesTheRound() {
        var m = machine([0, 2], workers: ["a", "b"])  // both on a
        _ = m.start()
        #expect(m.handle(.updateReceived(worker: "a", update: update(2), bytes: 100)) == [])
        let actions = m.handle(.messageRejected(worker: "a", reason: "non-finite value"))
        #expect(recordKinds(actions) == ["message_rejected", "client_rejected"])
        #expect(closes(actions))
        #expect(m.results.map(\.status) == [.rejected, .ok])
    }

    @Test func everyAnswerMalformedRejectsEveryClientAndCloses() {
        var m = machine([0, 1, 2, 3, 4], workers: ["a"])
        _ = m.start()
        var closed = false
        for i in 0..<5 {
            let actions = m.handle(.messageRejected(worker: "a", reason: "garbage \(i)"))
            closed = closes(actions)
            #expect(closed == (i == 4))
        }
        #expect(m.results.map(\.status) == Array(repeating: .rejected, count: 5))
    }

    @Test func clientFailureReportResolvesThatClientAsRejected() {
        var m = machine([0, 1], workers: ["a"])
        _ = m.start()
        let actions = m.handle(.clientFailed(worker: "a", round: 3, client: 1, reason: "dataUnavailable: no such client"))
        #expect(recordKinds(actions) == ["client_failed"])
        #expect(m.pendingClients == [0])
        #expect(m.handle(.updateReceived(worker: "a", update: update(0), bytes: 7)) == [.closeRound])
        let one = m.results[1]
        #expect(one.status == .rejected)
        #expect(one.reason == "dataUnavailable: no such client")
    }

    // MARK: - Lost workers

    @Test func workerLostMarksItsPendingClientsCrashedAndKeepsItsOkOnes() {
        var m = machine([0, 1, 2, 3, 4, 5], workers: ["a", "b"])  // a: 0, 2, 4; b: 1, 3, 5
        _ = m.start()
        _ = m.handle(.updateReceived(worker: "a", update: update(2), bytes: 102))
        _ = m.handle(.updateReceived(worker: "b", update: update(1), bytes: 101))
        let lost = m.handle(.workerLost(worker: "a"))
        #expect(!closes(lost))
        #expect(m.pendingClients == [3, 5])
        let byClient = Dictionary(uniqueKeysWithValues: m.results.map { ($0.client, $0) })
        #expect(byClient[0]?.status == .crashed)
        #expect(byClient[4]?.status == .crashed)
        #expect(byClient[0]?.reason?.contains("a") == true)
        #expect(byClient[0]?.bytesUp == 0)
        #expect(byClient[2]?.status == .ok)
        #expect(byClient[2]?.update == update(2))
        // A late update from the lost worker changes nothing.
        _ = m.handle(.updateReceived(worker: "a", update: update(4), bytes: 104))
        #expect(m.results.first { $0.client == 4 }?.status == .crashed)
        _ = m.handle(.updateReceived(worker: "b", update: update(3), bytes: 103))
        #expect(m.handle(.updateReceived(worker: "b", update: update(5), bytes: 105)) == [.closeRound])
        #expect(m.results.map(\.status) == [.crashed, .ok, .ok, .ok, .crashed, .ok])
    }

    @Test func losingTheLastBusyWorkerClosesTheRound() {
        var m = machine([0, 1], workers: ["a", "b"])
        _ = m.start()
        _ = m.handle(.updateReceived(worker: "b", update: update(1), bytes: 101))
        #expect(m.handle(.workerLost(worker: "a")) == [.closeRound])
        #expect(m.results.map(\.status) == [.crashed, .ok])
    }

    @Test func losingAWorkerWithoutClientsChangesNothing() {
        var m = machine([0, 2], workers: ["a", "b"])  // both on a
        _ = m.start()
        #expect(m.handle(.workerLost(worker: "b")) == [])
        #expect(m.pendingClients == [0, 2])
    }

    // MARK: - Arrival order

    /// Results are sorted by client id, and identical, for any arrival order of the updates,
    /// failures and malformed messages. Seeds pick the permutation (printed on failure).
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8, 42, 1234] as [UInt64])
    func resultsAreSortedByClientWhateverTheArrivalOrder(seed: UInt64) {
        let clients: [ClientID] = [17, 3, 29, 8, 11, 0, 5, 23, 14, 2]
        let assignment = ClientAssignment(workers: ["w0", "w1", "w2"])
        // Client 8 fails, client 11's message is malformed, the rest arrive as updates.
        func events() -> [RoundMachine.Event] {
            clients.map { c in
                let worker = assignment.worker(for: c)
                switch c {
                case 8: return .clientFailed(worker: worker, round: 3, client: c, reason: "trainingFailed")
                case 11: return .messageRejected(worker: worker, reason: "bad magic")
                default: return .updateReceived(worker: worker, update: update(c), bytes: 1000 + Int(c))
                }
            }
        }
        func run(_ order: [Int]) -> [RoundMachine.ClientResult] {
            var m = RoundMachine(round: 3, clients: clients, assignment: assignment)
            _ = m.start()
            let all = events()
            for (step, index) in order.enumerated() {
                let actions = m.handle(all[index])
                #expect(closes(actions) == (step == order.count - 1), "seed \(seed): closed at step \(step)")
            }
            #expect(m.isClosed, "seed \(seed)")
            return m.results
        }
        let reference = run(Array(0..<clients.count))
        #expect(reference.map(\.client) == clients.sorted())
        #expect(reference.first { $0.client == 8 }?.status == .rejected)
        #expect(reference.first { $0.client == 11 }?.status == .rejected)
        #expect(reference.filter { $0.status == .ok }.count == clients.count - 2)
        let order = PortableRandom.permutation(seed: seed, count: clients.count)
        #expect(run(order) == reference, "seed \(seed): order \(order)")
    }
}

@Suite struct ClientAssignmentTests {
    @Test func clientGoesToTheWorkerAtItsIdModuloTheSortedWorkers() {
        let assignment = ClientAssignment(workers: ["w2", "w0", "w1"])
        #expect(assignment.workers == ["w0", "w1", "w2"])
        #expect((0..<7).map { assignment.worker(for: ClientID($0)) } == ["w0", "w1", "w2", "w0", "w1", "w2", "w0"])
    }

    @Test func addKeepsTheOrderAndIgnoresDuplicatesRemoveReassigns() {
        var assignment = ClientAssignment(workers: ["b"])
        assignment.add("a")
        assignment.add("b")
        #expect(assignment.workers == ["a", "b"])
        #expect(assignment.worker(for: 1) == "b")
        assignment.remove("b")
        #expect(assignment.workers == ["a"])
        #expect(assignment.worker(for: 1) == "a")
        assignment.remove("nobody")
        #expect(assignment.workers == ["a"])
    }

    @Test func groupCoversEveryClientOnceInWorkerOrder() {
        let assignment = ClientAssignment(workers: ["x", "y"])
        let groups = assignment.group([9, 2, 4, 7, 1])
        #expect(groups.map(\.worker) == ["x", "y"])
        #expect(groups.map(\.clients) == [[2, 4], [9, 7, 1]])
    }
}

@Suite struct RoundVocabularyTests {
    /// The raw values are the `status` column of clients.csv (DESIGN §8) and the `run.mode` names.
    @Test func statusAndModeNamesMatchTheDesign() {
        #expect(ClientStatus.allCases.map(\.rawValue)
                == ["ok", "straggler", "crashed", "dropped", "rejected", "byzantine"])
        #expect(TrainingMode(rawValue: "federated") == .federated)
        #expect(TrainingMode(rawValue: "distributed-sgd") == .distributedSGD)
    }
}

@Suite struct RoundMachineLateReportTests {
    @Test func failureReportFromAnEarlierRoundIsIgnored() {
        var m = RoundMachine(round: 3, clients: [0], assignment: ClientAssignment(workers: ["a"]))
        _ = m.start()
        let actions = m.handle(.clientFailed(worker: "a", round: 2, client: 0, reason: "late"))
        #expect(actions.count == 1)
        #expect(m.pendingClients == [0])
        #expect(!m.isClosed)
    }
}
