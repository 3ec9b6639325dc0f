// One client's result for a round (DESIGN §2).

/// Worker → coordinator: the result of one client's local training in one round.
///
/// The decoder requires `trainLoss` finite and both timings finite and ≥ 0.
public struct Update: Sendable, Equatable {
    /// The round this update answers.
    public var round: RoundID
    /// The client that produced it.
    public var client: ClientID
    /// Number of training samples the client processed (its aggregation weight under "samples").
    public var sampleCount: UInt32
    /// Mean training loss over the client's local steps.
    public var trainLoss: Double
    /// Measured compute time in seconds (`wall_compute_s`; varies between runs).
    public var wallComputeSeconds: Double
    /// Modelled compute time in seconds (virtual clock; deterministic).
    public var virtualComputeSeconds: Double
    /// The encoded update (model delta, gradient or sign vector).
    public var payload: TensorPayload

    /// Creates an update.
    public init(
        round: RoundID, client: ClientID, sampleCount: UInt32, trainLoss: Double,
        wallComputeSeconds: Double, virtualComputeSeconds: Double, payload: TensorPayload
    ) {
        self.round = round
        self.client = client
        self.sampleCount = sampleCount
        self.trainLoss = trainLoss
        self.wallComputeSeconds = wallComputeSeconds
        self.virtualComputeSeconds = virtualComputeSeconds
        self.payload = payload
    }

    /// Logical uplink bytes (DESIGN §8 `bytes_up`): header + metadata + payload frame of this
    /// update's message, equal to `Message.update(self).encoded().totalBytes`.
    /// - Complexity: O(1); does not encode the payload.
    public var encodedByteCount: Int {
        Wire.headerBytes(payloadFrames: 1) + MetadataSize.update(payload: payload) + payload.byteCount
    }
}
