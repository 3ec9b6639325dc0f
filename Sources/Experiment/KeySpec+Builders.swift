import Foundation

/// Typed readers for `TOMLNode`s: each names the key and the expected type when the type is wrong.
enum NodeReader {
    static func integer(_ node: TOMLNode, _ key: String) throws(ConfigError) -> Int {
        guard case .integer(let value) = node else {
            throw .wrongType(key: key, expected: "an integer", found: node.described)
        }
        return value
    }

    /// A float; integers are accepted (`lr = 1` means 1.0).
    static func float(_ node: TOMLNode, _ key: String) throws(ConfigError) -> Double {
        switch node {
        case .float(let value): return value
        case .integer(let value): return Double(value)
        default: throw .wrongType(key: key, expected: "a number", found: node.described)
        }
    }

    static func string(_ node: TOMLNode, _ key: String) throws(ConfigError) -> String {
        guard case .string(let value) = node else {
            throw .wrongType(key: key, expected: "a string (in quotes)", found: node.described)
        }
        return value
    }

    static func boolean(_ node: TOMLNode, _ key: String) throws(ConfigError) -> Bool {
        guard case .boolean(let value) = node else {
            throw .wrongType(key: key, expected: "true or false", found: node.described)
        }
        return value
    }

    static func integers(_ node: TOMLNode, _ key: String) throws(ConfigError) -> [Int] {
        guard case .array(let items) = node else {
            throw .wrongType(key: key, expected: "an array of integers", found: node.described)
        }
        var values: [Int] = []
        for item in items {
            guard case .integer(let value) = item else {
                throw .wrongType(key: key, expected: "an array of integers", found: node.described)
            }
            values.append(value)
        }
        return values
    }

    /// A single string or an array of strings (a chain).
    static func strings(_ node: TOMLNode, _ key: String) throws(ConfigError) -> [String] {
        switch node {
        case .string(let value): return [value]
        case .array(let items):
            var values: [String] = []
            for item in items {
                guard case .string(let value) = item else {
                    throw .wrongType(key: key, expected: "a string or an array of strings", found: node.described)
                }
                values.append(value)
            }
            return values
        default:
            throw .wrongType(key: key, expected: "a string or an array of strings", found: node.described)
        }
    }
}

// MARK: - Builders

extension KeySpec {
    /// The general builder: decode a node to `V` (throwing typed errors), write `V` back.
    static func make<V>(
        _ name: String, _ keyPath: WritableKeyPath<Section, V>, type: String, allowed: String, meaning: String,
        decode: @escaping (TOMLNode, String, ReadContext) throws(ConfigError) -> V,
        encode: @escaping (V) -> TOMLNode?
    ) -> KeySpec {
        KeySpec(
            name: name, type: type, allowed: allowed, meaning: meaning,
            read: { (section: inout Section, node: TOMLNode, key: String, context: ReadContext) throws(ConfigError) in
                section[keyPath: keyPath] = try decode(node, key, context)
            },
            write: { encode($0[keyPath: keyPath]) },
            reset: { $0[keyPath: keyPath] = $1[keyPath: keyPath] })
    }

    /// An integer with optional inclusive bounds.
    static func integer(
        _ name: String, _ keyPath: WritableKeyPath<Section, Int>, min: Int? = nil, max: Int? = nil, _ meaning: String
    ) -> KeySpec {
        make(name, keyPath, type: "integer", allowed: boundsText(min, max), meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in try checked(NodeReader.integer(node, key), key, min, max) },
             encode: { .integer($0) })
    }

    /// An optional integer (not set = absent) with optional inclusive bounds.
    static func optionalInteger(
        _ name: String, _ keyPath: WritableKeyPath<Section, Int?>, min: Int? = nil, max: Int? = nil, _ meaning: String
    ) -> KeySpec {
        make(name, keyPath, type: "integer", allowed: boundsText(min, max), meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in try checked(NodeReader.integer(node, key), key, min, max) },
             encode: { $0.map(TOMLNode.integer) })
    }

    /// A seed: an integer in 0 ... Int64.max, stored as UInt64.
    static func seed(_ name: String, _ keyPath: WritableKeyPath<Section, UInt64>, _ meaning: String) -> KeySpec {
        make(name, keyPath, type: "integer", allowed: "≥ 0", meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in UInt64(try checked(NodeReader.integer(node, key), key, 0, nil)) },
             encode: { .integer(Int($0)) })
    }

    /// A list of seeds, each in 0 ... Int64.max, without repeats.
    static func seedList(_ name: String, _ keyPath: WritableKeyPath<Section, [UInt64]>, _ meaning: String) -> KeySpec {
        make(name, keyPath, type: "array of integers", allowed: "each ≥ 0, no repeats", meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in
                 var seeds: [UInt64] = []
                 for value in try NodeReader.integers(node, key) {
                     let seed = UInt64(try checked(value, key, 0, nil))
                     if seeds.contains(seed) {
                         throw .invalidValue(key: key, value: node.tomlText, reason: "seed \(seed) is listed twice; list each seed once")
                     }
                     seeds.append(seed)
                 }
                 return seeds
             },
             encode: { .array($0.map { .integer(Int($0)) }) })
    }

    /// A number in `range`; `unavailable` names the later work for values that are not built yet.
    static func float(
        _ name: String, _ keyPath: WritableKeyPath<Section, Double>, _ range: FloatRange,
        unavailable: ((Double) -> String?)? = nil, _ meaning: String
    ) -> KeySpec {
        make(name, keyPath, type: "float", allowed: range.text, meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in
                 let value = try checked(NodeReader.float(node, key), key, range)
                 if let reason = unavailable?(value) {
                     throw .unavailable(key: key, value: node.tomlText, reason: reason)
                 }
                 return value
             },
             encode: { .float($0) })
    }

    /// An optional number (not set = absent) in `range`.
    static func optionalFloat(
        _ name: String, _ keyPath: WritableKeyPath<Section, Double?>, _ range: FloatRange, _ meaning: String
    ) -> KeySpec {
        make(name, keyPath, type: "float", allowed: range.text, meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in try checked(NodeReader.float(node, key), key, range) },
             encode: { $0.map(TOMLNode.float) })
    }

    /// true or false; `unavailable` names the later work for a value that is not built yet.
    static func boolean(
        _ name: String, _ keyPath: WritableKeyPath<Section, Bool>, unavailable: ((Bool) -> String?)? = nil,
        _ meaning: String
    ) -> KeySpec {
        make(name, keyPath, type: "boolean", allowed: "true, false", meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in
                 let value = try NodeReader.boolean(node, key)
                 if let reason = unavailable?(value) {
                     throw .unavailable(key: key, value: node.tomlText, reason: reason)
                 }
                 return value
             },
             encode: { .boolean($0) })
    }

    /// A string. `available` (if given) lists the values built so far; any other non-empty value is
    /// `unavailable` with `laterReason` (free-form names whose full list arrives with later work).
    static func text(
        _ name: String, _ keyPath: WritableKeyPath<Section, String>, available: [String]? = nil,
        laterReason: String = "", _ meaning: String
    ) -> KeySpec {
        let allowed = available.map { $0.map { "\"\($0)\"" }.joined(separator: ", ") } ?? "any non-empty string"
        return make(name, keyPath, type: "string", allowed: allowed, meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in
                 let value = try NodeReader.string(node, key)
                 if value.isEmpty {
                     throw .invalidValue(key: key, value: "\"\"", reason: "it must not be empty")
                 }
                 if let available, !available.contains(value) {
                     throw unknown(value, node, key, available, laterReason)
                 }
                 return value
             },
             encode: { .string($0) })
    }

    /// An optional file path. A relative path is resolved against the experiment file's directory
    /// and stored absolute.
    static func path(_ name: String, _ keyPath: WritableKeyPath<Section, String?>, _ meaning: String) -> KeySpec {
        make(name, keyPath, type: "string (path)", allowed: "a file path", meaning: meaning,
             decode: { node, key, context throws(ConfigError) in
                 let value = try NodeReader.string(node, key)
                 if value.isEmpty { throw .invalidValue(key: key, value: "\"\"", reason: "give a file path") }
                 return absolutePath(value, relativeTo: context.baseDirectory)
             },
             encode: { $0.map(TOMLNode.string) })
    }

    /// One of an enumeration's raw values; `later` maps values that are recognised but not built yet
    /// to the reason (the work that brings them). Unknown values get a "did you mean".
    static func choice<E: RawRepresentable & CaseIterable & Hashable>(
        _ name: String, _ keyPath: WritableKeyPath<Section, E>, later: [E: String] = [:], _ meaning: String
    ) -> KeySpec where E.RawValue == String {
        let names = E.allCases.map(\.rawValue)
        // Values with the same reason are documented together: `"a", "b": reason`.
        var reasons: [String] = []
        for choice in E.allCases { if let reason = later[choice], !reasons.contains(reason) { reasons.append(reason) } }
        let laterText = reasons.map { reason in
            E.allCases.filter { later[$0] == reason }.map { "\"\($0.rawValue)\"" }.joined(separator: ", ") + ": " + reason
        }
        var spec = make(name, keyPath, type: "string", allowed: names.map { "\"\($0)\"" }.joined(separator: ", "),
             meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in
                 let value = try NodeReader.string(node, key)
                 guard let choice = E(rawValue: value) else {
                     var reason = "allowed values are " + names.map { "\"\($0)\"" }.joined(separator: ", ")
                     if let near = Suggestion.closest(to: value, among: names) { reason = "did you mean \"\(near)\"? " + reason }
                     throw .invalidValue(key: key, value: node.tomlText, reason: reason)
                 }
                 if let reason = later[choice] { throw .unavailable(key: key, value: node.tomlText, reason: reason) }
                 return choice
             },
             encode: { .string($0.rawValue) })
        if !laterText.isEmpty { spec.later = laterText.joined(separator: "; ") }
        return spec
    }

    /// An array of integers, each ≥ `min`.
    static func integerList(
        _ name: String, _ keyPath: WritableKeyPath<Section, [Int]>, min: Int, _ meaning: String
    ) -> KeySpec {
        make(name, keyPath, type: "array of integers", allowed: "each ≥ \(min)", meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in
                 let values = try NodeReader.integers(node, key)
                 for value in values where value < min {
                     throw .invalidValue(key: key, value: node.tomlText, reason: "every entry must be ≥ \(min)")
                 }
                 return values
             },
             encode: { .array($0.map(TOMLNode.integer)) })
    }

    /// A chain of names: one string or an array of strings (non-empty). Names outside `available`
    /// are `unavailable` with `laterReason`.
    static func chain(
        _ name: String, _ keyPath: WritableKeyPath<Section, [String]>, available: [String], laterReason: String,
        _ meaning: String
    ) -> KeySpec {
        make(name, keyPath, type: "string or array of strings",
             allowed: available.map { "\"\($0)\"" }.joined(separator: ", "), meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in
                 let values = try NodeReader.strings(node, key)
                 if values.isEmpty {
                     throw .invalidValue(key: key, value: node.tomlText, reason: "give at least one name, e.g. \"\(available[0])\"")
                 }
                 for value in values where !available.contains(value) {
                     throw unknown(value, node, key, available, laterReason)
                 }
                 return values
             },
             encode: { .array($0.map(TOMLNode.string)) })
    }

    // MARK: - Checks

    /// A value outside `available`: `unavailable` when it arrives with later work (`laterReason`),
    /// otherwise an invalid value with a "did you mean" and the allowed names.
    private static func unknown(_ value: String, _ node: TOMLNode, _ key: String, _ available: [String],
                                _ laterReason: String) -> ConfigError {
        if !laterReason.isEmpty, !laterReason.hasPrefix("not a known") {
            return .unavailable(key: key, value: node.tomlText, reason: laterReason)
        }
        var reason = "\"\(value)\" is not one of " + available.map { "\"\($0)\"" }.joined(separator: ", ")
        if let near = Suggestion.closest(to: value, among: available) { reason = "did you mean \"\(near)\"? " + reason }
        return .invalidValue(key: key, value: node.tomlText, reason: reason)
    }

    private static func checked(_ value: Int, _ key: String, _ min: Int?, _ max: Int?) throws(ConfigError) -> Int {
        if let min, value < min { throw .invalidValue(key: key, value: String(value), reason: "it must be ≥ \(min)") }
        if let max, value > max { throw .invalidValue(key: key, value: String(value), reason: "it must be ≤ \(max)") }
        return value
    }

    private static func checked(_ value: Double, _ key: String, _ range: FloatRange) throws(ConfigError) -> Double {
        guard range.contains(value) else {
            throw .invalidValue(key: key, value: TOMLNode.floatText(value), reason: "it must be \(range.text)")
        }
        return value
    }

    private static func boundsText(_ min: Int?, _ max: Int?) -> String {
        switch (min, max) {
        case (let min?, let max?): "\(min) … \(max)"
        case (let min?, nil): "≥ \(min)"
        case (nil, let max?): "≤ \(max)"
        case (nil, nil): "any"
        }
    }
}

/// `path` made absolute: relative paths are joined to `directory` (or the current directory when nil)
/// and standardised (`.` and `..` removed).
func absolutePath(_ path: String, relativeTo directory: String?) -> String {
    if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
    let base = directory.map { absolutePath($0, relativeTo: nil) } ?? FileManager.default.currentDirectoryPath
    return URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
}
