// Typed access to one rule's parameters. Parameters arrive as JSON values (fixture `params`
// objects, `gradwire aggregate` files) or are built by the experiment reader from the TOML
// `[aggregation]` section (it converts each value to a `JSONNode`). Every getter throws
// `RobustError.invalidParameter` naming the rule, the key, the value and what is expected.

/// The parameters of one rule: key → JSON value (keys as in the fixtures README, e.g. "f", "tau", "L").
public struct RuleParameters: Sendable, Equatable {
    /// The raw values.
    public var values: [String: JSONNode]

    /// Parameters from a dictionary.
    public init(_ values: [String: JSONNode] = [:]) {
        self.values = values
    }

    /// Parameters from a JSON object (a fixture's `params`); `null` gives no parameters.
    public init(json: JSONNode, rule: String) throws(RobustError) {
        switch json {
        case .null: self.values = [:]
        case .object(let members):
            var dict: [String: JSONNode] = [:]
            for (key, value) in members { dict[key] = value }
            self.values = dict
        default:
            throw .invalidParameter(rule: rule, name: "params", value: json.jsonText, reason: "expected an object of parameters")
        }
    }

    /// True when `key` is present.
    public func has(_ key: String) -> Bool { values[key] != nil }

    // MARK: - Typed getters (nil / default when absent, throw when present but wrong)

    func int(_ key: String, rule: String, min: Int? = nil) throws(RobustError) -> Int? {
        guard let node = values[key] else { return nil }
        guard let value = node.intValue else {
            throw .invalidParameter(rule: rule, name: key, value: node.jsonText, reason: "expected an integer")
        }
        if let min, value < min {
            throw .invalidParameter(rule: rule, name: key, value: "\(value)", reason: "must be at least \(min)")
        }
        return value
    }

    func double(_ key: String, rule: String, positive: Bool = false, nonNegative: Bool = false) throws(RobustError) -> Double? {
        guard let node = values[key] else { return nil }
        guard let value = node.doubleValue, !value.isNaN else {
            throw .invalidParameter(rule: rule, name: key, value: node.jsonText, reason: "expected a number")
        }
        if positive && !(value > 0) {
            throw .invalidParameter(rule: rule, name: key, value: "\(value)", reason: "must be positive")
        }
        if nonNegative && !(value >= 0) {
            throw .invalidParameter(rule: rule, name: key, value: "\(value)", reason: "must be zero or positive")
        }
        return value
    }

    func string(_ key: String, rule: String, allowed: [String]) throws(RobustError) -> String? {
        guard let node = values[key] else { return nil }
        guard let value = node.stringValue, allowed.contains(value) else {
            throw .invalidParameter(rule: rule, name: key, value: node.jsonText,
                                    reason: "expected one of " + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        return value
    }

    func vector(_ key: String, rule: String) throws(RobustError) -> [Double]? {
        guard let node = values[key] else { return nil }
        guard let value = node.vector else {
            throw .invalidParameter(rule: rule, name: key, value: String(node.jsonText.prefix(60)), reason: "expected an array of numbers")
        }
        return value
    }

    func intArray(_ key: String, rule: String) throws(RobustError) -> [Int]? {
        guard let node = values[key] else { return nil }
        guard let items = node.arrayValue else {
            throw .invalidParameter(rule: rule, name: key, value: String(node.jsonText.prefix(60)), reason: "expected an array of integers")
        }
        var out: [Int] = []
        for item in items {
            guard let v = item.intValue else {
                throw .invalidParameter(rule: rule, name: key, value: item.jsonText, reason: "expected integers")
            }
            out.append(v)
        }
        return out
    }

    /// Throws for a key not in `accepted` (a misspelt parameter must not be silently ignored).
    func checkKeys(_ accepted: [String], rule: String) throws(RobustError) {
        for key in values.keys.sorted() where !accepted.contains(key) {
            let hint = accepted.isEmpty ? "this rule takes no parameters" : "accepted: " + accepted.joined(separator: ", ")
            throw .invalidParameter(rule: rule, name: key, value: values[key]?.jsonText ?? "", reason: "unknown parameter; \(hint)")
        }
    }
}
