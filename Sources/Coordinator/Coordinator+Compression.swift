// The coordinator's half of `[compression]`:
// - every compressed update is validated and decoded when it arrives; one that fails (indices out
//   of range, lengths that disagree, parameters out of range, non-finite parts or a non-finite
//   decoded vector) is rejected against its client (events.jsonl `update_rejected` with the
//   reason, clients.csv status `rejected`) and the round goes on without it;
// - aggregation works on the decoded dense vectors, so weighting, robust rules and the server
//   optimizers are unchanged; with signsgd the server takes the sign of the aggregate (the
//   majority vote under equal weights);
// - under downlink compression the round's broadcast is the compressed change of the model since
//   the workers' copy (`CompressedBroadcast`); a worker that missed a version gets the copy dense;
// - the real transport bytes are attributed to clients: an update message to its client, a task
//   message in equal shares to the clients it lists.

import Experiment
import Protocol
import Sim
import ZeroMQ

/// Per-round compression state of the coordinator.
struct CoordinatorCompression {
    /// Decoded vectors of this round's accepted compressed updates, by client.
    var decoded: [ClientID: [Float]] = [:]
    /// The workers' model copy under downlink compression.
    var broadcast: CompressedBroadcast?
    /// This round's compressed model change (nil in round 1, without downlink compression, or
    /// when the change could not be made).
    var roundDownlink: TensorPayload?
    /// Transport bytes of this round's messages attributed to each client.
    var transportUp: [ClientID: Int] = [:]
    var transportDown: [ClientID: Int] = [:]

    /// The dense vector of an untrusted compressed update of `round`: the payload must be the
    /// uplink compressor's form and pass `TensorPayload.decompressed` for `dimension` elements.
    static func decode(_ payload: TensorPayload, round: RoundID, dimension: Int,
                       settings: RunSettings) throws(CompressionError) -> [Float] {
        guard payload.codec == settings.uplinkCodec else {
            throw .unexpectedForm(found: "\(payload.codec)", expected: "\(settings.uplinkCodec)")
        }
        return try payload.decompressed(expectedCount: dimension, sharedKey: settings.uplinkSharedKey(round: round))
    }
}

extension Coordinator {
    /// Resets the per-round state and, under downlink compression, makes the round's broadcast.
    func prepareCompressedRound(_ round: RoundID) throws {
        if round == 1 { try settings.checkCompression(dimension: model.count) }
        compression.decoded = [:]
        compression.transportUp = [:]
        compression.transportDown = [:]
        compression.roundDownlink = nil
        guard settings.compressesDownlink else { return }
        let version = UInt64(round - 1)
        guard var copy = compression.broadcast, round >= 2 else {
            compression.broadcast = CompressedBroadcast(model: model, version: version)
            return
        }
        var random = CompressionRandom(key: settings.downlinkKey(round: round))
        compression.roundDownlink = copy.compressChange(
            to: model, version: version, compressor: settings.downlinkCompressor(round: round, dimension: model.count),
            random: &random)
        compression.broadcast = copy
    }

    /// The task model under downlink compression (nil without it): the round's compressed change
    /// for a worker that holds the previous version, else the workers' copy dense.
    func compressedTaskModel(for worker: String) -> TensorPayload? {
        guard settings.compressesDownlink, let copy = compression.broadcast else { return nil }
        if let change = compression.roundDownlink, currentRound >= 2,
           workerModelVersion[worker] == UInt64(currentRound - 2) {
            return change
        }
        return .dense(copy.replica)
    }

    /// Why an update's form is not the configured uplink compressor's, nil when it is (nil also
    /// without uplink compression: the dense check applies).
    func compressedPayloadProblem(_ payload: TensorPayload) -> String? {
        guard settings.compressesUplink, settings.mode != .distributedLion else { return nil }
        guard payload.codec != settings.uplinkCodec else { return nil }
        return "a \(payload.codec) payload is not what compression.uplink = \"\(settings.config.compression.uplink.rawValue)\" "
            + "sends (\(settings.uplinkCodec))"
    }

    /// Validates and decodes a compressed update and keeps the vector; on failure records the
    /// rejection against the client and resolves it `rejected`. Returns whether the update stands.
    func acceptCompressed(_ update: Update, from worker: String, _ socket: borrowing Socket) throws -> Bool {
        guard settings.compressesUplink, settings.mode != .distributedLion else { return true }
        do {
            compression.decoded[update.client] = try CoordinatorCompression.decode(
                update.payload, round: update.round, dimension: model.count, settings: settings)
            return true
        } catch {
            let reason = "compressed update of client \(update.client) rejected: \(error)"
            try record("update_rejected", worker: worker, client: update.client, detail: reason)
            try handle(.clientFailed(worker: worker, round: update.round, client: update.client, reason: reason), socket)
            return false
        }
    }

    /// The dense vector of an accepted update (decoded if it was compressed), nil if it has none.
    func updateVector(_ update: Update) -> [Float]? {
        if let vector = compression.decoded[update.client] { return vector }
        if case .dense(let values) = update.payload { return values }
        return nil
    }

    /// The server's direction from the aggregate: its sign for signsgd (majority vote), else itself.
    func serverDirection(_ aggregate: [Float]) -> [Float] {
        guard settings.votesOnSigns else { return aggregate }
        return aggregate.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
    }

    /// Attributes a task message's transport bytes to its clients in equal shares (the remainder to the first).
    func noteTaskTransport(_ bytes: Int, clients: [ClientID]) {
        guard !clients.isEmpty else { return }
        let share = bytes / clients.count
        for (i, client) in clients.enumerated() {
            compression.transportDown[client, default: 0] += share + (i == 0 ? bytes % clients.count : 0)
        }
    }
}
