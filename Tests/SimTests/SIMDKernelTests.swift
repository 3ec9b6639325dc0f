@testable import Sim
import Testing

/// The C kernels (AVX-512 / AVX2) against the Swift paths on the same values: identical bits.
/// On a CPU without either instruction set only the Swift path runs (nothing to compare).
@Suite struct SIMDKernelTests {
    static func bits(_ v: [Double]) -> [UInt64] { v.map(\.bitPattern) }

    /// Results of `rule` at every level the CPU offers (the Swift path first).
    static func atEveryLevel(_ rule: () -> [Double]) -> [(Int, [Double])] {
        let top = SIMDKernels.level
        return [0, 2, 3].filter { $0 <= top }.map { level in (level, SIMDKernels.withLevel(level, rule)) }
    }

    /// Values with many ties, both zeros, infinities and a Byzantine 10³⁰ row.
    static func batch(n: Int, d: Int, seed: UInt64) -> UpdateBatch<Float> {
        let z = PortableRandom.normals(seed: seed, count: n * d)
        var values = z.enumerated().map { i, v -> Float in
            switch i % 7 {
            case 0: Float((v * 3).rounded())                  // small integers: ties
            case 1: v < 0 ? -0.0 : 0.0                         // signed zeros
            default: Float(v)
            }
        }
        if n > 2 { for k in 0..<d { values[(n - 1) * d + k] = 1e30 } }
        if n * d > 40 { values[17] = .infinity; values[29] = -.infinity }
        return UpdateBatch(rows: n, dimension: d, values: values)
    }

    @Test(arguments: [(1, 5), (2, 17), (3, 31), (11, 64), (16, 65), (17, 100), (50, 129), (64, 47), (65, 200), (130, 70), (257, 33)])
    func coordinateRulesGiveTheSameBitsAtEveryLevel(n: Int, d: Int) {
        var x = Self.batch(n: n, d: d, seed: UInt64(n * 1000 + d))
        if n * d > 100 { x.values[n * d / 2] = .nan }     // one block falls back
        let f = max(0, (n - 1) / 4)
        let rules: [(String, () -> [Double])] = [
            ("median", { CoordinateRules.median(x) }),
            ("trimmed mean", { CoordinateRules.trimmedMean(x, trim: f) }),
            ("meamed", { CoordinateRules.meanAroundMedian(x, keep: n - f) }),
            ("subset meamed", { CoordinateRules.floatMeanAroundMedian(x, rows: Array(stride(from: 0, to: n, by: 2)), keep: max(1, (n + 1) / 2 - f / 2)) ?? [] }),
        ]
        for (name, rule) in rules {
            let results = Self.atEveryLevel(rule)
            for (level, r) in results.dropFirst() {
                #expect(Self.bits(r) == Self.bits(results[0].1), "\(name) n=\(n) d=\(d): level \(level) differs from the Swift path")
            }
        }
    }

    @Test func laneSumsMatchThePositionOrderSum() {
        let size = 64
        let scratch = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: size)
        defer { scratch.deallocate() }
        let z = PortableRandom.normals(seed: 9, count: size * 16)
        for p in 0..<size { for l in 0..<16 { scratch[p][l] = Float(z[p * 16 + l] * 1e3) } }
        let results = Self.atEveryLevel {
            let s = ColumnNetworks.laneSums(scratch, 3, 61)
            return (0..<16).map { s[$0] }
        }
        var expected = [Double](repeating: 0, count: 16)
        for p in 3..<61 { for l in 0..<16 { expected[l] += Double(scratch[p][l]) } }
        for (level, r) in results {
            #expect(Self.bits(r) == Self.bits(expected), "level \(level)")
        }
    }

    @Test func levelsAreCappedNeverRaised() {
        let top = SIMDKernels.withLevel(99) { SIMDKernels.level }
        #expect(top == SIMDKernels.withLevel(3) { SIMDKernels.level }, "never raised above the CPU's")
        #expect(SIMDKernels.withLevel(0) { SIMDKernels.level } == 0)
        #expect(SIMDKernels.withLevel(1) { SIMDKernels.level } == 0, "1 is no level: the Swift paths")
        #expect(SIMDKernels.withLevel(2) { SIMDKernels.level } == min(top, 2))
    }

    /// The register prefix covers exactly Batcher's in-group stages, and none when the backward
    /// pruning dropped one of them (a trimmed mean with nothing trimmed keeps no comparator).
    @Test func registerPrefixIsTheInGroupStages() {
        let net = ColumnNetworks.network(n: 50, groupEnds: [10, 40, 50])
        let m = ColumnNetworks.registerPrefix(n: 50, size: 64, network: net)
        #expect(m > 0)
        for t in 0..<m { #expect(net[2 * t] / 16 == net[2 * t + 1] / 16) }
        #expect(net[2 * m] / 16 != net[2 * m + 1] / 16)
        #expect(ColumnNetworks.registerPrefix(n: 50, size: 64, network: ColumnNetworks.network(n: 50, groupEnds: [0, 50, 50])) == 0)
        #expect(ColumnNetworks.registerPrefix(n: 7, size: 8, network: ColumnNetworks.network(n: 7, groupEnds: [3, 4])) == 0)
    }

    @Test(arguments: [false, true])
    func centredTilesGiveTheSameBitsAtEveryLevel(centred: Bool) {
        let n = 7, d = 203, k0 = 5, width = 150
        var x = Self.batch(n: n, d: d, seed: 31).values
        x[2 * d + k0 + 40] = .nan
        x[4 * d + k0 + 149] = .infinity
        let center: [Double]? = centred ? PortableRandom.normals(seed: 5, count: d).map { $0 * 1e-3 } : nil
        let results = Self.atEveryLevel {
            var tile = [Float](repeating: 0, count: n * width)
            var rowMax = [Float](repeating: 0, count: n)
            x.withUnsafeBufferPointer { xs in
                tile.withUnsafeMutableBufferPointer { tp in
                    RobustKernels.centerTile(xs.baseAddress! + k0, ld: d, rows: n, width: width, center: center, from: k0,
                                             tp.baseAddress!, &rowMax)
                }
            }
            return (tile + rowMax).map(Double.init)
        }
        for (level, r) in results.dropFirst() {
            #expect(Self.bits(r) == Self.bits(results[0].1), "centred=\(centred): level \(level) differs")
        }
        let rowMax = results[0].1.suffix(n)
        #expect(rowMax[rowMax.startIndex + 2].isNaN && rowMax[rowMax.startIndex + 4] == .infinity)
    }

    /// CAF's Float Gram route stays within Float rounding of the Double route's covariance.
    @Test func floatGramMatchesTheDoubleGram() throws {
        let n = 12, d = 40_000
        var values = PortableRandom.normals(seed: 77, count: n * d).map { Float($0) + 3 }   // off-centre
        for k in 0..<d { values[(n - 1) * d + k] = Float(k % 13) }
        let batch = UpdateBatch(rows: n, dimension: d, values: values)
        let center = CoordinateRules.mean(batch)
        let fast = try #require(RobustKernels.floatGram(batch, center: center))
        let exact = RobustKernels.gram(batch, center: center)
        for i in 0..<n { for j in 0..<n {
            let scale = (exact[i * n + i] * exact[j * n + j]).squareRoot()
            #expect(abs(fast[i * n + j] - exact[i * n + j]) <= 1e-5 * scale, "entry (\(i), \(j))")
        } }
        values[3 * d + 7] = 1e30
        let huge = UpdateBatch(rows: n, dimension: d, values: values)
        let refused = RobustKernels.floatGram(huge, center: CoordinateRules.mean(huge)) == nil
        #expect(refused, "a 10³⁰ value leaves it to the Double route")
    }

    /// Column ranges over several threads give the same bits as one thread (ranges end on 64-column groups).
    @Test func coordinateRulesIgnoreTheThreadCount() {
        let n = 21, d = 3 * AggregationThreads.minimumColumnsPerThread + 37
        let x = Self.batch(n: n, d: d, seed: 12)
        func run(_ threads: Int) -> [[UInt64]] {
            let before = AggregationThreads.count
            AggregationThreads.set(threads)
            defer { AggregationThreads.set(before) }
            return [CoordinateRules.median(x), CoordinateRules.trimmedMean(x, trim: 4), CoordinateRules.meanAroundMedian(x, keep: 16)]
                .map(Self.bits)
        }
        let one = run(1)
        #expect(run(2) == one)
        #expect(run(3) == one)
    }

    @Test func threadRangesCoverTheColumnsInWholeGroups() {
        let d = 5 * AggregationThreads.minimumColumnsPerThread + 5
        let ranges = AggregationThreads.ranges(columns: d, threads: 3)
        #expect(ranges.count == 3)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == d)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound && a.upperBound % 64 == 0) }
        #expect(AggregationThreads.ranges(columns: 100, threads: 3) == [0..<100], "small batches stay on one thread")
    }

    /// Row reductions, weighted row sums and grouped sums (rows.c) against their Swift loops.
    @Test(arguments: [(1, 7), (5, 2048), (6, 2049 + 2048 + 13), (9, 1031)])
    func rowKernelsGiveTheSameBitsAtEveryLevel(n: Int, d: Int) {
        var x = Self.batch(n: n, d: d, seed: UInt64(n * 7 + d))
        if n > 2 { for k in 0..<d { x.values[(n - 1) * d + k] = Float(k % 5) - 2 } }   // no 10³⁰: ±∞ from squares would hide bits
        let center = PortableRandom.normals(seed: 3, count: d)
        let weights = PortableRandom.normals(seed: 4, count: n).map { abs($0) + 0.1 }
        let subset = Array(stride(from: n - 1, through: 0, by: -2))
        let groups: [[Int]] = stride(from: 0, to: n, by: 3).map { Array($0..<min(n, $0 + 3)) }
        let checks: [(String, () -> [Double])] = [
            ("norms", { RobustKernels.rowSquaredDistances(x, to: nil) }),
            ("distances", { RobustKernels.rowSquaredDistances(x, to: center) }),
            ("dots", { RobustKernels.rowDots(x, with: center) }),
            ("sum", { RobustKernels.accumulate(x, rows: Array(0..<n)) }),
            ("weighted centred subset", { RobustKernels.accumulate(x, rows: subset, weights: subset.map { weights[$0] }, center: center) }),
            ("buckets", { RobustKernels.sumOfDisjointRows(x, members: groups, scales: groups.map { 1 / Double($0.count) }) }),
            ("clipped", { RobustKernels.sumOfDisjointRows(x, members: (0..<n).map { [$0] },
                                                          scales: (0..<n).map { $0 % 3 == 0 ? nil : ($0 % 3 == 1 ? 0.5 : 0.3) }) }),
            ("unscaled groups", { RobustKernels.sumOfDisjointRows(x, members: groups, scales: groups.map { _ in nil }) }),
            ("one large group", { RobustKernels.sumOfDisjointRows(x, members: [Array(0..<n)], scales: [0.25]) }),
        ]
        for (name, check) in checks {
            let results = Self.atEveryLevel(check)
            for (level, r) in results.dropFirst() {
                #expect(Self.bits(r) == Self.bits(results[0].1), "\(name) n=\(n) d=\(d): level \(level) differs")
            }
        }
    }

    /// The rules on top of those kernels, end to end through the chain.
    @Test func rowKernelRulesGiveTheSameBitsAtEveryLevel() throws {
        let n = 13, d = 3000
        let x = Self.batch(n: n, d: d, seed: 99)
        for names in [["geometric-median"], ["monna"], ["bucketing", "mean"], ["caf"], ["centered-clipping"], ["mean"]] {
            let chain = try AggregationChain(names: names, parameters: [:], defaultF: 2)
            let results = Self.atEveryLevel { (try? chain.aggregate(x, context: .init(seed: 1, round: 1)).vector.map(Double.init)) ?? [] }
            #expect(!results[0].1.isEmpty, "\(names) ran")
            for (level, r) in results.dropFirst() {
                #expect(Self.bits(r) == Self.bits(results[0].1), "\(names): level \(level) differs")
            }
        }
    }
}
