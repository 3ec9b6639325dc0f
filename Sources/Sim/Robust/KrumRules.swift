// Krum and Multi-Krum (Blanchard, El Mhamdi, Guerraoui, Stainer, NeurIPS 2017) and Bulyan
// (El Mhamdi, Guerraoui, Rouault, ICML 2018), as specs/robust-aggregation.md §2.2, §2.3, §2.8 define them.
//
// Krum score of row i: the sum of the k smallest squared distances D_ij over j ≠ i. Neighbour
// count k = n − f − 2 (paper, Flower; the product default) or n − f − 1 (ByzFL, which averages instead
// of summing — same argmin). Output: the row with the smallest score, lowest index on equal scores.
// Multi-Krum: the mean of the m rows with the lowest scores (stable order); m defaults to n − f.
// Bulyan (Flower legacy): θ = n − 2f rounds of paper-convention Krum with k = max(1, n_rem − f − 2)
// on the rows not yet selected, then per coordinate the mean of the β = θ − 2f selected values
// closest to their median. The distance matrix is computed once and reused by every round.

enum KrumRules {
    /// Krum scores of the rows in `active` (indices into the n × n matrix `distances`), in `active` order.
    static func scores(distances: [Double], n: Int, active: [Int], neighbours k: Int) -> [Double] {
        var others = [Double]()
        others.reserveCapacity(active.count)
        return active.map { i in
            others.removeAll(keepingCapacity: true)
            for j in active where j != i { others.append(distances[i * n + j]) }
            others.sort()
            var s = 0.0
            for t in 0..<min(k, others.count) { s += others[t] }
            return s
        }
    }

    static func neighbourCount(n: Int, f: Int, convention: KrumNeighbours) -> Int {
        switch convention {
        case .paper: max(1, n - f - 2)
        case .byzfl: max(0, n - f - 1)
        }
    }

    /// Krum: the index of the selected row.
    static func krum<S>(_ batch: UpdateBatch<S>, f: Int, neighbours: KrumNeighbours) -> Int {
        let n = batch.rows
        let d = RobustKernels.squaredDistances(batch)
        let s = scores(distances: d, n: n, active: Array(0..<n), neighbours: neighbourCount(n: n, f: f, convention: neighbours))
        return RobustKernels.stableOrder(s)[0]
    }

    /// Multi-Krum: the m selected rows, ascending.
    static func multiKrum<S>(_ batch: UpdateBatch<S>, f: Int, m: Int, neighbours: KrumNeighbours) -> [Int] {
        let n = batch.rows
        let d = RobustKernels.squaredDistances(batch)
        let s = scores(distances: d, n: n, active: Array(0..<n), neighbours: neighbourCount(n: n, f: f, convention: neighbours))
        return Array(RobustKernels.stableOrder(s).prefix(m)).sorted()
    }

    /// Bulyan: (aggregate, selected rows in selection order).
    static func bulyan<S>(_ batch: UpdateBatch<S>, f: Int) -> ([Double], [Int]) {
        let n = batch.rows
        let theta = n - 2 * f, beta = theta - 2 * f
        let d = RobustKernels.squaredDistances(batch)
        var remaining = Array(0..<n)
        var selected: [Int] = []
        for _ in 0..<theta {
            let k = max(1, remaining.count - f - 2)
            let s = scores(distances: d, n: n, active: remaining, neighbours: k)
            let winner = RobustKernels.stableOrder(s)[0]
            selected.append(remaining.remove(at: winner))
        }
        if let fast = CoordinateRules.floatMeanAroundMedian(batch, rows: selected, keep: beta) { return (fast, selected) }
        let chosen = batch.selecting(selected)
        return (CoordinateRules.meanAroundMedian(chosen, keep: beta), selected)
    }
}
