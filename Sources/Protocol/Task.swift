// The round's work order: the model and the clients a worker must run (DESIGN §2).
// Note: inside modules that import Protocol, `Task` names this struct (it shadows Swift's
// concurrency `Task`); write `_Concurrency.Task` for the latter where both are needed.

/// Per-client instructions inside a task.
public struct ClientTask: Sendable, Equatable {
    /// The logical client to run.
    public var client: ClientID
    /// Injected delay in seconds (straggler / late-reply behaviours); finite and ≥ 0.
    public var extraDelaySeconds: Double
    /// Reserved for client behaviours; 0 for now. Not interpreted by the codec.
    public var flags: UInt32

    /// Creates per-client instructions.
    public init(client: ClientID, extraDelaySeconds: Double = 0, flags: UInt32 = 0) {
        self.client = client
        self.extraDelaySeconds = extraDelaySeconds
        self.flags = flags
    }
}

/// Coordinator → worker: run these clients on this model for this round.
public struct Task: Sendable, Equatable {
    /// The round the updates belong to.
    public var round: RoundID
    /// Version of the global model (incremented each time the server applies an update).
    public var modelVersion: UInt64
    /// The global model (or its compressed form).
    public var model: TensorPayload
    /// The clients to run, with their instructions. May be empty.
    public var clients: [ClientTask]

    /// Creates a task.
    public init(round: RoundID, modelVersion: UInt64, model: TensorPayload, clients: [ClientTask]) {
        self.round = round
        self.modelVersion = modelVersion
        self.model = model
        self.clients = clients
    }

    /// Logical downlink bytes per client (DESIGN §8 `bytes_down`): the size of a task message that
    /// carries this model for exactly one client — header + metadata with one `ClientTask` + the
    /// model payload frame. Independent of how many clients this task actually lists.
    /// - Complexity: O(1); does not encode the model.
    public var perClientByteCount: Int {
        Wire.headerBytes(payloadFrames: 1) + MetadataSize.task(model: model, clientCount: 1) + model.byteCount
    }
}
