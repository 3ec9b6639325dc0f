/// A recorded availability trace: which clients answered in each round.
///
/// Two text formats (UTF-8; blank lines and lines starting with `#` are ignored):
/// - `pairs`: one `round,client` pair per line (an optional first line `round,client` is a header).
///   Rounds are 1-based (the coordinator's `RoundID`), clients 0-based; the trace has as many
///   rounds as the largest round listed; rounds without a pair have no participant. Duplicate pairs
///   are allowed and mean the same as one.
/// - `matrix`: one line per round (line k = round k), N values `0` or `1` separated by commas or
///   spaces; value n is client n.
/// A run longer than the trace repeats it from its first round (round t uses trace round
/// ((t − 1) mod T) + 1).
public struct ParticipationTrace: Sendable, Equatable, Codable {
    /// The file format.
    public enum Format: String, Sendable, Codable, CaseIterable {
        /// `round,client` lines.
        case pairs
        /// 0/1 rows, one per round.
        case matrix
    }

    /// N, the number of clients.
    public let clients: Int
    /// `rows[t][n]`: client n active in trace round t + 1.
    public let rows: [[Bool]]

    /// A trace from a 0/1 matrix `[round][client]`.
    public init(rows: [[Bool]], clients: Int) throws(ParticipationError) {
        guard !rows.isEmpty else { throw .emptyTrace }
        for (t, row) in rows.enumerated() where row.count != clients {
            throw .traceLine(line: t + 1, text: "", reason: "\(row.count) values for \(clients) clients")
        }
        self.clients = clients
        self.rows = rows
    }

    /// Parses a trace file's text.
    public static func parse(_ text: String, format: Format, clients: Int) throws(ParticipationError) -> ParticipationTrace {
        guard clients > 0 else {
            throw .invalidParameter(name: "clients", value: "\(clients)", expected: "at least 1")
        }
        var rows: [[Bool]] = []
        var pairs: [(Int, Int)] = []
        var lineNumber = 0
        var firstContent = true
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = raw.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
            defer { firstContent = false }
            switch format {
            case .pairs:
                if firstContent && fields.map({ $0.lowercased() }) == ["round", "client"] { continue }
                guard fields.count == 2, let r = Int(fields[0]), let c = Int(fields[1]) else {
                    throw .traceLine(line: lineNumber, text: line, reason: "expected two integers `round,client`")
                }
                guard r >= 1 else { throw .traceLine(line: lineNumber, text: line, reason: "rounds are 1-based") }
                guard (0..<clients).contains(c) else {
                    throw .traceLine(line: lineNumber, text: line, reason: "client \(c) is not in 0…\(clients - 1)")
                }
                pairs.append((r, c))
            case .matrix:
                guard fields.count == clients else {
                    throw .traceLine(line: lineNumber, text: line, reason: "\(fields.count) values for \(clients) clients")
                }
                var row = [Bool](repeating: false, count: clients)
                for (n, field) in fields.enumerated() {
                    switch field {
                    case "0": row[n] = false
                    case "1": row[n] = true
                    default: throw .traceLine(line: lineNumber, text: line, reason: "value \"\(field)\" is not 0 or 1")
                    }
                }
                rows.append(row)
            }
        }
        if format == .pairs, let last = pairs.map(\.0).max() {
            rows = [[Bool]](repeating: [Bool](repeating: false, count: clients), count: last)
            for (r, c) in pairs { rows[r - 1][c] = true }
        }
        return try ParticipationTrace(rows: rows, clients: clients)
    }

    /// The active mask of run round `round` (1-based), repeating the trace.
    public func mask(round: Int) -> [Bool] {
        let index = ((round - 1) % rows.count + rows.count) % rows.count
        return rows[index]
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var view = self[...]
        while let first = view.first, set.contains(first) { view = view.dropFirst() }
        while let last = view.last, set.contains(last) { view = view.dropLast() }
        return String(view)
    }
}
