/// A TOML value detached from TOMLKit: plain Swift values that are `Sendable` and `Equatable`.
///
/// Every experiment file is converted to this tree right after parsing, so overrides, variants and
/// grids are merged on values, never on TOMLKit's reference-typed tables. Dates and times (which
/// no experiment key accepts) are kept only as their type name, for error messages.
enum TOMLNode: Sendable, Equatable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case array([TOMLNode])
    case table([String: TOMLNode])
    /// A date, time or date-time; the payload names the type.
    case other(String)

    /// The TOML type name used in error messages ("integer", "float", ...).
    var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .array: "array"
        case .table: "table"
        case .other(let name): name
        }
    }

    /// The value as TOML source text (inline form for tables), deterministic: table keys sorted.
    var tomlText: String {
        switch self {
        case .string(let text): TOMLNode.quoted(text)
        case .integer(let value): String(value)
        case .float(let value): TOMLNode.floatText(value)
        case .boolean(let value): value ? "true" : "false"
        case .array(let items): "[" + items.map(\.tomlText).joined(separator: ", ") + "]"
        case .table(let entries):
            "{ " + entries.keys.sorted().map { "\(TOMLNode.keyText($0)) = \(entries[$0]!.tomlText)" }
                .joined(separator: ", ") + " }"
        case .other(let name): "<\(name)>"
        }
    }

    /// Short description for error messages: type and value, e.g. `float (10.5)`.
    var described: String { "\(typeName) (\(tomlText))" }

    /// A TOML basic string literal with every character that needs it escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A key as TOML text: bare when it only has letters, digits, `_` and `-`, quoted otherwise.
    static func keyText(_ key: String) -> String {
        let bare = !key.isEmpty && key.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "_" || scalar == "-"
        }
        return bare ? key : quoted(key)
    }

    /// Shortest text that reads back as exactly `value` (Swift's shortest round-trip form), always a
    /// TOML float (never an integer literal): `1.0`, `0.05`, `1e-05`, `inf`, `nan`.
    /// Integral values of a million or more are written with an exponent (`1.25e6`, `1e9`).
    static func floatText(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        if value == value.rounded(), abs(value) >= 1e6, abs(value) < 9_007_199_254_740_992 {
            let digits = String(Int64(abs(value)))
            var significant = Substring(digits)
            while significant.last == "0" { significant.removeLast() }
            let mantissa = significant.count > 1
                ? "\(significant.first!).\(significant.dropFirst())" : String(significant)
            return (value < 0 ? "-" : "") + mantissa + "e\(digits.count - 1)"
        }
        let text = "\(value)"
        if text.contains(".") || text.contains("e") || text.contains("E") { return text }
        return text + ".0"
    }
}
