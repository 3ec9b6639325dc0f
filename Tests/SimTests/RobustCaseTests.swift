import Foundation
import Sim
import Testing

/// `gradwire aggregate`'s computation: every fixture of ../shared/fixtures/robust, of every kind,
/// evaluated from the file's content alone (its `expected` is not read by `RobustCase`).
@Suite struct RobustCaseTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("../shared/fixtures/robust").standardizedFileURL

    @Test func everyFixtureEvaluatesToItsExpectedValue() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 90, "fixtures found: \(files.count)")
        for file in files {
            let text = try String(contentsOf: Self.directory.appendingPathComponent(file), encoding: .utf8)
            let json = try JSONNode.parse(text)
            let tolerance = try #require(json["tolerance"]?.doubleValue, "\(file): no tolerance")
            let output: RobustCase.Output
            do {
                output = try RobustCase(text: text).evaluate()
            } catch {
                Issue.record("\(file): \(error)")
                continue
            }
            let actual: [Double], expected: [Double]
            switch output {
            case .vector(let v): actual = v; expected = try #require(json["expected"]?.vector, "\(file)")
            case .matrix(let m): actual = m.flatMap { $0 }; expected = try #require(json["expected"]?.matrix, "\(file)").flatMap { $0 }
            }
            try #require(actual.count == expected.count, "\(file): \(actual.count) values, expected \(expected.count)")
            for (i, (a, e)) in zip(actual, expected).enumerated() {
                let ok = e.isInfinite ? a == e : abs(a - e) <= tolerance * max(1, abs(e))
                #expect(ok, "\(file): coordinate \(i) is \(a), expected \(e)")
                if !ok { break }
            }
        }
    }

    @Test func outputIsABareJSONArrayWithInfinityAsAString() throws {
        #expect(RobustCase.Output.vector([1.5, .infinity, 0.1]).jsonText == "[1.5,\"Infinity\",0.1]")
        #expect(RobustCase.Output.matrix([[1], [2.25]]).jsonText == "[[1.0],[2.25]]")
    }

    @Test func badCasesNameTheProblem() throws {
        let cases: [(String, String)] = [
            ("{", "not valid JSON"),
            ("{\"rule\": \"mean\"}", "missing \"kind\""),
            ("{\"kind\": \"aggregator\", \"rule\": \"krumm\", \"inputs\": [[1]]}", "krum"),
            ("{\"kind\": \"aggregator\", \"rule\": \"bulyan\", \"params\": {\"f\": 1}, \"inputs\": [[1],[2],[3]]}", "4f + 3"),
            ("{\"kind\": \"aggregator\", \"rule\": \"mean\", \"inputs\": [[1, 2], [3]]}", "dimension"),
            ("{\"kind\": \"sorcery\"}", "unknown kind"),
        ]
        for (text, fragment) in cases {
            #expect(throws: RobustCase.CaseError.self) { try RobustCase(text: text).evaluate() }
            do {
                _ = try RobustCase(text: text).evaluate()
            } catch {
                #expect(error.description.contains(fragment), "\(text) → \(error.description)")
            }
        }
    }
}
