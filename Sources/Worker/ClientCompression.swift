// The worker's half of `[compression]`: the uplink compression of each hosted client's update with
// that client's compressor memory (error-feedback residual, DGC momentum and velocity, PowerSGD's
// warm-start Q), and the model copy the downlink's compressed changes apply to.
//
// Memory is keyed by client id and lives on the worker process that hosts the client (the
// assignment rule keeps a client on one process while the set of workers is stable; a client that
// moves starts from empty memory on its new process). Every draw comes from
// `RandomKey(seed, .compression, round, client)` — or the round's shared client for random-k and
// PowerSGD — so the payload of a client does not depend on which process ran it.

import Experiment
import Protocol
import Sim

/// Uplink compression of the clients this worker hosts, and the downlink model copy.
struct ClientCompression {
    let settings: RunSettings
    /// The model's layers (for per-layer DGC); nil = the update is one flat block.
    var layerShapes: [(inputs: Int, outputs: Int)]?
    /// Per-client compressor memory.
    private(set) var memories: [ClientID: CompressionMemory] = [:]
    /// The model copy under downlink compression (nil until a dense model arrives).
    private(set) var broadcast: CompressedBroadcast?

    init(settings: RunSettings, layerShapes: [(inputs: Int, outputs: Int)]? = nil) {
        self.settings = settings
        self.layerShapes = layerShapes
    }

    /// The payload of `client`'s update `vector` in `round`: dense without an uplink compressor
    /// (or when the vector is not finite, which the coordinator then rejects), else compressed
    /// with the client's memory, which is updated.
    mutating func payload(for vector: [Float], client: ClientID, round: RoundID) -> TensorPayload {
        guard settings.compressesUplink, vector.allSatisfy(\.isFinite) else { return .dense(vector) }
        let compressor = settings.uplinkCompressor(round: round, dimension: vector.count, layerShapes: layerShapes)
        var memory = memories[client] ?? CompressionMemory()
        var random = CompressionRandom(key: CompressionRandom.key(seed: settings.seed, round: UInt64(round),
                                                                  client: UInt64(client), randomness: compressor.randomness))
        let compressed = compressor.compress(vector, memory: &memory, random: &random)
        memories[client] = memory
        return compressed.payload
    }

    /// Forgets the memory of clients this process no longer hosts after a change of the worker
    /// layout (`client mod count == index` stay), so that a client that later comes back starts
    /// from empty memory, as it would on any other process.
    mutating func keepClients(index: Int, count: Int) {
        guard count > 0 else { return }
        memories = memories.filter { Int($0.key) % count == index }
    }

    /// The model a task's clients train on. A dense payload is the model (and, under downlink
    /// compression, the new copy); a compressed payload is the change from the previous version.
    mutating func model(of task: Task) throws(CompressionError) -> [Float] {
        if case .dense(let model) = task.model {
            if settings.compressesDownlink { broadcast = CompressedBroadcast(model: model, version: task.modelVersion) }
            return model
        }
        guard settings.compressesDownlink, task.model.codec == settings.downlinkCodec else {
            throw .unexpectedForm(found: "\(task.model.codec)",
                                  expected: "\(settings.compressesDownlink ? settings.downlinkCodec : .denseFloat32) model")
        }
        guard var copy = broadcast else {
            throw .invalidParameter(name: "model version", value: Int(truncatingIfNeeded: task.modelVersion),
                                    reason: "a compressed model change arrived before any dense model")
        }
        try copy.apply(task.model, version: task.modelVersion, sharedKey: settings.downlinkKey(round: task.round))
        broadcast = copy
        return copy.replica
    }
}
