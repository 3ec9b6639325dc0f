/// One `[[faults]]` entry: a fault injected into the run.
///
/// Fault injection arrives with the stragglers work, which defines the entry's keys; for now any
/// entry is rejected as unavailable, so this type only reserves the name.
public struct FaultSection: Sendable, Equatable {
    /// What happens (e.g. a worker exits, a client drops); defined by the stragglers work.
    public var kind: String

    /// A fault of the given kind.
    public init(kind: String) {
        self.kind = kind
    }

    /// Reads the `[[faults]]` array. Any entry is `unavailable` for now.
    static func readList(_ node: TOMLNode?) throws(ConfigError) -> [FaultSection] {
        guard let node else { return [] }
        guard case .array(let entries) = node else {
            throw .wrongType(key: "faults", expected: "an array of tables ([[faults]])", found: node.described)
        }
        if let first = entries.first {
            throw .unavailable(key: "faults", value: first.tomlText, reason: "fault injection arrives with the stragglers work; remove the [[faults]] entries")
        }
        return []
    }
}
