import Experiment
import Foundation
import Messaging
import Protocol
import Sim
import ZeroMQ

/// FedBuff's state between server steps: the schedule on the virtual clock (`Codable`, part of
/// `FederatedState`). The computed updates of the clients in flight are held by `trainFedBuff`.
struct FedBuffState: Sendable, Equatable, Codable {
    /// Clients in flight, server version and virtual clock.
    var scheduler: FedBuffScheduler
}

extension Coordinator {
    /// The virtual seconds from a client's start to its update's arrival: compute (÷ speed ×
    /// slowdown), both links at the client's rates and the injected delay, from `[timing]`.
    func clientSeconds(round: RoundID, client: ClientID, update: Update, bytesDown: Int, bytesUp: Int) -> Double {
        settings.clientTiming(round: round, client: client)
            .roundSeconds(nominalComputeSeconds: update.virtualComputeSeconds, bytesDown: bytesDown, bytesUp: bytesUp)
    }

    /// FedBuff (aggregation.mode = "fedbuff", docs/fedau.md): every round is one server step over the
    /// K earliest updates on the virtual clock; the clients freed are replaced on the new model.
    func trainFedBuff(_ socket: borrowing Socket, _ buffered: RunSettings.FedBuffSettings) throws -> JSONValue {
        model = network.initialParameters(settings.modelInit)
        var (federated, labelCounts) = try makeFederatedState(dimension: model.count)
        var scheduler = federated.buffered?.scheduler ?? FedBuffScheduler(clients: settings.clients, concurrency: buffered.concurrency,
                                                                          buffer: buffered.buffer, seed: settings.seed)
        var clientEvaluation = settings.perClientEvaluation ? labelCounts.map { ClientEvaluation(testSet: testSet, labelCounts: $0) } : nil
        let initial = network.evaluate(parameters: model, on: testSet)
        var metrics = RunMetrics(settings: settings, initial: initial)
        try directory.write("clients.csv", ClientRow.header + "\n")
        // Each computed update until the buffer takes it: its dense vector (decoded on receipt under
        // uplink compression) and its row's byte counts, which belong to the round it was computed in.
        var pending: [ClientID: (result: RoundMachine.ClientResult, bytesDown: Int, vector: [Float]?,
                                 transportUp: Int, transportDown: Int)] = [:]

        for round in 1...RoundID(settings.rounds) {
            currentRound = round
            let roundStart = MonotonicClock.seconds()
            let started = scheduler.startClients(step: Int(round))
            guard !assignment.workers.isEmpty else { throw CoordinatorError.allWorkersLost(round: round, lastReason: lastWorkerFailure) }
            var roundMachine = RoundMachine(round: round, clients: started, assignment: assignment)
            let startActions = roundMachine.start()
            machine = roundMachine
            transportBytesUp = 0
            transportBytesDown = 0
            compression.decoded = [:]
            compression.transportUp = [:]
            compression.transportDown = [:]
            try perform(startActions, socket)
            while let current = machine, !current.isClosed {
                if try socket.waitReadable(timeoutMilliseconds: 50) { try drain(socket) }
                try checkLiveness(socket)
                if assignment.workers.isEmpty, let current = machine, !current.isClosed {
                    throw CoordinatorError.allWorkersLost(round: round, lastReason: lastWorkerFailure)
                }
            }
            guard let closed = machine else { continue }
            machine = nil
            let bytesDown = downlinkBytesPerClient(.dense(model), round: round)
            var rows: [ClientRow] = []
            for result in closed.results {
                if result.status == .ok, let update = result.update {
                    pending[result.client] = (result, bytesDown, updateVector(update),
                                              compression.transportUp[result.client] ?? 0,
                                              compression.transportDown[result.client] ?? 0)
                    scheduler.finished(result.client, seconds: clientSeconds(round: round, client: result.client, update: update,
                                                                              bytesDown: bytesDown, bytesUp: result.bytesUp))
                } else {
                    scheduler.abandon(result.client)
                    var row = ClientRow(round: round, result: result, bytesDown: bytesDown, weight: 0,
                                        timing: settings.clientTiming(round: round, client: result.client))
                    noteTransport(&row)
                    rows.append(row)
                }
            }
            let previousTime = scheduler.now
            let (taken, dropped) = scheduler.takeBuffer(maxStaleness: buffered.maxStaleness)

            let aggregationStart = MonotonicClock.seconds()
            // Every taken arrival has its pending update and dense vector (computed updates only enter
            // the schedule with both), so arrivals, updates, weights and vectors stay aligned.
            let arrivals = taken.filter { pending[$0.client]?.vector != nil }
            let updates = arrivals.compactMap { pending[$0.client] }
            let weights = FedBuffScheduler.weights(staleness: arrivals.map(\.staleness),
                                                   sampleCounts: updates.map { Int($0.result.update?.sampleCount ?? 0) },
                                                   weighting: settings.weighting, exponent: buffered.stalenessExponent)
            let vectors = updates.compactMap(\.vector)
            if vectors.isEmpty {
                try record("round_skipped", detail: "no update arrived for server step \(round); the model is unchanged")
            } else {
                let aggregate = weightedSum(vectors, weights: weights)
                if !aggregate.allSatisfy(\.isFinite) {
                    try record("round_skipped", detail: "the aggregate of server step \(round) is not finite; the model is unchanged")
                } else if federated.optimizer != nil {
                    try applyServerOptimizer(aggregate, state: &federated)
                } else {
                    federated.server.step(model: &model, aggregate: aggregate)
                }
            }
            let wallAggregation = MonotonicClock.seconds() - aggregationStart
            noteParticipation(updates.compactMap { $0.result.update }, state: &federated)

            var weightOf: [ClientID: Double] = [:]
            for (arrival, weight) in zip(arrivals, weights) { weightOf[arrival.client] = weight }
            for (arrival, taken) in taken.map({ ($0, true) }) + dropped.map({ ($0, false) }) {
                guard let entry = pending.removeValue(forKey: arrival.client) else { continue }
                var row = ClientRow(round: round, result: entry.result, bytesDown: entry.bytesDown, weight: weightOf[arrival.client] ?? 0,
                                    timing: settings.clientTiming(round: entry.result.update?.round ?? round, client: arrival.client))
                row.staleness = arrival.staleness
                row.wallTransportBytesUp = entry.transportUp
                row.wallTransportBytesDown = entry.transportDown
                if !taken { row.status = .straggler } else if settings.byzantineClients.contains(arrival.client) { row.status = .byzantine }
                rows.append(row)
            }
            rows.sort { $0.client < $1.client }
            for row in rows { try directory.append("clients.csv", line: row.csv) }

            let evaluate = Int(round) % settings.evalEvery == 0 || Int(round) == settings.rounds
            let evaluation = evaluate ? network.evaluate(parameters: model, on: testSet) : nil
            if evaluate { clientEvaluation?.record(round: round, model: model, network: network) }
            // The step happens at the K-th arrival: set the clock so that closeRound's sum lands on it.
            let rowMax = rows.filter { $0.status == .ok || $0.status == .byzantine }.compactMap(\.virtualSeconds).max() ?? 0
            metrics.virtualTime = scheduler.now - rowMax
            let now = MonotonicClock.seconds()
            var line = metrics.closeRound(round: round, selected: started.count, rows: rows, evaluation: evaluation,
                                          wallTime: now - startTime, wallRound: now - roundStart,
                                          wallAggregation: wallAggregation,
                                          transportUp: transportBytesUp, transportDown: transportBytesDown)
            metrics.virtualTime = scheduler.now
            line = line.replacing("virtual_time_s", .double(scheduler.now))
                .replacing("round_virtual_s", .double(scheduler.now - previousTime))
                .appending([("server_version", .int(scheduler.version)), ("in_flight", .int(scheduler.flights.count)),
                            ("max_staleness", .int(taken.map(\.staleness).max() ?? 0))])
            try directory.append("rounds.jsonl", line: line.rendered())
            progress.update(round: round, metrics: metrics, wallElapsed: now - startTime)
            federated.buffered = FedBuffState(scheduler: scheduler)
        }
        progress.finish()
        return try finishRun(federated: federated, metrics: metrics, clientEvaluation: clientEvaluation)
    }

    /// Writes model.bin, client_eval.csv and summary.json at the end of a run; returns the summary.
    func finishRun(federated: FederatedState, metrics: RunMetrics, clientEvaluation: ClientEvaluation?) throws -> JSONValue {
        var modelBytes = [UInt8](repeating: 0, count: model.count * 4)
        model.withUnsafeBytes { raw in modelBytes.withUnsafeMutableBytes { $0.copyMemory(from: raw) } }
        try directory.write("model.bin", bytes: modelBytes)
        var summary = metrics.summary(wallTime: MonotonicClock.seconds() - startTime,
                                      modelHash: StableHash.fnv1a64(modelBytes), workers: options.workers)
        if let clientEvaluation {
            try directory.write("client_eval.csv", clientEvaluation.csv(participations: federated.participations,
                                                                        probabilities: federated.participation.pattern.probabilities))
            summary = summary.appending(clientEvaluation.summaryFields(participations: federated.participations))
        }
        try directory.write("summary.json", summary.pretty())
        log("finished: " + metrics.finalLine)
        return summary
    }
}

extension JSONValue {
    /// An object with the value of `key` replaced (unchanged when absent).
    func replacing(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.map { $0.0 == key ? ($0.0, value) : $0 })
    }
}
