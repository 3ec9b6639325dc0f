/// The SGC authors' trace rule (spec §A.6.2): in a round, worker i straggles iff its delay exceeds
/// (1 + μ) × the fastest worker's; a round that tolerates the pattern lasts min((1+μ)·fastest,
/// slowest), a round that waits for all lasts as long as the slowest.
public struct ThresholdStragglerRule: Sendable, Equatable {
    /// Slack μ ≥ 0 (the authors' final experiments: 1.0).
    public var mu: Double

    public init(mu: Double) { self.mu = mu }

    /// The straggler mask of one round's delays (computed as min·(1+μ), like the reference).
    public func stragglers(delays: [Double]) -> [Bool] {
        guard let fastest = delays.min() else { return [] }
        let cut = fastest * (1 + mu)
        return delays.map { $0 > cut }
    }

    /// The round's virtual duration.
    public func roundDuration(delays: [Double], waitForAll: Bool) -> Double {
        guard let fastest = delays.min(), let slowest = delays.max() else { return 0 }
        return waitForAll ? slowest : min(fastest * (1 + mu), slowest)
    }
}
