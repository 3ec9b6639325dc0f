import Experiment
import Foundation
import Messaging
import Protocol
import Sim
import Synchronization
import Testing
import Worker
import ZeroMQ

// The worker process against a coordinator played by the test: a ROUTER on a wildcard loopback
// port in a thread of the test, the WorkerProcess on a thread of its own. Socket code never runs on
// the cooperative pool; values come back to the test, which asserts on them.

/// A small experiment: digits, 10 IID clients, logistic regression with uniform initial weights, 1 epoch.
private let experimentTOML = """
    [run]
    name = "worker-test"
    seed = 42
    rounds = 2

    [data]
    source = "digits"
    test_fraction = 0.2

    [partition]
    scheme = "iid"
    clients = 10

    [model]
    kind = "logreg"
    init = "uniform"

    [local]
    optimizer = "sgd"
    lr = 0.1
    batch_size = 10
    epochs = 1
    shuffle = true

    [participation]
    process = "uniform"
    clients_per_round = 2
    """

private struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` on a new thread and resumes with its result.
private func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// A WorkerProcess running on a thread of its own.
private final class RunningWorker: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let outcome = Mutex<WorkerError?>(nil)

    init(_ options: WorkerOptions) {
        Thread { [self] in
            do throws(WorkerError) {
                try WorkerProcess(options: options).run()
            } catch {
                outcome.withLock { $0 = error }
            }
            done.signal()
        }.start()
    }

    /// Waits up to `seconds` for `run()` to return: nil if it has not, `.success` if it returned normally.
    func finish(within seconds: Double) -> Result<Void, WorkerError>? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        if let error = outcome.withLock({ $0 }) { return .failure(error) }
        return .success(())
    }
}

/// The coordinator's side of one connection.
private struct FakeCoordinator: ~Copyable {
    let context: Context
    let router: Socket
    let endpoint: String

    init() throws {
        let context = try Context()
        let router = try Socket(context, .router)
        try router.bind("tcp://127.0.0.1:*")
        endpoint = try router.lastEndpoint()
        self.context = context
        self.router = router
    }

    /// The next message that is not a heartbeat, within `seconds`.
    func next(within seconds: Double = 10) throws -> Received {
        let deadline = MonotonicClock.seconds() + seconds
        while MonotonicClock.seconds() < deadline {
            while let received = try router.receiveMessage(hasRoutingID: true, limits: DecodeLimits()) {
                if Array(received.sender.suffix(3)) == HeartbeatSender.heartbeatSuffix { continue }
                if case .success(.heartbeat) = received.message { continue }
                return received
            }
            _ = try router.waitReadable(timeoutMilliseconds: 50)
        }
        throw TestFailure("no message from the worker within \(seconds) s")
    }

    func send(_ message: Message, to id: [UInt8]) throws {
        let (outcome, _) = try router.send(message.encoded(), to: id)
        guard outcome == .sent else { throw TestFailure("could not send \(message.kind): \(outcome)") }
    }
}

/// What the worker computes for `client`, built here exactly as the worker builds it.
private struct LocalReference: Sendable {
    let settings: RunSettings
    let data: FederatedData
    let network: Network

    init(toml: String) throws {
        settings = try RunSettings(ExperimentConfig.parse(toml: toml))
        data = try settings.loadData()
        network = Network(spec: settings.modelSpec(for: data))
    }

    func output(client: ClientID, round: RoundID, model: [Float]) -> ClientComputation.Output {
        let computation = ClientComputation(
            network: network,
            trainer: LocalTrainer(network: network, optimizer: settings.optimizer, plan: settings.trainingPlan),
            mode: settings.mode, batchSize: settings.trainingPlan.batchSize, seed: settings.seed,
            timeModel: settings.timeModel)
        var workspace = Network.Workspace()
        return computation.run(client: client, round: round, model: model, data: data.train,
                               indices: data.clientIndices[Int(client)], workspace: &workspace)
    }
}

private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

@Suite struct WorkerProcessTests {
    /// What the coordinator saw during a whole session with one worker.
    struct Session: Sendable {
        var hello: Received
        var round1: [Received]
        var round2: [Received]
        var finished: Result<Void, WorkerError>?
    }

    @Test(.timeLimit(.minutes(1)))
    func answersTasksBitForBitAndStopsOnShutdown() async throws {
        let configTOML = try ExperimentConfig.parse(toml: experimentTOML).tomlText()
        let reference = try LocalReference(toml: configTOML)
        let model1 = reference.network.initialParameters(reference.settings.modelInit)
        let model2 = model1.enumerated().map { $0.element + Float($0.offset % 7) * 0.01 }

        let session = try await onOwnThread { () -> Session in
            let coordinator = try FakeCoordinator()
            let worker = RunningWorker(WorkerOptions(connect: coordinator.endpoint, name: "w-test", capacity: 3,
                                                     connectTimeout: 10))
            let hello = try coordinator.next()
            let id = hello.sender
            try coordinator.send(.welcome(Welcome(runID: "worker-test", configTOML: configTOML,
                                                  configHash: StableHash.fnv1a64(configTOML), workerIndex: 0,
                                                  workerCount: 1)), to: id)
            try coordinator.send(.task(Task(round: 1, modelVersion: 0, model: .dense(model1),
                                            clients: [ClientTask(client: 3), ClientTask(client: 7)])), to: id)
            let round1 = [try coordinator.next(), try coordinator.next()]
            try coordinator.send(.task(Task(round: 2, modelVersion: 1, model: .dense(model2),
                                            clients: [ClientTask(client: 4), ClientTask(client: 99)])), to: id)
            let round2 = [try coordinator.next(), try coordinator.next()]
            try coordinator.send(.shutdown(Shutdown(reason: "test finished")), to: id)
            return Session(hello: hello, round1: round1, round2: round2, finished: worker.finish(within: 10))
        }

        // Handshake.
        #expect(session.hello.sender == Array("w-test".utf8))
        guard case .success(.hello(let hello)) = session.hello.message else {
            Issue.record("expected a hello, got \(session.hello.message)")
            return
        }
        #expect(hello.workerName == "w-test")
        #expect(hello.protocolVersion == Wire.version)
        #expect(hello.capacity == 3)

        // Round 1: one update per client, equal bit for bit to the local computation.
        for (received, client) in zip(session.round1, [3, 7] as [ClientID]) {
            guard case .success(.update(let update)) = received.message else {
                Issue.record("expected an update for client \(client), got \(received.message)")
                continue
            }
            let expected = reference.output(client: client, round: 1, model: model1)
            #expect(update.round == 1)
            #expect(update.client == client)
            guard case .dense(let values) = update.payload else { continue }
            #expect(bits(values) == bits(expected.vector), "client \(client)")
            #expect(Int(update.sampleCount) == expected.sampleCount)
            #expect(update.trainLoss.bitPattern == expected.trainLoss.bitPattern)
            #expect(update.virtualComputeSeconds == expected.virtualComputeSeconds)
            #expect(update.wallComputeSeconds >= 0)
            #expect(received.wireBytes == update.encodedByteCount)
        }

        // Round 2: the new model is used, and a client that does not exist gets an error report.
        guard case .success(.update(let four)) = session.round2[0].message else {
            Issue.record("expected an update for client 4, got \(session.round2[0].message)")
            return
        }
        let expectedFour = reference.output(client: 4, round: 2, model: model2)
        #expect(four.round == 2)
        #expect(four.client == 4)
        if case .dense(let values) = four.payload { #expect(bits(values) == bits(expectedFour.vector)) }
        guard case .success(.error(let report)) = session.round2[1].message else {
            Issue.record("expected an error for client 99, got \(session.round2[1].message)")
            return
        }
        #expect(report.client == 99)
        #expect(report.round == 2)
        #expect(report.code == .dataUnavailable)
        #expect(report.detail.contains("99"))

        // Shutdown ends run() without an error.
        switch session.finished {
        case .success: break
        case .failure(let error): Issue.record("the worker failed: \(error)")
        case nil: Issue.record("the worker did not stop within 10 s of shutdown")
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func refusalEndsTheWorkerWithRefused() async throws {
        let finished = try await onOwnThread { () -> Result<Void, WorkerError>? in
            let coordinator = try FakeCoordinator()
            let worker = RunningWorker(WorkerOptions(connect: coordinator.endpoint, name: "w-refused",
                                                     connectTimeout: 10))
            let hello = try coordinator.next()
            try coordinator.send(.error(ErrorReport(code: .unsupportedVersion, detail: "go away")), to: hello.sender)
            return worker.finish(within: 10)
        }
        guard case .failure(.refused(let reason)) = finished else {
            Issue.record("expected WorkerError.refused, got \(String(describing: finished))")
            return
        }
        #expect(reason == "go away")
    }

    @Test(.timeLimit(.minutes(1)))
    func welcomeWithAnUnusableConfigEndsTheWorkerWithConfig() async throws {
        let finished = try await onOwnThread { () -> Result<Void, WorkerError>? in
            let coordinator = try FakeCoordinator()
            let worker = RunningWorker(WorkerOptions(connect: coordinator.endpoint, name: "w-config",
                                                     connectTimeout: 10))
            let hello = try coordinator.next()
            let toml = "[run]\nrounds = 0\n"
            try coordinator.send(.welcome(Welcome(runID: "x", configTOML: toml, configHash: StableHash.fnv1a64(toml),
                                                  workerIndex: 0, workerCount: 1)), to: hello.sender)
            return worker.finish(within: 10)
        }
        guard case .failure(.config) = finished else {
            Issue.record("expected WorkerError.config, got \(String(describing: finished))")
            return
        }
    }
}

@Suite struct WorkerStartupTests {
    /// A TCP endpoint that was bound a moment ago and is now closed (so nobody listens there).
    private static func closedEndpoint() throws -> String {
        let context = try Context()
        let socket = try Socket(context, .router)
        try socket.bind("tcp://127.0.0.1:*")
        return try socket.lastEndpoint()
    }

    @Test(arguments: ["tcp", "inproc"])
    func unreachableCoordinatorFailsWithCannotReach(transport: String) async throws {
        let endpoint = try transport == "tcp" ? Self.closedEndpoint() : "inproc://nobody-\(getpid())-worker-tests"
        let (result, seconds) = try await onOwnThread { () -> (Result<Void, WorkerError>, Double) in
            let start = MonotonicClock.seconds()
            let result = Result { () throws(WorkerError) in
                try WorkerProcess(options: WorkerOptions(connect: endpoint, name: "w-alone", connectTimeout: 0.5)).run()
            }
            return (result, MonotonicClock.seconds() - start)
        }
        guard case .failure(.cannotReach(let reported, let timeout)) = result else {
            Issue.record("expected WorkerError.cannotReach, got \(result)")
            return
        }
        #expect(reported == endpoint)
        #expect(timeout == 0.5)
        #expect(seconds >= 0.5)
        #expect(seconds < 5)
    }

    @Test(arguments: ["w~hb", "", "\u{0}w", String(repeating: "x", count: 201)])
    func invalidNamesFailWithInvalidName(name: String) {
        let result = Result { () throws(WorkerError) in
            let options = WorkerOptions(connect: "inproc://never-used", name: name, connectTimeout: 0.1)
            try WorkerProcess(options: options).run()
        }
        guard case .failure(.invalidName(let reported)) = result else {
            Issue.record("expected WorkerError.invalidName for \(name.debugDescription), got \(result)")
            return
        }
        #expect(reported == name)
        if case .failure(let error) = result { #expect(error.description.contains("~hb")) }
    }
}
