import Experiment
import Foundation
import Protocol
import Sim

/// One row of clients.csv (DESIGN §8 column names).
struct ClientRow {
    static let header = "round,client,worker,status,samples,train_loss,compute_s,link_s,wall_compute_s,"
        + "bytes_up,bytes_down,weight,staleness,wall_transport_bytes_up,wall_transport_bytes_down"

    var round: RoundID
    var client: ClientID
    var worker: String
    var status: ClientStatus
    var samples: Int
    var trainLoss: Double?
    var computeSeconds: Double?
    var linkSeconds: Double?
    var wallComputeSeconds: Double?
    var bytesUp: Int
    var bytesDown: Int
    var weight: Double
    /// Server versions between the model the client trained on and the one its update entered (FedBuff; else 0).
    var staleness = 0
    /// Real ZeroMQ bytes of the client's update message, and its share of its worker's task message.
    var wallTransportBytesUp = 0
    var wallTransportBytesDown = 0

    /// A row of `result`; `timing` is the client's timing this round: compute_s is the nominal
    /// compute time the worker reported ÷ speed × slowdown + the injected delay, link_s both
    /// directions at the client's rates.
    init(round: RoundID, result: RoundMachine.ClientResult, bytesDown: Int, weight: Double, timing: ClientTiming) {
        self.round = round
        client = result.client
        worker = result.worker
        status = result.status
        samples = Int(result.update?.sampleCount ?? 0)
        trainLoss = result.update?.trainLoss
        computeSeconds = result.update.map {
            timing.computeSeconds(nominalSeconds: $0.virtualComputeSeconds) + timing.extraDelaySeconds
        }
        wallComputeSeconds = result.update?.wallComputeSeconds
        bytesUp = result.bytesUp
        self.bytesDown = bytesDown
        linkSeconds = result.status == .ok ? timing.linkSeconds(bytesDown: bytesDown, bytesUp: bytesUp) : nil
        self.weight = weight
    }

    /// Virtual seconds from task sent to update received (nil unless ok).
    var virtualSeconds: Double? {
        guard let c = computeSeconds, let l = linkSeconds else { return nil }
        return c + l
    }

    var csv: String {
        func f(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        return "\(round),\(client),\(worker),\(status.rawValue),\(samples),\(f(trainLoss)),\(f(computeSeconds)),"
            + "\(f(linkSeconds)),\(f(wallComputeSeconds)),\(bytesUp),\(bytesDown),\(weight),\(staleness),"
            + "\(wallTransportBytesUp),\(wallTransportBytesDown)"
    }
}

/// Running totals of a run and the rendering of rounds.jsonl lines and summary.json.
struct RunMetrics {
    let settings: RunSettings
    let initial: Evaluation
    var virtualTime = 0.0
    var bytesUp = 0
    var bytesDown = 0
    var lastEvaluation: Evaluation?
    var best: Double
    var timeToTarget: Double?
    var wallTimeToTarget: Double?
    var lastRound: RoundID = 0
    var lastTrainLoss: Double?
    var stragglersTotal = 0
    var crashedTotal = 0
    var rejectedTotal = 0
    var wallTransportBytesUp = 0
    var wallTransportBytesDown = 0

    init(settings: RunSettings, initial: Evaluation) {
        self.settings = settings
        self.initial = initial
        best = initial.accuracy
        if let target = settings.targetAccuracy, initial.accuracy >= target {
            timeToTarget = 0
            wallTimeToTarget = 0
        }
    }

    /// Folds one closed round in and returns its rounds.jsonl line.
    mutating func closeRound(round: RoundID, selected: Int, rows: [ClientRow], evaluation: Evaluation?,
                             wallTime: Double, wallRound: Double, wallAggregation: Double,
                             transportUp: Int, transportDown: Int,
                             robust: ServerAggregation.Outcome? = nil, virtualDuration: Double? = nil) -> JSONValue {
        // Byzantine clients' updates arrived and entered aggregation like honest ones.
        let ok = rows.filter { $0.status == .ok || $0.status == .byzantine }
        // A coded round closes when it becomes decodable, a policy's round at its close time
        // (docs/stragglers.md); otherwise at the slowest arrival.
        let roundVirtual = virtualDuration ?? ok.compactMap(\.virtualSeconds).max() ?? 0
        virtualTime += roundVirtual
        let up = rows.reduce(0) { $0 + $1.bytesUp }
        let down = rows.reduce(0) { $0 + $1.bytesDown }
        bytesUp += up
        bytesDown += down
        wallTransportBytesUp += transportUp
        wallTransportBytesDown += transportDown
        let samples = ok.reduce(0) { $0 + $1.samples }
        let trainLoss: Double? = samples > 0
            ? ok.reduce(0.0) { $0 + Double($1.samples) * ($1.trainLoss ?? 0) } / Double(samples) : nil
        lastTrainLoss = trainLoss ?? lastTrainLoss
        func count(_ s: ClientStatus) -> Int { rows.filter { $0.status == s }.count }
        stragglersTotal += count(.straggler)
        crashedTotal += count(.crashed)
        rejectedTotal += count(.rejected)
        if let evaluation {
            lastEvaluation = evaluation
            best = max(best, evaluation.accuracy)
            if timeToTarget == nil, let target = settings.targetAccuracy, evaluation.accuracy >= target {
                timeToTarget = virtualTime
                wallTimeToTarget = wallTime
            }
        }
        lastRound = round
        return .object([
            ("round", .int(Int(round))),
            ("virtual_time_s", .double(virtualTime)),
            ("wall_time_s", .double(wallTime)),
            ("selected", .int(selected)),
            ("completed", .int(ok.count)),
            ("stragglers", .int(count(.straggler))),
            ("dropped", .int(count(.dropped))),
            ("crashed", .int(count(.crashed))),
            ("rejected", .int(count(.rejected))),
            ("byzantine", .int(count(.byzantine))),
            ("byzantine_selected", robust?.byzantineSelected.map(JSONValue.int) ?? .null),
            ("selected_clients", robust?.selected.map { .array($0.map { .int(Int($0)) }) } ?? .null),
            ("distance_to_honest_mean", .number(robust?.distanceToHonestMean)),
            ("honest_norm_mean", .number(robust?.honestNormMean)),
            ("byzantine_norm_mean", .number(robust?.byzantineNormMean)),
            ("bytes_up", .int(up)),
            ("bytes_down", .int(down)),
            ("train_loss", .number(trainLoss)),
            ("test_loss", .number(evaluation?.loss)),
            ("test_accuracy", .number(evaluation?.accuracy)),
            ("round_virtual_s", .double(roundVirtual)),
            ("wall_round_s", .double(wallRound)),
            ("wall_aggregation_s", .double(wallAggregation)),
            ("wall_transport_bytes_up", .int(transportUp)),
            ("wall_transport_bytes_down", .int(transportDown)),
        ])
    }

    /// summary.json (DESIGN §8 field names).
    func summary(wallTime: Double, modelHash: UInt64, workers: Int) -> JSONValue {
        .object([
            ("name", .string(settings.name)),
            ("seed", .int(Int(settings.seed))),
            ("mode", .string(settings.mode.rawValue)),
            ("rounds", .int(Int(lastRound))),
            ("clients", .int(settings.clients)),
            ("initial_test_accuracy", .double(initial.accuracy)),
            ("initial_test_loss", .double(initial.loss)),
            ("final_test_accuracy", .number(lastEvaluation?.accuracy)),
            ("final_test_loss", .number(lastEvaluation?.loss)),
            ("best_test_accuracy", .double(best)),
            ("final_train_loss", .number(lastTrainLoss)),
            ("bytes_up", .int(bytesUp)),
            ("bytes_down", .int(bytesDown)),
            ("virtual_time_s", .double(virtualTime)),
            ("target_accuracy", .number(settings.targetAccuracy)),
            ("time_to_target_s", .number(timeToTarget)),
            ("stragglers", .int(stragglersTotal)),
            ("crashed", .int(crashedTotal)),
            ("rejected", .int(rejectedTotal)),
            ("final_model_fnv1a64", .string(String(modelHash, radix: 16))),
            ("wall_time_s", .double(wallTime)),
            ("wall_time_to_target_s", .number(wallTimeToTarget)),
            ("wall_workers", .int(workers)),
            ("wall_transport_bytes_up", .int(wallTransportBytesUp)),
            ("wall_transport_bytes_down", .int(wallTransportBytesDown)),
        ])
    }

    var finalLine: String {
        let acc = lastEvaluation.map { String(format: "%.4f", $0.accuracy) } ?? "n/a"
        return "\(lastRound) rounds, test accuracy \(acc), virtual time \(String(format: "%.1f", virtualTime)) s"
    }
}

/// The live progress line on standard error: rewritten in place on a terminal, plain lines
/// (about twenty per run) otherwise.
struct ProgressLine {
    let enabled: Bool
    let totalRounds: Int
    let isTerminal = isatty(2) != 0
    private var lastLength = 0

    init(enabled: Bool, totalRounds: Int) {
        self.enabled = enabled
        self.totalRounds = totalRounds
    }

    mutating func update(round: RoundID, metrics: RunMetrics, wallElapsed: Double) {
        guard enabled else { return }
        let r = Int(round)
        let acc = metrics.lastEvaluation.map { String(format: "%.4f", $0.accuracy) } ?? "-"
        let loss = metrics.lastTrainLoss.map { String(format: "%.4f", $0) } ?? "-"
        let eta = r > 0 ? wallElapsed / Double(r) * Double(totalRounds - r) : 0
        let text = "round \(r)/\(totalRounds)  acc \(acc)  train loss \(loss)  up \(Self.bytes(metrics.bytesUp))"
            + "  down \(Self.bytes(metrics.bytesDown))  stragglers \(metrics.stragglersTotal)"
            + "  crashed \(metrics.crashedTotal)  virtual \(String(format: "%.1f", metrics.virtualTime)) s"
            + "  ETA \(String(format: "%.1f", eta)) s"
        if isTerminal {
            let pad = String(repeating: " ", count: max(0, lastLength - text.count))
            FileHandle.standardError.write(Data(("\r" + text + pad).utf8))
            lastLength = text.count
        } else if r == totalRounds || r % max(1, totalRounds / 20) == 0 || r == 1 {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    mutating func finish() {
        if enabled, isTerminal, lastLength > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func bytes(_ n: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(n), unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
