/// The table behind `comparison.csv`: one row per variant and seed with the summary fields, and
/// per variant its mean and sample standard deviation over seeds.
///
/// Layout of `csv()` (documented in docs/experiment-format.md):
/// - header `variant,seed,<field 1>,<field 2>,...` in the order given to `init(fields:)`;
/// - for each variant, in the order first added: its rows in the order added (`seed` = the seed),
///   then a row with seed `mean` and a row with seed `std`;
/// - `mean` is the arithmetic mean and `std` the sample standard deviation (n − 1) of the field's
///   non-null values; a null or missing value is an empty cell and is skipped; `mean` is empty
///   when there is no value, `std` when there are fewer than two;
/// - numbers are written in Swift's shortest round-trip form, integral values below 2^53 without
///   a fraction (`50`, `0.9125`, `1e-05`); cells containing `,` or `"` are quoted (RFC 4180);
///   lines end with `\n`.
public struct ComparisonTable: Sendable, Equatable {
    /// The summary fields, in column order.
    public let fields: [String]
    private var rows: [Row] = []

    private struct Row: Sendable, Equatable {
        var variant: String
        var seed: UInt64
        var values: [Double?]
    }

    /// An empty table with these columns (after `variant` and `seed`).
    public init(fields: [String]) {
        self.fields = fields
    }

    /// Adds one run's summary; fields missing from `values` (or null) are empty cells.
    public mutating func add(variant: String, seed: UInt64, values: [String: Double?]) {
        rows.append(Row(variant: variant, seed: seed, values: fields.map { values[$0] ?? nil }))
    }

    /// Mean of each field over the variant's runs (nil where no run has a value).
    public func mean(variant: String) -> [Double?] {
        let group = rows.filter { $0.variant == variant }
        return fields.indices.map { column in Self.mean(group.compactMap { $0.values[column] }) }
    }

    /// Sample standard deviation of each field over the variant's runs (nil with fewer than two values).
    public func standardDeviation(variant: String) -> [Double?] {
        let group = rows.filter { $0.variant == variant }
        return fields.indices.map { column in Self.standardDeviation(group.compactMap { $0.values[column] }) }
    }

    /// The CSV text (layout above).
    public func csv() -> String {
        var lines = [(["variant", "seed"] + fields).map(Self.cell).joined(separator: ",")]
        var variants: [String] = []
        for row in rows where !variants.contains(row.variant) { variants.append(row.variant) }
        for variant in variants {
            for row in rows where row.variant == variant {
                lines.append(line(variant, String(row.seed), row.values))
            }
            lines.append(line(variant, "mean", mean(variant: variant)))
            lines.append(line(variant, "std", standardDeviation(variant: variant)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Private

    private func line(_ variant: String, _ seed: String, _ values: [Double?]) -> String {
        ([Self.cell(variant), seed] + values.map { $0.map(Self.number) ?? "" }).joined(separator: ",")
    }

    private static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        var sum = 0.0
        for value in values { sum += value }
        return sum / Double(values.count)
    }

    private static func standardDeviation(_ values: [Double]) -> Double? {
        guard values.count >= 2, let mean = mean(values) else { return nil }
        var squares = 0.0
        for value in values { squares += (value - mean) * (value - mean) }
        return (squares / Double(values.count - 1)).squareRoot()
    }

    /// Shortest round-trip form; integral values below 2^53 without a fraction.
    static func number(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            return String(Int64(value))
        }
        return "\(value)"
    }

    /// A CSV cell, quoted when it contains a comma, quote or line break.
    static func cell(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
