import Foundation
import Sim
import Testing

// Every `kind == "attack"` fixture of ../shared/fixtures/robust (README: "Attacks", "Tolerance"),
// found by reading each file — no list of names. The attack, its parameters, the honest inputs,
// the expected vector and the tolerance all come from the file; the computation is in Double.

/// Helpers shared by the attack test files.
enum AttackFixtureSupport {
    /// `<package root>/../shared/fixtures/robust`, the package root found from this file's path.
    static var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // SimTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
            .deletingLastPathComponent()
            .appendingPathComponent("shared/fixtures/robust")
    }

    /// The README's rule: |actual − expected| ≤ tolerance · max(1, |expected|), infinities exact.
    /// Returns a message for the first failing coordinate, or nil.
    static func mismatch(actual: [Double], expected: [Double], tolerance: Double) -> String? {
        guard actual.count == expected.count else {
            return "length \(actual.count), expected \(expected.count)"
        }
        for k in expected.indices {
            let a = actual[k], e = expected[k]
            if e.isInfinite || a.isInfinite || e.isNaN || a.isNaN {
                if !(a == e) { return "coordinate \(k): \(a), expected \(e) (exact)" }
                continue
            }
            if abs(a - e) > tolerance * max(1, abs(e)) {
                return "coordinate \(k): \(a), expected \(e), |Δ| = \(abs(a - e)) > \(tolerance) · max(1, |e|)"
            }
        }
        return nil
    }

    /// Local aggregators for the factor searches, with ByzFL's arithmetic (numpy's float64 path):
    /// row-by-row sums, `x · (c / ‖x‖)` clipping, per-coordinate sort for the trimmed mean.
    static func mean(_ batch: UpdateBatch<Double>) -> [Double] {
        var sum = [Double](repeating: 0, count: batch.dimension)
        for i in 0..<batch.rows {
            for (k, value) in batch.row(i).enumerated() { sum[k] += value }
        }
        return sum.map { $0 / Double(batch.rows) }
    }

    static func trimmedMean(_ batch: UpdateBatch<Double>, f: Int) -> [Double] {
        let kept = batch.rows - 2 * f
        return (0..<batch.dimension).map { k in
            let column = (0..<batch.rows).map { batch.values[$0 * batch.dimension + k] }.sorted()
            return column[f..<(batch.rows - f)].reduce(0, +) / Double(kept)
        }
    }

    static func clipped(_ batch: UpdateBatch<Double>, c: Double) -> UpdateBatch<Double> {
        let rows = batch.rowArrays.map { row -> [Double] in
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return norm > c ? row.map { $0 * (c / norm) } : row
        }
        return UpdateBatch(rows: rows.count, dimension: batch.dimension, values: rows.flatMap { $0 })
    }
}

@Suite struct AttackFixtureTests {
    @Test func everyAttackFixtureMatchesItsExpectedVector() throws {
        let directory = AttackFixtureSupport.directory
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(!files.isEmpty, "no fixtures found in \(directory.path)")
        var checked = 0
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let fixture = try JSONNode.parse(text)
            guard fixture["kind"]?.stringValue == "attack" else { continue }
            checked += 1
            if let problem = run(fixture) {
                Issue.record("\(file): \(problem)")
            }
        }
        // The README describes 13 attack fixtures; a glob that finds none would pass vacuously.
        #expect(checked >= 13, "found only \(checked) attack fixtures in \(directory.path)")
    }

    /// Runs one fixture; a description of the failure, or nil.
    private func run(_ fixture: JSONNode) -> String? {
        guard let name = fixture["attack"]?.stringValue,
              let honestRows = fixture["honest"]?.matrix,
              let expected = fixture["expected"]?.vector,
              let tolerance = fixture["tolerance"]?.doubleValue
        else { return "missing attack, honest, expected or tolerance" }
        var params: [String: JSONNode] = [:]
        for (key, value) in fixture["params"]?.objectValue ?? [] { params[key] = value }
        guard let f = params["f"]?.intValue, let n = params["n"]?.intValue else { return "params lack n or f" }
        guard honestRows.count == n - f else { return "\(honestRows.count) honest rows, expected n − f = \(n - f)" }
        guard let dimension = honestRows.first?.count, honestRows.allSatisfy({ $0.count == dimension }) else {
            return "honest rows of different lengths"
        }
        let honest = UpdateBatch(rows: honestRows)
        do {
            let attack = try OmniscientAttack(name: name, parameters: params)
            // ALIE with a z formula: our z from n and f must reproduce the recorded τ.
            if case .alie(let factor) = attack, factor == .baruch || factor == .karimireddy,
               let recorded = params["tau"]?.doubleValue {
                let z = try factor.value(workers: n, byzantine: f)
                if abs(z - recorded) > 1e-12 * max(1, abs(recorded)) {
                    return "z from the formula \(z) differs from the recorded tau \(recorded)"
                }
            }
            var aggregator: ((UpdateBatch<Double>) throws -> [Double])?
            if attack.needsAggregator {
                // The rule chain the fixture names (`steps`, as chain fixtures write it), built
                // with the robust rules of Sources/Sim/Robust.
                var rules: [RobustRule] = []
                for step in fixture["steps"]?.arrayValue ?? [] {
                    guard let rule = step["rule"]?.stringValue else { return "a step without a rule" }
                    var p: [String: JSONNode] = [:]
                    for (key, value) in step["params"]?.objectValue ?? [] { p[key] = value }
                    rules.append(try RobustRule(name: rule, parameters: RuleParameters(p), defaultF: f))
                }
                guard !rules.isEmpty else { return "needs an aggregator but names no `steps`" }
                let chain = try AggregationChain(steps: rules)
                aggregator = { batch in try chain.aggregate(batch, context: AggregationContext()).vector }
            }
            let vectors = try attack.craft(honest: honest, byzantineCount: f, seed: 1, round: 1, aggregator: aggregator)
            guard vectors.count == f else { return "\(vectors.count) Byzantine vectors, expected f = \(f)" }
            for (j, vector) in vectors.enumerated() {
                if let problem = AttackFixtureSupport.mismatch(actual: vector, expected: expected, tolerance: tolerance) {
                    return "Byzantine vector \(j): \(problem)"
                }
            }
            return nil
        } catch {
            return "threw \(error)"
        }
    }
}
