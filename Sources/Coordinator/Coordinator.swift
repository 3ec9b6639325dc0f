import Experiment
import Foundation
import Messaging
import Protocol
import Sim
import ZeroMQ

/// Where and how the coordinator process runs.
public struct CoordinatorOptions: Sendable {
    /// The ZeroMQ endpoint to bind, e.g. `tcp://127.0.0.1:5555` or `tcp://127.0.0.1:*`.
    public var bind: String
    /// How many workers to wait for before round 1.
    public var workers: Int
    /// The run directory (created if needed).
    public var runDirectory: String
    /// If set, the bound endpoint is written here once listening (for launchers that bind port 0).
    public var endpointFile: String?
    /// Show a live progress line on standard error.
    public var progress: Bool

    public init(bind: String, workers: Int, runDirectory: String, endpointFile: String? = nil, progress: Bool = true) {
        self.bind = bind
        self.workers = workers
        self.runDirectory = runDirectory
        self.endpointFile = endpointFile
        self.progress = progress
    }
}

/// The coordinator process: waits for workers, drives one `RoundMachine` per round from a plain
/// blocking event loop on the calling thread, aggregates, evaluates and writes the run directory.
///
/// All numeric work is delegated to Sim; this type owns only sockets, clocks and files. The socket
/// lives on the thread that calls `run()`.
public final class Coordinator {
    let settings: RunSettings
    let configTOML: String
    let options: CoordinatorOptions
    let startTime = MonotonicClock.seconds()

    var directory: RunDirectory!
    /// The held-out samples the global model is evaluated on (the coordinator needs no training data).
    var testSet: Dataset!
    var network: Network!
    var limits = DecodeLimits()
    var workers: [String: WorkerState] = [:]
    var assignment = ClientAssignment(workers: [])
    var progress: ProgressLine
    var currentRound: RoundID = 0
    var machine: RoundMachine?
    var everJoined: Set<String> = []
    var model: [Float] = []
    /// Distributed Lion: the model version each worker process holds (absent: none), the broadcast Δ
    /// that produced the current model (nil: send the dense model), and where each client last ran.
    var workerModelVersion: [String: UInt64] = [:]
    var broadcast: TensorPayload?
    var lastWorkerOf: [ClientID: String] = [:]
    /// The last reason a worker gave for leaving (shown when every worker is gone).
    var lastWorkerFailure: String?
    /// Gradient coding's state across rounds (Coordinator+Coding.swift); nil until a coded round closes.
    var codingState: CodingRunState?
    /// Decoded compressed updates, the downlink copy and per-client transport bytes (Coordinator+Compression.swift).
    var compression = CoordinatorCompression()

    struct WorkerState {
        var name: String
        var routingID: [UInt8]
        var lastSeen: Double
        var lastHeartbeatSent: Double
    }

    public init(settings: RunSettings, configTOML: String, options: CoordinatorOptions) {
        self.settings = settings
        self.configTOML = configTOML
        self.options = options
        self.progress = ProgressLine(enabled: options.progress, totalRounds: settings.rounds)
    }

    /// Runs the whole experiment. Returns the summary written to summary.json.
    @discardableResult
    public func run() throws(CoordinatorError) -> JSONValue {
        do {
            directory = try RunDirectory(path: options.runDirectory)
            try directory.write("config.toml", configTOML)
        } catch {
            throw .runDirectory(error)
        }
        BLAS.setThreads(settings.blasThreads)
        AggregationThreads.set(settings.aggregationThreads)
        do {
            testSet = try settings.loadTestSet()
        } catch {
            throw .data(error)
        }
        network = Network(spec: settings.modelSpec(dimension: testSet.dimension, classes: testSet.classes))
        limits.expectedDimension = network.spec.parameterCount
        log("coordinator: \(settings.name), \(settings.clients) clients, model \(network.spec.parameterCount) parameters, "
            + "\(testSet.count) test samples")
        let core = BLAS.core
        log("OpenBLAS core \(core.name.isEmpty ? "unknown" : core.name)\(core.switched ? " (switched from the generic Prescott kernels)" : ""), "
            + "\(BLAS.threads) thread\(BLAS.threads == 1 ? "" : "s"); SIMD kernels \(SIMDKernels.levelName)")

        let context: Context
        do {
            context = try Context()
        } catch {
            throw .transport(error)
        }
        defer { context.shutdown() }
        do {
            var socketOptions = SocketOptions()
            socketOptions.maxMessageSize = Int64(network.spec.parameterCount) * 8 + (16 << 20)
            socketOptions.sendHighWaterMark = 1000
            socketOptions.receiveHighWaterMark = 100_000
            let socket = try Socket(context, .router, options: socketOptions)
            try socket.bind(options.bind)
            let endpoint = try socket.lastEndpoint()
            if let file = options.endpointFile {
                try? endpoint.write(toFile: file, atomically: true, encoding: .utf8)
            }
            log("listening on \(endpoint), waiting for \(options.workers) workers")
            try waitForWorkers(socket, endpoint: endpoint)
            let summary = try train(socket)
            broadcastShutdown(socket, reason: "run finished")
            directory.close()
            return summary
        } catch let error as CoordinatorError {
            directory.close()
            throw error
        } catch let error as ZMQError {
            directory.close()
            throw .transport(error)
        } catch let error as RunDirectoryError {
            throw .runDirectory(error)
        } catch {
            throw .transport(ZMQError(errno: 0, operation: "\(error)"))
        }
    }

    // MARK: - Handshake

    private func waitForWorkers(_ socket: borrowing Socket, endpoint: String) throws {
        let deadline = MonotonicClock.seconds() + settings.joinTimeout
        while workers.count < options.workers {
            let now = MonotonicClock.seconds()
            guard now < deadline else {
                throw CoordinatorError.workersMissing(expected: options.workers, joined: workers.count,
                                                      waitedSeconds: settings.joinTimeout, endpoint: endpoint)
            }
            if try socket.waitReadable(timeoutMilliseconds: Int(min(200, (deadline - now) * 1000)) + 1) {
                try drain(socket)
            }
        }
        try announceLayout(socket)
    }

    /// Handles a hello: version and name checks, then a welcome. Returns false if refused.
    func admit(_ socket: borrowing Socket, sender: [UInt8], hello: Hello) throws {
        let name = hello.workerName
        func refuse(_ code: ErrorCode, _ detail: String) throws {
            let report = Message.error(ErrorReport(code: code, round: currentRound, client: nil, detail: detail))
            _ = try socket.send(report.encoded(), to: sender)
            try record("worker_refused", worker: name, detail: detail)
        }
        guard hello.protocolVersion == Wire.version else {
            try refuse(.unsupportedVersion, "worker speaks protocol \(hello.protocolVersion), coordinator \(Wire.version); "
                       + "run the same gradwire build on both sides")
            return
        }
        guard sender == Array(name.utf8) else {
            try refuse(.malformedMessage, "worker name \(name) does not match its routing id")
            return
        }
        let rejoining = workers[name] == nil && everJoined.contains(name)
        let now = MonotonicClock.seconds()
        workers[name] = WorkerState(name: name, routingID: sender, lastSeen: now, lastHeartbeatSent: now)
        workerModelVersion[name] = nil
        everJoined.insert(name)
        assignment.add(name)
        if currentRound > 0 { try announceLayout(socket) } else { try sendWelcome(socket, to: name) }
        try record(rejoining ? "worker_rejoined" : "worker_joined", worker: name,
                   detail: "capacity \(hello.capacity), build \(hello.build)"
                       + (rejoining ? "; its clients return to it from the next round" : ""))
    }

    /// Sends `name` the experiment and its place among the live workers. Sent again to every worker
    /// once all expected workers have joined (or the set changes), so that each can prepare the
    /// data of the clients it will host (`client mod workerCount == workerIndex`).
    func sendWelcome(_ socket: borrowing Socket, to name: String) throws {
        guard let state = workers[name] else { return }
        let index = UInt32(assignment.workers.firstIndex(of: name) ?? 0)
        let welcome = Welcome(runID: settings.name, configTOML: configTOML,
                              configHash: StableHash.fnv1a64(configTOML), workerIndex: index,
                              workerCount: UInt32(assignment.workers.count))
        _ = try socket.send(Message.welcome(welcome).encoded(), to: state.routingID)
    }

    /// Re-sends every live worker its place after the set of workers changed.
    func announceLayout(_ socket: borrowing Socket) throws {
        for name in assignment.workers { try sendWelcome(socket, to: name) }
    }

    // MARK: - Messages

    /// Receives everything waiting and routes it: heartbeats, hellos, and round messages.
    func drain(_ socket: borrowing Socket) throws {
        while let received = try socket.receiveMessage(hasRoutingID: true, limits: limits) {
            let now = MonotonicClock.seconds()
            let (name, isHeartbeat) = workerName(from: received.sender)
            if isHeartbeat {
                if workers[name] != nil { workers[name]?.lastSeen = now }
                continue
            }
            if workers[name] != nil { workers[name]?.lastSeen = now }
            switch received.message {
            case .failure(let error):
                if machine != nil, workers[name] != nil {
                    transportBytesUp += received.wireBytes
                    try handle(.messageRejected(worker: name, reason: "\(error)"), socket)
                } else {
                    try record("message_rejected", worker: name, detail: "\(error)")
                }
            case .success(.hello(let hello)):
                try admit(socket, sender: received.sender, hello: hello)
            case .success(.update(let update)):
                guard machine != nil, workers[name] != nil else {
                    try record("update_ignored", worker: name, client: update.client,
                               detail: "update for round \(update.round) outside a round or from an unknown worker")
                    continue
                }
                transportBytesUp += received.wireBytes
                compression.transportUp[update.client, default: 0] += received.wireBytes
                if let problem = payloadProblem(update.payload) {
                    try handle(.messageRejected(worker: name, reason: "update for client \(update.client): \(problem)"), socket)
                    continue
                }
                guard try acceptCompressed(update, from: name, socket) else { continue }
                try handle(.updateReceived(worker: name, update: update, bytes: update.encodedByteCount), socket)
            case .success(.error(let report)):
                if machine != nil, workers[name] != nil, let client = report.client {
                    try handle(.clientFailed(worker: name, round: report.round, client: client, reason: "\(report.code): \(report.detail)"),
                               socket)
                } else if report.client == nil, [.configRejected, .dataUnavailable].contains(report.code), workers[name] != nil {
                    // The worker could not set up the run and is leaving: drop it now, with its reason.
                    try record("worker_error", worker: name, detail: "\(report.code): \(report.detail)")
                    lastWorkerFailure = "\(name): \(report.detail)"
                    try loseWorker(name, reason: "it could not set up the run (\(report.code))", socket)
                } else {
                    try record("worker_error", worker: name, detail: "\(report.code): \(report.detail)")
                }
            case .success(.heartbeat(let beat)):
                try noteTaskFinished(name, beat, socket)
            case .success(let other):
                try record("message_ignored", worker: name, detail: "unexpected \(other.kind) from a worker")
            }
        }
    }

    private func workerName(from routingID: [UInt8]) -> (String, Bool) {
        let suffix = HeartbeatSender.heartbeatSuffix
        if routingID.count > suffix.count, Array(routingID.suffix(suffix.count)) == suffix {
            return (String(decoding: routingID.dropLast(suffix.count), as: UTF8.self), true)
        }
        return (String(decoding: routingID, as: UTF8.self), false)
    }

    var transportBytesUp = 0
    var transportBytesDown = 0
}
