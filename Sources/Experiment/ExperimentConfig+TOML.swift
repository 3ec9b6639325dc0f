extension ExperimentConfig {
    /// The complete resolved configuration as TOML: every section, every key with its value.
    ///
    /// Optional keys that are not set appear as comments (`# steps: not set`); keys that have no
    /// effect in this configuration are commented out with the reason (`# alpha = 0.5  (unused: …)`). Deterministic (fixed
    /// section and key order, shortest round-trip floats), so `hash` is stable, and
    /// `ExperimentConfig.parse(toml: tomlText()) == self`.
    public func tomlText() -> String {
        var lines = ["# Gradwire experiment, fully resolved: every key with its value (docs/experiment-format.md)."]
        let sections: [[String]] = [
            run.tomlLines(), data.tomlLines(), partition.tomlLines(), model.tomlLines(), local.tomlLines(),
            participation.tomlLines(), aggregation.tomlLines(), byzantine.tomlLines(), compression.tomlLines(),
            timing.tomlLines(), coding.tomlLines(),
        ]
        for section in sections {
            lines.append("")
            lines += section
        }
        lines.append("")
        if faults.isEmpty {
            lines.append("# [[faults]]: none")
        } else {
            for fault in faults {
                lines += fault.tomlLines() + [""]
            }
        }
        lines.append("")
        lines += eval.tomlLines()
        return lines.joined(separator: "\n") + "\n"
    }

    /// FNV-1a 64-bit hash of `tomlText()`: equal configurations hash alike on every platform and run.
    public var hash: UInt64 { FNV1a64.hash(tomlText()) }
}

/// FNV-1a, 64-bit (offset basis 0xcbf29ce484222325, prime 0x100000001b3), over UTF-8 bytes.
public enum FNV1a64 {
    /// The hash of `text`'s UTF-8 bytes.
    public static func hash(_ text: String) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
        return value
    }
}
