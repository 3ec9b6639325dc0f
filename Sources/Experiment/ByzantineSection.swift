import Sim

/// `[byzantine]`: how many clients lie and how.
public struct ByzantineSection: ConfigSection {
    /// Number of Byzantine clients (used when `fraction` is nil).
    public var count: Int = 0
    /// Fraction of the clients that are Byzantine; nil = use `count`.
    public var fraction: Double?
    /// Attack: "none", an omniscient attack run by the coordinator's adversary, or a behaviour run
    /// by the Byzantine clients' workers (docs/attacks.md).
    public var attack: String = "none"
    /// The attack's parameters (JSON values), e.g. { tau = 1.5 } or { factor = -10 }.
    public var parameters: JSONNode = .object([])

    /// The defaults (no Byzantine clients).
    public init() {}

    /// The number of Byzantine clients among `clients`: `count`, or ⌊fraction · clients⌋.
    public func byzantineCount(clients: Int) -> Int {
        guard let fraction else { return count }
        return Int((fraction * Double(clients)).rounded(.down))
    }

    static let sectionName = "byzantine"
    static let summary = "How many clients are Byzantine (chosen by a seeded draw) and what they do."
    static let exclusiveKeys = [["count", "fraction"]]

    static var keys: [KeySpec<ByzantineSection>] {
        [
            .integer("count", \.count, min: 0, "Number of Byzantine clients; give either count or fraction.")
                .unused(when: { $0.fraction != nil ? "byzantine.fraction is set" : nil }),
            .optionalFloat("fraction", \.fraction, .unitHalfOpen, "Fraction of the clients that are Byzantine: ⌊fraction · N⌋."),
            .text("attack", \.attack, available: ["none"] + ByzantineAttack.names,
                  laterReason: "not a known attack; see docs/attacks.md",
                  "Attack of the Byzantine clients: none, a coordinator-side attack (sign-flip, inf, alie, ipm, mimic, fang, min-max, optimal-alie, optimal-ipm) or a worker-side behaviour (bit-flip, label-flip, gaussian, scaled, zeros, stale)."),
            .parameters("parameters", \.parameters, nested: false, "Parameters of the attack, e.g. { tau = 1.5 } (alie) or { factor = -10.0 } (scaled).")
                .unused(when: { $0.attack == "none" ? "byzantine.attack is \"none\"" : nil }),
        ]
    }
}
