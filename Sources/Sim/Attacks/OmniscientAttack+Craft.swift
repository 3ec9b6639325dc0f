// `craft`: the f Byzantine vectors of a round from its honest updates. The closed-form attacks
// (sign flip, inf, ALIE, IPM, Mimic) live here; Fang, Min-Max and the factor searches have their
// own files. Statistics are computed in Double and the result converted to the update's type.

extension OmniscientAttack {
    /// The f Byzantine vectors for this round, crafted from the honest ones.
    ///
    /// - Parameters:
    ///   - honest: the round's honest updates (n − f rows); the adversary sees all of them.
    ///   - f: how many Byzantine vectors to return (the Byzantine clients of the round).
    ///     The round's worker count is taken as n = honest.rows + f (ALIE's z formulas, Fang).
    ///   - seed, round: the key of the random draws (`RandomKey(seed, .attack, round, j)` for
    ///     Byzantine slot j = 0..<f); only `fang` against trimmed mean and Mimic's max-variance
    ///     start vector draw.
    ///   - aggregator: the rule chain the coordinator runs, for the factor searches
    ///     (`optimal-alie`, `optimal-ipm`); ignored by every other attack.
    /// - Returns: f vectors of `honest.dimension` values (identical unless the attack draws).
    public func craft<S: BinaryFloatingPoint & Sendable>(
        honest: UpdateBatch<S>, byzantineCount f: Int, seed: UInt64, round: UInt64,
        aggregator: ((UpdateBatch<S>) throws -> [S])? = nil
    ) throws(AttackError) -> [[S]] {
        guard f >= 0 else {
            throw .invalidParameter(attack: name, name: "count", value: "\(f)", reason: "the Byzantine count must be ≥ 0")
        }
        if self == .infinity {
            return AttackMath.copies([Double](repeating: .infinity, count: honest.dimension), f, as: S.self)
        }
        guard honest.rows > 0 else { throw .noHonestUpdates(attack: name) }
        if f == 0 { return [] }
        let mu = AttackMath.mean(honest)
        switch self {
        case .infinity:
            return []  // handled above
        case .signFlip:
            return AttackMath.copies(mu.map { -$0 }, f, as: S.self)
        case .ipm(let tau):
            return AttackMath.copies(Self.ipmVector(mean: mu, tau: tau), f, as: S.self)
        case .alie(let factor):
            let sigma = try sampleStd(honest, mean: mu)
            let tau = try factor.value(workers: honest.rows + f, byzantine: f)
            return AttackMath.copies(Self.alieVector(mean: mu, std: sigma, tau: tau), f, as: S.self)
        case .mimic(let target):
            let index = try mimicIndex(target, honest: honest, mean: mu, seed: seed, round: round)
            return Array(repeating: Array(honest.row(index)), count: f)
        case .fang(let target):
            return try fangVectors(target, honest: honest, mean: mu, byzantineCount: f, seed: seed, round: round)
        case .minMax(let settings):
            return AttackMath.copies(try minMaxVector(settings, honest: honest, mean: mu), f, as: S.self)
        case .optimalALIE(let search):
            guard let aggregator else { throw .needsAggregator(attack: name) }
            let sigma = try sampleStd(honest, mean: mu)
            return try searchFactor(search, honest: honest, mean: mu, byzantineCount: f, aggregator: aggregator) {
                Self.alieVector(mean: mu, std: sigma, tau: $0)
            }
        case .optimalIPM(let search):
            guard let aggregator else { throw .needsAggregator(attack: name) }
            return try searchFactor(search, honest: honest, mean: mu, byzantineCount: f, aggregator: aggregator) {
                Self.ipmVector(mean: mu, tau: $0)
            }
        }
    }

    /// −τ·μ (ByzFL `InnerProductManipulation`).
    static func ipmVector(mean: [Double], tau: Double) -> [Double] {
        mean.map { $0 * -tau }
    }

    /// μ + τ·σ (ByzFL `ALittleIsEnough`: `mean + std * tau`).
    static func alieVector(mean: [Double], std: [Double], tau: Double) -> [Double] {
        var result = mean
        for k in result.indices { result[k] = mean[k] + std[k] * tau }
        return result
    }

    /// The sample standard deviation, or an error with fewer than two honest updates.
    func sampleStd<S: BinaryFloatingPoint & Sendable>(_ honest: UpdateBatch<S>, mean: [Double]) throws(AttackError) -> [Double] {
        guard honest.rows >= 2 else {
            throw .tooFewHonestUpdates(attack: name, needed: 2, available: honest.rows)
        }
        return AttackMath.sampleStd(honest, mean: mean)
    }

    /// The honest row Mimic copies.
    func mimicIndex<S: BinaryFloatingPoint & Sendable>(
        _ target: MimicTarget, honest: UpdateBatch<S>, mean: [Double], seed: UInt64, round: UInt64
    ) throws(AttackError) -> Int {
        switch target {
        case .worker(let index):
            guard index < honest.rows else {
                throw .invalidParameter(attack: name, name: "epsilon", value: "\(index)",
                                        reason: "the round has only \(honest.rows) honest updates (indices 0..<\(honest.rows))")
            }
            return index
        case .maxVariance(let iterations):
            let d = honest.dimension
            // Seeded start direction, then power iteration on the centred honest updates:
            // z ← Σ_i (h_i − μ)⟨h_i − μ, z⟩ / ‖·‖.
            var generator = RandomKey(seed: seed, purpose: .attack, round: round, client: UInt64.max).generator
            var z = (0..<d).map { _ in generator.nextNormal() }
            let centred = (0..<honest.rows).map { i in
                zip(AttackMath.row(honest, i), mean).map { $0 - $1 }
            }
            for _ in 0..<iterations {
                var next = [Double](repeating: 0, count: d)
                for row in centred {
                    var dot = 0.0
                    for k in 0..<d { dot += row[k] * z[k] }
                    for k in 0..<d { next[k] += row[k] * dot }
                }
                let length = AttackMath.norm(next)
                guard length > 0 else { break }  // all honest updates equal: keep the start direction
                z = next.map { $0 / length }
            }
            // ByzFL's WorkerWithMaxVariance: argmax |⟨h_i, z⟩|, lowest index on ties.
            var best = 0, bestValue = -Double.infinity
            for i in 0..<honest.rows {
                var dot = 0.0
                let row = AttackMath.row(honest, i)
                for k in 0..<d { dot += row[k] * z[k] }
                if abs(dot) > bestValue { best = i; bestValue = abs(dot) }
            }
            return best
        }
    }
}
