/// Reads an attack's parameters from a `[String: JSONNode]` dictionary (the fixture format's
/// `params`; the experiment file's `[byzantine]` keys converted to JSON nodes), with typed errors
/// that name the attack and the key. Unknown keys are rejected, so a misspelt key never silently
/// falls back to a default. `n` and `f` are accepted and ignored everywhere: in the fixture format
/// they describe the round, and `craft` takes them from its arguments.
struct AttackParameterReader {
    let attack: String
    let parameters: [String: JSONNode]
    private var used: Set<String> = ["n", "f"]

    init(attack: String, parameters: [String: JSONNode]) {
        self.attack = attack
        self.parameters = parameters
    }

    /// The node of the first present key among `keys` (canonical name first, then aliases).
    private mutating func node(_ keys: [String]) throws(AttackError) -> (String, JSONNode)? {
        let present = keys.filter { parameters[$0] != nil }
        used.formUnion(keys)
        if present.count > 1 {
            throw .invalidParameter(attack: attack, name: present.joined(separator: "/"), value: "several",
                                    reason: "these keys are aliases of one parameter; give only one")
        }
        guard let key = present.first, let value = parameters[key] else { return nil }
        return (key, value)
    }

    mutating func double(_ keys: [String], default fallback: Double?) throws(AttackError) -> Double {
        guard let (key, value) = try node(keys) else {
            if let fallback { return fallback }
            throw .invalidParameter(attack: attack, name: keys[0], value: "missing", reason: "this parameter is required")
        }
        guard case .number(let number) = value, number.isFinite else {
            throw .invalidParameter(attack: attack, name: key, value: value.jsonText, reason: "expected a finite number")
        }
        return number
    }

    mutating func int(_ keys: [String], default fallback: Int?) throws(AttackError) -> Int {
        guard let (key, value) = try node(keys) else {
            if let fallback { return fallback }
            throw .invalidParameter(attack: attack, name: keys[0], value: "missing", reason: "this parameter is required")
        }
        guard let number = value.intValue else {
            throw .invalidParameter(attack: attack, name: key, value: value.jsonText, reason: "expected an integer")
        }
        return number
    }

    /// A string parameter that must be one of `allowed`.
    mutating func string(_ keys: [String], default fallback: String?, allowed: [String]) throws(AttackError) -> String {
        guard let (key, value) = try node(keys) else {
            if let fallback { return fallback }
            throw .invalidParameter(attack: attack, name: keys[0], value: "missing", reason: "this parameter is required")
        }
        guard let text = value.stringValue, allowed.contains(text) else {
            throw .invalidParameter(attack: attack, name: key, value: value.jsonText,
                                    reason: "expected one of " + allowed.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        return text
    }

    /// Throws for the first key that no read asked for.
    func finish() throws(AttackError) {
        for key in parameters.keys.sorted() where !used.contains(key) {
            let known = used.subtracting(["n", "f"]).sorted()
            let hint = AttackNames.closest(to: key, among: known).map { "did you mean \($0)? " } ?? ""
            throw .invalidParameter(attack: attack, name: key, value: parameters[key]?.jsonText ?? "",
                                    reason: "not a parameter of this attack; \(hint)known: "
                                        + (known.isEmpty ? "none" : known.joined(separator: ", ")))
        }
    }

    /// Throws unless `condition` holds for the value read.
    func require(_ condition: Bool, _ name: String, _ value: Double, _ reason: String) throws(AttackError) {
        if !condition { throw .invalidParameter(attack: attack, name: name, value: "\(value)", reason: reason) }
    }
}

/// Name matching for "did you mean" suggestions.
enum AttackNames {
    /// The closest name by edit distance (case-insensitive), if it is at most a third of the
    /// longer name's length (and at most 3) away.
    static func closest(to name: String, among candidates: [String]) -> String? {
        let lowered = Array(name.lowercased())
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, Array(candidate.lowercased()))
            if let current = best, current.1 <= distance { continue }
            best = (candidate, distance)
        }
        guard let (candidate, distance) = best else { return nil }
        let limit = min(3, max(1, max(lowered.count, candidate.count) / 3))
        return distance <= limit ? candidate : nil
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions ("alei" → "alie" is 1).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    best = min(best, table[i - 2][j - 2] + 1)
                }
                table[i][j] = best
            }
        }
        return table[a.count][b.count]
    }
}
