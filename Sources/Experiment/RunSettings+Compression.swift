// `[compression]` mapped to Sim's compressors, and the rules that refuse combinations that cannot
// work. Both processes build the same compressors from the same resolved config, so a worker's
// uplink compressor and the coordinator's expectation of the payload form always agree.
//
// Decisions (docs/compression.md):
// - signsgd sends bare signs, whose magnitude is lost; the server takes the majority vote
//   (sign of the aggregate) and steps by aggregation.server_lr. That is signSGD with majority vote
//   (spec §B.6) for gradients, so it is accepted in run.mode = "distributed-sgd" only; federated
//   deltas want scaled-sign with error feedback instead.
// - DGC is its own error feedback (its velocity) and its own momentum: error_feedback and a server
//   momentum on top of it are refused.
// - Gradient coding decodes linear combinations; sparsifiers and sign compressors break them
//   (spec §A.8), so they are refused with any coding scheme.
// - Distributed Lion already sends packed signs and broadcasts its vote in compact form; it takes
//   no compressor in either direction.

import Protocol
import Sim

extension RunSettings {
    /// Whether client updates are compressed.
    public var compressesUplink: Bool { config.compression.uplink != .none }

    /// Whether the model broadcast is compressed (as its change since the workers' copy).
    public var compressesDownlink: Bool { config.compression.downlink != .none }

    /// The uplink compressor of `round` for updates of `dimension` elements (DGC's warm-up ratio
    /// depends on the round), wrapped in `ErrorFeedback` when `compression.error_feedback` is set.
    /// `layerShapes` (the model's, `ModelSpec.layerShapes`) is needed for `dgc_per_layer` and `powersgd_per_layer`; without
    /// it DGC selects over the flat vector.
    public func uplinkCompressor(round: RoundID, dimension: Int,
                                 layerShapes: [(inputs: Int, outputs: Int)]? = nil) -> any Compressor {
        let base = compressor(config.compression.uplink, round: round, dimension: dimension)
        if config.compression.dgcPerLayer, let dgc = base as? DeepGradientCompression, let layerShapes {
            return LayerwiseDGC(base: dgc, blocks: LayerwiseDGC.blocks(layerShapes: layerShapes))
        }
        if config.compression.powersgdPerLayer, let power = base as? PowerSGD {
            // Without the model's layers the whole update is one matrix block (same payload form).
            let blocks = layerShapes.map(LayerwisePowerSGD.blocks(layerShapes:))
                ?? [LayerwisePowerSGD.Block(offset: 0, rows: power.rows, columns: power.columns, isMatrix: true)]
            let layered = LayerwisePowerSGD(rank: power.rank, variant: power.variant, blocks: blocks)
            return config.compression.errorFeedback ? ErrorFeedback(layered) : layered
        }
        return config.compression.errorFeedback ? ErrorFeedback(base) : base
    }

    /// The downlink compressor of `round` (no error feedback: the coordinator compresses the
    /// difference to the workers' copy, which carries the residual by construction).
    public func downlinkCompressor(round: RoundID, dimension: Int) -> any Compressor {
        compressor(config.compression.downlink, round: round, dimension: dimension)
    }

    /// The payload form the uplink compressor sends.
    public var uplinkCodec: PayloadCodec {
        config.compression.uplink == .powersgd && config.compression.powersgdPerLayer
            ? .lowRankBlocks : Self.codec(of: config.compression.uplink)
    }

    /// The payload form the downlink compressor sends.
    public var downlinkCodec: PayloadCodec { Self.codec(of: config.compression.downlink) }

    /// True when the server replaces the aggregate by its sign (signSGD's majority vote).
    public var votesOnSigns: Bool { config.compression.uplink == .signsgd }

    /// The key of shared draws (random-k indices, PowerSGD's initial Q) of the uplink in `round`.
    public func uplinkSharedKey(round: RoundID) -> RandomKey {
        CompressionRandom.key(seed: seed, round: UInt64(round), client: 0, randomness: .shared)
    }

    /// The key of the downlink's draws in `round`: one stream every worker shares, distinct from the uplink's.
    public func downlinkKey(round: RoundID) -> RandomKey {
        RandomKey(seed: seed, purpose: .compression, round: UInt64(round), client: CompressionRandom.sharedClient - 1)
    }

    /// Checks what needs the model dimension (PowerSGD's matrix shape); the coordinator calls it
    /// before round 1 so that a bad `compression.matrix_rows` stops the run with the key named.
    public func checkCompression(dimension: Int) throws(ConfigError) {
        let c = config.compression
        guard c.used.contains(.powersgd) else { return }
        if c.powersgdPerLayer, c.downlink != .powersgd { return }  // matrix_rows is not used
        if c.matrixRows > 0, dimension % c.matrixRows != 0 {
            throw .invalidValue(key: "compression.matrix_rows", value: String(c.matrixRows),
                                reason: "it must divide the model's \(dimension) parameters; use 0 for the largest divisor ≤ √d")
        }
    }

    /// The matrix shape PowerSGD views a flat vector of `dimension` elements as: `rows` rows (must
    /// divide d), or with rows = 0 the largest divisor of d that is ≤ √d.
    public static func matrixShape(dimension d: Int, rows: Int) -> (rows: Int, columns: Int) {
        precondition(d >= 1, "PowerSGD needs at least one element")
        if rows > 0, d % rows == 0 { return (rows, d / rows) }
        var best = 1
        var candidate = 1
        while candidate * candidate <= d {
            if d % candidate == 0 { best = candidate }
            candidate += 1
        }
        return (best, d / best)
    }

    private func compressor(_ name: CompressionSection.Compressor, round: RoundID, dimension: Int) -> any Compressor {
        let c = config.compression
        switch name {
        case .none: return NoCompression()
        case .fp16: return Float16Compression()
        case .topk: return TopK(ratio: c.ratio)
        case .randomk: return RandomK(ratio: c.ratio, scaled: c.scaled)
        case .threshold: return ThresholdSparsifier(threshold: c.threshold)
        case .dgc:
            let warmup = DGCWarmup(finalRatio: c.ratio, epochs: c.dgcWarmupRounds)
            let perRound = config.participation.process == .full ? clients : min(config.participation.clientsPerRound, clients)
            var sampling = DGCSampling()
            sampling.sampleRatio = c.dgcSampleRatio
            return DeepGradientCompression(
                ratio: warmup.ratio(epoch: Int(round) - 1), momentum: Float(c.dgcMomentum), nesterov: c.dgcNesterov,
                masking: c.dgcMasking,
                clipping: c.dgcClipNorm > 0 ? .norm(maxNorm: c.dgcClipNorm, workers: perRound) : .none,
                selection: c.dgcSelection == .exact ? .exact : .sampled(sampling))
        case .qsgd:
            return QSGD(levels: c.levels, bucketSize: c.bucketSize == 0 ? nil : c.bucketSize, norm: c.norm == .l2 ? .l2 : .max)
        case .terngrad: return TernGrad(clipSigmas: c.clipSigmas > 0 ? c.clipSigmas : nil)
        case .signsgd: return SignSGD()
        case .scaledSign: return ScaledSign()
        case .natural: return NaturalCompression()
        case .powersgd:
            let shape = Self.matrixShape(dimension: dimension, rows: c.matrixRows)
            let variant: PowerSGD.Variant = switch c.powersgdVariant {
            case .warmStart: .warmStart
            case .fresh: .freshEachStep
            case .alternating: .alternating
            }
            return PowerSGD(rows: shape.rows, columns: shape.columns, rank: c.rank, variant: variant)
        }
    }

    static func codec(of name: CompressionSection.Compressor) -> PayloadCodec {
        switch name {
        case .none: .denseFloat32
        case .fp16: .float16
        case .topk, .threshold, .dgc: .sparse
        case .randomk: .sharedSparse
        case .qsgd: .quantized
        case .terngrad: .scaledTernary
        case .signsgd: .packedSigns
        case .scaledSign: .scaledSigns
        case .natural: .powersOfTwo
        case .powersgd: .lowRank
        }
    }
}

extension ExperimentConfig {
    /// Combinations of `[compression]` with other sections that cannot run (see the file's notes).
    func checkCompression() throws(ConfigError) {
        let c = compression
        if run.mode == .distributedLion, c.uplink != .none || c.downlink != .none {
            throw .conflict(keys: ["run.mode", c.uplink != .none ? "compression.uplink" : "compression.downlink"],
                            reason: "Distributed Lion already sends 1-bit signs and broadcasts its vote in compact form; "
                                + "set compression.uplink and compression.downlink to \"none\"")
        }
        if c.errorFeedback, c.uplink == .none {
            throw .conflict(keys: ["compression.error_feedback", "compression.uplink"],
                            reason: "error feedback keeps what a compressor dropped, and uplink \"none\" drops nothing; "
                                + "choose an uplink compressor or set error_feedback = false")
        }
        if c.errorFeedback, c.uplink == .dgc {
            throw .conflict(keys: ["compression.error_feedback", "compression.uplink"],
                            reason: "DGC accumulates what it did not send in its own velocity (its error feedback); "
                                + "set error_feedback = false")
        }
        if c.uplink == .dgc, aggregation.serverMomentum > 0 {
            throw .conflict(keys: ["compression.uplink", "aggregation.server_momentum"],
                            reason: "DGC applies momentum on the clients (momentum correction); the server must not apply "
                                + "it again: set aggregation.server_momentum = 0 (compression.dgc_momentum is the momentum)")
        }
        if c.downlink == .signsgd {
            throw .invalidValue(key: "compression.downlink", value: "\"signsgd\"",
                                reason: "bare signs cannot carry a model change; use \"scaled-sign\" (mean |x| · sign) for a 1-bit downlink")
        }
        if c.uplink == .signsgd, run.mode != .distributedSGD {
            throw .conflict(keys: ["compression.uplink", "run.mode"],
                            reason: "signsgd's server takes the majority vote of the signs and steps by aggregation.server_lr, "
                                + "which is signSGD for gradients (run.mode = \"distributed-sgd\"); for federated deltas use "
                                + "uplink = \"scaled-sign\" with error_feedback = true")
        }
        let breaksCoding: Set<CompressionSection.Compressor> = [.topk, .randomk, .threshold, .dgc, .signsgd, .scaledSign, .powersgd]
        if coding.scheme != .none, let bad = [c.uplink, c.downlink].first(where: breaksCoding.contains) {
            throw .conflict(keys: ["coding.scheme", c.uplink == bad ? "compression.uplink" : "compression.downlink"],
                            reason: "gradient codes decode linear combinations of the workers' messages; \"\(bad.rawValue)\" "
                                + "does not commute with them (spec §A.8): use fp16, qsgd, terngrad or natural, or no coding")
        }
    }
}
