import Experiment
import Foundation
import Messaging
import Protocol
import Sim
import ZeroMQ

extension Coordinator {
    /// Every round from 1 to `settings.rounds`; returns the summary.
    func train(_ socket: borrowing Socket) throws -> JSONValue {
        if let buffered = settings.fedBuff { return try trainFedBuff(socket, buffered) }
        model = network.initialParameters(settings.modelInit)
        let serverAggregation = settings.serverAggregation
        var previousAggregate: [Float]?
        var (federated, labelCounts) = try makeFederatedState(dimension: model.count)
        var clientEvaluation = settings.perClientEvaluation ? labelCounts.map { ClientEvaluation(testSet: testSet, labelCounts: $0) } : nil
        let initial = network.evaluate(parameters: model, on: testSet)
        var metrics = RunMetrics(settings: settings, initial: initial)
        try directory.write("clients.csv", ClientRow.header + "\n")

        for round in 1...RoundID(settings.rounds) {
            currentRound = round
            try awaitRejoins(round: round, socket)
            let roundStart = MonotonicClock.seconds()
            var selected = federated.participation.nextParticipants()
            // Over-commitment samples a longer prefix of the same uniform schedule (docs/stragglers.md).
            if case .overcommit = settings.roundPolicy { selected = settings.roundParticipants(round: round) }
            guard !assignment.workers.isEmpty else { throw CoordinatorError.allWorkersLost(round: round, lastReason: lastWorkerFailure) }
            var roundMachine = RoundMachine(round: round, clients: try askableClients(selected, round: round),
                                            assignment: assignment)
            let startActions = roundMachine.start()
            machine = roundMachine
            transportBytesUp = 0
            transportBytesDown = 0
            try prepareCompressedRound(round)
            try perform(startActions, socket)
            while let current = machine, !current.isClosed {
                if try socket.waitReadable(timeoutMilliseconds: 50) { try drain(socket) }
                try checkLiveness(socket)
                try enforceWallPolicy(socket, roundStart: roundStart)
                if assignment.workers.isEmpty, let current = machine, !current.isClosed {
                    throw CoordinatorError.allWorkersLost(round: round, lastReason: lastWorkerFailure)
                }
            }
            guard let closed = machine else { continue }
            machine = nil
            if settings.coding != nil {
                try closeCodedRound(closed, round: round, selected: selected.count, roundStart: roundStart,
                                    metrics: &metrics, server: &federated.server)
                continue
            }
            let downlink = roundDownlink

            // Aggregate the ok updates, in client order.
            let aggregationStart = MonotonicClock.seconds()
            var robust: ServerAggregation.Outcome?
            let (results, policyClose) = try applyRoundPolicy(closed.results, selected: selected, round: round,
                                                              downlink: downlink)
            let accepted = results.compactMap { r -> Update? in r.status == .ok ? r.update : nil }
            var weights = settings.weighting.weights(sampleCounts: accepted.map { Int($0.sampleCount) },
                                                     population: settings.clients)
            if settings.mode == .distributedLion, let lion = settings.lion {
                // Every vote that arrived counts once; a missing client's vote is simply absent.
                weights = accepted.map { _ in 1 / Double(accepted.count) }
                let votes = accepted.compactMap { update -> PackedSigns? in
                    if case .packedSigns(let signs) = update.payload { return signs }
                    return nil
                }
                if votes.isEmpty {
                    broadcast = nil
                    try record("round_skipped", detail: "no valid vote arrived in round \(round); the model is unchanged")
                } else {
                    let delta = DistributedLion.aggregate(votes, rule: settings.signVote)
                    try DistributedLion.apply(delta, to: &model, lion)
                    broadcast = delta
                }
            } else if federated.weighting != nil {
                weights = try applyClientWeighting(accepted, state: &federated)
            } else {
                let inputs = accepted.compactMap { update -> ServerAggregation.Input? in
                    guard let values = updateVector(update) else { return nil }
                    return ServerAggregation.Input(client: update.client, vector: values, samples: Int(update.sampleCount))
                }
                let outcome = serverAggregation.aggregate(inputs, round: round, previous: previousAggregate)
                robust = outcome
                weights = accepted.map { outcome.weights?[$0.client] ?? 0 }
                if let note = outcome.note {
                    try record(outcome.aggregate == nil ? "round_skipped" : "attack_not_applied", detail: note)
                }
                if let aggregate = outcome.aggregate.map(serverDirection) {
                    if aggregate.allSatisfy(\.isFinite) {
                        previousAggregate = aggregate
                        if let lion = settings.serverLion {
                            Lion.step(parameters: &model, momentum: &federated.serverLionMomentum, gradient: aggregate, lion)
                        } else if federated.optimizer != nil {
                            try applyServerOptimizer(aggregate, state: &federated)
                        } else {
                            federated.server.step(model: &model, aggregate: aggregate)
                        }
                    } else {
                        try record("round_skipped", detail: "the aggregate of round \(round) is not finite (the rule "
                                   + "let a non-finite Byzantine update through); the model is unchanged")
                    }
                }
            }
            let wallAggregation = MonotonicClock.seconds() - aggregationStart

            let evaluate = Int(round) % settings.evalEvery == 0 || Int(round) == settings.rounds
            let evaluation = evaluate ? network.evaluate(parameters: model, on: testSet) : nil
            noteParticipation(accepted, state: &federated)
            if evaluate { clientEvaluation?.record(round: round, model: model, network: network) }
            let bytesDownPerClient = downlinkBytesPerClient(downlink, round: round)
            var weightOf: [ClientID: Double] = [:]
            for (update, weight) in zip(accepted, weights) { weightOf[update.client] = weight }
            let rows = results.map { r in
                let timing = settings.clientTiming(round: round, client: r.client)
                var row = ClientRow(round: round, result: r, bytesDown: bytesDownPerClient, weight: weightOf[r.client] ?? 0,
                                    timing: timing)
                completeRow(&row, r, timing: timing)
                if r.status == .ok, settings.byzantineClients.contains(r.client) { row.status = .byzantine }
                noteTransport(&row)
                return row
            }
            for row in rows { try directory.append("clients.csv", line: row.csv) }
            let now = MonotonicClock.seconds()
            let line = metrics.closeRound(round: round, selected: selected.count, rows: rows, evaluation: evaluation,
                                          wallTime: now - startTime, wallRound: now - roundStart,
                                          wallAggregation: wallAggregation,
                                          transportUp: transportBytesUp, transportDown: transportBytesDown,
                                          robust: robust, virtualDuration: policyClose)
            try directory.append("rounds.jsonl", line: line.rendered())
            progress.update(round: round, metrics: metrics, wallElapsed: now - startTime)
        }
        progress.finish()
        return try finishRun(federated: federated, metrics: metrics, clientEvaluation: clientEvaluation)
    }

    // MARK: - Events and actions

    /// Feeds one event to the round machine and performs what it asks.
    func handle(_ event: RoundMachine.Event, _ socket: borrowing Socket) throws {
        guard var current = machine else { return }
        let actions = current.handle(event)
        machine = current
        try perform(actions, socket)
    }

    func perform(_ actions: [RoundMachine.Action], _ socket: borrowing Socket) throws {
        for action in actions {
            switch action {
            case let .sendTask(worker, clients):
                guard let state = workers[worker] else {
                    try handle(.workerLost(worker: worker), socket)
                    continue
                }
                let task = Task(round: currentRound, modelVersion: UInt64(currentRound - 1), model: taskModel(for: worker),
                                clients: clients.map(clientTask(for:)))
                if settings.mode == .distributedLion { try noteLionPlacement(clients, on: worker) }
                let (outcome, bytes) = try socket.send(Message.task(task).encoded(), to: state.routingID)
                switch outcome {
                case .sent:
                    transportBytesDown += bytes
                    noteTaskTransport(bytes, clients: clients)
                case .peerUnreachable, .wouldBlock:
                    try loseWorker(worker, reason: outcome == .peerUnreachable
                                   ? "not reachable when its task was sent" : "its queue is full", socket)
                }
            case let .record(kind, worker, client, detail):
                try record(kind, worker: worker, client: client, detail: detail)
            case .closeRound:
                break
            }
        }
    }

    /// The round's logical downlink (DESIGN §8): Distributed Lion's previous-round Δ when there is
    /// one, the compressed model change under downlink compression (from round 2), else the model.
    var roundDownlink: TensorPayload {
        settings.mode == .distributedLion ? (broadcast ?? .dense(model)) : (compression.roundDownlink ?? .dense(model))
    }

    /// A clients.csv row's measured transport bytes: its client's share of this round's messages.
    func noteTransport(_ row: inout ClientRow) {
        row.wallTransportBytesUp = compression.transportUp[row.client] ?? 0
        row.wallTransportBytesDown = compression.transportDown[row.client] ?? 0
    }

    /// Logical downlink bytes of one client in `round` (DESIGN §8): a task message carrying `payload`
    /// for that one client, whatever the number of clients its worker's task really lists.
    func downlinkBytesPerClient(_ payload: TensorPayload, round: RoundID) -> Int {
        Task(round: round, modelVersion: UInt64(round - 1), model: payload,
             clients: [ClientTask(client: 0, extraDelaySeconds: 0, flags: 0)]).perClientByteCount
    }

    /// The model payload of `worker`'s task: for Distributed Lion the previous round's broadcast Δ
    /// when the worker holds the version before it, else (and in the other modes) the dense model.
    func taskModel(for worker: String) -> TensorPayload {
        defer { workerModelVersion[worker] = UInt64(currentRound - 1) }
        if let compressed = compressedTaskModel(for: worker) { return compressed }
        if settings.mode == .distributedLion, let delta = broadcast, currentRound >= 2,
           workerModelVersion[worker] == UInt64(currentRound - 2) {
            return delta
        }
        return .dense(model)
    }

    /// Records a Distributed Lion client that moved to another worker process: its momentum restarts there.
    func noteLionPlacement(_ clients: [ClientID], on worker: String) throws {
        for client in clients {
            if let previous = lastWorkerOf[client], previous != worker {
                try record("client_state_reset", worker: worker, client: client,
                           detail: "client \(client) moved from \(previous) to \(worker); its Lion momentum restarts from zero")
            }
            lastWorkerOf[client] = worker
        }
    }

    /// Why an update's payload form does not fit this run's mode (nil when it does).
    func payloadProblem(_ payload: TensorPayload) -> String? {
        if settings.compressesUplink, settings.mode != .distributedLion { return compressedPayloadProblem(payload) }
        switch (settings.mode, payload) {
        case (.distributedLion, .packedSigns), (.federated, .dense), (.distributedSGD, .dense): return nil
        default:
            return "a \(payload.codec) payload does not fit run.mode = \"\(settings.mode.rawValue)\" "
                + (settings.mode == .distributedLion ? "(expected packed signs)" : "(expected dense values)")
        }
    }

    /// Declares workers lost whose heartbeats stopped, and heartbeats the live ones.
    func checkLiveness(_ socket: borrowing Socket) throws {
        let now = MonotonicClock.seconds()
        for (name, state) in workers.sorted(by: { $0.key < $1.key }) {
            if now - state.lastSeen > settings.heartbeatTimeout {
                try loseWorker(name, reason: String(format: "no message or heartbeat for %.1f s", now - state.lastSeen), socket)
            } else if now - state.lastHeartbeatSent > 1.0 {
                workers[name]?.lastHeartbeatSent = now
                let beat = Message.heartbeat(Heartbeat(sequence: UInt64(currentRound))).encoded()
                if try socket.send(beat, to: state.routingID).outcome == .peerUnreachable {
                    try loseWorker(name, reason: "not reachable", socket)
                }
            }
        }
    }

    func loseWorker(_ name: String, reason: String, _ socket: borrowing Socket) throws {
        guard workers.removeValue(forKey: name) != nil else { return }
        assignment.remove(name)
        workerModelVersion[name] = nil
        try record("worker_lost", worker: name, detail: reason + (assignment.workers.isEmpty ? ""
            : "; its clients move to \(assignment.workers.joined(separator: ", ")) from the next round with fresh state"))
        try handle(.workerLost(worker: name), socket)
        try announceLayout(socket)
    }

    /// Tells every live worker to leave. Sockets close with linger 0, which would discard a
    /// message still queued, so the loop gives the I/O thread a moment to put them on the wire.
    func broadcastShutdown(_ socket: borrowing Socket, reason: String) {
        let message = Message.shutdown(Shutdown(reason: reason)).encoded()
        for state in workers.values { _ = try? socket.send(message, to: state.routingID) }
        if !workers.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
    }

    // MARK: - Records

    func record(_ kind: String, worker: String? = nil, client: ClientID? = nil, detail: String) throws {
        var fields: [(String, JSONValue)] = [("event", .string(kind)), ("round", .int(Int(currentRound)))]
        if let worker { fields.append(("worker", .string(worker))) }
        if let client { fields.append(("client", .int(Int(client)))) }
        fields.append(("detail", .string(detail)))
        fields.append(("wall_time_s", .double(MonotonicClock.seconds() - startTime)))
        try directory.append("events.jsonl", line: JSONValue.object(fields).rendered())
        log("\(kind)\(worker.map { " [\($0)]" } ?? "")\(client.map { " client \($0)" } ?? ""): \(detail)")
    }

    func log(_ text: String) {
        let stamp = String(format: "%9.3f", MonotonicClock.seconds() - startTime)
        try? directory?.append("logs/coordinator.log", line: "\(stamp) \(text)")
    }
}
