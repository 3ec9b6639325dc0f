// ByzFL's factor search for ALIE and IPM (`Optimal_ALittleIsEnough`,
// `Optimal_InnerProductManipulation`, byzfl 0.0.11; spec §5.9). The objective of a factor τ is
// ‖A(honest ∪ f copies of v(τ)) − μ‖, A the aggregator (pre-aggregators and rule, as the
// coordinator runs them), μ the honest mean, the copies appended after the honest rows as ByzFL
// concatenates them. The search:
//   1. best = start, evaluated (1 evaluation);
//   2. expansion: try best + delta; if strictly better accept it and double delta, otherwise
//      multiply delta by ratio and stop expanding;
//   3. contraction: while evaluations remain, try best + delta (always upwards), accept if
//      strictly better, multiply delta by ratio after every try;
// and the attack sends v(best). f copies are evaluated with f = the round's Byzantine count
// (ByzFL's search has its own `f`, default 1; in a simulation they are the same number).

extension OmniscientAttack {
    func searchFactor<S: BinaryFloatingPoint & Sendable>(
        _ search: FactorSearch, honest: UpdateBatch<S>, mean mu: [Double], byzantineCount f: Int,
        aggregator: (UpdateBatch<S>) throws -> [S], vector: (Double) -> [Double]
    ) throws(AttackError) -> [[S]] {
        let d = honest.dimension
        func objective(_ tau: Double) throws(AttackError) -> Double {
            let byzantine = vector(tau).map { S($0) }
            var values = honest.values
            values.reserveCapacity(values.count + f * d)
            for _ in 0..<f { values.append(contentsOf: byzantine) }
            let batch = UpdateBatch(rows: honest.rows + f, dimension: d, values: values)
            let aggregate: [S]
            do {
                aggregate = try aggregator(batch)
            } catch {
                throw .aggregatorFailed(attack: name, reason: "\(error)")
            }
            guard aggregate.count == d else {
                throw .aggregatorFailed(attack: name, reason: "returned \(aggregate.count) values for dimension \(d)")
            }
            var total = 0.0
            for k in 0..<d {
                let difference = Double(aggregate[k]) - mu[k]
                total += difference * difference
            }
            return total.squareRoot()
        }

        var remaining = search.evaluations
        var delta = search.delta
        var best = search.start
        var bestValue = try objective(best)
        remaining -= 1
        while remaining > 0 {
            let proposal = best + delta
            let value = try objective(proposal)
            remaining -= 1
            if value > bestValue {
                best = proposal
                bestValue = value
                delta *= 2
            } else {
                delta *= search.ratio
                break
            }
        }
        while remaining > 0 {
            let proposal = best + delta
            let value = try objective(proposal)
            remaining -= 1
            if value > bestValue {
                best = proposal
                bestValue = value
            }
            delta *= search.ratio
        }
        return AttackMath.copies(vector(best), f, as: S.self)
    }
}
