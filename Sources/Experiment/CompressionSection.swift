/// `[compression]`: how updates and models are compressed on the wire (docs/compression.md).
///
/// One compressor per direction; the parameter keys are shared by both directions (a run that
/// uses top-k both ways uses one `ratio`). `RunSettings+Compression.swift` maps them to Sim.
public struct CompressionSection: ConfigSection {
    /// A compressor name (spec coding-and-compression.md part B).
    public enum Compressor: String, CaseIterable, Sendable, Hashable {
        /// Dense Float32.
        case none
        /// IEEE binary16 casting (§B.11).
        case fp16
        /// The k = max(1, ⌊ρd⌋) largest magnitudes (§B.2).
        case topk
        /// k coordinates drawn from a shared seed; only the values travel (§B.2).
        case randomk
        /// Coordinates with |x| > τ (§B.2).
        case threshold
        /// Deep Gradient Compression (§B.3).
        case dgc
        /// QSGD stochastic quantization (§B.4).
        case qsgd
        /// TernGrad (§B.5).
        case terngrad
        /// signSGD with the majority vote at the server (§B.6).
        case signsgd
        /// Scaled sign, mean |x| · sign(x) (§B.7; EF-signSGD with error_feedback).
        case scaledSign = "scaled-sign"
        /// Natural compression (§B.9).
        case natural
        /// PowerSGD low-rank factors (§B.10).
        case powersgd
    }

    /// PowerSGD's handling of the factors between rounds.
    public enum PowerSGDVariant: String, CaseIterable, Sendable, Hashable {
        /// Reuse the client's last Q (the paper's default).
        case warmStart = "warm-start"
        /// A fresh shared Gaussian Q every round (GRACE).
        case fresh
        /// Alternate which factor is orthonormalised (epfml).
        case alternating
    }

    /// QSGD's bucket norm.
    public enum Norm: String, CaseIterable, Sendable, Hashable {
        /// Euclidean norm (the paper).
        case l2
        /// Largest magnitude.
        case max
    }

    /// DGC's top-k selection.
    public enum DGCSelectionName: String, CaseIterable, Sendable, Hashable {
        /// The authors' sampled threshold estimation.
        case sampled
        /// Exact top-⌈ρd⌉.
        case exact
    }

    /// Compressor of the client updates.
    public var uplink: Compressor = .none
    /// Compressor of the model (its change since the workers' copy) sent to the clients.
    public var downlink: Compressor = .none
    /// Error feedback around the uplink compressor.
    public var errorFeedback: Bool = false
    /// Kept fraction ρ (topk, randomk, dgc's final ratio).
    public var ratio: Double = 0.01
    /// randomk: scale the kept values by d/k (unbiased).
    public var scaled: Bool = true
    /// threshold: keep |x| > τ.
    public var threshold: Double = 0.001
    /// qsgd: levels s.
    public var levels: Int = 4
    /// qsgd: elements per bucket (0 = the whole vector).
    public var bucketSize: Int = 512
    /// qsgd: bucket norm.
    public var norm: Norm = .l2
    /// terngrad: clip at this many standard deviations (0 = no clipping).
    public var clipSigmas: Double = 2.5
    /// powersgd: rank r.
    public var rank: Int = 2
    /// powersgd: factor handling.
    public var powersgdVariant: PowerSGDVariant = .warmStart
    /// powersgd: rows of the matrix the flat vector is viewed as (0 = the largest divisor ≤ √d).
    public var matrixRows: Int = 0
    /// dgc: momentum factor m.
    public var dgcMomentum: Double = 0.9
    /// dgc: Nesterov momentum.
    public var dgcNesterov: Bool = false
    /// dgc: momentum factor masking.
    public var dgcMasking: Bool = true
    /// dgc: local gradient clipping at this L2 norm, scaled by N^(−1/2) (0 = off).
    public var dgcClipNorm: Double = 0
    /// dgc: warm-up rounds (exponential ratio ramp to `ratio`; 0 = none).
    public var dgcWarmupRounds: Int = 0
    /// dgc: selection algorithm.
    public var dgcSelection: DGCSelectionName = .sampled
    /// dgc: fraction of the elements sampled for the threshold estimate.
    public var dgcSampleRatio: Double = 0.01
    /// dgc: compress each weight matrix on its own and send biases whole (the paper's setting).
    public var dgcPerLayer: Bool = false
    /// powersgd (uplink): one PowerSGD per weight matrix, biases dense (spec §B.10); false = one matrix over the flat update.
    public var powersgdPerLayer: Bool = false

    /// The defaults (dense both ways).
    public init() {}

    /// The compressors used in either direction.
    var used: Set<Compressor> { [uplink, downlink] }

    static let sectionName = "compression"
    static let summary = "How updates (uplink) and models (downlink) are compressed; docs/compression.md."

    static var keys: [KeySpec<CompressionSection>] {
        func unless(_ names: Compressor...) -> (CompressionSection) -> String? {
            { section in
                section.used.isDisjoint(with: names)
                    ? "neither compression.uplink nor compression.downlink is " + names.map { "\"\($0.rawValue)\"" }
                        .joined(separator: " or ") : nil
            }
        }
        return [
            .choice("uplink", \.uplink, "Compressor of each client's update (federated: its model delta; distributed-sgd: its gradient)."),
            .choice("downlink", \.downlink,
                    "Compressor of the model broadcast: the change of the global model since the copy the workers hold "
                        + "(which then train on that copy); none = the dense model."),
            .boolean("error_feedback", \.errorFeedback,
                     "Error feedback around the uplink compressor: each client keeps the part of its update that was not sent "
                         + "and adds it to the next one (memory on the worker that hosts the client)."),
            .float("ratio", \.ratio, FloatRange(lower: 0, lowerInclusive: false, upper: 1),
                   "Kept fraction ρ of topk, randomk and dgc (dgc: after warm-up): k = max(1, ⌊ρ·d⌋).")
                .unused(when: unless(.topk, .randomk, .dgc)),
            .boolean("scaled", \.scaled, "randomk: multiply the kept values by d/k (unbiased); false sends them as they are.")
                .unused(when: unless(.randomk)),
            .float("threshold", \.threshold, .positive, "threshold: keep the coordinates with |x| > τ.")
                .unused(when: unless(.threshold)),
            .integer("levels", \.levels, min: 1, max: 32767, "qsgd: number of levels s (1 + ⌈log2(s+1)⌉ bits per element).")
                .unused(when: unless(.qsgd)),
            .integer("bucket_size", \.bucketSize, min: 0, "qsgd: elements per bucket, one norm each; 0 = one bucket.")
                .unused(when: unless(.qsgd)),
            .choice("norm", \.norm, "qsgd: the bucket norm.")
                .unused(when: unless(.qsgd)),
            .float("clip_sigmas", \.clipSigmas, .nonNegative, "terngrad: clip at this many standard deviations; 0 = no clipping (unbiased).")
                .unused(when: unless(.terngrad)),
            .integer("rank", \.rank, min: 1, "powersgd: rank r of the factors (at most min(rows, columns)).")
                .unused(when: unless(.powersgd)),
            .choice("powersgd_variant", \.powersgdVariant,
                    "powersgd: warm-start reuses the client's last Q; fresh draws a shared Q every round; alternating is epfml's.")
                .unused(when: unless(.powersgd)),
            .integer("matrix_rows", \.matrixRows, min: 0,
                     "powersgd: the flat vector of d elements is a matrix of this many rows (must divide d); 0 = the largest divisor of d ≤ √d.")
                .unused(when: { section in
                    unless(.powersgd)(section)
                        ?? (section.powersgdPerLayer && section.downlink != .powersgd
                            ? "compression.powersgd_per_layer = true takes each weight matrix's own shape" : nil)
                }),
            .boolean("powersgd_per_layer", \.powersgdPerLayer,
                     "powersgd (uplink): compress each weight matrix (inputs × outputs) on its own at rank min(r, n, m) and send "
                         + "the biases dense, as the paper does; false = one matrix over the flat update (matrix_rows).")
                .unused(when: { section in
                    section.uplink != .powersgd ? "compression.uplink is not \"powersgd\" (the downlink stays one matrix)" : nil
                }),
            .float("dgc_momentum", \.dgcMomentum, .unitHalfOpen, "dgc: momentum factor m of the momentum correction.")
                .unused(when: unless(.dgc)),
            .boolean("dgc_nesterov", \.dgcNesterov, "dgc: Nesterov momentum.")
                .unused(when: unless(.dgc)),
            .boolean("dgc_masking", \.dgcMasking, "dgc: momentum factor masking (clear the momentum of sent coordinates).")
                .unused(when: unless(.dgc)),
            .float("dgc_clip_norm", \.dgcClipNorm, .nonNegative,
                   "dgc: local gradient clipping at this L2 norm × N^(−1/2), N = clients per round; 0 = off.")
                .unused(when: unless(.dgc)),
            .integer("dgc_warmup_rounds", \.dgcWarmupRounds, min: 0,
                     "dgc: sparsity warm-up over this many rounds (ratio c^(r) with c = ρ^(1/(E+1))); 0 = none.")
                .unused(when: unless(.dgc)),
            .choice("dgc_selection", \.dgcSelection, "dgc: sampled threshold estimation (the authors') or exact top-⌈ρd⌉.")
                .unused(when: unless(.dgc)),
            .float("dgc_sample_ratio", \.dgcSampleRatio, FloatRange(lower: 0, lowerInclusive: false, upper: 1),
                   "dgc: fraction of the elements sampled to estimate the threshold.")
                .unused(when: unless(.dgc)),
            .boolean("dgc_per_layer", \.dgcPerLayer,
                     "dgc (uplink): select the top ρ of each weight matrix separately and send the biases whole "
                         + "(through the momentum correction), as the paper does; false = one selection over the flat update.")
                .unused(when: unless(.dgc)),
        ]
    }
}
