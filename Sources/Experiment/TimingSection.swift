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
        /// Close at `deadline_s`; later updates are stragglers.
        case deadline
        /// Keep the first `first_k` arrivals of the n selected.
        case firstK = "first-k"
        /// Sample ⌈c·k⌉ (c = `overcommit`, k = participation.clients_per_round), keep the first k.
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
    /// `policy = "deadline"`: the deadline, virtual seconds after the round starts.
    public var deadlineSeconds: Double?
    /// `policy = "first-k"`: how many of the selected clients' updates to keep.
    public var firstK: Int?
    /// `policy = "overcommit"`: the over-commitment factor c ≥ 1.
    public var overcommit: Double?
    /// `run.time = "wall"`: real seconds per virtual second (worker holds and coordinator deadlines).
    public var wallScale: Double = 1

    /// The defaults.
    public init() {}

    static let sectionName = "timing"
    static let summary = "The virtual-time model of each client (compute and link) and when a round closes."

    static var keys: [KeySpec<TimingSection>] {
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
            .choice("policy", \.policy, "When a round closes (docs/stragglers.md): wait for all, a deadline, the first k, "
                        + "or over-commitment."),
            .optionalFloat("deadline_s", \.deadlineSeconds, .positive,
                           "policy = \"deadline\": virtual seconds after the round starts; later updates are stragglers.")
                .unused { $0.policy == .deadline ? nil : "only policy = \"deadline\" uses it" },
            .optionalInteger("first_k", \.firstK, min: 1,
                             "policy = \"first-k\": keep the first k arrivals of the n selected clients (k ≤ n).")
                .unused { $0.policy == .firstK ? nil : "only policy = \"first-k\" uses it" },
            .optionalFloat("overcommit", \.overcommit, FloatRange(lower: 1),
                           "policy = \"overcommit\": sample ⌈c·k⌉ clients (k = participation.clients_per_round), keep the first k.")
                .unused { $0.policy == .overcommit ? nil : "only policy = \"overcommit\" uses it" },
            .float("wall_scale", \.wallScale, .positive,
                   "run.time = \"wall\": real seconds per virtual second for worker delays and deadlines (0.01 = 100× faster)."),
        ]
    }

    mutating func finish(given: Set<String>, context: ReadContext) throws(ConfigError) {
        func need(_ key: String, _ what: String) -> ConfigError {
            .missingKey(key: "timing.\(key)", reason: "timing.policy = \"\(policy.rawValue)\" needs \(what); add `\(key) = …` to [timing]")
        }
        switch policy {
        case .waitAll: break
        case .deadline: if deadlineSeconds == nil { throw need("deadline_s", "a deadline in virtual seconds") }
        case .firstK: if firstK == nil { throw need("first_k", "how many arrivals to keep") }
        case .overcommit: if overcommit == nil { throw need("overcommit", "the over-commitment factor c ≥ 1") }
        }
    }
}
