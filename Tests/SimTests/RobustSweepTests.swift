@testable import Sim
import Testing

/// The SIMD row kernels and the Float Gram route against plain scalar references and the Double path.
@Suite struct RobustSweepTests {
    static func batch(n: Int, d: Int, seed: UInt64) -> UpdateBatch<Float> {
        RobustFloatPathTests.batch(n: n, d: d, seed: seed)
    }

    /// Shapes with row counts off the 8/4-row sweeps and column tails off the 8-lane vectors.
    static let shapes = [(1, 7), (3, 9), (9, 35), (13, 70_003), (21, 130)]

    @Test func accumulateMatchesTheScalarLoopBitForBit() {
        for (n, d) in Self.shapes {
            let x = Self.batch(n: n, d: d, seed: UInt64(n + d))
            let rows = Array((0..<n).reversed())
            let weights = (0..<n).map { 0.5 + Double($0) / 7 }
            let center = (0..<d).map { Double($0 % 5) / 3 }
            let got = RobustKernels.accumulate(x, rows: rows, weights: weights, center: center)
            var want = [Double](repeating: 0, count: d)
            for k in 0..<d {
                for (r, i) in rows.enumerated() { want[k] += (Double(x.values[i * d + k]) - center[k]) * weights[r] }
            }
            #expect(got == want, "n=\(n) d=\(d)")
            let plain = RobustKernels.accumulate(x, rows: rows)
            #expect(plain == (0..<d).map { k in rows.reduce(0.0) { $0 + Double(x.values[$1 * d + k]) } }, "n=\(n) d=\(d)")
        }
    }

    @Test func rowReductionsMatchDirectSums() {
        for (n, d) in Self.shapes {
            let x = Self.batch(n: n, d: d, seed: UInt64(3 * n + d))
            let v = (0..<d).map { Double($0 % 7) / 5 - 0.5 }
            let squares = RobustKernels.rowSquaredDistances(x, to: v), dots = RobustKernels.rowDots(x, with: v)
            for i in 0..<n {
                var s = 0.0, p = 0.0
                for k in 0..<d {
                    let t = Double(x.values[i * d + k]) - v[k]
                    s += t * t
                    p += Double(x.values[i * d + k]) * v[k]
                }
                #expect(abs(squares[i] - s) <= 1e-12 * s, "n=\(n) d=\(d) row \(i)")
                #expect(abs(dots[i] - p) <= 1e-12 * max(1, abs(p)) * Double(d), "n=\(n) d=\(d) row \(i)")
            }
            // Float and Double batches holding the same values give the same bits.
            #expect(squares == RobustKernels.rowSquaredDistances(x.converted(to: Double.self), to: v))
        }
    }

    /// The fused pre-aggregator + mean sweep equals materialising the batch and averaging it.
    @Test(arguments: ["clipping", "arc", "bucketing"])
    func fusedMeanEqualsTheTwoStepRoute(pre: String) throws {
        for (n, d) in Self.shapes where n > 2 {
            var x = Self.batch(n: n, d: d, seed: UInt64(n * d))
            for k in 0..<d { x.values[k] *= 40 }  // one long row, so clipping and ARC scale something
            let parameters = ["clipping": RuleParameters(["c": .number(Double(d).squareRoot())])]
            let fused = try AggregationChain(names: [pre, "mean"], parameters: parameters, defaultF: 1)
            let context = AggregationContext<Float>(seed: 9, round: 2)
            let a = try fused.aggregate(x, context: context)
            let pre = try fused.preAggregate(x, context: context)
            let b = try AggregationChain(names: ["mean"], defaultF: 1).aggregate(pre, context: context)
            #expect(a.vector == b.vector, "n=\(n) d=\(d)")
        }
    }

    /// Static clipping and ARC on Float batches use clip factors rounded to Float, so each clipped
    /// value is the Float product x ⊗ factor (one Float multiply in the kernels). Checked bit for bit
    /// against a scalar loop on both sides of `rowPassLimit` (one-pass row pairs below it, the
    /// disjoint-rows sweep above), and against the Double path within Float rounding.
    @Test(arguments: [1_000, RobustKernels.rowPassLimit + 5])
    func floatClipFactorsGiveFloatProducts(d: Int) throws {
        let n = 9
        var x = Self.batch(n: n, d: d, seed: UInt64(d) + 5)
        for k in 0..<d { x.values[4 * d + k] *= 0.1 }  // one short row: left unclipped
        let c = 0.5 * Double(d).squareRoot()
        let norms = RobustKernels.rowNorms(x)
        let factors = norms.map { $0 > c ? Float(c / $0) : nil }
        #expect(factors.compactMap { $0 }.count == n - 1)
        var want = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for k in 0..<d {
                let v = x.values[i * d + k]
                want[k] += Double(factors[i].map { v * $0 } ?? v)
            }
        }
        let scale = 1.0 / Double(n)
        let expected = want.map { Float($0 * scale) }
        let parameters = ["clipping": RuleParameters(["c": .number(c)])]
        let chain = try AggregationChain(names: ["clipping", "mean"], parameters: parameters, defaultF: 2)
        let context = AggregationContext<Float>(seed: 3, round: 1)
        let fused = try chain.aggregate(x, context: context).vector
        #expect(fused == expected, "clipping + mean d=\(d)")
        let twoStep = try AggregationChain(names: ["mean"], defaultF: 2).aggregate(try chain.preAggregate(x, context: context), context: context)
        #expect(twoStep.vector == expected)
        // The Double path differs only by the factor's Float rounding (relative 2⁻²⁴ per value).
        let wide = try chain.aggregate(x.converted(to: Double.self), context: AggregationContext<Double>(seed: 3, round: 1)).vector
        #expect(zip(fused, wide).allSatisfy { abs(Double($0) - $1) <= 1e-6 * max(1, abs($1)) })
        // ARC: the clipped rows' factors are Float values too, and both routes agree bit for bit.
        let arcRows = PreAggregators.arcRows(x, f: 2)
        #expect(arcRows.scales.compactMap { $0 }.count == PreAggregators.arcCount(n: n, f: 2))
        #expect(arcRows.scales.allSatisfy { $0.map { Double(Float($0)) == $0 } ?? true })
        let arc = try AggregationChain(names: ["arc", "mean"], defaultF: 2)
        let arcFused = try arc.aggregate(x, context: context).vector
        let arcTwoStep = try AggregationChain(names: ["mean"], defaultF: 2).aggregate(try arc.preAggregate(x, context: context), context: context)
        #expect(arcFused == arcTwoStep.vector)
    }

    /// The clipping rules' Float-square norms: within 9 · 2⁻²⁴ of the Double norm, on both sides of
    /// `rowPassLimit` and with column tails off the 64-column blocks; rows with huge (10³⁰, whose Float
    /// squares overflow), tiny (10⁻³⁰, which underflow) or zero values get the Double norm's value.
    @Test(arguments: [1_000, 70_003, RobustKernels.rowPassLimit + 37])
    func clipNormsStayWithinFloatRounding(d: Int) throws {
        let n = 5
        var x = Self.batch(n: n, d: d, seed: UInt64(d) + 11)
        for k in 0..<d {
            x.values[1 * d + k] *= 1e30
            x.values[2 * d + k] *= 1e-30
            x.values[3 * d + k] = k % 97 == 0 ? x.values[3 * d + k] : 0
        }
        x.values[4 * d + 3] = 1e30
        let fast = RobustKernels.clipNorms(x), exact = RobustKernels.rowNorms(x)
        for i in 0..<n {
            #expect(fast[i].isFinite && fast[i] > 0, "row \(i)")
            #expect(abs(fast[i] - exact[i]) <= 0x1p-21 * exact[i], "row \(i): \(fast[i]) vs \(exact[i])")
        }
        // The one-pass route (row pairs, next pair reduced while the current one is added) uses the
        // same norms: clipping + mean equals the materialised route bit for bit.
        let parameters = ["clipping": RuleParameters(["c": .number(exact[0] * 0.9)])]
        let chain = try AggregationChain(names: ["clipping", "mean"], parameters: parameters, defaultF: 1)
        let context = AggregationContext<Float>(seed: 1, round: 1)
        let fused = try chain.aggregate(x, context: context).vector
        let twoStep = try AggregationChain(names: ["mean"], defaultF: 1).aggregate(try chain.preAggregate(x, context: context), context: context)
        #expect(fused == twoStep.vector)
        // Double batches keep the Double norms.
        #expect(RobustKernels.clipNorms(x.converted(to: Double.self)) == exact)
        if RobustKernels.rowPassFits(x) {
            // The one-pass route's distances (reduced 2048 columns at a time, interleaved with the adding)
            // are the same bits as `clipNorms`.
            let squares = RobustKernels.rowPass(x, center: nil, centered: false, roundToScalar: true, clipSquares: true) { _, _ in nil }.squares
            #expect(squares.map { $0.squareRoot() } == fast)
        }
    }

    /// The coordinate networks read column tiles of `ColumnNetworks.tileWidth(rows:)` columns: across tile
    /// boundaries, a ragged last tile and a NaN column in the second tile, median, trimmed mean, Meamed
    /// and Bulyan (a subset of rows, copied in its order) agree with the Double path.
    @Test func coordinateNetworksAcrossColumnTiles() throws {
        let n = 23, tile = ColumnNetworks.tileWidth(rows: 23), d = 2 * tile + 19
        var x = Self.batch(n: n, d: d, seed: 41)
        x.values[5 * d + tile + 3] = .nan
        let wide = x.converted(to: Double.self)
        let m = CoordinateRules.median(x), mw = CoordinateRules.median(wide)
        #expect(zip(m, mw).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
        func close(_ a: [Double], _ b: [Double], _ t: Double) -> Bool {
            zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) || abs($0 - $1) <= t * max(1, abs($1)) }
        }
        #expect(close(CoordinateRules.trimmedMean(x, trim: 4), CoordinateRules.trimmedMean(wide, trim: 4), 1e-12))
        #expect(close(CoordinateRules.meanAroundMedian(x, keep: 18), CoordinateRules.meanAroundMedian(wide, keep: 18), 1e-12))
        var finite = x
        finite.values[5 * d + tile + 3] = 0.5
        let chain = try AggregationChain(names: ["bulyan"], defaultF: 3)
        let a = try chain.aggregate(finite, context: AggregationContext())
        let b = try chain.aggregate(finite.converted(to: Double.self), context: AggregationContext())
        #expect(a.selected == b.selected)
        #expect(close(a.vector.map { Double($0) }, b.vector.map { Double(Float($0)) }, 1e-6))
    }

    @Test func floatGramDistancesMatchTheDoubleRoute() throws {
        let n = 20, d = 12_000  // n²·d above gramThreshold
        var x = Self.batch(n: n, d: d, seed: 77)
        // Rows 3, 4 and 5 identical (colluding clients) and row 6 a tiny perturbation of row 3.
        for k in 0..<d {
            x.values[4 * d + k] = x.values[3 * d + k]
            x.values[5 * d + k] = x.values[3 * d + k]
            x.values[6 * d + k] = x.values[3 * d + k] + (k % 3 == 0 ? 1e-3 : 0)
        }
        let fast = try #require(RobustKernels.floatSquaredDistances(x))
        let wide = x.converted(to: Double.self)
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<d { let t = wide.values[i * d + k] - wide.values[j * d + k]; s += t * t }
                #expect(abs(fast[i * n + j] - s) <= 1e-4 * s + 1e-12, "pair \(i), \(j)")
            }
        }
        #expect(fast[3 * n + 4] == 0 && fast[4 * n + 5] == 0)
        for rule in ["krum", "multi-krum"] {
            let chain = try AggregationChain(names: [rule], defaultF: 4)
            let a = try chain.aggregate(x, context: AggregationContext()), b = try chain.aggregate(wide, context: AggregationContext())
            #expect(a.selected == b.selected, "\(rule)")
        }
    }

    /// Centered clipping (zero and non-zero start) and the ByzFL geometric median on both sides of
    /// `rowPassLimit` (one pass per row below it, two passes above) against plain-loop references.
    @Test(arguments: [1_000, RobustKernels.rowPassLimit + 5])
    func onePassAndTwoPassRulesMatchPlainLoops(d: Int) throws {
        let n = 6
        var x = Self.batch(n: n, d: d, seed: UInt64(d))
        for k in 0..<d { x.values[2 * d + k] *= 9 }
        let wide = x.values.map { Double($0) }
        func norm(_ i: Int, _ v: [Double]) -> Double {
            var s = 0.0
            for k in 0..<d { let t = wide[i * d + k] - v[k]; s += t * t }
            return s.squareRoot()
        }
        let tau = Double(d).squareRoot() * 1.5
        for start in [[Double](repeating: 0, count: d), (0..<d).map { Double($0 % 3) / 10 }] {
            var want = start
            for i in 0..<n {
                let r = norm(i, start), w = r > 0 ? min(1, tau / r) : 1
                for k in 0..<d { want[k] += (wide[i * d + k] - start[k]) * w / Double(n) }
            }
            let got = IterativeRules.centeredClipping(x, tau: tau, iterations: 1, start: start)
            #expect(zip(got, want).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, abs($1)) }, "centered clipping d=\(d)")
        }
        var z = [Double](repeating: 0, count: d)
        for _ in 0..<3 {
            let beta = (0..<n).map { 1 / max(0.1, norm($0, z)) }
            let total = beta.reduce(0, +)
            z = (0..<d).map { k in (0..<n).reduce(0.0) { $0 + beta[$1] * wide[$1 * d + k] } / total }
        }
        let got = IterativeRules.geometricMedian(x, options: .byzfl(), previous: nil)
        #expect(zip(got, z).allSatisfy { abs($0 - $1) <= 1e-9 * max(1, abs($1)) }, "geometric median d=\(d)")
        // A row with +∞ is dropped before the iterations (its norm is +∞, the scan confirms it).
        x.values[4 * d + 7] = .infinity
        let dropped = IterativeRules.geometricMedian(x, options: .byzfl(), previous: nil)
        let kept = IterativeRules.geometricMedian(x.selecting([0, 1, 2, 3, 5]), options: .byzfl(), previous: nil)
        #expect(dropped == kept)
    }

    /// The Float Gram routes give the same bits on one, two and three threads: blocks are formed by
    /// single-threaded ssyrk calls on their own threads and added in block order (five 4096-column
    /// blocks for the distances, seventeen 1024-column ones for CAF's Gram); the OpenBLAS thread count
    /// is restored afterwards, and a block that fails CAF's range check makes every count give up.
    @Test func floatGramDistancesIgnoreTheThreadCount() throws {
        // Blocks of very different magnitudes, so that adding their Grams in another order rounds
        // differently (sums of a few similar Floats are exact in Double and would hide it).
        var x = Self.batch(n: 96, d: 17_192, seed: 31)
        let scales: [Float] = [1e3, 1e-3, 1, 1e-2, 10]
        for i in 0..<x.rows {
            for k in 0..<x.dimension { x.values[i * x.dimension + k] *= scales[(k / 4096 + k / 1024) % 5] }
        }
        let center = (0..<x.dimension).map { Double($0 % 7) * 0.01 }
        let before = BLAS.threads
        defer { BLAS.setThreads(before) }
        BLAS.setThreads(1)
        let one = try #require(RobustKernels.floatSquaredDistances(x))
        let gramOne = try #require(RobustKernels.floatGram(x, center: center))
        for threads in [2, 3] {
            BLAS.setThreads(threads)
            let many = try #require(RobustKernels.floatSquaredDistances(x))
            #expect(one == many, "\(threads) threads")
            #expect(try #require(RobustKernels.floatGram(x, center: center)) == gramOne, "\(threads) threads, centred")
            #expect(BLAS.threads == threads)
        }
        x.values[3 * x.dimension + 5_000] = 1e20  // a later block: its squares would overflow Float
        for threads in [1, 2, 3] {
            BLAS.setThreads(threads)
            #expect(RobustKernels.floatGram(x, center: nil) == nil, "\(threads) threads")
        }
        // Few rows take sgemm instead of ssyrk: the same independence, and the distances of the
        // direct Double route within Float rounding.
        var small = Self.batch(n: 11, d: 40_000, seed: 37)  // n²·d above the Gram threshold
        for i in 0..<small.rows {
            for k in 0..<small.dimension { small.values[i * small.dimension + k] *= scales[(k / 4096) % 5] }
        }
        var reference: [Double]? = nil
        for threads in [1, 2, 3] {
            BLAS.setThreads(threads)
            let distances = RobustKernels.floatSquaredDistances(small)
            let got = try #require(distances, "n = 11 takes the Gram route")
            if let reference { #expect(got == reference, "n = 11, \(threads) threads") } else { reference = got }
        }
        let wide = small.converted(to: Double.self)
        for i in 0..<11 {
            for j in 0..<11 where i != j {
                var exact = 0.0
                for k in 0..<wide.dimension {
                    let t = wide.values[i * wide.dimension + k] - wide.values[j * wide.dimension + k]
                    exact += t * t
                }
                #expect(abs(reference![i * 11 + j] - exact) <= 1e-4 * exact, "n = 11, pair \(i), \(j)")
            }
        }
    }

    /// Bulyan's coordinate step keeps fewer values than it drops (β < θ − β): the fully sorted
    /// network path against the scalar Double path, with and without ties.
    @Test(arguments: [0, 3])
    func narrowMeanAroundMedianMatchesTheScalarPath(levels: Int) {
        for (n, d) in [(7, 19), (17, 40), (30, 33), (45, 17)] {
            let x = RobustFloatPathTests.batch(n: n, d: d, seed: UInt64(7 * n + d + levels), levels: levels)
            let keep = max(1, n / 3)
            let a = CoordinateRules.meanAroundMedian(x, keep: keep)
            let b = CoordinateRules.meanAroundMedian(x.converted(to: Double.self), keep: keep)
            #expect(RobustFloatPathTests.close(a, b, 1e-12), "n=\(n) d=\(d) keep=\(keep) levels=\(levels)")
        }
    }

    @Test func infinityScanFindsEveryPosition() {
        var x = Self.batch(n: 4, d: 37, seed: 5)
        x.values[1 * 37 + 36] = -.infinity
        x.values[2 * 37 + 17] = .infinity
        x.values[3 * 37 + 4] = .nan
        #expect(RobustKernels.rowsWithoutInfinity(x) == [0, 3])
    }
}
