/// `[coding]`: gradient coding against stragglers (distributed-sgd).
public struct CodingSection: ConfigSection {
    /// Gradient code.
    public enum Scheme: String, CaseIterable, Sendable, Hashable {
        /// No coding.
        case none
        /// Fractional repetition (arrives later).
        case frc
        /// Cyclic repetition (arrives later).
        case crc
        /// Sequential gradient coding, selective reattempt (arrives later).
        case srSGC = "sr-sgc"
        /// Sequential gradient coding, multiplexed (arrives later).
        case mSGC = "m-sgc"
    }

    /// Gradient code.
    public var scheme: Scheme = .none

    /// The defaults (no coding).
    public init() {}

    static let sectionName = "coding"
    static let summary = "Gradient coding against stragglers in the distributed-sgd mode."

    static var keys: [KeySpec<CodingSection>] {
        let later = "gradient coding arrives with the stragglers work; use \"none\""
        return [
            .choice("scheme", \.scheme, later: [.frc: later, .crc: later, .srSGC: later, .mSGC: later], "Gradient code."),
        ]
    }
}
