import Sim

// A timing quantity of `[timing]` is a number (the same for every client and round) or a
// distribution table drawn per client (speeds, links) or per (round, client) (slowdowns, delays):
//
//     speed = { dist = "lognormal", mu = 0.0, sigma = 1.0 }
//     slowdown = { dist = "pareto", alpha = 1.5, scale = 1.0 }
//     latency_s = 0.05
//
// The parameter names are those of `TimingDistribution` (docs/experiment-format.md lists them).

extension KeySpec {
    /// The parameters each distribution takes, with defaults (nil = required).
    static var distributionParameters: [(dist: String, parameters: [(String, Double?)])] {
        [("constant", [("value", nil)]),
         ("normal", [("mean", nil), ("sd", nil), ("minimum", nil)]),
         ("lognormal", [("mu", 0), ("sigma", nil)]),
         ("exponential", [("mean", nil), ("shift", 0)]),
         ("pareto", [("alpha", nil), ("scale", 1)])]
    }

    /// A number or a distribution table; `allowZero` admits 0 (additive delays, latencies).
    static func distribution(
        _ name: String, _ keyPath: WritableKeyPath<Section, TimingDistribution>, allowZero: Bool = false,
        _ meaning: String
    ) -> KeySpec {
        let forms = distributionParameters.map { entry in
            "{ dist = \"\(entry.dist)\", " + entry.parameters.map { $0.0 }.joined(separator: ", ") + " }"
        }.joined(separator: "; ")
        return make(name, keyPath, type: "float or table", allowed: (allowZero ? "≥ 0" : "> 0") + ", or " + forms,
                    meaning: meaning,
                    decode: { node, key, _ throws(ConfigError) in try distribution(node, key, allowZero: allowZero) },
                    encode: { encode($0) })
    }

    private static func distribution(_ node: TOMLNode, _ key: String, allowZero: Bool) throws(ConfigError) -> TimingDistribution {
        let value: TimingDistribution
        switch node {
        case .integer, .float:
            value = .constant(try NodeReader.float(node, key))
        case .table(let entries):
            guard let distNode = entries["dist"] else {
                throw .missingKey(key: key + ".dist", reason: "a distribution table names its distribution, e.g. "
                                  + "{ dist = \"lognormal\", mu = 0.0, sigma = 1.0 }")
            }
            let dist = try NodeReader.string(distNode, key + ".dist")
            let names = distributionParameters.map(\.dist)
            guard let entry = distributionParameters.first(where: { $0.dist == dist }) else {
                var reason = "allowed distributions are " + names.map { "\"\($0)\"" }.joined(separator: ", ")
                if let near = Suggestion.closest(to: dist, among: names) { reason = "did you mean \"\(near)\"? " + reason }
                throw .invalidValue(key: key + ".dist", value: distNode.tomlText, reason: reason)
            }
            let known = entry.parameters.map(\.0)
            for other in entries.keys.sorted() where other != "dist" && !known.contains(other) {
                throw .unknownKey(key: "\(key).\(other)",
                                  suggestion: Suggestion.closest(to: other, among: known).map { "\(key).\($0)" })
            }
            var p: [String: Double] = [:]
            for (parameter, fallback) in entry.parameters {
                if let given = entries[parameter] {
                    p[parameter] = try NodeReader.float(given, "\(key).\(parameter)")
                } else if let fallback {
                    p[parameter] = fallback
                } else {
                    throw .missingKey(key: "\(key).\(parameter)", reason: "the \(dist) distribution needs "
                                      + known.joined(separator: ", "))
                }
            }
            switch dist {
            case "constant": value = .constant(p["value"]!)
            case "normal": value = .normal(mean: p["mean"]!, sd: p["sd"]!, minimum: p["minimum"]!)
            case "lognormal": value = .logNormal(mu: p["mu"]!, sigma: p["sigma"]!)
            case "exponential": value = .exponential(mean: p["mean"]!, shift: p["shift"]!)
            default: value = .pareto(alpha: p["alpha"]!, scale: p["scale"]!)
            }
        default:
            throw .wrongType(key: key, expected: "a number or a table such as { dist = \"lognormal\", mu = 0.0, sigma = 1.0 }",
                             found: node.described)
        }
        do {
            try value.validate(what: key, allowZero: allowZero)
        } catch {
            throw .invalidValue(key: key, value: node.tomlText, reason: error.description)
        }
        return value
    }

    private static func encode(_ value: TimingDistribution) -> TOMLNode {
        func table(_ dist: String, _ members: [(String, Double)]) -> TOMLNode {
            var entries: [String: TOMLNode] = ["dist": .string(dist)]
            for (k, v) in members { entries[k] = .float(v) }
            return .table(entries)
        }
        switch value {
        case .constant(let v): return .float(v)
        case let .normal(mean, sd, minimum): return table("normal", [("mean", mean), ("sd", sd), ("minimum", minimum)])
        case let .logNormal(mu, sigma): return table("lognormal", [("mu", mu), ("sigma", sigma)])
        case let .exponential(mean, shift): return table("exponential", [("mean", mean), ("shift", shift)])
        case let .pareto(alpha, scale): return table("pareto", [("alpha", alpha), ("scale", scale)])
        }
    }
}
