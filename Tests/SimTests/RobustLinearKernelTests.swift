@testable import Sim
import Testing

/// The C kernels of the rules linear in n·d (CKernels, linear.c) against the Swift path: every rule
/// gives the same bits at level 0 (Swift) and at each SIMD level the CPU has (2: AVX2, 3: AVX-512).
/// Serialized: the level is process-wide.
@Suite(.serialized) struct RobustLinearKernelTests {
    /// Row counts off the four-row passes and the two-row norm pairs; column counts below and above
    /// a 64-column norm block, a 2048-column distance block and `rowPassLimit`, with ragged tails.
    static let shapes = [(1, 1), (2, 7), (3, 63), (5, 64), (6, 65), (4, 16), (7, 2_049), (9, 4_099), (13, 70_003),
                         (10, RobustKernels.rowPassLimit + 37)]

    /// Normals with, when there are rows enough, one long row (clipped), a zero row, a Byzantine row
    /// holding 10³⁰ (its Float squares overflow) and a row of 10⁻³⁰ values (its squares underflow).
    static func batch(n: Int, d: Int, seed: UInt64) -> UpdateBatch<Float> {
        var x = RobustFloatPathTests.batch(n: n, d: d, seed: seed)
        for k in 0..<d { x.values[k] *= 40 }
        if n > 2 { for k in 0..<d { x.values[d + k] = 0 } }
        if n > 3 { x.values[2 * d + d / 2] = 1e30 }
        if n > 4 { for k in 0..<d { x.values[3 * d + k] *= 1e-30 } }
        return x
    }

    /// The SIMD levels this CPU offers (empty on other CPUs or under GRADWIRE_SIMD=0).
    static func levels() -> [Int] {
        let top = SIMDKernels.withLevel(3) { SIMDKernels.level }
        return [2, 3].filter { $0 <= top }
    }

    /// `body` at the given level (serialised with every other level change), then the level before.
    static func at<T>(_ level: Int, _ body: () throws -> T) rethrows -> T {
        try SIMDKernels.withLevel(level, body)
    }

    /// Nil when a and b hold the same bits, else where and how they first differ (short messages).
    static func difference<T: BinaryFloatingPoint>(_ a: [T]?, _ b: [T]) -> String? {
        guard let a else { return "no result" }
        guard a.count == b.count else { return "\(a.count) values vs \(b.count)" }
        let differing = a.indices.filter { a[$0] != b[$0] || a[$0].sign != b[$0].sign || a[$0].isNaN != b[$0].isNaN }
        guard let k = differing.first else { return nil }
        return "\(differing.count) values differ, first at \(k): \(a[k]) vs \(b[k])"
    }

    /// The chain's result at level 0 and at every SIMD level, as bit patterns.
    static func compare(_ names: [String], _ x: UpdateBatch<Float>, parameters: [String: RuleParameters] = [:],
                        context: AggregationContext<Float> = AggregationContext(), label: String) throws {
        let chain = try AggregationChain(names: names, parameters: parameters, defaultF: max(1, x.rows / 5))
        guard (try? chain.validate(inputs: x.rows)) != nil else { return }
        let swift = try at(0) { try chain.aggregate(x, context: context) }
        #expect(swift.vector.count == x.dimension)
        for level in levels() {
            let simd = try at(level) { try chain.aggregate(x, context: context) }
            let problem = difference(simd.vector, swift.vector)
            #expect(problem == nil, "\(label) level \(level): \(problem ?? "")")
        }
    }

    @Test func kernelsRunWhereTheCPUHasThem() {
        let x = Self.batch(n: 5, d: 100, seed: 1)
        for level in Self.levels() {
            Self.at(level) {
                #expect(LinearKernels.mean(x) != nil)
                #expect(LinearKernels.clippedMean(x, c: 1) != nil)
                #expect(LinearKernels.clipSquaredNorms(x) != nil)
                #expect(LinearKernels.centeredClipping(x, tau: 1, iterations: 2, start: nil) != nil)
            }
        }
        Self.at(0) {
            #expect(LinearKernels.mean(x) == nil)
            #expect(LinearKernels.clippedMean(x, c: 1) == nil)
        }
    }

    @Test func meanAndClippingMeansMatchTheSwiftPath() throws {
        for (n, d) in Self.shapes {
            let x = Self.batch(n: n, d: d, seed: UInt64(7 * n + d))
            try Self.compare(["mean"], x, label: "mean n=\(n) d=\(d)")
            // c = √d: the long and the Byzantine rows are clipped, normal rows mostly not.
            let clip = ["clipping": RuleParameters(["c": .number(Double(d).squareRoot())])]
            try Self.compare(["clipping", "mean"], x, parameters: clip, label: "clipping n=\(n) d=\(d)")
            // c below every non-zero norm: every such row scaled.
            let tight = ["clipping": RuleParameters(["c": .number(1e-3)])]
            try Self.compare(["clipping", "mean"], x, parameters: tight, label: "clipping all n=\(n) d=\(d)")
            try Self.compare(["arc", "mean"], x, label: "arc n=\(n) d=\(d)")
        }
    }

    @Test func clipNormsMatchTheSwiftKernel() throws {
        for (n, d) in Self.shapes {
            let x = Self.batch(n: n, d: d, seed: UInt64(n + 3 * d))
            let swift = Self.at(0) { RobustKernels.clipNorms(x) }
            for level in Self.levels() {
                let problem = Self.difference(Self.at(level) { RobustKernels.clipNorms(x) }, swift)
                #expect(problem == nil, "n=\(n) d=\(d) level \(level): \(problem ?? "")")
            }
        }
    }

    @Test(arguments: [1, 3])
    func centeredClippingMatchesTheSwiftPath(iterations: Int) throws {
        for (n, d) in Self.shapes {
            let x = Self.batch(n: n, d: d, seed: UInt64(11 * n + d))
            let tau = Double(d).squareRoot()
            var parameters = RuleParameters(["tau": .number(tau), "L": .number(Double(iterations))])
            try Self.compare(["centered-clipping"], x, parameters: ["centered-clipping": parameters],
                             label: "cc zero n=\(n) d=\(d)")
            // The previous aggregate as the start.
            let previous = RobustFloatPathTests.batch(n: 1, d: d, seed: UInt64(d)).values
            try Self.compare(["centered-clipping"], x, parameters: ["centered-clipping": parameters],
                             context: AggregationContext(previous: previous), label: "cc previous n=\(n) d=\(d)")
            // A given start of signed zeros: no center, but −0 + s/n keeps the start's values.
            let zeros: [JSONNode] = (0..<d).map { .number($0 % 2 == 0 ? -0.0 : 0.0) }
            parameters.values["v0"] = .array(zeros)
            try Self.compare(["centered-clipping"], x, parameters: ["centered-clipping": parameters],
                             label: "cc signed zeros n=\(n) d=\(d)")
        }
    }

    /// The steps in Double against `IterativeRules.centeredClipping` (which keeps v in Double): the
    /// distances' lane order shows here, where the Float rounding of the aggregate would hide it.
    @Test func centeredClippingStepsMatchInDouble() throws {
        for (n, d) in Self.shapes {
            let x = Self.batch(n: n, d: d, seed: UInt64(5 * n + d))
            let tau = Double(d).squareRoot()
            let previous = RobustFloatPathTests.batch(n: 1, d: d, seed: UInt64(d + 1)).values.map { Double($0) }
            for (start, iterations) in [(nil, 1), (nil, 2), (previous, 1), (previous, 3)] as [([Double]?, Int)] {
                let swift = Self.at(0) {
                    IterativeRules.centeredClipping(x, tau: tau, iterations: iterations,
                                                    start: start ?? [Double](repeating: 0, count: d))
                }
                for level in Self.levels() {
                    let simd = Self.at(level) {
                        LinearKernels.centeredClippingInDouble(x, tau: tau, iterations: iterations, start: start)
                    }
                    let problem = Self.difference(simd, swift)
                    let from = start == nil ? "zero" : "previous"
                    let label = "n=\(n) d=\(d) L=\(iterations) start \(from) level \(level)"
                    #expect(problem == nil, "\(label): \(problem ?? "")")
                }
            }
        }
    }

    @Test func ceilingSumReadsEveryValue() {
        for count in [0, 1, 15, 64, 1_000_003] {
            let x = RobustFloatPathTests.batch(n: 1, d: count, seed: UInt64(count)).values
            let exact = x.reduce(0.0) { $0 + Double($1) }
            let bound = x.reduce(0.0) { $0 + abs(Double($1)) } * Double(count) * 0x1p-23
            let got = x.withUnsafeBufferPointer { SIMDKernels.sum($0) }
            #expect(abs(Double(got) - exact) <= bound + 1e-6, "count \(count)")
        }
    }
}
