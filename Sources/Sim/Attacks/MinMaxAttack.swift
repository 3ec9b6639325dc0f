// Min-Max (Shejwalkar & Houmansadr, NDSS 2021, "Manipulating the Byzantine"), as Blades runs it
// (spec §5.8): the Byzantine vector is μ − γ·δ with the largest γ in [0, gamma_max] such that its
// largest squared distance to an honest update does not exceed the largest squared distance
// between two honest updates. δ is the sample standard deviation (default), μ/‖μ‖ or sign(μ).
//
// Search: γ = gamma_max is taken if it is feasible; otherwise bisection on [0, gamma_max]
// (γ = 0, the honest mean, is always feasible: a point of the convex hull is never farther from
// an honest update than the farthest honest update) until the interval is narrower than
// `tolerance`, keeping the feasible end. NDSS's loop starts at gamma_max and moves by halving
// steps, which can end above gamma_max; this form stays in the interval the spec states.

extension OmniscientAttack {
    func minMaxVector<S: BinaryFloatingPoint & Sendable>(
        _ settings: MinMaxSettings, honest: UpdateBatch<S>, mean mu: [Double]
    ) throws(AttackError) -> [Double] {
        let h = honest.rows
        let deviation: [Double]
        switch settings.deviation {
        case .std:
            deviation = try sampleStd(honest, mean: mu)
        case .unitVector:
            let length = AttackMath.norm(mu)
            deviation = length > 0 ? mu.map { $0 / length } : mu
        case .sign:
            deviation = mu.map(AttackMath.sign)
        }
        var diameter = 0.0
        for i in 0..<h {
            for j in (i + 1)..<h { diameter = max(diameter, AttackMath.squaredDistance(honest, i, j)) }
        }
        func candidate(_ gamma: Double) -> [Double] {
            var result = mu
            for k in result.indices { result[k] = mu[k] - gamma * deviation[k] }
            return result
        }
        func feasible(_ gamma: Double) -> Bool {
            let vector = candidate(gamma)
            for i in 0..<h where AttackMath.squaredDistance(honest, row: i, to: vector) > diameter { return false }
            return true
        }
        if feasible(settings.gammaMax) { return candidate(settings.gammaMax) }
        var low = 0.0, high = settings.gammaMax
        while high - low > settings.tolerance {
            let middle = (low + high) / 2
            if feasible(middle) { low = middle } else { high = middle }
        }
        return candidate(low)
    }
}
