/// `[byzantine]`: how many clients lie and how.
public struct ByzantineSection: ConfigSection {
    /// Number of Byzantine clients (used when `fraction` is nil).
    public var count: Int = 0
    /// Fraction of the clients that are Byzantine; nil = use `count`.
    public var fraction: Double?
    /// Attack; "none" for now.
    public var attack: String = "none"

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
            .text("attack", \.attack, available: ["none"], laterReason: "attacks arrive with the Byzantine work; use \"none\"",
                  "Attack of the Byzantine clients.")
                .arrivesLater("every attack but none: attacks arrive with the Byzantine work"),
        ]
    }
}
