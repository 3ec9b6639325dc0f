// The handshake messages (DESIGN §2): a worker says `hello`, the coordinator answers `welcome`.

/// Worker → coordinator: the first message a worker sends after connecting.
public struct Hello: Sendable, Equatable {
    /// The protocol version the worker speaks (normally `Wire.version`).
    public var protocolVersion: UInt16
    /// The worker's name; a worker that comes back under the same name gets its clients back.
    public var workerName: String
    /// How many logical clients the worker is willing to host.
    public var capacity: UInt32
    /// Build information (version, commit) for the logs.
    public var build: String
    /// Fingerprint (`StableHash.fnv1a64`) of the data files the worker sees.
    public var dataHash: UInt64

    /// Creates a hello message.
    public init(protocolVersion: UInt16, workerName: String, capacity: UInt32, build: String, dataHash: UInt64) {
        self.protocolVersion = protocolVersion
        self.workerName = workerName
        self.capacity = capacity
        self.build = build
        self.dataHash = dataHash
    }
}

/// Coordinator → worker: accepts a worker into the run.
///
/// The decoder checks `workerIndex < workerCount`.
public struct Welcome: Sendable, Equatable {
    /// The run's id (also the run directory's name).
    public var runID: String
    /// The full resolved experiment configuration as TOML text.
    public var configTOML: String
    /// `StableHash.fnv1a64(configTOML)`, so the worker can check what it parsed.
    public var configHash: UInt64
    /// This worker's slot, in `0..<workerCount`; clients are assigned to slots deterministically.
    public var workerIndex: UInt32
    /// Number of worker slots in the run.
    public var workerCount: UInt32

    /// Creates a welcome message.
    public init(runID: String, configTOML: String, configHash: UInt64, workerIndex: UInt32, workerCount: UInt32) {
        self.runID = runID
        self.configTOML = configTOML
        self.configHash = configHash
        self.workerIndex = workerIndex
        self.workerCount = workerCount
    }
}
