import Foundation
import Testing

@testable import Experiment

/// docs/experiment-format.md, found from this file's path (Tests/ExperimentTests/ → package root).
private let docsURL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("docs/experiment-format.md")

@Suite struct DocsTests {
    @Test func docsMentionEveryKey() throws {
        let text = try String(contentsOf: docsURL, encoding: .utf8)
        for section in ExperimentConfig.reference {
            #expect(text.contains("[\(section.name)]"), "section \(section.name)")
            for key in section.keys {
                #expect(text.contains("`\(key.path)`"), "key \(key.path) is not documented")
            }
        }
    }

    /// The key tables between the markers are exactly `referenceMarkdown()`. To refresh them after
    /// adding a key: `GRADWIRE_WRITE_DOCS=1 swift test --filter DocsTests`.
    @Test func generatedKeyTablesAreCurrent() throws {
        let begin = "<!-- BEGIN GENERATED KEYS -->\n", end = "<!-- END GENERATED KEYS -->"
        var text = try String(contentsOf: docsURL, encoding: .utf8)
        let start = try #require(text.range(of: begin)), stop = try #require(text.range(of: end))
        let generated = ExperimentConfig.referenceMarkdown() + "\n"
        if ProcessInfo.processInfo.environment["GRADWIRE_WRITE_DOCS"] == "1" {
            text.replaceSubrange(start.upperBound..<stop.lowerBound, with: generated)
            try text.write(to: docsURL, atomically: true, encoding: .utf8)
        }
        let current = try String(contentsOf: docsURL, encoding: .utf8)
        let embedded = current[current.range(of: begin)!.upperBound..<current.range(of: end)!.lowerBound]
        #expect(String(embedded) == generated,
                "docs/experiment-format.md is stale: run GRADWIRE_WRITE_DOCS=1 swift test --filter DocsTests")
    }
}
