/// One `[[faults]]` entry: a fault injected into the run (docs/stragglers.md, "Faults").
///
/// ```toml
/// [[faults]]
/// kind = "crash"     # the worker process w1 exits when it receives round 3's task
/// worker = 1
/// round = 3
/// ```
///
/// Kinds and their keys:
/// - `crash` (`worker`, `round`): the worker process named `w<worker>` (the names `gradwire launch`
///   gives) exits when it receives that round's task — a real process death, detected by the
///   coordinator through the missing heartbeats (`run.heartbeat_timeout_s`); its clients are `crashed`.
/// - `rejoin` with `worker` (`worker`, `round`): `gradwire launch` starts the crashed worker again
///   once round − 1 has finished; it joins under its old name and gets clients from the next round.
/// - `drop` (`client`, `round`, optional `rounds`): the client gives no answer in `rounds`
///   consecutive rounds from `round` (default 1; 0 = until a `rejoin` of that client). The worker
///   sends nothing for it; the coordinator learns of the silence from the worker's end-of-task
///   marker and marks it `dropped`.
/// - `rejoin` with `client` (`client`, `round`): ends an open-ended drop (`rounds = 0`) at `round`.
/// - `late` (`client`, `round`, `delay_s`): the client's reply is delayed by `delay_s` virtual
///   seconds (real seconds × `timing.wall_scale` in wall mode); the round policy decides whether it
///   still counts.
/// - `corrupt` (`client`, `round`): the worker sends a malformed message in place of the client's
///   update; the coordinator rejects it with a typed decode error and marks the client `rejected`.
public struct FaultSection: Sendable, Equatable {
    /// What happens.
    public enum Kind: String, CaseIterable, Sendable, Hashable {
        case crash, drop, late, corrupt, rejoin
    }

    /// What happens.
    public var kind: Kind
    /// The round (1-based) the fault takes effect.
    public var round: Int
    /// The worker index n of the process named `w<n>` (crash, rejoin of a worker).
    public var worker: Int?
    /// The logical client (drop, late, corrupt, rejoin of a client).
    public var client: Int?
    /// `late`: virtual seconds added to the reply.
    public var delaySeconds: Double?
    /// `drop`: consecutive rounds without an answer (0 = until the client's `rejoin`).
    public var rounds: Int

    /// A fault of `kind` at `round`.
    public init(kind: Kind, round: Int, worker: Int? = nil, client: Int? = nil, delaySeconds: Double? = nil, rounds: Int = 1) {
        self.kind = kind
        self.round = round
        self.worker = worker
        self.client = client
        self.delaySeconds = delaySeconds
        self.rounds = rounds
    }

    /// The worker process name the fault targets (`w<worker>`), if any.
    public var workerName: String? { worker.map { "w\($0)" } }

    static let keyNames = ["kind", "round", "worker", "client", "delay_s", "rounds"]

    /// The documentation of the entry's keys.
    static var reference: SectionReference {
        func key(_ name: String, _ type: String, _ defaultValue: String, _ allowed: String, _ meaning: String) -> KeyReference {
            KeyReference(section: "faults", name: name, type: type, defaultValue: defaultValue, allowed: allowed,
                         meaning: meaning, later: nil)
        }
        return SectionReference(
            name: "faults",
            summary: "A list of injected faults, one [[faults]] table each: a worker process exits (crash) or comes back "
                + "(rejoin), a client drops silently, replies late, sends a corrupted message or rejoins (docs/stragglers.md).",
            keys: [
                key("kind", "string", "required", Kind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "),
                    "What happens."),
                key("round", "integer", "required", "1 … run.rounds", "The round the fault takes effect."),
                key("worker", "integer", "not set", "≥ 0",
                    "crash, rejoin: the worker process named w<worker> (the names gradwire launch gives)."),
                key("client", "integer", "not set", "0 … partition.clients − 1", "drop, late, corrupt, rejoin: the client."),
                key("delay_s", "float", "not set", "> 0", "late: virtual seconds added to the client's reply."),
                key("rounds", "integer", "`1`", "≥ 0", "drop: consecutive rounds without an answer (0 = until a rejoin of the client)."),
            ])
    }

    /// The entry as TOML lines (after `[[faults]]`).
    func tomlLines() -> [String] {
        var lines = ["[[faults]]", "kind = \(TOMLNode.quoted(kind.rawValue))", "round = \(round)"]
        if let worker { lines.append("worker = \(worker)") }
        if let client { lines.append("client = \(client)") }
        if let delaySeconds { lines.append("delay_s = \(TOMLNode.float(delaySeconds).tomlText)") }
        if kind == .drop { lines.append("rounds = \(rounds)") }
        return lines
    }

    /// Reads the `[[faults]]` array (checks within each entry; checks against other sections and
    /// between entries are in `ExperimentConfig.checkFaults`).
    static func readList(_ node: TOMLNode?) throws(ConfigError) -> [FaultSection] {
        guard let node else { return [] }
        guard case .array(let entries) = node else {
            throw .wrongType(key: "faults", expected: "an array of tables ([[faults]])", found: node.described)
        }
        var faults: [FaultSection] = []
        for (index, entry) in entries.enumerated() {
            faults.append(try read(entry, key: "faults[\(index)]"))
        }
        return faults
    }

    private static func read(_ node: TOMLNode, key: String) throws(ConfigError) -> FaultSection {
        guard case .table(let table) = node else {
            throw .wrongType(key: key, expected: "a table ([[faults]])", found: node.described)
        }
        for name in table.keys.sorted() where !keyNames.contains(name) {
            throw .unknownKey(key: "\(key).\(name)", suggestion: Suggestion.closest(to: name, among: keyNames).map { "\(key).\($0)" })
        }
        guard let kindNode = table["kind"] else {
            throw .missingKey(key: "\(key).kind", reason: "say what happens: one of "
                              + Kind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))
        }
        let kindText = try NodeReader.string(kindNode, "\(key).kind")
        guard let kind = Kind(rawValue: kindText) else {
            var reason = "allowed kinds are " + Kind.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            if let near = Suggestion.closest(to: kindText, among: Kind.allCases.map(\.rawValue)) { reason = "did you mean \"\(near)\"? " + reason }
            throw .invalidValue(key: "\(key).kind", value: kindNode.tomlText, reason: reason)
        }
        func integer(_ name: String, min: Int) throws(ConfigError) -> Int? {
            guard let value = table[name] else { return nil }
            let number = try NodeReader.integer(value, "\(key).\(name)")
            guard number >= min else {
                throw .invalidValue(key: "\(key).\(name)", value: value.tomlText, reason: "use an integer ≥ \(min)")
            }
            return number
        }
        guard let round = try integer("round", min: 1) else {
            throw .missingKey(key: "\(key).round", reason: "a \(kind.rawValue) fault needs the round it happens in (≥ 1)")
        }
        var fault = FaultSection(kind: kind, round: round, worker: try integer("worker", min: 0),
                                 client: try integer("client", min: 0), rounds: try integer("rounds", min: 0) ?? 1)
        if let value = table["delay_s"] {
            let seconds = try NodeReader.float(value, "\(key).delay_s")
            guard seconds.isFinite, seconds > 0 else {
                throw .invalidValue(key: "\(key).delay_s", value: value.tomlText, reason: "use a positive number of seconds")
            }
            fault.delaySeconds = seconds
        }
        func forbid(_ name: String, _ why: String) throws(ConfigError) {
            if table[name] != nil { throw .conflict(keys: ["\(key).kind", "\(key).\(name)"], reason: why) }
        }
        func require(_ name: String, _ why: String) throws(ConfigError) {
            if table[name] == nil { throw .missingKey(key: "\(key).\(name)", reason: why) }
        }
        switch kind {
        case .crash:
            try require("worker", "a crash fault names the worker process that exits (worker = n for the process w<n>)")
            try forbid("client", "a crash takes down a worker process, not a client; use kind = \"drop\" for a client")
        case .rejoin:
            if (table["worker"] == nil) == (table["client"] == nil) {
                throw .conflict(keys: ["\(key).worker", "\(key).client"],
                                reason: "a rejoin names either the worker process that comes back or the client; give exactly one")
            }
        case .drop, .late, .corrupt:
            try require("client", "a \(kind.rawValue) fault names the client it affects")
            try forbid("worker", "a \(kind.rawValue) fault affects a client; remove worker (its worker follows from the layout)")
        }
        if kind == .late {
            try require("delay_s", "a late fault says by how many virtual seconds the reply is delayed")
        } else {
            try forbid("delay_s", "only a late fault has a delay")
        }
        if kind != .drop { try forbid("rounds", "only a drop fault lasts several rounds") }
        return fault
    }
}
