/// Why an attack or Byzantine behaviour could not be configured or run. Each case names the
/// attack (its experiment-file name) and says what to change.
public enum AttackError: Error, Equatable, CustomStringConvertible {
    /// No attack or behaviour has this name; `suggestion` is the closest known name, if any is close.
    case unknownAttack(String, suggestion: String?)
    /// A parameter is missing, has the wrong type, is out of range or is not a parameter of the attack.
    case invalidParameter(attack: String, name: String, value: String, reason: String)
    /// A factor-search attack (`optimal-alie`, `optimal-ipm`) was run without an aggregator to
    /// evaluate its candidates.
    case needsAggregator(attack: String)
    /// The round has no honest update for an omniscient attack to look at.
    case noHonestUpdates(attack: String)
    /// The attack needs more honest updates than the round has (e.g. a sample standard
    /// deviation needs at least two).
    case tooFewHonestUpdates(attack: String, needed: Int, available: Int)
    /// The aggregator a factor search evaluates its candidates with failed, or returned a vector
    /// of the wrong length.
    case aggregatorFailed(attack: String, reason: String)

    /// One line naming the problem and the fix.
    public var description: String {
        switch self {
        case let .unknownAttack(name, suggestion):
            let hint = suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""
            return "unknown attack \"\(name)\"\(hint); known attacks: "
                + (OmniscientAttack.names + ClientBehaviour.names).joined(separator: ", ")
        case let .invalidParameter(attack, name, value, reason):
            return "attack \"\(attack)\": parameter \(name) = \(value): \(reason)"
        case let .needsAggregator(attack):
            return "attack \"\(attack)\" searches its factor against the aggregation rule; "
                + "pass the round's aggregator (the coordinator's rule chain) to craft"
        case let .noHonestUpdates(attack):
            return "attack \"\(attack)\" needs at least one honest update in the round; none arrived "
                + "(skip the attack for this round or lower the Byzantine count)"
        case let .tooFewHonestUpdates(attack, needed, available):
            return "attack \"\(attack)\" needs at least \(needed) honest updates, the round has \(available) "
                + "(lower the Byzantine count or raise the number of clients per round)"
        case let .aggregatorFailed(attack, reason):
            return "attack \"\(attack)\": the aggregator failed on a candidate: \(reason)"
        }
    }
}
