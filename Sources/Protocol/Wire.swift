// The vocabulary shared by every Gradwire process: identifiers, the protocol version and the
// message kinds. The byte layout itself is documented in docs/wire-format.md; the encoder is in
// Message+Encoding.swift and the validating decoder in Message+Decoding.swift.

/// A training round number. Rounds are numbered from 1; 0 means "not tied to a round".
public typealias RoundID = UInt32

/// A logical client id, stable for the whole run (independent of which worker hosts it).
public typealias ClientID = UInt32

/// The wire protocol version this build speaks (same value as `Wire.version`).
public let protocolVersion: UInt16 = Wire.version

/// Constants of the wire format (see docs/wire-format.md).
public enum Wire {
    /// The protocol version written into every header by this build.
    public static let version: UInt16 = 1
    /// The header versions this build's decoder accepts.
    public static let supportedVersions: ClosedRange<UInt16> = 1...1
    /// The header magic: the bytes `47 57 57 31` ("GWW1") read as a little-endian `UInt32`.
    public static let magic: UInt32 = 0x3157_5747
    /// Bytes of the header's fixed part (magic, version, kind, flags, metadata length, frame count).
    public static let fixedHeaderBytes = 16
    /// Bytes of the header frame for a message with `payloadFrames` payload frames (16 + 8 each).
    public static func headerBytes(payloadFrames: Int) -> Int { fixedHeaderBytes + 8 * payloadFrames }
}

/// The kind byte of a message header. Raw values are stable: never renumber.
public enum MessageKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    /// Worker → coordinator: first message of the handshake.
    case hello = 1
    /// Coordinator → worker: handshake answer with the run configuration.
    case welcome
    /// Coordinator → worker: the model and the clients to run this round.
    case task
    /// Worker → coordinator: one client's result for a round.
    case update
    /// Either direction: liveness signal.
    case heartbeat
    /// Either direction: a typed failure report.
    case error
    /// Coordinator → worker (or worker announcing exit): stop.
    case shutdown

    /// Number of tensor payload frames a message of this kind carries.
    public var payloadFrameCount: Int {
        switch self {
        case .task, .update: 1
        case .hello, .welcome, .heartbeat, .error, .shutdown: 0
        }
    }

    /// Lower-case name used in logs.
    public var description: String {
        switch self {
        case .hello: "hello"
        case .welcome: "welcome"
        case .task: "task"
        case .update: "update"
        case .heartbeat: "heartbeat"
        case .error: "error"
        case .shutdown: "shutdown"
        }
    }
}
