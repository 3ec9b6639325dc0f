import Sim
import Testing

/// Helpers shared by the robust-rule tests.
enum RobustTestSupport {
    static func rule(_ name: String, _ params: [String: JSONNode] = [:], f: Int = 0) throws -> RobustRule {
        try RobustRule(name: name, parameters: RuleParameters(params), defaultF: f)
    }

    static func run(_ names: [String], _ rows: [[Double]], f: Int, params: [String: JSONNode] = [:],
                    context: AggregationContext<Double> = AggregationContext()) throws -> AggregationResult<Double> {
        let chain = try AggregationChain(steps: names.map { try rule($0, params, f: f) })
        return try chain.aggregate(UpdateBatch(rows: rows), context: context)
    }

    static func close(_ a: [Double], _ b: [Double], _ tol: Double = 1e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tol * max(1, abs($1)) }
    }

    static let exampleA: [[Double]] = [[0, 0], [1, 0], [0, 1], [1, 1], [10, 10]]
    static let exampleB: [[Double]] = [[0, 0], [2, 0], [0, 2], [2, 2], [1, 1], [1, 3], [8, -4]]
    static let exampleC: [[Double]] = [[6, 5], [7, 4], [0, 9], [1, 2], [8, 8], [6, 4], [20, -8]]
    static let exampleD: [[Double]] = [[4, 9], [5, 0], [5, 1], [7, 9], [9, 6]]
    static let honestMeanC: [Double] = [14.0 / 3, 16.0 / 3]
}

/// The worked examples of specs/robust-aggregation.md §3 ([R]/[D] numbers, 6 printed decimals).
@Suite struct RobustWorkedExampleTests {
    typealias T = RobustTestSupport

    @Test func exampleA() throws {
        let a = T.exampleA
        #expect(T.close(try T.run(["mean"], a, f: 1).vector, [2.4, 2.4]))
        #expect(try T.run(["median"], a, f: 1).vector == [1, 1])
        #expect(T.close(try T.run(["trimmed-mean"], a, f: 1).vector, [2.0 / 3, 2.0 / 3]))
        #expect(T.close(try T.run(["meamed"], a, f: 1).vector, [0.5, 0.5]))
        let krum = try T.run(["krum"], a, f: 1)
        #expect(krum.vector == [0, 0] && krum.selected == [0])
        #expect(T.close(try T.run(["multi-krum"], a, f: 1, params: ["m": .number(4)]).vector, [0.5, 0.5]))
        #expect(T.close(try T.run(["mda"], a, f: 1).vector, [0.5, 0.5]))
        let exact = (3 + Double(3).squareRoot()) / 6
        #expect(T.close(try T.run(["geometric-median"], a, f: 1).vector, [exact, exact], 1e-6))
        for (t, value) in [(1, 0.188938), (2, 0.394094), (3, 0.566477), (10, 0.775260)] {
            let out = try T.run(["geometric-median"], a, f: 1, params: ["variant": .string("byzfl"), "T": .number(Double(t))])
            #expect(T.close(out.vector, [value, value], 1e-6), "T = \(t)")
        }
        let cc = try T.run(["centered-clipping"], a, f: 1, params: ["tau": .number(2), "L": .number(1)])
        #expect(T.close(cc.vector, [(2 + Double(2).squareRoot()) / 5, (2 + Double(2).squareRoot()) / 5], 1e-12))
        let first = try T.run(["centered-clipping"], a, f: 1, params: ["tau": .number(2), "L": .number(3)])
        #expect(T.close(first.vector, [0.846725, 0.846725]))
        let second = try T.run(["centered-clipping"], a, f: 1, params: ["tau": .number(2), "L": .number(3)],
                               context: AggregationContext(previous: first.vector))
        #expect(T.close(second.vector, [0.853499, 0.853499]))
        #expect(try T.run(["monna"], a, f: 1, params: ["idx": .number(0)]).vector == [0.5, 0.5])
        #expect(try T.run(["monna"], a, f: 1, params: ["idx": .number(4)]).vector == [3, 3])
        #expect(try T.run(["nnm", "trimmed-mean"], a, f: 1).vector == [0.5, 0.5])
        #expect(try T.run(["nnm", "krum"], a, f: 1).vector == [0.5, 0.5])
    }

    @Test func exampleAPreAggregators() throws {
        let batch = UpdateBatch(rows: T.exampleA)
        func pre(_ name: String, _ params: [String: JSONNode]) throws -> [[Double]] {
            try AggregationChain(steps: [T.rule(name, params, f: 1), .mean]).preAggregate(batch, context: AggregationContext()).rowArrays
        }
        #expect(try pre("nnm", [:]) == [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5], [3, 3]])
        let arc = try pre("arc", [:])
        #expect(Array(arc.prefix(4)) == Array(T.exampleA.prefix(4)) && T.close(arc[4], [1, 1], 1e-15))
        let clipped = try pre("clipping", ["c": .number(2)])
        #expect(T.close(clipped[4], [Double(2).squareRoot(), Double(2).squareRoot()], 1e-15))
        let buckets = try pre("bucketing", ["s": .number(2)])
        #expect(buckets.count == 3)
    }

    @Test func exampleBLattice() throws {
        let b = T.exampleB
        #expect(try T.run(["krum"], b, f: 1).vector == [1, 1])
        #expect(try T.run(["krum"], b, f: 1, params: ["neighbours": .string("n-f-1")]).vector == [1, 1])
        #expect(try T.run(["median"], b, f: 1).vector == [1, 1])
        #expect(T.close(try T.run(["trimmed-mean"], b, f: 1).vector, [1.2, 1.0], 1e-12))
        #expect(T.close(try T.run(["multi-krum"], b, f: 1, params: ["neighbours": .string("n-f-1")]).vector, [1, 4.0 / 3], 1e-12))
        #expect(T.close(try T.run(["geometric-median"], b, f: 1).vector, [1, 1], 1e-6))
    }

    @Test func exampleC() throws {
        let c = T.exampleC
        #expect(T.close(try T.run(["median"], c, f: 1).vector, [6, 4]))
        #expect(T.close(try T.run(["trimmed-mean"], c, f: 1).vector, [5.6, 4.6], 1e-12))
        #expect(T.close(try T.run(["trimmed-mean"], c, f: 2).vector, [19.0 / 3, 13.0 / 3], 1e-12))
        #expect(try T.run(["krum"], c, f: 1).selected == [0])
        #expect(try T.run(["krum"], c, f: 1, params: ["neighbours": .string("n-f-1")]).selected == [0])
        let expected: [[Double]] = [[6, 5], [6, 4.5], [19.0 / 3, 13.0 / 3], [6.75, 5.25], [5.6, 4.6], [14.0 / 3, 16.0 / 3]]
        for (m, value) in expected.enumerated() {
            #expect(T.close(try T.run(["multi-krum"], c, f: 1, params: ["m": .number(Double(m + 1))]).vector, value, 1e-12))
        }
        let bulyan = try T.run(["bulyan"], c, f: 1)
        #expect(bulyan.selected == [0, 5, 1, 2, 3])
        #expect(T.close(bulyan.vector, [19.0 / 3, 13.0 / 3], 1e-12))
        #expect(T.close(try T.run(["geometric-median"], c, f: 1).vector, [6.103837, 4.403781], 1e-6))
        #expect(T.close(try T.run(["geometric-median"], c, f: 1, params: ["variant": .string("byzfl")]).vector, [6.015966, 4.425505]))
        #expect(T.close(try T.run(["centered-clipping"], c, f: 1, params: ["tau": .number(5)]).vector, [3.074356, 2.447671]))
        #expect(T.close(try T.run(["centered-clipping"], c, f: 1, params: ["tau": .number(5)],
                                  context: AggregationContext(previous: [6, 4])).vector, [5.758970, 4.441430]))
        for chain in [["nnm", "trimmed-mean"], ["nnm", "median"], ["nnm", "krum"], ["meamed"], ["mda"]] {
            #expect(T.close(try T.run(chain, c, f: 1).vector, T.honestMeanC, 1e-12), "\(chain)")
        }
        let dnc = try T.run(["dnc"], c, f: 1, params: ["b": .number(2), "niters": .number(1), "c": .number(1)])
        #expect(T.close(dnc.vector, T.honestMeanC, 1e-12) && dnc.selected == [0, 1, 2, 3, 4, 5])
        let arc = try AggregationChain(steps: [T.rule("arc", f: 1), .mean]).preAggregate(UpdateBatch(rows: c), context: AggregationContext())
        #expect(T.close(arc.rowArrays[6], [10.504515, -4.201806]))
    }

    @Test func exampleDKrumConventions() throws {
        #expect(try T.run(["krum"], T.exampleD, f: 1).vector == [7, 9])  // product default: n − f − 2
        #expect(try T.run(["krum"], T.exampleD, f: 1, params: ["neighbours": .string("n-f-1")]).vector == [9, 6])
    }

    @Test func fltrustExample() throws {
        let out = try T.run(["fltrust"], [[2, 0], [0, 3], [-1, 0], [1, 1]], f: 0, context: AggregationContext(trusted: [1, 0]))
        #expect(T.close(out.vector, [0.878680, 0.292893]))
        #expect(out.selected == [0, 3])
        #expect(throws: RobustError.self) { try T.run(["fltrust"], [[1, 0]], f: 0) }
    }

    @Test func evenCountMedianAndTrimmedMean() throws {
        #expect(try T.run(["median"], [[1], [2], [3], [10]], f: 0).vector == [2.5])
        #expect(try T.run(["trimmed-mean"], [[1], [2], [3], [10]], f: 1).vector == [2.5])
    }
}
