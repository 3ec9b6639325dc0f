// Downlink compression: the coordinator does not compress the model itself (a sparsified or
// quantized model is a different model) but its change since the copy the workers hold. Both
// sides keep that copy, x̂: each round the coordinator compresses c = C(x − x̂), sends c, and both
// sides add decode(c) to x̂ with the same Float32 loop, so every worker holds a bit-identical x̂
// and trains on it. What C dropped stays in x − x̂ and is sent in later rounds: the copy is its
// own error feedback. A worker that missed a version gets x̂ dense.

import Protocol

/// The model copy every worker holds under downlink compression, at a version (the round whose
/// task delivered it, minus one: the model version of `Task`).
public struct CompressedBroadcast: Sendable, Equatable {
    /// x̂, the model as the workers hold it.
    public private(set) var replica: [Float]
    /// The model version `replica` is.
    public private(set) var version: UInt64

    /// Starts from a dense model of `version`.
    public init(model: [Float], version: UInt64) {
        replica = model
        self.version = version
    }

    /// Coordinator: compresses `model − replica` with `compressor` drawing from `random`, advances
    /// the copy to `version` by the decoded change and returns the payload to broadcast.
    public mutating func compressChange(
        to model: [Float], version: UInt64, compressor: any Compressor, random: inout CompressionRandom
    ) -> TensorPayload {
        precondition(model.count == replica.count, "CompressedBroadcast: model of \(model.count), copy of \(replica.count)")
        var change = model
        for i in change.indices { change[i] -= replica[i] }
        var memory = CompressionMemory()
        let compressed = compressor.compress(change, memory: &memory, random: &random)
        add(compressed.decode())
        self.version = version
        return compressed.payload
    }

    /// Worker: applies a received change that takes the copy from `version − 1` to `version`,
    /// after validating it (`sharedKey`: the round's downlink key, for random-k). Throws when the
    /// copy is not at `version − 1` or the payload is invalid; the copy is then unchanged.
    public mutating func apply(_ payload: TensorPayload, version: UInt64, sharedKey: RandomKey) throws(CompressionError) {
        guard version == self.version + 1 else {
            throw .invalidParameter(name: "model version", value: Int(truncatingIfNeeded: version),
                                    reason: "this copy is version \(self.version); a change applies only to the version before it")
        }
        let change = try payload.decompressed(expectedCount: replica.count, sharedKey: sharedKey)
        add(change)
        self.version = version
    }

    /// Replaces the copy by a dense model of `version`.
    public mutating func reset(model: [Float], version: UInt64) {
        replica = model
        self.version = version
    }

    private mutating func add(_ change: [Float]) {
        for i in replica.indices { replica[i] += change[i] }
    }
}
