/// The keys of the participation processes of the FedAU work (spec algorithms.md §2):
/// per-client probabilities (explicit or generated from the clients' labels), the Markov rate,
/// the cycle period and the trace file.
extension ParticipationSection {
    /// Processes that draw with per-client probabilities p_n.
    var usesProbabilities: Bool { [.bernoulli, .markov, .cyclic].contains(process) }

    static var fedAUKeys: [KeySpec<ParticipationSection>] {
        func needsP(_ s: ParticipationSection) -> String? {
            s.usesProbabilities ? nil : "participation.process is \"\(s.process.rawValue)\""
        }
        func generated(_ s: ParticipationSection) -> String? {
            needsP(s) ?? (s.probabilities.isEmpty ? nil : "participation.probabilities is given")
        }
        return [
            .floatList("probabilities", \.probabilities, .unitLeftOpen,
                       "Per-client probabilities p_n (one per client, in (0, 1]); empty = generated from each "
                           + "client's label histogram: p_n = max(min_probability, (π_n · θ)·mean_probability·C), "
                           + "θ ~ Dirichlet(dirichlet_alpha).")
                .unused(when: needsP),
            .float("dirichlet_alpha", \.dirichletAlpha, .positive, "α_p of the generator's θ ~ Dirichlet(α_p·1_C).")
                .unused(when: generated),
            .float("mean_probability", \.meanProbability, .unitLeftOpen, "p̄, the generator's mean probability.")
                .unused(when: generated),
            .float("min_probability", \.minProbability, .unitLeftOpen, "p_min, the generator's floor.")
                .unused(when: generated),
            .float("markov_rate", \.markovRate, .unitLeftOpen,
                   "Markov inactive → active rate a; active → inactive is a·(1/p_n − 1) (capped at 1).")
                .unused(when: { $0.process != .markov ? "participation.process is \"\($0.process.rawValue)\"" : nil }),
            .integer("cycle_period", \.cyclePeriod, min: 2,
                     "Cyclic period P: active for max(1, round(P·p_n)) rounds, then inactive for the rest.")
                .unused(when: { $0.process != .cyclic ? "participation.process is \"\($0.process.rawValue)\"" : nil }),
            .path("trace", \.trace, "Availability trace file (process = \"trace\"), relative to the experiment file.")
                .unused(when: { $0.process != .trace ? "participation.process is \"\($0.process.rawValue)\"" : nil }),
            .choice("trace_format", \.traceFormat,
                    "Trace layout: pairs (`round,client` lines, rounds 1-based) or matrix (line k = round k, N values 0/1).")
                .unused(when: { $0.process != .trace ? "participation.process is \"\($0.process.rawValue)\"" : nil }),
        ]
    }

    mutating func finish(given: Set<String>, context: ReadContext) throws(ConfigError) {
        if process == .trace, trace == nil {
            throw .missingKey(key: "participation.trace", reason: "participation.process = \"trace\" reads a trace file")
        }
    }
}

extension KeySpec {
    /// An array of numbers, each in `range`.
    static func floatList(
        _ name: String, _ keyPath: WritableKeyPath<Section, [Double]>, _ range: FloatRange, _ meaning: String
    ) -> KeySpec {
        make(name, keyPath, type: "array of floats", allowed: "each " + range.text, meaning: meaning,
             decode: { node, key, _ throws(ConfigError) in
                 guard case .array(let items) = node else {
                     throw .wrongType(key: key, expected: "an array of numbers", found: node.described)
                 }
                 var values: [Double] = []
                 for item in items {
                     let value = try NodeReader.float(item, key)
                     guard range.contains(value) else {
                         throw .invalidValue(key: key, value: node.tomlText, reason: "every entry must be \(range.text)")
                     }
                     values.append(value)
                 }
                 return values
             },
             encode: { $0.isEmpty ? nil : .array($0.map(TOMLNode.float)) })
    }
}
