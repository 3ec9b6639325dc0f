// Client-side Byzantine behaviours: run by the worker on the client's own update (or training
// labels), with no knowledge of the other clients (DESIGN §6; robust-aggregation spec §5.1–5.3).
//
// - `bit-flip`: send −update, the negation of the client's own honest update (Karimireddy et
//   al.'s "BF"; not ByzFL's sign flipping, which is the omniscient `sign-flip` = −honest mean).
// - `label-flip`: train honestly on relabelled data, y → C − 1 − y (epfml, ByzFL client, Blades);
//   the update is sent unchanged. Labels outside 0..<C are left as they are.
// - `gaussian`: send N(0, std²) noise *instead of* the update (ByzFL `Gaussian(mu=0, sigma)`:
//   i.i.d. and independent of the honest update). Draws: RandomKey(seed, .attack, round,
//   client), one `nextNormal()` per coordinate in order, computed in Double, rounded to Float.
// - `scaled`: send factor × update (e.g. −10 for the end-to-end test of the issue).
// - `zeros`: send a zero vector.
// - `stale`: resend the update this client sent in the previous round it took part in (the
//   worker keeps it per client); in its first round there is none, and the honest update is sent.

/// A Byzantine behaviour the worker applies to one client's own update.
public enum ClientBehaviour: Sendable, Equatable {
    /// `bit-flip`: send −update.
    case signFlip
    /// `label-flip`: train on labels y → C − 1 − y; `classes` = C (0 = the dataset's class count).
    case labelFlip(classes: Int)
    /// `gaussian`: send N(0, std²) noise instead of the update.
    case gaussianNoise(std: Double)
    /// `scaled`: send factor × update.
    case scaled(factor: Double)
    /// `zeros`: send all zeros.
    case zeros
    /// `stale`: resend the previous round's update.
    case stale

    /// Every behaviour name, as written in experiment files.
    public static let names = ["bit-flip", "label-flip", "gaussian", "scaled", "zeros", "stale"]

    /// The behaviour's name in experiment files.
    public var name: String {
        switch self {
        case .signFlip: "bit-flip"
        case .labelFlip: "label-flip"
        case .gaussianNoise: "gaussian"
        case .scaled: "scaled"
        case .zeros: "zeros"
        case .stale: "stale"
        }
    }

    /// Parses a behaviour. Parameters: `label-flip`: `classes` (default 0 = the dataset's);
    /// `gaussian`: `std` [`sigma`] (default 1.0, ≥ 0); `scaled`: `factor` (required). The others
    /// take none (`n` and `f` are accepted and ignored, as for omniscient attacks).
    public init(name: String, parameters: [String: JSONNode] = [:]) throws(AttackError) {
        var reader = AttackParameterReader(attack: name, parameters: parameters)
        switch name {
        case "bit-flip":
            self = .signFlip
        case "label-flip":
            let classes = try reader.int(["classes"], default: 0)
            try reader.require(classes == 0 || classes >= 2, "classes", Double(classes), "must be 0 (the dataset's) or at least 2")
            self = .labelFlip(classes: classes)
        case "gaussian":
            let std = try reader.double(["std", "sigma"], default: 1.0)
            try reader.require(std >= 0, "std", std, "the noise standard deviation must be ≥ 0")
            self = .gaussianNoise(std: std)
        case "scaled":
            self = .scaled(factor: try reader.double(["factor"], default: nil))
        case "zeros":
            self = .zeros
        case "stale":
            self = .stale
        default:
            if OmniscientAttack.names.contains(name) {
                throw .invalidParameter(attack: name, name: "attack", value: "\"\(name)\"",
                                        reason: "this is an omniscient attack run by the coordinator's adversary, not a client "
                                            + "behaviour (use OmniscientAttack or ByzantineAttack)")
            }
            throw .unknownAttack(name, suggestion: AttackNames.closest(to: name, among: Self.names + OmniscientAttack.names))
        }
        try reader.finish()
    }

    /// The update the Byzantine client sends instead of its honest `update`.
    ///
    /// - Parameters:
    ///   - previous: the update this client sent in its previous round (for `stale`), if any.
    ///   - seed, round, client: the key of `gaussian`'s draws, RandomKey(seed, .attack, round, client).
    /// `label-flip` returns the update unchanged (its effect is in `flipLabel`).
    public func apply(to update: [Float], previous: [Float]?, seed: UInt64, round: UInt64, client: UInt64) -> [Float] {
        switch self {
        case .signFlip:
            return update.map { -$0 }
        case .labelFlip:
            return update
        case .gaussianNoise(let std):
            var generator = RandomKey(seed: seed, purpose: .attack, round: round, client: client).generator
            return update.map { _ in Float(std * generator.nextNormal()) }
        case .scaled(let factor):
            let scale = Float(factor)
            return update.map { $0 * scale }
        case .zeros:
            return [Float](repeating: 0, count: update.count)
        case .stale:
            guard let previous, previous.count == update.count else { return update }
            return previous
        }
    }

    /// The training label the client uses instead of `label`: C − 1 − label for `label-flip`
    /// (C = this behaviour's `classes` if set, else the `classes` argument, the dataset's class
    /// count), the label itself for every other behaviour and for labels outside 0..<C.
    public func flipLabel(_ label: Int32, classes: Int) -> Int32 {
        guard case .labelFlip(let own) = self else { return label }
        let count = own > 0 ? own : classes
        guard count > 0, label >= 0, Int(label) < count else { return label }
        return Int32(count - 1) - label
    }

    /// True if the behaviour changes the training labels (the worker must relabel its data).
    public var flipsLabels: Bool {
        if case .labelFlip = self { return true }
        return false
    }
}
