import Sim

/// `[timing]`: the virtual-time model (DESIGN §3) and the round policy.
///
/// A client's virtual round time is compute time (its work in floating-point operations divided by
/// `computeFlopsPerSecond`, divided by the client's `speed` factor and multiplied by the round's
/// `slowdown`) plus link time both ways (bytes ÷ bandwidth + latency) plus an injected `delay_s`.
/// Every quantity is a number or a distribution drawn per client (speed, links) or per
/// (round, client) (slowdown, delay), seeded by `run.seed`; a trace file overrides per client and
/// round (docs/stragglers.md).
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
    /// Client → coordinator bandwidth, bytes per second (10 Mbit/s), per client.
    public var bandwidthUpBytesPerSecond: TimingDistribution = .constant(1.25e6)
    /// Coordinator → client bandwidth, bytes per second (100 Mbit/s), per client.
    public var bandwidthDownBytesPerSecond: TimingDistribution = .constant(1.25e7)
    /// One-way latency per message, seconds, per client.
    public var latencySeconds: TimingDistribution = .constant(0.05)
    /// Factor on the nominal compute speed, drawn once per client (0.5 = twice as slow).
    public var speed: TimingDistribution = .constant(1)
    /// Multiplier on a client's compute time, drawn per (round, client).
    public var slowdown: TimingDistribution = .constant(1)
    /// Injected additive delay, seconds, drawn per (round, client).
    public var delaySeconds: TimingDistribution = .constant(0)
    /// CSV trace of per-client speeds, links and availability windows (overrides the distributions).
    public var trace: String?
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
            .distribution("bandwidth_up_bytes_per_s", \.bandwidthUpBytesPerSecond,
                          "Uplink bandwidth, bytes per second (1.25e6 = 10 Mbit/s); a table draws it per client."),
            .distribution("bandwidth_down_bytes_per_s", \.bandwidthDownBytesPerSecond,
                          "Downlink bandwidth, bytes per second (1.25e7 = 100 Mbit/s); a table draws it per client."),
            .distribution("latency_s", \.latencySeconds, allowZero: true,
                          "One-way latency of each message, seconds; a table draws it per client."),
            .distribution("speed", \.speed, "Factor on compute_flops_per_s, drawn once per client (0.5 = twice as slow)."),
            .distribution("slowdown", \.slowdown,
                          "Multiplier on the compute time, drawn per round and client (e.g. Pareto stragglers)."),
            .distribution("delay_s", \.delaySeconds, allowZero: true, "Injected additive delay, seconds, drawn per round and client."),
            .path("trace", \.trace, "CSV trace of per-client speeds, links and availability windows (docs/stragglers.md)."),
            .choice("policy", \.policy, later: [.deadline: later, .firstK: later, .overcommit: later], "When a round closes."),
        ]
    }
}
