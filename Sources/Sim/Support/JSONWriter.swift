// Writes JSON text that round-trips through `JSONNode.parse` exactly: numbers as Swift's shortest
// round-trip decimal (`Double.description`), non-finite numbers as the strings "Infinity",
// "-Infinity" and "NaN" (the fixture convention), strings escaped per RFC 8259.

extension JSONNode {
    /// Compact JSON text for this value (no spaces), object members in stored order.
    public var jsonText: String {
        var out = ""
        JSONWriter.write(self, into: &out)
        return out
    }
}

/// Formatting helpers shared by `JSONNode.jsonText` and the CLI's bare-array output.
public enum JSONWriter {
    /// The shortest decimal that parses back to `value`; "Infinity"/"-Infinity"/"NaN" in quotes for
    /// non-finite values.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "\"NaN\"" }
        if value == .infinity { return "\"Infinity\"" }
        if value == -.infinity { return "\"-Infinity\"" }
        return value.description
    }

    /// A JSON array of numbers, e.g. `[1.0,-2.5,"Infinity"]`.
    public static func array(_ values: [Double]) -> String {
        "[" + values.map(number).joined(separator: ",") + "]"
    }

    /// A JSON array of arrays of numbers (a matrix, one inner array per row).
    public static func matrix(_ rows: [[Double]]) -> String {
        "[" + rows.map(array).joined(separator: ",") + "]"
    }

    /// A JSON string literal with the required escapes.
    public static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func write(_ node: JSONNode, into out: inout String) {
        switch node {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let value): out += number(value)
        case .string(let value): out += string(value)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += "," }
                out += string(key)
                out += ":"
                write(value, into: &out)
            }
            out += "}"
        }
    }
}
