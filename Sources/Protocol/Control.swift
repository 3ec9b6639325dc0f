// Control messages: heartbeat, typed error reports and shutdown (DESIGN §2).

/// Liveness signal; `sequence` increases by one per heartbeat from the same sender.
public struct Heartbeat: Sendable, Equatable {
    /// The sender's heartbeat counter.
    public var sequence: UInt64

    /// Creates a heartbeat.
    public init(sequence: UInt64) {
        self.sequence = sequence
    }
}

/// Why something failed. Raw values are stable: never renumber. Shown in metrics and events.
public enum ErrorCode: UInt16, Sendable, CaseIterable {
    /// A message could not be decoded (the detail names the `DecodeError`).
    case malformedMessage = 1
    /// The peer speaks a protocol version this build does not support.
    case unsupportedVersion
    /// The worker could not accept the configuration in `welcome`.
    case configRejected
    /// The worker could not build its data shards.
    case dataUnavailable
    /// Local training of a client failed (for example diverged).
    case trainingFailed
    /// A bug or resource failure on the reporting side.
    case internalFailure
}

/// Either direction: a typed failure report.
public struct ErrorReport: Sendable, Equatable {
    /// The failure class.
    public var code: ErrorCode
    /// The round concerned, or 0 when not tied to a round.
    public var round: RoundID
    /// The client concerned, if any.
    public var client: ClientID?
    /// A human-readable one-line explanation.
    public var detail: String

    /// Creates an error report.
    public init(code: ErrorCode, round: RoundID = 0, client: ClientID? = nil, detail: String) {
        self.code = code
        self.round = round
        self.client = client
        self.detail = detail
    }
}

/// A request (coordinator → worker) or announcement (worker → coordinator) to stop.
public struct Shutdown: Sendable, Equatable {
    /// Why, for the logs.
    public var reason: String

    /// Creates a shutdown message.
    public init(reason: String) {
        self.reason = reason
    }
}
