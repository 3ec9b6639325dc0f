/// `[compression]`: how updates and models are compressed on the wire.
public struct CompressionSection: ConfigSection {
    /// Compressor of the client updates; "none" = dense Float32.
    public var uplink: String = "none"
    /// Compressor of the model sent to the clients; "none" = dense Float32.
    public var downlink: String = "none"
    /// Error feedback around the uplink compressor.
    public var errorFeedback: Bool = false

    /// The defaults (dense both ways).
    public init() {}

    static let sectionName = "compression"
    static let summary = "How updates (uplink) and models (downlink) are compressed."

    static var keys: [KeySpec<CompressionSection>] {
        let later = "compressors arrive with the compression work; use \"none\""
        return [
            .text("uplink", \.uplink, available: ["none"], laterReason: later, "Compressor of the client updates.")
                .arrivesLater("every compressor but none: the compression work"),
            .text("downlink", \.downlink, available: ["none"], laterReason: later, "Compressor of the global model sent to the clients.")
                .arrivesLater("every compressor but none: the compression work"),
            .boolean("error_feedback", \.errorFeedback,
                     unavailable: { $0 ? "error feedback arrives with the compression work; use false" : nil },
                     "Error feedback (per-client memory) around the uplink compressor.")
                .arrivesLater("true: the compression work"),
        ]
    }
}
