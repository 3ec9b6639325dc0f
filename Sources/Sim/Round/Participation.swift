import Protocol

/// Which clients take part in a round.
///
/// The foundation ships two processes:
/// - `full`: every client, every round.
/// - `uniform(k)`: k of the N clients, uniformly without replacement. Round r (1-based) picks
///   `sorted(permutation(seed·1000 + r, N)[..<k])` with the portable generator — exactly the
///   reference client schedule of the benchmark tasks (TASKS.md), so T1/T2 visit the same clients
///   as the reference loop.
/// The choice depends only on (seed, round, N, k): never on which workers are alive or how fast
/// anything ran.
public enum ParticipationProcess: Sendable, Equatable {
    case full
    case uniform(clientsPerRound: Int)

    /// The participating clients of `round` (1-based), sorted by id.
    public func participants(round: RoundID, clients: Int, seed: UInt64) -> [ClientID] {
        switch self {
        case .full:
            return (0..<clients).map { ClientID($0) }
        case .uniform(let k):
            let streamSeed = seed &* 1000 &+ UInt64(round)
            let perm = PortableRandom.permutation(seed: streamSeed, count: clients)
            return perm.prefix(min(k, clients)).map { ClientID($0) }.sorted()
        }
    }
}
