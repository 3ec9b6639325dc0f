import Protocol

/// How the server turns a round's accepted updates into one aggregate: the adversary, the
/// shuffle, and the rule.
///
/// 1. The clients of the Byzantine set whose updates arrived are this round's Byzantine inputs.
///    With an omniscient attack, the adversary sees the round's honest updates and replaces each
///    Byzantine input with a crafted vector (client-side behaviours were already applied by the
///    workers). The adversary never tells the rule anything.
/// 2. Without a robust chain (`aggregation.rule = ["mean"]`) the inputs are combined by the
///    configured weighting (FedAvg by sample count, 1/|S| or 1/N) in client-id order.
/// 3. With a robust chain, the inputs are put in a seeded random order
///    (`RandomKey(seed, aggregationShuffle, round)`) — a rule never sees who is who or arrival
///    order — the chain's conditions are checked for the number that arrived (too few: the round
///    is skipped with the reason), and the chain runs unweighted in Float32 with the previous
///    aggregate as its history (centered clipping, MoNNA).
/// With Byzantine clients or a robust chain, the outcome carries the robustness metrics: which inputs a selection rule kept
/// (as client ids), how many of them are Byzantine, the distance of the aggregate to the honest
/// mean, and the mean norms of honest and Byzantine inputs.
public struct ServerAggregation: Sendable {
    /// One accepted update.
    public struct Input: Sendable, Equatable {
        public var client: ClientID
        public var vector: [Float]
        public var samples: Int

        public init(client: ClientID, vector: [Float], samples: Int) {
            self.client = client
            self.vector = vector
            self.samples = samples
        }
    }

    public struct Outcome: Sendable, Equatable {
        /// The aggregate, or nil when the round is skipped.
        public var aggregate: [Float]?
        /// Why the round was skipped, or why the attack could not run (nil when all went well).
        public var note: String?
        /// Per client, its aggregation weight; nil for robust rules that weigh nobody explicitly.
        public var weights: [ClientID: Double]?
        /// Inputs of this round that came from Byzantine clients.
        public var byzantine: Set<ClientID>
        /// The clients a selection rule kept (Krum, Multi-Krum, Bulyan, MDA, …), sorted.
        public var selected: [ClientID]?
        /// How many of `selected` are Byzantine.
        public var byzantineSelected: Int?
        /// ‖aggregate − mean of the honest inputs‖.
        public var distanceToHonestMean: Double?
        public var honestNormMean: Double?
        public var byzantineNormMean: Double?
    }

    public let weighting: Weighting
    public let population: Int
    /// nil: the weighted mean of `weighting`.
    public let chain: AggregationChain?
    public let attack: OmniscientAttack?
    public let byzantineClients: Set<ClientID>
    public let seed: UInt64

    public init(weighting: Weighting, population: Int, chain: AggregationChain?, attack: OmniscientAttack?,
                byzantineClients: Set<ClientID>, seed: UInt64) {
        self.weighting = weighting
        self.population = population
        self.chain = chain
        self.attack = attack
        self.byzantineClients = byzantineClients
        self.seed = seed
    }

    /// Aggregates `inputs` (any order; they are sorted by client id first) for `round`.
    public func aggregate(_ unsorted: [Input], round: RoundID, previous: [Float]?) -> Outcome {
        var inputs = unsorted.sorted { $0.client < $1.client }
        let byzantine = Set(inputs.map(\.client).filter(byzantineClients.contains))
        var outcome = Outcome(aggregate: nil, note: nil, weights: nil, byzantine: byzantine)
        guard !inputs.isEmpty else {
            outcome.note = "no valid update arrived in round \(round); the model is unchanged"
            return outcome
        }
        let honest = inputs.filter { !byzantine.contains($0.client) }
        if let attack, !byzantine.isEmpty {
            let honestBatch = UpdateBatch<Float>(rows: honest.map(\.vector))
            // The factor-searching attacks probe the rule the server runs (the plain mean without a chain).
            let context = AggregationContext<Float>(seed: seed, round: UInt64(round), previous: previous)
            let aggregator: (UpdateBatch<Float>) throws -> [Float] = { [chain] batch in
                guard let chain else {
                    return weightedSum(batch.rowArrays, weights: Array(repeating: 1.0 / Double(batch.rows), count: batch.rows))
                }
                return try chain.aggregate(batch, context: context).vector
            }
            do {
                let crafted = try attack.craft(honest: honestBatch, byzantineCount: byzantine.count, seed: seed,
                                               round: UInt64(round), aggregator: aggregator)
                var next = crafted.makeIterator()
                for i in inputs.indices where byzantine.contains(inputs[i].client) {
                    if let vector = next.next() { inputs[i].vector = vector }
                }
            } catch {
                outcome.note = "attack \(attack.name) not applied in round \(round): \(error)"
            }
        }
        // The robustness metrics cost two passes over the inputs: only runs with Byzantine clients
        // or a robust chain report them.
        let measured = !byzantineClients.isEmpty || chain != nil
        if measured { measure(inputs, honest: honest.map(\.client), into: &outcome) }

        guard let chain else {
            let weights = weighting.weights(sampleCounts: inputs.map(\.samples), population: population)
            outcome.aggregate = weightedSum(inputs.map(\.vector), weights: weights)
            outcome.weights = Dictionary(uniqueKeysWithValues: zip(inputs.map(\.client), weights))
            if measured { finish(&outcome, honest: honest) }
            return outcome
        }
        do {
            try chain.validate(inputs: inputs.count)
        } catch {
            outcome.note = "round \(round) skipped: \(error)"
            return outcome
        }
        let order = PortableRandom.permutation(
            seed: RandomKey(seed: seed, purpose: .aggregationShuffle, round: UInt64(round)).streamSeed, count: inputs.count)
        let shuffled = order.map { inputs[$0] }
        do {
            let result = try chain.aggregate(UpdateBatch<Float>(rows: shuffled.map(\.vector)),
                                             context: AggregationContext(seed: seed, round: UInt64(round),
                                                                         previous: previous))
            outcome.aggregate = result.vector
            if let rows = result.selected {
                let clients = rows.map { shuffled[$0].client }.sorted()
                outcome.selected = clients
                outcome.byzantineSelected = clients.filter(byzantine.contains).count
                let share = clients.isEmpty ? 0 : 1.0 / Double(clients.count)
                outcome.weights = Dictionary(uniqueKeysWithValues: inputs.map { ($0.client, clients.contains($0.client) ? share : 0) })
            }
        } catch {
            outcome.note = "round \(round) skipped: \(error)"
        }
        if measured { finish(&outcome, honest: honest) }
        return outcome
    }

    // MARK: - Metrics

    private func measure(_ inputs: [Input], honest: [ClientID], into outcome: inout Outcome) {
        let honestSet = Set(honest)
        func meanNorm(_ rows: [Input]) -> Double? {
            guard !rows.isEmpty else { return nil }
            return rows.map { norm($0.vector) }.reduce(0, +) / Double(rows.count)
        }
        outcome.honestNormMean = meanNorm(inputs.filter { honestSet.contains($0.client) })
        outcome.byzantineNormMean = meanNorm(inputs.filter { !honestSet.contains($0.client) })
    }

    private func finish(_ outcome: inout Outcome, honest: [Input]) {
        guard let aggregate = outcome.aggregate, !honest.isEmpty else { return }
        let mean = weightedSum(honest.map(\.vector), weights: Array(repeating: 1.0 / Double(honest.count), count: honest.count))
        var sum = 0.0
        for (a, m) in zip(aggregate, mean) { let d = Double(a) - Double(m); sum += d * d }
        outcome.distanceToHonestMean = sum.squareRoot()
    }

    private func norm(_ vector: [Float]) -> Double {
        var sum = 0.0
        for v in vector { sum += Double(v) * Double(v) }
        return sum.squareRoot()
    }
}
