import Foundation
import Sim
import Testing

/// Every fixture of ../shared/fixtures/robust (aggregator, preaggregator, chain; attacks are the
/// attacks' tests) run in Double and compared with the README's tolerance rule.
@Suite struct RobustFixtureTests {
    static var fixtureDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/fixtures/robust")
    }

    /// Fixtures skipped on purpose, with the reason. Empty: every case passes.
    static let skipped: [String: String] = [:]

    /// The worst |actual − expected| / max(1, |expected|) and where it occurs; nil if the shapes differ.
    static func worst(_ actual: [Double], _ expected: [Double]) -> (excess: Double, index: Int, actual: Double, expected: Double)? {
        guard actual.count == expected.count else { return nil }
        var result = (excess: 0.0, index: -1, actual: 0.0, expected: 0.0)
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            let err: Double
            if e.isInfinite || a.isInfinite || a.isNaN { err = (a == e) ? 0 : .infinity }
            else { err = abs(a - e) / max(1, abs(e)) }
            if err > result.excess || result.index < 0 { result = (err, i, a, e) }
        }
        return result
    }

    @Test func everyFixtureMatchesWithinTolerance() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.fixtureDirectory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 90, "expected the fixture folder at \(Self.fixtureDirectory.path)")
        var checked = 0
        for file in files {
            let text = try String(contentsOf: Self.fixtureDirectory.appendingPathComponent(file), encoding: .utf8)
            let json = try JSONNode.parse(text)
            let kind = try #require(json["kind"]?.stringValue, "\(file): no kind")
            if kind == "attack" { continue }
            if let reason = Self.skipped[file] { print("skipped \(file): \(reason)"); continue }
            let tolerance = try #require(json["tolerance"]?.doubleValue, "\(file): no tolerance")
            let inputs = try #require(json["inputs"]?.matrix, "\(file): no inputs")
            let batch = try UpdateBatch<Double>(checkedRows: inputs)
            let steps: [RobustRule]
            if kind == "chain" {
                let raw = try #require(json["steps"]?.arrayValue, "\(file): no steps")
                steps = try raw.map { step in
                    let name = try #require(step["rule"]?.stringValue)
                    return try RobustRule(name: name, parameters: RuleParameters(json: step["params"] ?? .null, rule: name), defaultF: 0)
                }
            } else {
                let name = try #require(json["rule"]?.stringValue)
                steps = [try RobustRule(name: name, parameters: RuleParameters(json: json["params"] ?? .null, rule: name), defaultF: 0)]
            }
            let actual: [Double], expected: [Double]
            if kind == "preaggregator" {
                let chain = try AggregationChain(steps: steps + [.mean])
                let out = try chain.preAggregate(batch, context: AggregationContext())
                let matrix = try #require(json["expected"]?.matrix)
                #expect(out.rows == matrix.count, "\(file): \(out.rows) rows, expected \(matrix.count)")
                actual = out.values
                expected = matrix.flatMap { $0 }
            } else {
                let chain = try AggregationChain(steps: steps)
                try chain.validate(inputs: batch.rows)
                let out = try chain.aggregate(batch, context: AggregationContext())
                actual = out.vector
                expected = try #require(json["expected"]?.vector)
                if let index = json["selected_index"]?.intValue {
                    #expect(out.selected == [index], "\(file): selected \(String(describing: out.selected)), expected [\(index)]")
                    #expect(Array(batch.row(index)) == out.vector, "\(file): Krum output is not bit-for-bit row \(index)")
                }
                if let indices = json["selected_indices"]?.arrayValue?.compactMap(\.intValue) {
                    #expect(out.selected == indices, "\(file): selected \(String(describing: out.selected)), expected \(indices)")
                }
            }
            let w = try #require(Self.worst(actual, expected), "\(file): \(actual.count) values, expected \(expected.count)")
            #expect(w.excess <= tolerance,
                    "\(file): coordinate \(w.index) is \(w.actual), expected \(w.expected) (relative error \(w.excess) > \(tolerance))")
            checked += 1
        }
        #expect(checked >= 70)
    }
}
