import Foundation

// Per-client timing traces in CSV (issue 6: "a CSV trace format for per-client speeds, bandwidths
// and availability windows"; FedScale's trace-driven clients are the model). Format, documented in
// docs/stragglers.md ("Timing traces"):
//
//     # comment lines start with '#'; blank lines are ignored
//     client,start_round,end_round,speed,up_bytes_per_s,down_bytes_per_s,latency_s,available
//     0,0,,1.0,1e6,1e7,0.05,1
//     1,0,9,0.25,,,,1
//     1,10,19,,,,,0
//
// The first non-comment line is the header; `client` and `start_round` are required, the other
// columns optional and in any order. A row covers rounds start_round…end_round (inclusive; empty
// end = every later round) of one client. An empty field means "use the model's value". `speed` is
// a factor on the nominal compute speed (0.25 = four times slower); `available` is 1/0 or
// true/false (an unavailable client cannot be selected or does not answer). Rounds a client has no
// row for use the model. Windows of one client must not overlap.

/// A parsed, validated timing trace.
public struct TimingTrace: Sendable, Equatable {
    /// The columns the format knows, in canonical order.
    public static let columns = ["client", "start_round", "end_round", "speed", "up_bytes_per_s",
                                 "down_bytes_per_s", "latency_s", "available"]

    /// One row: the values a client has for a window of rounds (nil = use the model).
    public struct Entry: Sendable, Equatable {
        public var client: Int
        public var startRound: Int
        /// Inclusive; nil = open-ended.
        public var endRound: Int?
        public var speed: Double?
        public var uplinkBytesPerSecond: Double?
        public var downlinkBytesPerSecond: Double?
        public var latencySeconds: Double?
        public var available: Bool?
        /// 1-based line in the file.
        public var line: Int

        /// True when the row covers `round`.
        public func covers(_ round: Int) -> Bool { round >= startRound && (endRound.map { round <= $0 } ?? true) }
    }

    /// Rows per client, sorted by start round.
    public let entries: [Int: [Entry]]

    /// The row covering (client, round), if any.
    public func entry(client: Int, round: Int) -> Entry? {
        entries[client]?.last { $0.startRound <= round }.flatMap { $0.covers(round) ? $0 : nil }
    }

    /// Reads and validates a trace file.
    public static func load(path: String) throws(StragglerModelError) -> TimingTrace {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadableTrace(file: path, reason: "\(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Parses trace text; `file` names the source in errors.
    public static func parse(_ text: String, file: String) throws(StragglerModelError) -> TimingTrace {
        var header: [String]? = nil
        var rows: [Entry] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard let columns = header else {
                for (i, name) in fields.enumerated() {
                    guard Self.columns.contains(name) else { throw .unknownColumn(file: file, line: lineNumber, column: name) }
                    if fields[..<i].contains(name) { throw .duplicateColumn(file: file, line: lineNumber, column: name) }
                }
                for required in ["client", "start_round"] where !fields.contains(required) {
                    throw .missingColumn(file: file, column: required)
                }
                header = fields
                continue
            }
            guard fields.count == columns.count else {
                throw .wrongFieldCount(file: file, line: lineNumber, expected: columns.count, found: fields.count)
            }
            rows.append(try Self.entry(fields: fields, columns: columns, file: file, line: lineNumber))
        }
        guard header != nil else { throw .missingColumn(file: file, column: "client") }
        var byClient: [Int: [Entry]] = [:]
        for row in rows { byClient[row.client, default: []].append(row) }
        for (client, list) in byClient {
            let sorted = list.sorted { ($0.startRound, $0.line) < ($1.startRound, $1.line) }
            for (previous, current) in zip(sorted, sorted.dropFirst()) {
                if previous.endRound.map({ $0 >= current.startRound }) ?? true {
                    let (early, late) = previous.line < current.line ? (previous, current) : (current, previous)
                    throw .overlappingWindows(file: file, line: late.line, client: client, otherLine: early.line)
                }
            }
            byClient[client] = sorted
        }
        return TimingTrace(entries: byClient)
    }

    // MARK: - Private

    private static func entry(fields: [String], columns: [String], file: String, line: Int) throws(StragglerModelError) -> Entry {
        var entry = Entry(client: 0, startRound: 0, endRound: nil, speed: nil, uplinkBytesPerSecond: nil,
                          downlinkBytesPerSecond: nil, latencySeconds: nil, available: nil, line: line)
        for (column, text) in zip(columns, fields) {
            func fail(_ reason: String) -> StragglerModelError {
                .invalidField(file: file, line: line, column: column, text: text, reason: reason)
            }
            func integer(optional: Bool) throws(StragglerModelError) -> Int? {
                if text.isEmpty {
                    if optional { return nil }
                    throw fail("required; give a non-negative integer")
                }
                guard let v = Int(text), v >= 0 else { throw fail("not a non-negative integer") }
                return v
            }
            func positive() throws(StragglerModelError) -> Double? {
                if text.isEmpty { return nil }
                guard let v = Double(text), v.isFinite, v > 0 else { throw fail("not a positive finite number") }
                return v
            }
            switch column {
            case "client": entry.client = try integer(optional: false) ?? 0
            case "start_round": entry.startRound = try integer(optional: false) ?? 0
            case "end_round": entry.endRound = try integer(optional: true)
            case "speed": entry.speed = try positive()
            case "up_bytes_per_s": entry.uplinkBytesPerSecond = try positive()
            case "down_bytes_per_s": entry.downlinkBytesPerSecond = try positive()
            case "latency_s":
                if !text.isEmpty {
                    guard let v = Double(text), v.isFinite, v >= 0 else { throw fail("not a finite number ≥ 0") }
                    entry.latencySeconds = v
                }
            case "available":
                switch text.lowercased() {
                case "": entry.available = nil
                case "1", "true", "yes": entry.available = true
                case "0", "false", "no": entry.available = false
                default: throw fail("use 1/0 or true/false")
                }
            default: break
            }
        }
        if let end = entry.endRound, end < entry.startRound {
            throw .invalidField(file: file, line: line, column: "end_round", text: String(end),
                                reason: "ends before start_round \(entry.startRound)")
        }
        return entry
    }
}
