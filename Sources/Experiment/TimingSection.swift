/// `[timing]`: the virtual-time model (DESIGN §3) and the round policy.
///
/// A client's virtual round time is compute time (its work in floating-point operations divided by
/// `computeFlopsPerSecond`) plus link time both ways (bytes ÷ bandwidth + latency).
public struct TimingSection: ConfigSection {
    /// When the coordinator closes a round.
    public enum Policy: String, CaseIterable, Sendable, Hashable {
        /// Wait for every selected client.
        case waitAll = "wait-all"
        /// Close at a deadline (arrives later).
        case deadline
        /// Keep the first k of n (arrives later).
        case firstK = "first-k"
        /// Sample ⌈c·k⌉, keep the first k (arrives later).
        case overcommit
    }

    /// Nominal client speed, floating-point operations per second.
    public var computeFlopsPerSecond: Double = 1e9
    /// Client → coordinator bandwidth, bytes per second (10 Mbit/s).
    public var bandwidthUpBytesPerSecond: Double = 1.25e6
    /// Coordinator → client bandwidth, bytes per second (100 Mbit/s).
    public var bandwidthDownBytesPerSecond: Double = 1.25e7
    /// One-way latency per message, seconds.
    public var latencySeconds: Double = 0.05
    /// Round policy.
    public var policy: Policy = .waitAll

    /// The defaults.
    public init() {}

    static let sectionName = "timing"
    static let summary = "The virtual-time model of each client (compute and link) and when a round closes."

    static var keys: [KeySpec<TimingSection>] {
        let later = "round policies other than wait-all arrive with the stragglers work; use \"wait-all\""
        return [
            .float("compute_flops_per_s", \.computeFlopsPerSecond, .positive, "Nominal client speed (floating-point operations per second)."),
            .float("bandwidth_up_bytes_per_s", \.bandwidthUpBytesPerSecond, .positive, "Uplink bandwidth, bytes per second (1.25e6 = 10 Mbit/s)."),
            .float("bandwidth_down_bytes_per_s", \.bandwidthDownBytesPerSecond, .positive, "Downlink bandwidth, bytes per second (1.25e7 = 100 Mbit/s)."),
            .float("latency_s", \.latencySeconds, .nonNegative, "One-way latency of each message, seconds."),
            .choice("policy", \.policy, later: [.deadline: later, .firstK: later, .overcommit: later], "When a round closes."),
        ]
    }
}
