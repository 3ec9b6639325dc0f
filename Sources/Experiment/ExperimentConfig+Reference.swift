import Foundation

extension ExperimentConfig {
    /// Documentation of every section and key, generated from the key registries
    /// (`faults` lists the keys of one `[[faults]]` entry).
    public static var reference: [SectionReference] {
        [
            RunSection.reference, DataSection.reference, PartitionSection.reference, ModelSection.reference,
            LocalSection.reference, ParticipationSection.reference, AggregationSection.reference,
            ByzantineSection.reference, CompressionSection.reference, TimingSection.reference,
            CodingSection.reference,
            FaultSection.reference,
            EvalSection.reference,
        ]
    }

    /// The key reference as Markdown: per section a heading, its summary and a table
    /// (key, type, default, allowed, meaning, arrives later). docs/experiment-format.md embeds it
    /// between `<!-- BEGIN GENERATED KEYS -->` and `<!-- END GENERATED KEYS -->`.
    public static func referenceMarkdown() -> String {
        var lines: [String] = []
        for section in reference {
            lines.append("### [\(section.name)]")
            lines.append("")
            lines.append(section.summary)
            lines.append("")
            guard !section.keys.isEmpty else { continue }
            lines.append("| Key | Type | Default | Allowed | Meaning | Arrives later |")
            lines.append("| --- | --- | --- | --- | --- | --- |")
            for key in section.keys {
                let defaultValue = key.defaultValue.contains("`") || key.defaultValue == "not set"
                    ? key.defaultValue : "`\(key.defaultValue)`"
                let cells = ["`\(key.path)`", key.type, defaultValue, key.allowed, key.meaning, key.later ?? ""]
                lines.append("| " + cells.map(escapeCell).joined(separator: " | ") + " |")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    private static func escapeCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}
