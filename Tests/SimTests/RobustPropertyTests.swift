@testable import Sim
import Testing

/// The invariants of specs/robust-aggregation.md §4, validation errors, determinism and the Float path.
@Suite struct RobustPropertyTests {
    typealias T = RobustTestSupport

    /// n rows: n − byz honest rows N(1, 1), then `byz` far rows, from a fixed seed.
    static func sample(n: Int, d: Int, byzantine: Int, seed: UInt64, far: Double = 50) -> [[Double]] {
        let z = PortableRandom.normals(seed: seed, count: n * d)
        return (0..<n).map { i in
            (0..<d).map { k in i < n - byzantine ? 1 + z[i * d + k] : far + 5 * z[i * d + k] }
        }
    }

    static let rulesAndF: [(chain: [String], f: Int)] = [
        (["mean"], 0), (["median"], 2), (["trimmed-mean"], 2), (["meamed"], 2), (["krum"], 2), (["multi-krum"], 2),
        (["geometric-median"], 2), (["bulyan"], 2), (["mda"], 2), (["smea"], 2), (["caf"], 2), (["nnm", "trimmed-mean"], 2),
        (["clipping", "nnm", "median"], 2), (["arc", "krum"], 2), (["monna"], 2), (["dnc"], 2), (["flag"], 2), (["signguard"], 2),
        (["centered-clipping"], 2),
    ]

    @Test func permutationInvariance() throws {
        let rows = Self.sample(n: 11, d: 5, byzantine: 2, seed: 7)
        let perm = PortableRandom.permutation(seed: 99, count: rows.count)
        let shuffled = perm.map { rows[$0] }
        for (chain, f) in Self.rulesAndF where chain != ["signguard"] && chain != ["dnc"] {
            let a = try T.run(chain, rows, f: f), b = try T.run(chain, shuffled, f: f)
            let tolerance = chain == ["geometric-median"] ? 1e-9 : 1e-12  // iterative: stops within 1e-12 steps
            #expect(T.close(a.vector, b.vector, tolerance), "\(chain) is not permutation invariant")
            if let sa = a.selected, let sb = b.selected, !chain.contains("monna") {
                #expect(Set(sa.map { rows[$0] }) == Set(sb.map { shuffled[$0] }), "\(chain) selects other vectors")
            }
        }
    }

    @Test func robustRulesResistFarOutliers() throws {
        let rows = Self.sample(n: 11, d: 5, byzantine: 2, seed: 8, far: 1e6)
        let honest = Array(rows.prefix(9))
        let mins = (0..<5).map { k in honest.map { $0[k] }.min()! }, maxs = (0..<5).map { k in honest.map { $0[k] }.max()! }
        for (chain, f) in Self.rulesAndF where chain != ["mean"] && chain != ["flag"] && chain != ["centered-clipping"] {
            let out = try T.run(chain, rows, f: f).vector
            let inside = (0..<5).allSatisfy { out[$0] >= mins[$0] - 1e-9 && out[$0] <= maxs[$0] + 1e-9 }
            #expect(inside, "\(chain) left the honest range: \(out)")
        }
        let krum = try T.run(["krum"], rows, f: 2)
        #expect(krum.vector == rows[krum.selected![0]] && krum.selected![0] < 9)
    }

    @Test func coordinateWiseRulesStayWithinInputRange() throws {
        let rows = Self.sample(n: 40, d: 7, byzantine: 5, seed: 9)  // n > 32: the selection path
        for (chain, f) in [(["median"], 5), (["trimmed-mean"], 5), (["meamed"], 5), (["median"], 0)] {
            let out = try T.run(chain, rows, f: f).vector
            for k in 0..<7 {
                let column = rows.map { $0[k] }
                #expect(out[k] >= column.min()! && out[k] <= column.max()!, "\(chain) coordinate \(k)")
            }
            // Same result as the sorted definition.
            let sortedCols = (0..<7).map { k in rows.map { $0[k] }.sorted() }
            let reference: [Double] = sortedCols.map { c in
                switch chain[0] {
                case "median": return (c[19] + c[20]) / 2
                case "trimmed-mean": return c[5..<35].reduce(0, +) / 30
                default: return .nan
                }
            }
            if chain[0] != "meamed" { #expect(T.close(out, reference, 1e-12), "\(chain) selection path") }
        }
    }

    @Test func fZeroReductions() throws {
        let rows = Self.sample(n: 7, d: 4, byzantine: 0, seed: 10)
        let mean = try T.run(["mean"], rows, f: 0).vector
        for chain in [["trimmed-mean"], ["meamed"], ["mda"], ["monna"], ["caf"], ["smea"], ["nnm", "mean"], ["dnc"]] {
            #expect(T.close(try T.run(chain, rows, f: 0).vector, mean, 1e-12), "\(chain) with f = 0")
        }
        #expect(T.close(try T.run(["multi-krum"], rows, f: 0, params: ["m": .number(7)]).vector, mean, 1e-12))
        let cc = try T.run(["centered-clipping"], rows, f: 0, params: ["tau": .number(1e9)])
        #expect(T.close(cc.vector, mean, 1e-12))
        let one = try T.run(["multi-krum"], rows, f: 0, params: ["m": .number(1)])
        #expect(one.vector == (try T.run(["krum"], rows, f: 0)).vector)
    }

    @Test func consensusInputsGiveTheCommonVector() throws {
        let x: [Double] = [1.5, -2, 3]
        let rows = Array(repeating: x, count: 7)
        for (chain, f) in Self.rulesAndF where !["flag", "centered-clipping"].contains(chain[0]) && chain.last != "median" {
            if chain.first == "clipping" || chain.first == "arc" { continue }
            #expect(T.close(try T.run(chain, rows, f: min(f, 1)).vector, x, 1e-9), "\(chain)")
        }
        let flag = try T.run(["flag"], rows, f: 0).vector
        let ratio = flag[0] / x[0]
        #expect(ratio > 0 && T.close(flag, x.map { $0 * ratio }, 1e-9))
    }

    @Test func validationErrorsNameTheFix() throws {
        let bulyan = try AggregationChain(steps: [T.rule("bulyan", f: 1)])
        let error = #expect(throws: RobustError.self) { try bulyan.validate(inputs: 6) }
        let text = error.map(String.init(describing:)) ?? ""
        #expect(text.contains("n ≥ 4f + 3") && text.contains("n = 6") && text.contains("f = 1") && text.contains("assumed_f"))
        #expect(throws: RobustError.tooManyInputs(rule: "mda", inputs: 21, limit: 20)) {
            try AggregationChain(steps: [T.rule("mda", f: 1)]).validate(inputs: 21)
        }
        #expect(throws: RobustError.self) { try AggregationChain(steps: [T.rule("krum", f: 2)]).validate(inputs: 6) }
        try AggregationChain(steps: [T.rule("krum", ["neighbours": .string("n-f-1")], f: 2)]).validate(inputs: 6)
        #expect(throws: RobustError.self) { try AggregationChain(steps: [T.rule("trimmed-mean", f: 3)]).validate(inputs: 6) }
        // Bucketing shrinks n before the rule: 25 rows, s = 2 → 13 buckets ≥ 2·5 + 3.
        try AggregationChain(steps: [T.rule("bucketing", ["s": .number(2)], f: 5), T.rule("krum", f: 5)]).validate(inputs: 25)
        #expect(throws: RobustError.self) {
            try AggregationChain(steps: [T.rule("bucketing", ["s": .number(3)], f: 5), T.rule("krum", f: 5)]).validate(inputs: 25)
        }
        #expect(throws: RobustError.unknownRule("krumm", suggestion: "krum")) { try T.rule("krumm") }
        #expect(throws: RobustError.self) { try T.rule("krum", ["tau": .number(1)]) }
        #expect(throws: RobustError.self) { try AggregationChain(steps: [.mean, T.rule("nnm")]) }
        #expect(throws: RobustError.self) { try AggregationChain(steps: [.mean, .median]) }
        #expect(throws: RobustError.emptyInput(rule: "mean")) {
            try AggregationChain(steps: [.mean]).aggregate(UpdateBatch<Double>(rows: 0, dimension: 3, values: []), context: AggregationContext())
        }
    }

    @Test func seededRulesAreDeterministic() throws {
        let rows = Self.sample(n: 9, d: 50, byzantine: 2, seed: 11)
        let chain = try AggregationChain(steps: [T.rule("bucketing", ["s": .number(2)], f: 1), T.rule("median")])
        let ctx = AggregationContext<Double>(seed: 5, round: 3)
        let a = try chain.preAggregate(UpdateBatch(rows: rows), context: ctx)
        #expect(a.rows == 5)
        #expect(a == (try chain.preAggregate(UpdateBatch(rows: rows), context: ctx)))
        #expect(a != (try chain.preAggregate(UpdateBatch(rows: rows), context: AggregationContext(seed: 5, round: 4))))
        for name in ["dnc", "signguard"] {
            let params: [String: JSONNode] = name == "dnc" ? ["b": .number(10)] : [:]
            let x = try T.run([name], rows, f: 2, params: params, context: ctx)
            let y = try T.run([name], rows, f: 2, params: params, context: ctx)
            #expect(x == y, "\(name) is not deterministic")
            #expect(x.selected.map { $0.allSatisfy { $0 < 7 } } == true, "\(name) kept a far row: \(String(describing: x.selected))")
        }
    }

    @Test func gramDistancesAgreeWithDirectDifferences() {
        let rows = Self.sample(n: 40, d: 3000, byzantine: 4, seed: 12)
        let batch = UpdateBatch(rows: rows)
        #expect(40 * 40 * 3000 >= RobustKernels.gramThreshold)
        let gramPath = RobustKernels.squaredDistances(batch)
        var worst = 0.0
        for i in 0..<40 { for j in 0..<40 where i != j {
            let direct = zip(rows[i], rows[j]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            worst = max(worst, abs(gramPath[i * 40 + j] - direct) / direct)
        } }
        #expect(worst < 1e-10)
    }

    @Test func floatAndDoublePathsAgree() throws {
        let rows = Self.sample(n: 13, d: 300, byzantine: 3, seed: 13)
        let double = UpdateBatch(rows: rows), float = double.converted(to: Float.self)
        let floatRows = float.converted(to: Double.self)
        for (chain, f) in Self.rulesAndF where !["mda", "smea", "signguard", "dnc"].contains(chain[0]) {
            let c = try AggregationChain(steps: chain.map { try T.rule($0, f: f) })
            let a = try c.aggregate(float, context: AggregationContext()).vector.map(Double.init)
            let b = try c.aggregate(floatRows, context: AggregationContext()).vector
            #expect(T.close(a, b, 1e-6), "\(chain): Float and Double paths differ")
        }
    }
}
