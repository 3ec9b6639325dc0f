import Sim

/// A JSON value with object keys kept in insertion order, rendered deterministically: integers
/// as integers, doubles in their shortest round-trip form, non-finite doubles as null.
/// Used for rounds.jsonl, events.jsonl and summary.json so that two runs of the same experiment
/// produce byte-identical deterministic fields.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.rendered() == rhs.rendered() }

    /// A double, or null when absent.
    public static func number(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }

    /// Compact one-line JSON.
    public func rendered() -> String {
        var out = ""
        render(into: &out, indent: nil, level: 0)
        return out
    }

    /// Indented JSON (two spaces), for summary.json.
    public func pretty() -> String {
        var out = ""
        render(into: &out, indent: "  ", level: 0)
        return out + "\n"
    }

    private func render(into out: inout String, indent: String?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            out += d.isFinite ? "\(d)" : "null"  // Swift prints the shortest round-trip form
        case .string(let s): Self.escape(s, into: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += indent == nil ? "," : ", " }
                item.render(into: &out, indent: nil, level: level + 1)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out += "," }
                if let indent { out += "\n" + String(repeating: indent, count: level + 1) }
                Self.escape(key, into: &out)
                out += indent == nil ? ":" : ": "
                value.render(into: &out, indent: indent, level: level + 1)
            }
            if let indent, !fields.isEmpty { out += "\n" + String(repeating: indent, count: level) }
            out += "}"
        }
    }

    private static func escape(_ s: String, into out: inout String) {
        out += JSONWriter.string(s)
    }
}

