// Conditions on n and f per rule, and the dispatch from a `RobustRule` to its kernel.

extension RobustRule {
    /// Throws when the rule cannot run on n inputs; returns the number of rows it outputs
    /// (n for aggregators' purposes of chaining, ⌈n/s⌉ for bucketing).
    func check(inputs n: Int) throws(RobustError) -> Int {
        guard n > 0 else { throw .emptyInput(rule: name) }
        let fix = "lower aggregation.assumed_f or select more clients"
        func need(_ ok: Bool, _ f: Int, _ condition: String) throws(RobustError) {
            if !ok {
                let label = RobustRule.displayNames[name] ?? name
                throw .tooFewInputs(rule: name, inputs: n, f: f, condition: "\(label) needs \(condition) (n = \(n), f = \(f)); \(fix)")
            }
        }
        switch self {
        case .mean, .median, .geometricMedian, .centeredClipping, .flag, .fltrust, .signGuard, .clipping:
            break
        case .trimmedMean(let f, let proportion):
            let b = proportion.map { Int($0 * Double(n)) } ?? f
            try need(2 * b < n, b, "n > 2b (b = trimmed per side)")
        case .krum(let f, let convention), .multiKrum(let f, _, let convention):
            if convention == .paper { try need(n > 2 * f + 2, f, "n > 2f + 2 in the paper convention (neighbours n-f-2)") }
            else { try need(2 * f < n, f, "n > 2f") }
            if case .multiKrum(_, let m?, _) = self, m > n {
                throw .invalidParameter(rule: name, name: "m", value: "\(m)", reason: "at most n = \(n) rows can be averaged")
            }
        case .bulyan(let f):
            try need(n >= 4 * f + 3, f, "n ≥ 4f + 3")
        case .meamed(let f), .caf(let f), .nnm(let f):
            try need(2 * f < n, f, "n > 2f")
        case .mda(let f), .smea(let f):
            try need(2 * f < n, f, "n > 2f")
            if n > SubsetRules.maximumInputs { throw .tooManyInputs(rule: name, inputs: n, limit: SubsetRules.maximumInputs) }
        case .monna(let f, let pivot):
            try need(2 * f < n, f, "n > 2f")
            if case .row(let idx) = pivot, idx >= n {
                throw .invalidParameter(rule: name, name: "idx", value: "\(idx)", reason: "must be a row index below n = \(n)")
            }
        case .dnc(let f, _, _, let c):
            try need(Int((c * Double(f)).rounded(.down)) < n, f, "n > ⌊c·f⌋")
        case .arc(let f):
            try need(f <= n, f, "f ≤ n")
        case .bucketing(let s, let permutation):
            if let permutation, permutation.sorted() != Array(0..<n) {
                throw .invalidParameter(rule: name, name: "permutation", value: "\(permutation.count) entries",
                                        reason: "must be a permutation of 0..<\(n) (one entry per input row)")
            }
            return (n + s - 1) / s
        }
        return n
    }

    static let displayNames = [
        "bulyan": "Bulyan", "krum": "Krum", "multi-krum": "Multi-Krum", "trimmed-mean": "Trimmed mean",
        "meamed": "Meamed", "mda": "MDA", "smea": "SMEA", "caf": "CAF", "monna": "MoNNA", "nnm": "NNM",
        "dnc": "DnC", "arc": "ARC",
    ]

    /// Applies a pre-aggregator (precondition: `isPreAggregator`, `check` passed).
    func preAggregate<S>(_ batch: UpdateBatch<S>, context: AggregationContext<S>) throws(RobustError) -> UpdateBatch<S> {
        switch self {
        case .nnm(let f): return PreAggregators.nnm(batch, f: f)
        case .clipping(let c): return PreAggregators.clipping(batch, c: c)
        case .arc(let f): return PreAggregators.arc(batch, f: f)
        case .bucketing(let s, let permutation):
            let p = permutation ?? PortableRandom.permutation(
                seed: RandomKey(seed: context.seed, purpose: .bucketing, round: context.round).streamSeed, count: batch.rows)
            return PreAggregators.bucketing(batch, size: s, permutation: p)
        default: return batch
        }
    }

    /// Applies an aggregator (precondition: `check` passed).
    func aggregate<S>(_ batch: UpdateBatch<S>, context: AggregationContext<S>) throws(RobustError) -> AggregationResult<S> {
        let n = batch.rows
        let previous = context.previous.map { $0.map { Double($0) } }
        func result(_ v: [Double], _ selected: [Int]? = nil) -> AggregationResult<S> {
            AggregationResult(vector: v.map { S($0) }, selected: selected)
        }
        switch self {
        case .mean:
            if let floats = batch as? UpdateBatch<Float>, let v = LinearKernels.mean(floats),
                let r = AggregationResult(vector: v) as? AggregationResult<S> {
                return r
            }
            return result(CoordinateRules.mean(batch))
        case .median: return result(CoordinateRules.median(batch))
        case .trimmedMean(let f, let proportion):
            return result(CoordinateRules.trimmedMean(batch, trim: proportion.map { Int($0 * Double(n)) } ?? f))
        case .meamed(let f): return result(CoordinateRules.meanAroundMedian(batch, keep: n - f))
        case .krum(let f, let neighbours):
            let i = KrumRules.krum(batch, f: f, neighbours: neighbours)
            return AggregationResult(vector: Array(batch.row(i)), selected: [i])
        case .multiKrum(let f, let m, let neighbours):
            let chosen = KrumRules.multiKrum(batch, f: f, m: m ?? (n - f), neighbours: neighbours)
            return result(RobustKernels.meanOfRows(batch, chosen), chosen)
        case .bulyan(let f):
            let (v, chosen) = KrumRules.bulyan(batch, f: f)
            return result(v, chosen)
        case .geometricMedian(let options):
            return result(IterativeRules.geometricMedian(batch, options: options, previous: previous))
        case .centeredClipping(let tau, let iterations, let start):
            let given = start ?? previous
            if let given, given.count != batch.dimension { throw .dimensionMismatch(expected: batch.dimension, found: given.count) }
            if let floats = batch as? UpdateBatch<Float>,
                let v = LinearKernels.centeredClipping(floats, tau: tau, iterations: iterations, start: given),
                let r = AggregationResult(vector: v) as? AggregationResult<S> {
                return r
            }
            let v0 = given ?? [Double](repeating: 0, count: batch.dimension)
            return result(IterativeRules.centeredClipping(batch, tau: tau, iterations: iterations, start: v0))
        case .mda(let f):
            let chosen = SubsetRules.mda(batch, f: f)
            return result(RobustKernels.meanOfRows(batch, chosen), chosen)
        case .smea(let f):
            let chosen = SubsetRules.smea(batch, f: f)
            return result(RobustKernels.meanOfRows(batch, chosen), chosen)
        case .caf(let f): return result(SpectralRules.caf(batch, f: f))
        case .monna(let f, let pivot):
            let center: [Double]
            switch pivot {
            case .row(let idx): center = batch.row(idx).map { Double($0) }
            case .previous: center = previous ?? CoordinateRules.median(batch)
            }
            let (v, chosen) = PreAggregators.monna(batch, f: f, pivot: center)
            return result(v, chosen)
        case .flag(let rank, let iterations): return result(SpectralRules.flag(batch, rank: rank, iterations: iterations))
        case .fltrust:
            guard let trusted = context.trusted else {
                throw .invalidParameter(rule: name, name: "trusted", value: "missing",
                                        reason: "FLTrust needs the server's root-data update (AggregationContext.trusted)")
            }
            let (v, chosen) = TrustRules.fltrust(batch, trusted: trusted.map { Double($0) })
            return result(v, chosen)
        case .signGuard(let lower, let upper, let fraction):
            let (v, chosen) = TrustRules.signGuard(batch, lower: lower, upper: upper, fraction: fraction,
                                                   seed: context.seed, round: context.round)
            return result(v, chosen)
        case .dnc(let f, let b, let iterations, let c):
            let (v, chosen) = SpectralRules.dnc(batch, f: f, subDimension: b, iterations: iterations, filterFraction: c,
                                                seed: context.seed, round: context.round)
            return result(v, chosen)
        case .nnm, .bucketing, .clipping, .arc:
            throw .invalidChain(reason: "\"\(name)\" is a pre-aggregator; end the chain with an aggregation rule")
        }
    }
}
