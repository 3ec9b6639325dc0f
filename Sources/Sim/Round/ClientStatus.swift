/// What became of one selected client in one round (the `status` column of clients.csv).
public enum ClientStatus: String, Sendable, Equatable, CaseIterable {
    /// The update arrived, was valid and entered aggregation.
    case ok
    /// The update arrived after the round's deadline and was dropped.
    case straggler
    /// The worker process hosting the client died during the round.
    case crashed
    /// The client dropped out silently (fault injection).
    case dropped
    /// The update was malformed, non-finite or otherwise invalid and never reached aggregation.
    case rejected
    /// The client is Byzantine (its update was replaced or crafted by an attack).
    case byzantine
}
