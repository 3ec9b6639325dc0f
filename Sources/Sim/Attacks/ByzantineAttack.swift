/// A `[byzantine] attack` of an experiment: either a behaviour the worker runs on the client's own
/// update, or an omniscient attack the coordinator's adversary crafts from the honest updates.
public enum ByzantineAttack: Sendable, Equatable {
    /// Run in the worker, on each Byzantine client's own update / labels.
    case client(ClientBehaviour)
    /// Run in the coordinator, from the round's honest updates.
    case omniscient(OmniscientAttack)

    /// Every attack name: omniscient attacks first, then client behaviours.
    public static var names: [String] { OmniscientAttack.names + ClientBehaviour.names }

    /// Parses either kind by name (the two name sets are disjoint).
    public init(name: String, parameters: [String: JSONNode] = [:]) throws(AttackError) {
        if OmniscientAttack.names.contains(name) {
            self = .omniscient(try OmniscientAttack(name: name, parameters: parameters))
        } else if ClientBehaviour.names.contains(name) {
            self = .client(try ClientBehaviour(name: name, parameters: parameters))
        } else {
            throw .unknownAttack(name, suggestion: AttackNames.closest(to: name, among: Self.names))
        }
    }

    /// The attack's name in experiment files.
    public var name: String {
        switch self {
        case .client(let behaviour): behaviour.name
        case .omniscient(let attack): attack.name
        }
    }
}
