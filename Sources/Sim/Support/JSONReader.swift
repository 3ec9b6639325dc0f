// An exact JSON reader for fixture files and `gradwire aggregate` inputs.
//
// Why not Foundation's JSONSerialization: on Linux it may round a decimal number to a double that is
// one ulp away from the correctly rounded value, and the robust-aggregation fixtures are written with
// Python's `repr` (shortest round-trip decimals) so that a correctly rounding parser reproduces the
// oracle's float64 inputs bit for bit. This reader scans the JSON grammar (RFC 8259) over UTF-8 bytes
// and converts each number token with Swift's `Double(Substring)`, which rounds correctly.
//
// Deviations from strict JSON: none on input. Convenience accessors accept the strings "Infinity",
// "-Infinity" and "NaN" as numbers (the fixtures' encoding of non-finite values).
// Nesting depth is limited (`JSONNode.maximumDepth`) so hostile input cannot overflow the stack.

/// A parsed JSON value. Objects keep their members in file order as (key, value) pairs.
public enum JSONNode: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONNode])
    case object([(String, JSONNode)])

    /// The deepest nesting of arrays and objects that `parse` accepts.
    public static let maximumDepth = 512

    /// Parses one JSON text (surrounding whitespace allowed, nothing else after the value).
    /// - Throws: `JSONReadError` with the byte offset of the problem.
    public static func parse(_ text: String) throws(JSONReadError) -> JSONNode {
        var parser = JSONParser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }

    /// Parses a JSON text given as UTF-8 bytes.
    public static func parse(utf8 bytes: [UInt8]) throws(JSONReadError) -> JSONNode {
        var parser = JSONParser(bytes: bytes)
        return try parser.parseDocument()
    }

    public static func == (lhs: JSONNode, rhs: JSONNode) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    // MARK: - Accessors

    /// The value of the first member named `key`, or nil when this is not an object or has no such member.
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The element at `index` of an array, or nil.
    public subscript(index: Int) -> JSONNode? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }

    /// A number; also the strings "Infinity", "+Infinity", "-Infinity" and "NaN". Nil otherwise.
    public var doubleValue: Double? {
        switch self {
        case .number(let value): return value
        case .string("Infinity"), .string("+Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .string("NaN"): return .nan
        default: return nil
        }
    }

    /// A number with an exact integer value that fits in `Int`, or nil.
    public var intValue: Int? {
        guard case .number(let value) = self, value.isFinite, value.rounded() == value,
            value >= -0x1p63, value < 0x1p63
        else { return nil }
        return Int(value)
    }

    /// The Boolean value, or nil.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The string value, or nil.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements of an array, or nil.
    public var arrayValue: [JSONNode]? {
        if case .array(let items) = self { return items }
        return nil
    }

    /// The members of an object in file order, or nil.
    public var objectValue: [(String, JSONNode)]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// True for `.null`.
    public var isNull: Bool { self == .null }

    /// An array of numbers (`doubleValue` of each element), or nil if any element is not a number.
    public var vector: [Double]? {
        guard let items = arrayValue else { return nil }
        var result: [Double] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let value = item.doubleValue else { return nil }
            result.append(value)
        }
        return result
    }

    /// An array of arrays of numbers (rows), or nil. Rows may differ in length; callers check shape.
    public var matrix: [[Double]]? {
        guard let items = arrayValue else { return nil }
        var result: [[Double]] = []
        result.reserveCapacity(items.count)
        for item in items {
            guard let row = item.vector else { return nil }
            result.append(row)
        }
        return result
    }
}

/// Why a JSON text could not be parsed; `offset` is the 0-based byte offset in the UTF-8 text.
public enum JSONReadError: Error, Equatable, CustomStringConvertible {
    case unexpectedEnd(offset: Int, expected: String)
    case unexpectedByte(offset: Int, found: UInt8, expected: String)
    case invalidNumber(offset: Int, text: String)
    case invalidEscape(offset: Int)
    case invalidUnicode(offset: Int)
    case controlCharacterInString(offset: Int)
    case tooDeep(offset: Int, limit: Int)
    case trailingContent(offset: Int)

    /// The byte offset of the problem.
    public var offset: Int {
        switch self {
        case .unexpectedEnd(let o, _), .unexpectedByte(let o, _, _), .invalidNumber(let o, _),
            .invalidEscape(let o), .invalidUnicode(let o), .controlCharacterInString(let o),
            .tooDeep(let o, _), .trailingContent(let o):
            return o
        }
    }

    public var description: String {
        switch self {
        case let .unexpectedEnd(offset, expected):
            return "JSON ends early at byte \(offset): expected \(expected); the file is truncated"
        case let .unexpectedByte(offset, found, expected):
            let shown = found >= 0x20 && found < 0x7F ? "'\(Character(Unicode.Scalar(found)))'" : "byte 0x"
                + String(found, radix: 16)
            return "JSON: unexpected \(shown) at byte \(offset): expected \(expected)"
        case let .invalidNumber(offset, text):
            return "JSON: invalid number '\(text)' at byte \(offset); write numbers as JSON numbers (e.g. 1.5e-3)"
        case .invalidEscape(let offset):
            return "JSON: invalid escape sequence at byte \(offset); allowed: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX"
        case .invalidUnicode(let offset):
            return "JSON: invalid UTF-8 or \\u surrogate at byte \(offset); save the file as UTF-8"
        case .controlCharacterInString(let offset):
            return "JSON: raw control character in a string at byte \(offset); escape it (e.g. \\n)"
        case let .tooDeep(offset, limit):
            return "JSON: nesting deeper than \(limit) levels at byte \(offset)"
        case .trailingContent(let offset):
            return "JSON: extra content after the value at byte \(offset); a file holds exactly one value"
        }
    }
}

// MARK: - Parser

/// Recursive-descent parser over UTF-8 bytes.
private struct JSONParser {
    let bytes: [UInt8]
    var position = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(JSONReadError) -> JSONNode {
        // Skip a UTF-8 byte-order mark.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if position < bytes.count { throw .trailingContent(offset: position) }
        return value
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONReadError) -> JSONNode {
        guard position < bytes.count else { throw .unexpectedEnd(offset: position, expected: "a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case let other: throw .unexpectedByte(offset: position, found: other, expected: "a value")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONReadError) {
        let start = position
        let text = literal.utf8Start
        for i in 0..<literal.utf8CodeUnitCount {
            guard position < bytes.count else { throw .unexpectedEnd(offset: position, expected: "\(literal)") }
            guard bytes[position] == text[i] else {
                throw .unexpectedByte(offset: position, found: bytes[position], expected: "'\(literal)' from byte \(start)")
            }
            position += 1
        }
    }

    mutating func enter() throws(JSONReadError) {
        depth += 1
        if depth > JSONNode.maximumDepth { throw .tooDeep(offset: position, limit: JSONNode.maximumDepth) }
    }

    mutating func parseArray() throws(JSONReadError) -> JSONNode {
        try enter()
        position += 1  // [
        var items: [JSONNode] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw .unexpectedEnd(offset: position, expected: "',' or ']'") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "]") { break }
            guard byte == UInt8(ascii: ",") else {
                throw .unexpectedByte(offset: position - 1, found: byte, expected: "',' or ']'")
            }
        }
        depth -= 1
        return .array(items)
    }

    mutating func parseObject() throws(JSONReadError) -> JSONNode {
        try enter()
        position += 1  // {
        var members: [(String, JSONNode)] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw .unexpectedEnd(offset: position, expected: "a member name") }
            guard bytes[position] == UInt8(ascii: "\"") else {
                throw .unexpectedByte(offset: position, found: bytes[position], expected: "a member name in quotes")
            }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count else { throw .unexpectedEnd(offset: position, expected: "':'") }
            guard bytes[position] == UInt8(ascii: ":") else {
                throw .unexpectedByte(offset: position, found: bytes[position], expected: "':'")
            }
            position += 1
            skipWhitespace()
            members.append((key, try parseValue()))
            skipWhitespace()
            guard position < bytes.count else { throw .unexpectedEnd(offset: position, expected: "',' or '}'") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "}") { break }
            guard byte == UInt8(ascii: ",") else {
                throw .unexpectedByte(offset: position - 1, found: byte, expected: "',' or '}'")
            }
        }
        depth -= 1
        return .object(members)
    }

    /// Scans the number grammar `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, then converts
    /// the token with the correctly rounding `Double(Substring)`.
    mutating func parseNumber() throws(JSONReadError) -> Double {
        let start = position
        func digits(_ p: inout Int, _ bytes: [UInt8]) -> Int {
            let s = p
            while p < bytes.count, bytes[p] >= UInt8(ascii: "0"), bytes[p] <= UInt8(ascii: "9") { p += 1 }
            return p - s
        }
        var p = position
        if bytes[p] == UInt8(ascii: "-") { p += 1 }
        var valid = true
        if p < bytes.count, bytes[p] == UInt8(ascii: "0") {
            p += 1
        } else if digits(&p, bytes) == 0 {
            valid = false
        }
        if valid, p < bytes.count, bytes[p] == UInt8(ascii: ".") {
            p += 1
            if digits(&p, bytes) == 0 { valid = false }
        }
        if valid, p < bytes.count, bytes[p] == UInt8(ascii: "e") || bytes[p] == UInt8(ascii: "E") {
            p += 1
            if p < bytes.count, bytes[p] == UInt8(ascii: "+") || bytes[p] == UInt8(ascii: "-") { p += 1 }
            if digits(&p, bytes) == 0 { valid = false }
        }
        let token = String(decoding: bytes[start..<max(p, min(start + 1, bytes.count))], as: UTF8.self)
        guard valid, let value = Double(Substring(token)) else { throw .invalidNumber(offset: start, text: token) }
        position = p
        return value
    }

    mutating func parseString() throws(JSONReadError) -> String {
        position += 1  // opening quote
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flushRun(_ end: Int, into scalars: inout String.UnicodeScalarView) throws(JSONReadError) {
            guard end > runStart else { return }
            guard let run = String(validating: bytes[runStart..<end], as: UTF8.self) else {
                throw .invalidUnicode(offset: runStart)
            }
            scalars.append(contentsOf: run.unicodeScalars)
        }
        while true {
            guard position < bytes.count else { throw .unexpectedEnd(offset: position, expected: "'\"' closing the string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                try flushRun(position, into: &scalars)
                position += 1
                return String(scalars)
            }
            if byte < 0x20 { throw .controlCharacterInString(offset: position) }
            if byte != UInt8(ascii: "\\") {
                position += 1
                continue
            }
            try flushRun(position, into: &scalars)
            let escapeStart = position
            position += 1
            guard position < bytes.count else { throw .unexpectedEnd(offset: position, expected: "an escape") }
            let code = bytes[position]
            position += 1
            switch code {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                let first = try hex4(escapeStart)
                var value = first
                if (0xD800...0xDBFF).contains(first) {
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                        bytes[position + 1] == UInt8(ascii: "u")
                    else { throw .invalidUnicode(offset: escapeStart) }
                    position += 2
                    let second = try hex4(escapeStart)
                    guard (0xDC00...0xDFFF).contains(second) else { throw .invalidUnicode(offset: escapeStart) }
                    value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(first) {
                    throw .invalidUnicode(offset: escapeStart)
                }
                guard let scalar = Unicode.Scalar(value) else { throw .invalidUnicode(offset: escapeStart) }
                scalars.append(scalar)
            default:
                throw .invalidEscape(offset: escapeStart)
            }
            runStart = position
        }
    }

    mutating func hex4(_ escapeStart: Int) throws(JSONReadError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw .unexpectedEnd(offset: position, expected: "4 hex digits") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[position]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw .invalidEscape(offset: escapeStart)
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
