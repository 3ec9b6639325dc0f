/// `[coding]`: gradient coding against stragglers (distributed-sgd, docs/gradient-coding.md).
///
/// One-shot schemes (`frc`, `crc`, `ignore-stragglers`) decode every round from the first
/// arrivals in virtual time; sequential schemes (`gc`, `sr-sgc`, `m-sgc`, spec §A.6) run the
/// schedule of Krishnan et al. under a straggler model and apply job t's gradient at the end of
/// round t + T. `none` is the wait-for-all baseline. Cross-section rules live in
/// `RunSettings.validateCoding` (RunSettings+Coding.swift).
public struct CodingSection: ConfigSection {
    /// Gradient code.
    public enum Scheme: String, CaseIterable, Sendable, Hashable {
        /// No coding: every client sends its own minibatch gradient, the round waits for all (§A.5.1).
        case none
        /// Fractional repetition (§A.1); needs (s + 1) | n.
        case frc
        /// Cyclic repetition (§A.2).
        case crc
        /// Uncoded; keep the first n − s arrivals and rescale by n/(n − s) (§A.5.2).
        case ignoreStragglers = "ignore-stragglers"
        /// The sequential-coding papers' GC baseline: an (n, s) code per round, T = 0 (§A.6.3).
        case gc
        /// Sequential gradient coding, selective repetition (§A.6.4).
        case srSGC = "sr-sgc"
        /// Sequential gradient coding, multiplexed (§A.6.5).
        case mSGC = "m-sgc"

        /// True for the schedules of §A.6 (gc, sr-sgc, m-sgc).
        public var isSequential: Bool { self == .gc || self == .srSGC || self == .mSGC }
    }

    /// Which straggler model drives a sequential scheme.
    public enum StragglerModel: String, CaseIterable, Sendable, Hashable {
        /// Seeded random (B, W, λ)-bursty masks (§A.6.2); stragglers' compute × `straggler_slowdown`.
        case bursty
        /// The authors' trace rule on the clients' virtual times: straggler iff time > (1 + μ)·fastest.
        case threshold
    }

    /// Gradient code.
    public var scheme: Scheme = .none
    /// Straggler tolerance s (frc, crc, ignore-stragglers, gc).
    public var s: Int = 1
    /// Burst length B (sr-sgc, m-sgc, and the bursty model).
    public var burst: Int = 1
    /// Window W (sr-sgc, m-sgc, and the bursty model).
    public var window: Int = 2
    /// Stragglers per window λ (sr-sgc, m-sgc, and the bursty model).
    public var lambda: Int = 2
    /// Largest ‖B_Fᵀa − 1‖∞ accepted as exact decoding (crc).
    public var residualTolerance: Double = 1e-8
    /// The authors' "fewer than s" GC rule instead of "at most s" (gc).
    public var referenceGCRule: Bool = false
    /// The straggler model of the sequential schemes.
    public var stragglerModel: StragglerModel = .bursty
    /// Bursty model: probability that a worker proposes to straggle in a round.
    public var burstProbability: Double = 0.1
    /// Bursty model: probability that a straggling worker continues its burst.
    public var burstContinuation: Double = 0.5
    /// Bursty model: factor on a straggler's compute time.
    public var stragglerSlowdown: Double = 5
    /// Threshold model: slack μ.
    public var mu: Double = 1

    /// The defaults (no coding).
    public init() {}

    static let sectionName = "coding"
    static let summary = "Gradient coding against stragglers in the distributed-sgd mode (docs/gradient-coding.md)."

    static var keys: [KeySpec<CodingSection>] {
        let sequential: (CodingSection) -> String? = { $0.scheme.isSequential ? nil : "scheme is not gc, sr-sgc or m-sgc" }
        let window: (CodingSection) -> Bool = { $0.scheme == .srSGC || $0.scheme == .mSGC }
        let bursty: (CodingSection) -> String? = {
            $0.scheme.isSequential && $0.stragglerModel == .bursty ? nil : "straggler_model is not bursty"
        }
        return [
            .choice("scheme", \.scheme,
                    "Gradient code: none (wait for all), frc, crc, ignore-stragglers, "
                        + "or a sequential scheme gc, sr-sgc, m-sgc."),
            .integer("s", \.s, min: 0, "Straggler tolerance s < n (frc, crc, ignore-stragglers, gc).")
                .unused(when: { [.frc, .crc, .ignoreStragglers, .gc].contains($0.scheme) ? nil : "scheme does not use s" }),
            .integer("B", \.burst, min: 1, "Burst length B (sr-sgc: B divides W − 1; m-sgc: B < W; the bursty model).")
                .unused(when: { window($0) || bursty($0) == nil ? nil : "no burst parameter is used" }),
            .integer("W", \.window, min: 1, "Window W of the (B, W, λ) model (sr-sgc, m-sgc, the bursty model).")
                .unused(when: { window($0) || bursty($0) == nil ? nil : "no window is used" }),
            .integer("lambda", \.lambda, min: 1, "Stragglers per window λ ≤ n (sr-sgc, m-sgc, the bursty model).")
                .unused(when: { window($0) || bursty($0) == nil ? nil : "no λ is used" }),
            .float("residual_tolerance", \.residualTolerance, .positive,
                   "Largest ‖B_Fᵀa − 1‖∞ accepted as exact decoding (crc); larger residuals skip the step.")
                .unused(when: { $0.scheme == .crc ? nil : "only crc decodes by least squares" }),
            .boolean("reference_gc_rule", \.referenceGCRule,
                     "gc: tolerate only fewer than s stragglers per round, as the authors' simulator (§A.6.3).")
                .unused(when: { $0.scheme == .gc ? nil : "scheme is not gc" }),
            .choice("straggler_model", \.stragglerModel,
                    "Sequential schemes: bursty (seeded (B, W, λ) masks) or threshold (time > (1 + mu)·fastest).")
                .unused(when: sequential),
            .float("burst_probability", \.burstProbability, .unitClosed,
                   "Bursty model: probability that a worker proposes to straggle in a round.").unused(when: bursty),
            .float("burst_continuation", \.burstContinuation, .unitClosed,
                   "Bursty model: probability that a straggling worker continues its burst (B > 1).").unused(when: bursty),
            .float("straggler_slowdown", \.stragglerSlowdown, FloatRange(lower: 1),
                   "Bursty model: factor on a straggler's compute time.").unused(when: bursty),
            .float("mu", \.mu, .nonNegative, "Threshold model: a client straggles if its time exceeds (1 + mu)·fastest.")
                .unused(when: {
                    $0.scheme.isSequential && $0.stragglerModel == .threshold ? nil : "straggler_model is not threshold"
                }),
        ]
    }
}
