/// One aggregation or attack case in the fixture format of `fixtures/robust/README.md`, as
/// `gradwire aggregate FILE.json` reads it: `kind` (`aggregator`, `preaggregator`, `chain` or
/// `attack`), the rule or attack with its `params`, and `inputs` (or `honest` for attacks);
/// optionally `seed`, `trusted` (FLTrust's server update) and `previous` (the previous aggregate).
/// An `expected` field, if present, is ignored. Everything is computed in Double.
public struct RobustCase: Sendable {
    public enum Output: Sendable, Equatable {
        /// An aggregate, a chain's result, or an attack's Byzantine vector.
        case vector([Double])
        /// A pre-aggregator's output rows.
        case matrix([[Double]])

        /// The output as a bare JSON array of shortest round-trip doubles, +∞ as "Infinity".
        public var jsonText: String {
            switch self {
            case .vector(let values): JSONWriter.array(values)
            case .matrix(let rows): JSONWriter.matrix(rows)
            }
        }
    }

    /// Why a case cannot be computed.
    public enum CaseError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case rule(RobustError)
        case attack(AttackError)

        public var description: String {
            switch self {
            case .malformed(let reason): reason
            case .rule(let error): error.description
            case .attack(let error): error.description
            }
        }
    }

    public let json: JSONNode

    /// Parses the case's JSON text.
    public init(text: String) throws(CaseError) {
        do {
            json = try JSONNode.parse(text)
        } catch {
            throw .malformed("not valid JSON: \(error)")
        }
    }

    /// Computes the case.
    public func evaluate() throws(CaseError) -> Output {
        guard let kind = json["kind"]?.stringValue else {
            throw .malformed("missing \"kind\" (one of aggregator, preaggregator, chain, attack)")
        }
        do {
            switch kind {
            case "aggregator", "preaggregator":
                guard let name = json["rule"]?.stringValue else { throw CaseError.malformed("missing \"rule\"") }
                let parameters = try RuleParameters(json: json["params"] ?? .null, rule: name)
                let rule = try RobustRule(name: name, parameters: parameters, defaultF: parameters.values["f"]?.intValue ?? 0)
                guard rule.isPreAggregator == (kind == "preaggregator") else {
                    throw CaseError.malformed("\"\(name)\" is \(rule.isPreAggregator ? "a pre-aggregator" : "an aggregator"), "
                                              + "not of kind \(kind)")
                }
                // A pre-aggregator alone is checked and applied as the head of a chain ending in the mean.
                let chain = try AggregationChain(steps: rule.isPreAggregator ? [rule, .mean] : [rule])
                let batch = try inputs("inputs")
                try chain.validate(inputs: batch.rows)
                return try apply(chain, to: batch, preAggregateOnly: rule.isPreAggregator)
            case "chain":
                guard let steps = json["steps"]?.arrayValue, !steps.isEmpty else {
                    throw CaseError.malformed("a chain needs a non-empty \"steps\" array of {rule, params}")
                }
                var rules: [RobustRule] = []
                for step in steps {
                    guard let name = step["rule"]?.stringValue else { throw CaseError.malformed("a step without \"rule\"") }
                    let parameters = try RuleParameters(json: step["params"] ?? .null, rule: name)
                    rules.append(try RobustRule(name: name, parameters: parameters,
                                                defaultF: parameters.values["f"]?.intValue ?? 0))
                }
                let chain = try AggregationChain(steps: rules)
                let batch = try inputs("inputs")
                try chain.validate(inputs: batch.rows)
                return try apply(chain, to: batch, preAggregateOnly: false)
            case "attack":
                guard let name = json["attack"]?.stringValue else { throw CaseError.malformed("missing \"attack\"") }
                var parameters: [String: JSONNode] = [:]
                for (key, value) in json["params"]?.objectValue ?? [] { parameters[key] = value }
                let honest = try inputs("honest")
                let f = parameters["f"]?.intValue ?? 1
                let attack = try OmniscientAttack(name: name, parameters: parameters)
                let vectors: [[Double]] = try attack.craft(honest: honest, byzantineCount: max(f, 1), seed: 0, round: 0)
                return .vector(vectors.first ?? [])
            default:
                throw CaseError.malformed("unknown kind \"\(kind)\"; expected aggregator, preaggregator, chain or attack")
            }
        } catch let error as CaseError {
            throw error
        } catch let error as RobustError {
            throw .rule(error)
        } catch let error as AttackError {
            throw .attack(error)
        } catch {
            throw .malformed("\(error)")
        }
    }

    private func inputs(_ field: String) throws(CaseError) -> UpdateBatch<Double> {
        guard let rows = json[field]?.matrix, !rows.isEmpty else {
            throw .malformed("\"\(field)\" must be a non-empty array of equally long arrays of numbers")
        }
        do {
            return try UpdateBatch(checkedRows: rows)
        } catch {
            throw .rule(error)
        }
    }

    private func apply(_ chain: AggregationChain, to batch: UpdateBatch<Double>,
                       preAggregateOnly: Bool) throws(RobustError) -> Output {
        // Optional extras: "seed" for seeded rules (bucketing), "trusted" (FLTrust's server update)
        // and "previous" (the previous aggregate, for centered clipping and MoNNA).
        let context = AggregationContext<Double>(seed: UInt64(max(0, json["seed"]?.intValue ?? 0)),
                                                 trusted: json["trusted"]?.vector, previous: json["previous"]?.vector)
        if preAggregateOnly {
            return .matrix(try chain.preAggregate(batch, context: context).rowArrays)
        }
        return .vector(try chain.aggregate(batch, context: context).vector)
    }
}
