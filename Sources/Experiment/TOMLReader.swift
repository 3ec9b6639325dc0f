import TOMLKit

/// Reads TOML text with TOMLKit and converts it to a `TOMLNode` tree.
enum TOMLReader {
    /// Parses a whole document. Syntax errors become `ConfigError.syntax` with TOMLKit's line and column.
    static func parse(_ text: String) throws(ConfigError) -> [String: TOMLNode] {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let begin = error.source.begin
            throw .syntax(message: "line \(begin.line), column \(begin.column): \(error.description)")
        } catch {
            throw .syntax(message: "\(error)")
        }
        return convert(table)
    }

    /// Parses a single value written in TOML syntax (`0.05`, `[1, 2]`, `"x"`); nil when it is not valid TOML.
    static func parseValue(_ text: String) -> TOMLNode? {
        guard !text.contains("\n"), let table = try? TOMLTable(string: "value = " + text) else { return nil }
        return convert(table)["value"]
    }

    private static func convert(_ table: TOMLTable) -> [String: TOMLNode] {
        var result: [String: TOMLNode] = [:]
        for key in table.keys {
            if let value = table[key] { result[key] = convert(value) }
        }
        return result
    }

    private static func convert(_ value: any TOMLValueConvertible) -> TOMLNode {
        switch value.type {
        case .string: return value.string.map(TOMLNode.string) ?? .other("string")
        case .int: return value.int.map(TOMLNode.integer) ?? .other("integer")
        case .double: return value.double.map(TOMLNode.float) ?? .other("float")
        case .bool: return value.bool.map(TOMLNode.boolean) ?? .other("boolean")
        case .array:
            guard let array = value.array else { return .array([]) }
            return .array(array.map { convert($0) })
        case .table:
            guard let table = value.table else { return .table([:]) }
            return .table(convert(table))
        case .date: return .other("date")
        case .time: return .other("time")
        case .dateTime: return .other("date-time")
        }
    }
}
