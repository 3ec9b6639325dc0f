// Row-combining pre-aggregators (NNM, bucketing, static clipping, ARC) described without computing
// them: every output row r is S((Σ_{i ∈ members_r, in order} x_i) · scale_r), the sum in Double from
// 0, the scale omitted when nil (the row copied exactly). `materialize` builds the output batch, and
// `meanOfRows` computes mean(pre-aggregator(batch)) directly — the chain ["clipping", "mean"] and its
// kin — without allocating and re-reading an n·d intermediate batch: per column block the output
// rows are formed in an L1/L2-resident buffer, rounded to S exactly as the materialised batch would
// hold them, and summed in row order, so both routes give bit-identical results.

/// Output rows of a pre-aggregator as combinations of input rows.
struct VirtualRows: Sendable, Equatable {
    /// Input rows summed (in this order) into each output row.
    var members: [[Int]]
    /// Factor applied to each output row's sum; nil: none (sum of one member = that row, exactly).
    var scales: [Double?]

    var count: Int { members.count }
}

extension RobustRule {
    /// The pre-aggregator's output rows as `VirtualRows` (precondition: `check` passed); nil for other rules.
    func virtualRows<S>(_ batch: UpdateBatch<S>, context: AggregationContext<S>) -> VirtualRows? {
        switch self {
        case .nnm(let f): return PreAggregators.nnmRows(batch, f: f)
        case .clipping(let c): return PreAggregators.clippingRows(batch, c: c)
        case .arc(let f): return PreAggregators.arcRows(batch, f: f)
        case .bucketing(let s, let permutation):
            let p = permutation ?? PortableRandom.permutation(
                seed: RandomKey(seed: context.seed, purpose: .bucketing, round: context.round).streamSeed, count: batch.rows)
            return PreAggregators.bucketingRows(rows: batch.rows, size: s, permutation: p)
        default: return nil
        }
    }
}

extension AggregationChain {
    /// The result of a chain that is one row-combining pre-aggregator followed by mean, computed
    /// without materialising the pre-aggregated batch (bit-identical to the two-step route); nil for
    /// every other chain.
    func fusedMean<S>(_ batch: UpdateBatch<S>, _ context: AggregationContext<S>) throws(RobustError) -> AggregationResult<S>? {
        guard steps.count == 2, case .mean = steps[1] else { return nil }
        _ = try steps[0].check(inputs: batch.rows)
        if let floats = batch as? UpdateBatch<Float>, LinearKernels.available {
            // The C kernels (same bits as the Swift routes below): clipping in one call; ARC's
            // norms and its scaled mean (the factors chosen here, as `arcRows` chooses them).
            var vector: [Float]? = nil
            if case .clipping(let c) = steps[0] {
                vector = LinearKernels.clippedMean(floats, c: c)
            } else if case .arc = steps[0], let rows = steps[0].virtualRows(batch, context: context) {
                vector = LinearKernels.meanOfScaledRows(floats, rows)
            }
            if let vector, let r = AggregationResult(vector: vector) as? AggregationResult<S> { return r }
        }
        if case .clipping(let c) = steps[0], RobustKernels.rowPassFits(batch) {
            // Each row's norm, then its (clipped, rounded to S) values added while it is in L2: the
            // same sums as `meanOfRows(batch, clippingRows(batch, c:))`, the input read once.
            var sum = RobustKernels.rowPass(batch, center: nil, centered: false, roundToScalar: true,
                                              clipSquares: true) { _, s in
                let norm = s.squareRoot()
                return norm > c ? PreAggregators.clipFactor(c / norm, as: S.self) : nil
            }.sum
            let scale = 1.0 / Double(batch.rows)
            for k in sum.indices { sum[k] *= scale }
            return AggregationResult(vector: sum.map { S($0) })
        }
        guard let rows = steps[0].virtualRows(batch, context: context) else { return nil }
        _ = try steps[1].check(inputs: rows.count)
        return AggregationResult(vector: PreAggregators.meanOfRows(batch, rows).map { S($0) })
    }
}

extension PreAggregators {
    /// A clipping factor (static clipping, ARC) in the batch's precision: for Float batches rounded to
    /// the nearest Float, as a Float32 implementation (ByzFL's) computes it; unchanged for Double.
    /// The clipped row is then exactly S(x ⊗ factor), which the kernels form with one Float multiply
    /// (`RobustKernels.floatExact`) instead of a Double product rounded back to Float. Changes a clipped
    /// row's norm by at most a relative 2⁻²⁴.
    static func clipFactor<S: BinaryFloatingPoint>(_ w: Double, as _: S.Type) -> Double {
        S.self == Float.self ? Double(Float(w)) : w
    }

    static func nnmRows<S>(_ batch: UpdateBatch<S>, f: Int) -> VirtualRows {
        let n = batch.rows
        let dist = RobustKernels.squaredDistances(batch)
        let members = (0..<n).map { i in Array(RobustKernels.stableOrder(Array(dist[i * n..<(i + 1) * n])).prefix(n - f)) }
        return VirtualRows(members: members, scales: members.map { 1.0 / Double(max(1, $0.count)) })
    }

    static func bucketingRows(rows n: Int, size s: Int, permutation: [Int]) -> VirtualRows {
        let members = stride(from: 0, to: n, by: s).map { Array(permutation[$0..<min($0 + s, n)]) }
        return VirtualRows(members: members, scales: members.map { 1.0 / Double(max(1, $0.count)) })
    }

    static func clippingRows<S>(_ batch: UpdateBatch<S>, c: Double) -> VirtualRows {
        let norms = RobustKernels.clipNorms(batch)
        return VirtualRows(members: (0..<batch.rows).map { [$0] }, scales: norms.map { $0 > c ? clipFactor(c / $0, as: S.self) : nil })
    }

    static func arcRows<S>(_ batch: UpdateBatch<S>, f: Int) -> VirtualRows {
        let n = batch.rows
        let k = arcCount(n: n, f: f)
        var scales = [Double?](repeating: nil, count: n)
        if k > 0, k < n {
            let norms = RobustKernels.clipNorms(batch)
            let order = RobustKernels.stableOrder(norms)
            let threshold = norms[order[n - k - 1]]
            for i in order[(n - k)...] where norms[i] > threshold { scales[i] = clipFactor(threshold / norms[i], as: S.self) }
        }
        return VirtualRows(members: (0..<n).map { [$0] }, scales: scales)
    }

    /// Columns per block for `rows` input rows: the block of Float inputs stays within ~256 KB.
    private static func blockWidth(rows: Int) -> Int {
        max(256, min(RobustKernels.columnBlock, (65536 / max(1, rows)) & ~7))
    }

    /// Calls `body(r, values)` for every output row r of every column block (k0, width), `values`
    /// holding the row's Double sum times its scale (not yet rounded to S).
    private static func forEachBlock<S>(_ batch: UpdateBatch<S>, _ rows: VirtualRows,
                                        _ body: (_ k0: Int, _ width: Int, _ r: Int, UnsafeMutablePointer<Double>) -> Void) {
        let d = batch.dimension
        guard d > 0 else { return }
        let w = blockWidth(rows: batch.rows)
        let tmp = UnsafeMutablePointer<Double>.allocate(capacity: w)
        defer { tmp.deallocate() }
        batch.values.withUnsafeBufferPointer { xs in
            guard let x = xs.baseAddress else { return }
            var k0 = 0
            while k0 < d {
                let width = min(w, d - k0)
                for r in 0..<rows.count {
                    tmp.update(repeating: 0, count: width)
                    RobustKernels.accumulateBlock(x, d: d, k0: k0, width: width, rows: rows.members[r], weights: nil,
                                                  center: nil, acc: tmp)
                    if let scale = rows.scales[r] { for k in 0..<width { tmp[k] *= scale } }
                    body(k0, width, r, tmp)
                }
                k0 += width
            }
        }
    }

    /// The pre-aggregated batch.
    static func materialize<S>(_ batch: UpdateBatch<S>, _ rows: VirtualRows) -> UpdateBatch<S> {
        let d = batch.dimension, m = rows.count
        let values = [S](unsafeUninitializedCapacity: m * d) { out, count in
            forEachBlock(batch, rows) { k0, width, r, tmp in
                let o = out.baseAddress! + r * d + k0
                for k in 0..<width { (o + k).initialize(to: S(tmp[k])) }
            }
            count = m * d
        }
        return UpdateBatch(rows: m, dimension: d, values: values)
    }

    /// mean(materialize(batch, rows)) in Double, without the intermediate batch.
    static func meanOfRows<S>(_ batch: UpdateBatch<S>, _ rows: VirtualRows) -> [Double] {
        let d = batch.dimension
        let all = rows.members.flatMap { $0 }
        if !rows.members.contains(where: \.isEmpty), Set(all).count == all.count {
            // Each input row feeds one output row (clipping, ARC, bucketing): one streaming sweep.
            var sum = RobustKernels.sumOfDisjointRows(batch, members: rows.members, scales: rows.scales)
            let scale = 1.0 / Double(max(1, rows.count))
            for k in 0..<d { sum[k] *= scale }
            return sum
        }
        var sum = [Double](repeating: 0, count: d)
        sum.withUnsafeMutableBufferPointer { sp in
            forEachBlock(batch, rows) { k0, width, _, tmp in
                let acc = sp.baseAddress! + k0
                for k in 0..<width { acc[k] = acc[k] + Double(S(tmp[k])) }
            }
        }
        let scale = 1.0 / Double(max(1, rows.count))
        for k in 0..<d { sum[k] *= scale }
        return sum
    }
}
