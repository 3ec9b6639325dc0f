import Sim

extension KeySpec {
    /// A table of parameters, kept as JSON values (the form rules and attacks read them in):
    /// `parameters = { tau = 10.0, L = 3 }`, or with `nested` a table of such tables keyed by
    /// name (`parameters = { centered-clipping = { tau = 10.0 } }`). The values are checked by the
    /// rule or attack they belong to, when the run is set up.
    static func parameters(
        _ name: String, _ keyPath: WritableKeyPath<Section, JSONNode>, nested: Bool, _ meaning: String
    ) -> KeySpec {
        make(name, keyPath, type: nested ? "table of tables" : "table",
             allowed: nested ? "{ rule = { key = value, … }, … }" : "{ key = value, … }", meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in try json(node, key, tablesAllowed: nested ? 1 : 0) },
             encode: { value in
                 guard case .object(let members) = value, !members.isEmpty else { return nil }
                 return toml(value)
             })
    }

    private static func json(_ node: TOMLNode, _ key: String, tablesAllowed: Int) throws(ConfigError) -> JSONNode {
        guard case .table(let entries) = node else {
            throw .wrongType(key: key, expected: "a table such as { tau = 10.0 }", found: node.described)
        }
        var members: [(String, JSONNode)] = []
        for name in entries.keys.sorted() {
            let value = entries[name]!
            let inner = key + "." + name
            if case .table = value {
                guard tablesAllowed > 0 else {
                    throw .wrongType(key: inner, expected: "a number, string, boolean or array", found: value.described)
                }
                members.append((name, try json(value, inner, tablesAllowed: tablesAllowed - 1)))
            } else {
                members.append((name, try scalar(value, inner)))
            }
        }
        return .object(members)
    }

    private static func scalar(_ node: TOMLNode, _ key: String) throws(ConfigError) -> JSONNode {
        switch node {
        case .string(let s): return .string(s)
        case .integer(let i): return .number(Double(i))
        case .float(let d): return .number(d)
        case .boolean(let b): return .bool(b)
        case .array(let items):
            var values: [JSONNode] = []
            for item in items { values.append(try scalar(item, key)) }
            return .array(values)
        case .table, .other:
            throw .wrongType(key: key, expected: "a number, string, boolean or array", found: node.described)
        }
    }

    private static func toml(_ value: JSONNode) -> TOMLNode {
        switch value {
        case .null: return .string("")
        case .bool(let b): return .boolean(b)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? .integer(Int(d)) : .float(d)
        case .string(let s): return .string(s)
        case .array(let items): return .array(items.map(toml))
        case .object(let members):
            var table: [String: TOMLNode] = [:]
            for (k, v) in members { table[k] = toml(v) }
            return .table(table)
        }
    }
}

extension JSONNode {
    /// The members of an object as a dictionary (empty for anything else).
    var members: [String: JSONNode] {
        guard case .object(let pairs) = self else { return [:] }
        var out: [String: JSONNode] = [:]
        for (k, v) in pairs { out[k] = v }
        return out
    }
}
