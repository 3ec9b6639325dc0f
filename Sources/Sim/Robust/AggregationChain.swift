// A chain of robust-aggregation steps: zero or more pre-aggregators, then exactly one aggregator
// (DESIGN §10 `aggregation.rule`). Each step sees the previous step's output rows.
//
// Generic over the scalar: the public entry points dispatch Float and Double batches to
// specializations of the internal implementation (so the coordinator's Float path runs
// specialized code even though it calls from another module); any other BinaryFloatingPoint
// type runs the generic code. Everything accumulates in Double and rounds to the scalar at the end.

/// Pre-aggregators followed by one aggregator.
public struct AggregationChain: Sendable, Equatable {
    /// The steps in application order.
    public var steps: [RobustRule]

    /// A chain; pre-aggregators first, exactly one aggregator last.
    public init(steps: [RobustRule]) throws(RobustError) {
        guard let last = steps.last else { throw .invalidChain(reason: "the chain is empty; give at least one rule, e.g. [\"mean\"]") }
        guard !last.isPreAggregator else {
            throw .invalidChain(reason: "the last step \"\(last.name)\" is a pre-aggregator; end the chain with an aggregation rule, e.g. [\"\(last.name)\", \"trimmed-mean\"]")
        }
        if let misplaced = steps.dropLast().first(where: { !$0.isPreAggregator }) {
            throw .invalidChain(reason: "\"\(misplaced.name)\" is an aggregation rule but not the last step; only pre-aggregators (\(RobustRule.preAggregatorNames.joined(separator: ", "))) may come before the rule")
        }
        self.steps = steps
    }

    /// A chain from names with one parameter set shared by every step (the experiment file's
    /// `[aggregation]` keys) and the assumed f.
    public init(names: [String], parameters: [String: RuleParameters] = [:], defaultF: Int) throws(RobustError) {
        var steps: [RobustRule] = []
        for name in names { steps.append(try RobustRule(name: name, parameters: parameters[name] ?? RuleParameters(), defaultF: defaultF)) }
        try self.init(steps: steps)
    }

    /// The final aggregator.
    public var aggregator: RobustRule { steps[steps.count - 1] }

    /// Checks every step's condition for n inputs (e.g. Bulyan n ≥ 4f + 3, Krum n > 2f + 2, trimmed mean
    /// n > 2b, MDA n ≤ 20), following the row count through the pre-aggregators.
    public func validate(inputs n: Int) throws(RobustError) {
        var rows = n
        for step in steps { rows = try step.check(inputs: rows) }
    }

    /// Applies the chain to `batch`.
    public func aggregate<S>(_ batch: UpdateBatch<S>, context: AggregationContext<S>) throws(RobustError) -> AggregationResult<S> {
        if S.self == Float.self, let b = batch as? UpdateBatch<Float>, let c = context as? AggregationContext<Float>,
            let r = try run(b, c) as? AggregationResult<S> {
            return r
        }
        if S.self == Double.self, let b = batch as? UpdateBatch<Double>, let c = context as? AggregationContext<Double>,
            let r = try run(b, c) as? AggregationResult<S> {
            return r
        }
        return try run(batch, context)
    }

    /// Applies only the pre-aggregators (for pre-aggregator fixtures); the batch is unchanged when there are none.
    public func preAggregate<S>(_ batch: UpdateBatch<S>, context: AggregationContext<S>) throws(RobustError) -> UpdateBatch<S> {
        if S.self == Float.self, let b = batch as? UpdateBatch<Float>, let c = context as? AggregationContext<Float>,
            let r = try runPre(b, c) as? UpdateBatch<S> {
            return r
        }
        if S.self == Double.self, let b = batch as? UpdateBatch<Double>, let c = context as? AggregationContext<Double>,
            let r = try runPre(b, c) as? UpdateBatch<S> {
            return r
        }
        return try runPre(batch, context)
    }

    // MARK: - Implementation

    private func runPre<S>(_ batch: UpdateBatch<S>, _ context: AggregationContext<S>) throws(RobustError) -> UpdateBatch<S> {
        var current = batch
        for step in steps where step.isPreAggregator {
            _ = try step.check(inputs: current.rows)
            current = try step.preAggregate(current, context: context)
        }
        return current
    }

    private func run<S>(_ batch: UpdateBatch<S>, _ context: AggregationContext<S>) throws(RobustError) -> AggregationResult<S> {
        if let previous = context.previous, previous.count != batch.dimension {
            throw .dimensionMismatch(expected: batch.dimension, found: previous.count)
        }
        if let trusted = context.trusted, trusted.count != batch.dimension {
            throw .dimensionMismatch(expected: batch.dimension, found: trusted.count)
        }
        if let fused = try fusedMean(batch, context) { return fused }
        let rows = try runPre(batch, context)
        _ = try aggregator.check(inputs: rows.rows)
        return try aggregator.aggregate(rows, context: context)
    }
}
