/// FedBuff's state between server steps (filled in by the FedBuff round loop).
struct FedBuffState: Sendable, Equatable, Codable {
    /// Server version: server steps taken.
    var version = 0
}
