/// The `[aggregation]` keys of the FedAU work: FedAU's cutoff, the FedOpt server optimizers'
/// constants (spec algorithms.md §6.3a) and FedBuff (§8.1). docs/fedau.md explains them.
extension AggregationSection {
    /// Synchronous rounds or asynchronous buffered aggregation.
    public enum Mode: String, CaseIterable, Sendable, Hashable {
        /// One round = the selected clients train on the same model and are aggregated together.
        case synchronous
        /// FedBuff: `fedbuff_concurrency` clients train at once on the virtual clock; every
        /// `fedbuff_buffer` completed updates make one server step (a "round").
        case fedbuff
    }

    /// How FedBuff weights an update of staleness s (server versions since its model).
    public enum StalenessWeighting: String, CaseIterable, Sendable, Hashable {
        /// 1 for every update.
        case constant
        /// 1/(1 + s)^a, a = `staleness_exponent` (FedBuff: a = 0.5).
        case polynomial
    }

    /// True for the FedOpt server optimizers of §6.
    public var usesFedOpt: Bool { [.fedavgm, .fedadam, .fedyogi, .fedadagrad].contains(serverOptimizer) }

    static var fedAUKeys: [KeySpec<AggregationSection>] {
        func adaptive(_ s: AggregationSection) -> String? {
            [.fedadam, .fedyogi, .fedadagrad].contains(s.serverOptimizer)
                ? nil : "aggregation.server_optimizer is \"\(s.serverOptimizer.rawValue)\""
        }
        func buffered(_ s: AggregationSection) -> String? { s.mode == .fedbuff ? nil : "aggregation.mode is \"synchronous\"" }
        return [
            .optionalInteger("fedau_cutoff", \.fedauCutoff, min: 1,
                             "FedAU's cutoff K: an interval is recorded after K rounds without participation; not set = ∞.")
                .unused(when: { $0.weighting != .fedau ? "aggregation.weighting is \"\($0.weighting.rawValue)\"" : nil }),
            .float("tau", \.tau, .nonNegative, "τ of FedAdam/FedYogi/FedAdagrad: x ← x + η·m/(√v + τ).")
                .unused(when: adaptive),
            .float("initial_accumulator", \.initialAccumulator, .nonNegative,
                   "v₀ of FedAdam/FedYogi/FedAdagrad (0 = spec §6.3a; τ² reproduces the paper's worked example).")
                .unused(when: adaptive),
            .boolean("flower_bias_correction", \.flowerBiasCorrection,
                     "FedAdam only: Flower's step size η·√(1 − β2^(t+1))/(1 − β1^(t+1)).")
                .unused(when: { $0.serverOptimizer != .fedadam ? "aggregation.server_optimizer is not \"fedadam\"" : nil }),
            .choice("mode", \.mode,
                    "synchronous rounds, or fedbuff: asynchronous buffered aggregation on the virtual clock (a round is one server step)."),
            .integer("fedbuff_buffer", \.fedbuffBuffer, min: 1, "FedBuff's buffer K: updates per server step.")
                .unused(when: buffered),
            .integer("fedbuff_concurrency", \.fedbuffConcurrency, min: 1,
                     "FedBuff's concurrency C: clients training at the same time (≥ fedbuff_buffer, ≤ partition.clients).")
                .unused(when: buffered),
            .choice("staleness_weighting", \.stalenessWeighting,
                    "FedBuff's staleness weight: constant 1, or polynomial 1/(1 + s)^staleness_exponent.")
                .unused(when: buffered),
            .float("staleness_exponent", \.stalenessExponent, .unitClosed, "a of the polynomial staleness weight (FedBuff: 0.5).")
                .unused(when: { buffered($0) ?? ($0.stalenessWeighting != .polynomial ? "aggregation.staleness_weighting is \"constant\"" : nil) }),
            .optionalInteger("max_staleness", \.maxStaleness, min: 0,
                             "FedBuff: updates staler than this are dropped (status straggler); not set = none.")
                .unused(when: buffered),
        ]
    }

    /// Defaults that depend on the server optimizer (spec §6.3a): η = 0.1 for FedAdam and
    /// FedAdagrad, 0.01 for FedYogi; μ = 0.9 for FedAvgM; β1 = 0 for FedAdagrad.
    mutating func finish(given: Set<String>, context: ReadContext) throws(ConfigError) {
        guard usesFedOpt else { return }
        let kind = serverOptimizer
        if !given.contains("server_lr") {
            serverLR = kind == .fedyogi ? 0.01 : (kind == .fedavgm ? 1 : 0.1)
        }
        if !given.contains("server_momentum"), kind == .fedavgm { serverMomentum = 0.9 }
        if !given.contains("server_beta1"), kind == .fedadagrad { serverBeta1 = 0 }
        if kind != .fedavgm, serverBeta1 >= 1 || (kind != .fedadagrad && serverBeta2 >= 1) {
            throw .invalidValue(key: serverBeta1 >= 1 ? "aggregation.server_beta1" : "aggregation.server_beta2",
                                value: TOMLNode.floatText(serverBeta1 >= 1 ? serverBeta1 : serverBeta2),
                                reason: "\(kind.rawValue) needs a decay below 1, e.g. 0.9 or 0.99")
        }
    }
}
