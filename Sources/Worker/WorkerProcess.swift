import Experiment
import Foundation
import Messaging
import Protocol
import Sim
import ZeroMQ

/// How a worker process joins a coordinator.
public struct WorkerOptions: Sendable {
    public var connect: String
    public var name: String
    /// Informational: how many clients this worker is prepared to host (reported in its hello).
    public var capacity: Int
    /// How long to wait for the coordinator's welcome before giving up.
    public var connectTimeout: Double

    public init(connect: String, name: String, capacity: Int = 0, connectTimeout: Double = 30) {
        self.connect = connect
        self.name = name
        self.capacity = capacity
        self.connectTimeout = connectTimeout
    }
}

/// Why a worker stopped before the coordinator said `shutdown`.
public enum WorkerError: Error, CustomStringConvertible {
    case cannotReach(endpoint: String, seconds: Double)
    case refused(String)
    case config(ConfigError)
    case data(DataError)
    case transport(ZMQError)
    case coordinatorGone(endpoint: String, seconds: Double)
    case invalidName(String)

    public var description: String {
        switch self {
        case let .cannotReach(endpoint, seconds):
            return "could not reach a coordinator at \(endpoint) within \(seconds.formatted) s; check that "
                + "`gradwire coordinator` is running and bound to that endpoint (and any firewall in between)"
        case .refused(let reason):
            return "the coordinator refused this worker: \(reason)"
        case .config(let error):
            return "the coordinator's experiment does not parse here: \(error); run the same gradwire build on both sides"
        case .data(let error):
            return "cannot build this worker's data: \(error)"
        case .transport(let error):
            return "transport: \(error)"
        case let .coordinatorGone(endpoint, seconds):
            return "no word from the coordinator at \(endpoint) for \(seconds.formatted) s; it has stopped or the network is down"
        case .invalidName(let name):
            return "worker name \"\(name)\" is not usable: names must be 1–200 bytes, must not start with a zero byte and "
                + "must not end in \"~hb\""
        }
    }
}

/// The worker process: joins a coordinator, builds its data from the experiment it is sent, and
/// answers every task with one update per client. Runs on the calling thread; a second thread
/// sends heartbeats so that long training never looks like death.
public final class WorkerProcess {
    let options: WorkerOptions
    /// Each Byzantine "stale" client's last sent update, kept on the worker that hosts it.
    private var lastSent: [ClientID: [Float]] = [:]
    /// Uplink compressor memory of the hosted clients and the downlink model copy (set once the experiment is known).
    private var compression: ClientCompression!
    /// Answers held back until due (wall mode) and end-of-task markers (WorkerProcess+Faults.swift).
    var outbox = Outbox()
    /// When the task being answered arrived (monotonic seconds).
    var taskReceived = 0.0

    public init(options: WorkerOptions) {
        self.options = options
    }

    public func run() throws(WorkerError) {
        let nameBytes = Array(options.name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= 200, nameBytes.first != 0,
              !options.name.hasSuffix("~hb") else { throw .invalidName(options.name) }
        let context: Context
        do { context = try Context() } catch { throw .transport(error) }
        defer { context.shutdown() }
        do {
            var socketOptions = SocketOptions()
            socketOptions.routingID = nameBytes
            socketOptions.sendHighWaterMark = 100_000
            socketOptions.receiveHighWaterMark = 1000
            let socket = try Socket(context, .dealer, options: socketOptions)
            try socket.connect(options.connect)
            let heartbeats = HeartbeatSender(context: context, endpoint: options.connect, workerName: options.name,
                                             interval: 0.25)
            defer { heartbeats.stop() }
            let hello = Hello(protocolVersion: Wire.version, workerName: options.name, capacity: UInt32(options.capacity),
                              build: "gradwire \(Wire.version)", dataHash: 0)
            _ = try socket.send(Message.hello(hello).encoded())
            let welcome = try awaitWelcome(socket)
            try serve(socket, welcome: welcome)
        } catch let error as WorkerError {
            throw error
        } catch let error as ZMQError {
            if error.isTerminated { return }
            throw .transport(error)
        } catch {
            throw .transport(ZMQError(errno: 0, operation: "\(error)"))
        }
    }

    private func awaitWelcome(_ socket: borrowing Socket) throws -> Welcome {
        let deadline = MonotonicClock.seconds() + options.connectTimeout
        while MonotonicClock.seconds() < deadline {
            guard try socket.waitReadable(timeoutMilliseconds: 200) else { continue }
            while let received = try socket.receiveMessage(hasRoutingID: false, limits: DecodeLimits()) {
                switch received.message {
                case .success(.welcome(let welcome)):
                    return welcome
                case .success(.error(let report)):
                    throw WorkerError.refused(report.detail)
                case .success(.shutdown(let shutdown)):
                    throw WorkerError.refused("shut down before joining: \(shutdown.reason)")
                default:
                    continue
                }
            }
        }
        throw WorkerError.cannotReach(endpoint: options.connect, seconds: options.connectTimeout)
    }

    private func serve(_ socket: borrowing Socket, welcome: Welcome) throws {
        // A worker that cannot set up says why before it leaves, so the coordinator drops it at once
        // with the reason instead of waiting for its heartbeats to stop.
        let settings: RunSettings
        do {
            settings = try RunSettings(ExperimentConfig.parse(toml: welcome.configTOML))
        } catch {
            try? sendPatiently(Message.error(ErrorReport(code: .configRejected, detail: error.description)).encoded(), socket)
            throw WorkerError.config(error)
        }
        BLAS.setThreads(settings.blasThreads)
        let store: ClientDataStore
        do {
            store = try settings.clientStore()
        } catch {
            try? sendPatiently(Message.error(ErrorReport(code: .dataUnavailable, detail: error.description)).encoded(), socket)
            throw WorkerError.data(error)
        }
        let prefetcher = Prefetcher(store: store)
        defer { prefetcher.cancel() }
        prefetcher.prepare(index: Int(welcome.workerIndex), count: Int(welcome.workerCount))
        let network = Network(spec: settings.modelSpec(dimension: store.dimension, classes: store.classes))
        let computation = ClientComputation(
            network: network,
            trainer: LocalTrainer(network: network, optimizer: settings.optimizer, plan: settings.trainingPlan,
                                 proxMu: settings.proxMu),
            mode: settings.mode, batchSize: settings.trainingPlan.batchSize, seed: settings.seed,
            timeModel: settings.timeModel)
        compression = ClientCompression(settings: settings, layerShapes: network.spec.layerShapes)
        var workspace = Network.Workspace()
        // Distributed Lion: the model copy and the momenta of the clients this process hosts.
        var replica = settings.lion.map { DistributedLionReplica(parameters: $0) }
        var limits = DecodeLimits()
        limits.expectedDimension = network.spec.parameterCount
        let silenceLimit = max(20, settings.heartbeatTimeout * 4)
        var lastHeard = MonotonicClock.seconds()

        while true {
            try flushOutbox(socket)
            if try !socket.waitReadable(timeoutMilliseconds: waitBudget(500)) {
                if MonotonicClock.seconds() - lastHeard > silenceLimit {
                    throw WorkerError.coordinatorGone(endpoint: options.connect, seconds: silenceLimit)
                }
                continue
            }
            while let received = try socket.receiveMessage(hasRoutingID: false, limits: limits) {
                lastHeard = MonotonicClock.seconds()
                switch received.message {
                case .success(.task(let task)):
                    crashIfScheduled(task, settings: settings)
                    taskReceived = MonotonicClock.seconds()
                    if settings.mode == .distributedLion, var current = replica {
                        try runLionTask(task, socket, computation: computation, store: store, settings: settings, replica: &current,
                                        workspace: &workspace)
                        replica = current
                    } else if settings.codedTask(client: 0) != nil {
                        try runCodedTask(task, socket, computation: computation, store: store, settings: settings,
                                         workspace: &workspace)
                    } else {
                        try runTask(task, socket, computation: computation, store: store, settings: settings,
                                    workspace: &workspace)
                    }
                    try finishTask(task, socket)
                    lastHeard = MonotonicClock.seconds()
                case .success(.shutdown):
                    return
                case .success(.welcome(let layout)):
                    // The set of workers changed: prepare the clients of this worker's new place.
                    prefetcher.prepare(index: Int(layout.workerIndex), count: Int(layout.workerCount))
                    compression.keepClients(index: Int(layout.workerIndex), count: Int(layout.workerCount))
                case .success(.error(let report)):
                    FileHandle.standardError.write(Data("worker \(options.name): coordinator reports \(report.code): \(report.detail)\n".utf8))
                case .success:
                    continue
                case .failure(let error):
                    FileHandle.standardError.write(Data("worker \(options.name): rejected a message: \(error)\n".utf8))
                }
            }
        }
    }

    /// The model of `task`: the dense model, or under downlink compression the round's compressed
    /// change applied to this worker's copy. Nil, after failing every client of the task with the
    /// reason, when the payload is not one this worker can apply.
    func taskModel(_ task: Task, _ socket: borrowing Socket) throws -> [Float]? {
        do {
            return try compression.model(of: task)
        } catch {
            try failAll(task, code: .trainingFailed,
                        detail: "model payload \(task.model.codec) is not one this worker can apply: \(error)", socket)
            return nil
        }
    }

    /// Trains every client of `task` on its own samples (generated on first use by `store`).
    private func runTask(_ task: Task, _ socket: borrowing Socket, computation: ClientComputation,
                         store: ClientDataStore, settings: RunSettings, workspace: inout Network.Workspace) throws {
        guard let model = try taskModel(task, socket) else { return }
        try answerEach(task, socket, store: store, settings: settings) { client, data, behaviour in
            let start = MonotonicClock.seconds()
            var output = computation.run(client: client, round: task.round, model: model, data: data,
                                         indices: Array(0..<data.count), workspace: &workspace)
            let wall = MonotonicClock.seconds() - start
            if let behaviour, !behaviour.flipsLabels {
                output.vector = behaviour.apply(to: output.vector, previous: lastSent[client], seed: settings.seed,
                                                round: UInt64(task.round), client: UInt64(client))
                lastSent[client] = output.vector
            }
            return .update(Update(round: task.round, client: client, sampleCount: UInt32(output.sampleCount),
                                  trainLoss: output.trainLoss, wallComputeSeconds: wall,
                                  virtualComputeSeconds: output.virtualComputeSeconds,
                                  payload: compression.payload(for: output.vector, client: client, round: task.round)))
        }
    }

    /// Distributed Lion: brings the model copy to the task's version (dense model or broadcast Δ),
    /// then runs each client with its momentum and sends its packed signs.
    private func runLionTask(_ task: Task, _ socket: borrowing Socket, computation: ClientComputation,
                             store: ClientDataStore, settings: RunSettings, replica: inout DistributedLionReplica,
                             workspace: inout Network.Workspace) throws {
        let model: [Float]
        do {
            model = try replica.receive(task.model, version: task.modelVersion)
        } catch {
            try failAll(task, code: .trainingFailed, detail: "\(error)", socket)
            return
        }
        try answerEach(task, socket, store: store, settings: settings) { client, data, behaviour in
            var (momentum, fresh) = replica.takeMomentum(client: client)
            if fresh && task.round > 1 {
                FileHandle.standardError.write(Data(("worker \(options.name): client \(client) starts round \(task.round) "
                    + "with fresh Lion momentum (first time on this worker)\n").utf8))
            }
            let start = MonotonicClock.seconds()
            let output = computation.runDistributedLion(client: client, round: task.round, model: model, data: data,
                                                        indices: Array(0..<data.count), momentum: &momentum,
                                                        workspace: &workspace)
            let wall = MonotonicClock.seconds() - start
            replica.storeMomentum(momentum, client: client)
            // A Byzantine voter running bit-flip sends the opposite signs.
            let signs = behaviour == .signFlip
                ? SignPacking.pack(SignPacking.unpack(output.signs).map { -$0 }) : output.signs
            return .update(Update(round: task.round, client: client, sampleCount: UInt32(output.sampleCount),
                                  trainLoss: output.trainLoss, wallComputeSeconds: wall,
                                  virtualComputeSeconds: output.virtualComputeSeconds, payload: .packedSigns(signs)))
        }
    }

    /// Answers every client of `task` with the same error (the task could not be started).
    private func failAll(_ task: Task, code: ErrorCode, detail: String, _ socket: borrowing Socket) throws {
        for clientTask in task.clients {
            try sendPatiently(Message.error(ErrorReport(code: code, round: task.round, client: clientTask.client,
                                                        detail: detail)).encoded(), socket)
        }
    }

    /// Sends, for each client of `task`, the message `body` computes from the client's training data
    /// (labels already flipped for a label-flipping Byzantine client) and its worker-side behaviour;
    /// a client whose data cannot be had is answered with a `dataUnavailable` error.
    private func answerEach(_ task: Task, _ socket: borrowing Socket, store: ClientDataStore, settings: RunSettings,
                            _ body: (ClientID, Dataset, ClientBehaviour?) -> Message) throws {
        for clientTask in task.clients {
            let client = clientTask.client
            let message: Message
            switch Result(catching: { () throws(DataError) in try store.clientData(Int(client)) }) {
            case .success(var data):
                let behaviour = settings.behaviour(of: client)
                if let behaviour, behaviour.flipsLabels {
                    data.labels = data.labels.map { behaviour.flipLabel($0, classes: data.classes) }
                }
                message = body(client, data, behaviour)
            case .failure(let error):
                message = .error(ErrorReport(code: .dataUnavailable, round: task.round, client: client,
                                             detail: "\(error)"))
            }
            try deliver(message, clientTask, task, received: taskReceived, settings: settings, socket)
        }
    }

    /// Sends, waiting out a full queue (a DEALER's queue fills only if the coordinator stalls).
    func sendPatiently(_ message: EncodedMessage, _ socket: borrowing Socket) throws {
        while try socket.send(message).outcome == .wouldBlock {
            Thread.sleep(forTimeInterval: 0.001)
        }
    }
}

private extension Double {
    /// Seconds as people write them: "30", "0.5".
    var formatted: String { self == rounded() ? String(Int(self)) : String(self) }
}
