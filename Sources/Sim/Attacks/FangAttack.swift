// Fang, Cao, Jia, Gong (USENIX Security 2020), "Local Model Poisoning Attacks to Byzantine-Robust
// Federated Learning", full-knowledge variants restated for updates (spec §5.6; the NDSS'21
// re-implementation by Shejwalkar & Houmansadr is the reference for the gradient form).
//
// Krum: s = sign(μ); send −λ·s from every Byzantine client. λ starts at
//   λ₀ = min_i Σ(its n−f−2 smallest distances to other honest updates) / ((n − 2f − 1)·√d)
//        + max_i ‖h_i − μ‖ / √d
// (plain Euclidean distances, n = honest + f, the paper's m = n) and is halved until a
// paper-convention Krum (k = max(1, n−f−2) nearest others, squared distances, declared f = the
// Byzantine count) on [f Byzantine copies, honest updates] selects a Byzantine copy — Byzantine
// rows first as in the NDSS code, so a tie goes to the attacker — or until λ < threshold. If no λ
// succeeds, the last one tried is sent (and −λ₀·s if λ₀ is already below the threshold).
//
// Trimmed mean / median: per coordinate, with h_max / h_min the honest extremes and μ_j the
// honest mean, every Byzantine client draws its own value uniformly
//   μ_j > 0: below the honest minimum, in [h_min/b, h_min] if h_min > 0, else [b·h_min, h_min];
//   μ_j < 0: above the honest maximum, in [h_max, b·h_max] if h_max > 0, else [h_max, h_max/b];
//   μ_j = 0: μ_j.
// Deviation from the spec's wording: it pairs s_j > 0 with the range above h_max. Fang's paper
// sets s to the direction in which the parameter would move and always pushes against it, as the
// Krum variant here does (−λ·s); for updates (gradients or deltas) that is "against sign(μ)".
// Draws: slot j uses RandomKey(seed, .attack, round, client: j), one uniform per coordinate.

extension OmniscientAttack {
    func fangVectors<S: BinaryFloatingPoint & Sendable>(
        _ target: FangTarget, honest: UpdateBatch<S>, mean mu: [Double], byzantineCount f: Int,
        seed: UInt64, round: UInt64
    ) throws(AttackError) -> [[S]] {
        switch target {
        case .krum(let threshold):
            let vector = try fangKrumVector(honest: honest, mean: mu, byzantineCount: f, threshold: threshold)
            return AttackMath.copies(vector, f, as: S.self)
        case .trimmedMean(let b):
            return fangTrimmedMeanVectors(honest: honest, mean: mu, byzantineCount: f, b: b, seed: seed, round: round)
        }
    }

    private func fangKrumVector<S: BinaryFloatingPoint & Sendable>(
        honest: UpdateBatch<S>, mean mu: [Double], byzantineCount f: Int, threshold: Double
    ) throws(AttackError) -> [Double] {
        let h = honest.rows, n = h + f, d = honest.dimension
        guard n - 2 * f - 1 > 0 else {
            throw .invalidParameter(attack: name, name: "count", value: "\(f)",
                                    reason: "Fang's Krum attack needs n > 2f + 1 workers (n = \(n)); lower the Byzantine count")
        }
        let direction = mu.map(AttackMath.sign)
        let rootD = Double(d).squareRoot()
        // Squared honest distances, computed once and reused by every Krum check.
        var squared = [[Double]](repeating: [Double](repeating: 0, count: h), count: h)
        for i in 0..<h {
            for j in (i + 1)..<h {
                let distance = AttackMath.squaredDistance(honest, i, j)
                squared[i][j] = distance
                squared[j][i] = distance
            }
        }
        // Upper bound λ₀ from the honest distances (plain Euclidean).
        let honestDistances = squared.map { $0.map { $0.squareRoot() } }
        let neighbours = max(1, min(n - f - 2, h - 1))
        var minimumSum = h > 1 ? Double.infinity : 0
        if h > 1 {
            for i in 0..<h {
                var others = honestDistances[i]
                others.remove(at: i)
                others.sort()
                minimumSum = min(minimumSum, others.prefix(neighbours).reduce(0, +))
            }
        }
        var maximumSpread = 0.0
        for i in 0..<h { maximumSpread = max(maximumSpread, AttackMath.squaredDistance(honest, row: i, to: mu).squareRoot()) }
        let lambda0 = minimumSum / (Double(n - 2 * f - 1) * rootD) + maximumSpread / rootD

        var lambda = lambda0
        var candidate = direction.map { $0 * -lambda0 }
        while lambda >= threshold {
            candidate = direction.map { $0 * -lambda }
            if krumSelectsByzantine(candidate: candidate, honest: honest, honestSquared: squared, byzantineCount: f) { break }
            lambda /= 2
        }
        return candidate
    }

    /// Paper-convention Krum on [f copies of `candidate`, honest rows]: true if the winner
    /// (lowest score, lowest index on ties) is one of the copies.
    private func krumSelectsByzantine<S: BinaryFloatingPoint & Sendable>(
        candidate: [Double], honest: UpdateBatch<S>, honestSquared: [[Double]], byzantineCount f: Int
    ) -> Bool {
        let h = honest.rows, n = h + f
        let k = max(1, n - f - 2)
        // Squared distances: copy–copy 0, copy–honest ‖h_i − c‖², honest–honest precomputed.
        let toCandidate = (0..<h).map { AttackMath.squaredDistance(honest, row: $0, to: candidate) }
        func score(of others: [Double]) -> Double { others.sorted().prefix(k).reduce(0, +) }
        // Every copy has the same score: f − 1 zeros and the honest distances.
        let copyScore = score(of: [Double](repeating: 0, count: f - 1) + toCandidate)
        for i in 0..<h {
            var others = [Double](repeating: toCandidate[i], count: f)
            for j in 0..<h where j != i { others.append(honestSquared[i][j]) }
            if score(of: others) < copyScore { return false }
        }
        return true
    }

    private func fangTrimmedMeanVectors<S: BinaryFloatingPoint & Sendable>(
        honest: UpdateBatch<S>, mean mu: [Double], byzantineCount f: Int, b: Double, seed: UInt64, round: UInt64
    ) -> [[S]] {
        let d = honest.dimension
        var low = [Double](repeating: .infinity, count: d), high = [Double](repeating: -.infinity, count: d)
        for i in 0..<honest.rows {
            let row = AttackMath.row(honest, i)
            for k in 0..<d {
                low[k] = min(low[k], row[k])
                high[k] = max(high[k], row[k])
            }
        }
        // The interval [from, to] each coordinate is drawn from.
        var from = mu, to = mu
        for k in 0..<d {
            if mu[k] > 0 {
                from[k] = low[k] > 0 ? low[k] / b : b * low[k]
                to[k] = low[k]
            } else if mu[k] < 0 {
                from[k] = high[k]
                to[k] = high[k] > 0 ? b * high[k] : high[k] / b
            }
        }
        return (0..<f).map { slot in
            var generator = RandomKey(seed: seed, purpose: .attack, round: round, client: UInt64(slot)).generator
            return (0..<d).map { k in S(from[k] + generator.nextUniform() * (to[k] - from[k])) }
        }
    }
}
