/// Heterogeneous participation probabilities p_n correlated with the clients' labels.
///
/// Source: `../shared/specs/algorithms.md` §2 (IBM/fedau `util/util.py`,
/// `data_participation_each_node`). θ ~ Dirichlet(α_p·1_C) is drawn once for all clients; with
/// π_n client n's actual label histogram (fractions),
/// p_n = max(p_min, (Σ_c π_{n,c}·θ_c)·(p̄·C)), in the reference's operation order. Defaults
/// α_p = 0.1, p̄ = 0.1, p_min = 0.02. Deviation: θ comes from our Dirichlet sampler on the stream
/// `RandomKey(seed, .participation, round: 0, client: UInt64.max)` instead of numpy's.
public enum ParticipationProbabilities {
    /// The reference's Dirichlet concentration α_p.
    public static let defaultAlpha = 0.1
    /// The reference's mean probability p̄.
    public static let defaultMean = 0.1
    /// The reference's floor p_min.
    public static let defaultFloor = 0.02

    /// θ: one Dirichlet(α·1_C) draw shared by all clients.
    public static func drawTheta(classes: Int, alpha: Double = defaultAlpha, seed: UInt64) throws(ParticipationError) -> [Double] {
        guard classes >= 1 else {
            throw .invalidParameter(name: "classes", value: "\(classes)", expected: "at least 1")
        }
        guard alpha > 0 && alpha.isFinite else {
            throw .invalidParameter(name: "participation.dirichlet_alpha", value: "\(alpha)", expected: "a positive number")
        }
        var random = RandomKey(seed: seed, purpose: .participation, round: 0, client: UInt64.max).generator
        return Distributions.dirichlet(alpha: alpha, count: classes, using: &random)
    }

    /// p_n from label fractions π_{n,c} (rows summing to 1) and θ.
    public static func fromLabelFractions(_ fractions: [[Double]], theta: [Double], mean: Double = defaultMean,
                                          floor: Double = defaultFloor) throws(ParticipationError) -> [Double] {
        guard mean > 0 && mean <= 1 else {
            throw .invalidParameter(name: "participation.mean_probability", value: "\(mean)", expected: "a value in (0, 1]")
        }
        guard floor > 0 && floor <= 1 else {
            throw .invalidParameter(name: "participation.min_probability", value: "\(floor)", expected: "a value in (0, 1]")
        }
        let scale = mean * Double(theta.count)
        var p: [Double] = []
        p.reserveCapacity(fractions.count)
        for row in fractions {
            guard row.count == theta.count else {
                throw .dimensionMismatch(what: "label histogram", expected: theta.count, actual: row.count)
            }
            var dot = 0.0
            for c in 0..<row.count { dot += row[c] * theta[c] }
            // Above 1 the process would be "always active"; clamp so that every p_n is a probability.
            p.append(min(1, max(floor, dot * scale)))
        }
        return p
    }

    /// p_n from label counts (each row is divided by its sum; an empty client gets p_min).
    public static func fromLabelCounts(_ counts: [[Int]], theta: [Double], mean: Double = defaultMean,
                                       floor: Double = defaultFloor) throws(ParticipationError) -> [Double] {
        let fractions = counts.map { row -> [Double] in
            let total = Double(row.reduce(0, +))
            return total > 0 ? row.map { Double($0) / total } : row.map { _ in 0 }
        }
        return try fromLabelFractions(fractions, theta: theta, mean: mean, floor: floor)
    }
}
