/// How the server weighs the updates of a round's participants (`aggregation.weighting`).
///
/// - `samples`: n_k / Σ_{j∈S} n_j — FedAvg (McMahan et al. 2017), normalised over the clients
///   that actually took part (as every implementation does).
/// - `participants`: 1 / |S| — a plain mean over the updates that arrived.
/// - `all`: 1 / N for every participant, N the total number of clients — the unbiased form for
///   full-population objectives (the weights sum to |S|/N, not 1).
/// FedAU, known-probability, MIFA and FedVARP are `ClientWeighting` (Sim/FedAU), which keeps state.
public enum Weighting: String, Sendable, Equatable, CaseIterable {
    case samples
    case participants
    case all

    /// The weight of each participant, in the order given.
    /// - Parameters:
    ///   - sampleCounts: n_k of each participant.
    ///   - population: N, the total number of clients.
    public func weights(sampleCounts: [Int], population: Int) -> [Double] {
        guard !sampleCounts.isEmpty else { return [] }
        switch self {
        case .samples:
            let total = Double(sampleCounts.reduce(0, +))
            guard total > 0 else { return Array(repeating: 1.0 / Double(sampleCounts.count), count: sampleCounts.count) }
            return sampleCounts.map { Double($0) / total }
        case .participants:
            return Array(repeating: 1.0 / Double(sampleCounts.count), count: sampleCounts.count)
        case .all:
            return Array(repeating: 1.0 / Double(max(population, 1)), count: sampleCounts.count)
        }
    }
}
