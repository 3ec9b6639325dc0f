import Foundation

/// Internal helpers shared by the loaders: reading a (possibly gzipped) file, walking its lines
/// and parsing numbers without allocating a `String` per field.
enum DataFile {
    /// The bytes of `path`, gunzipped when they start with the gzip magic number.
    static func read(_ path: String) throws(DataError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileNotFound(path: path)
        }
        if isDirectory.boolValue { throw .unreadable(path: path, reason: "is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "permission denied or I/O error")
        }
        let bytes = [UInt8](data)
        guard Gzip.isGzip(bytes) else { return bytes }
        do {
            return try Gzip.decompress(bytes)
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
    }

    /// Calls `body(lineNumber, bytes)` for every line (1-based, without the newline or a trailing
    /// carriage return). Stops early and rethrows when `body` throws.
    static func forEachLine(
        _ bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, UnsafeBufferPointer<UInt8>) throws(DataError) -> Void
    ) throws(DataError) {
        var start = 0
        var number = 1
        let count = bytes.count
        while start < count {
            var end = start
            while end < count && bytes[end] != 0x0A { end += 1 }
            var stop = end
            if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
            try body(number, UnsafeBufferPointer(rebasing: bytes[start..<stop]))
            number += 1
            start = end + 1
        }
    }

    /// Whether the line is empty or only spaces/tabs.
    static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    /// `line` with leading and trailing spaces/tabs removed.
    static func trimmed(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lower = 0, upper = line.count
        while lower < upper && (line[lower] == 0x20 || line[lower] == 0x09) { lower += 1 }
        while upper > lower && (line[upper - 1] == 0x20 || line[upper - 1] == 0x09) { upper -= 1 }
        return UnsafeBufferPointer(rebasing: line[lower..<upper])
    }

    /// Text of a field for error messages (at most 40 bytes).
    static func show(_ field: UnsafeBufferPointer<UInt8>) -> String {
        let text = String(decoding: field.prefix(40), as: UTF8.self)
        return field.count > 40 ? "\"\(text)…\"" : "\"\(text)\""
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Parses a decimal number (surrounding spaces allowed). Returns nil for anything that is not a
    /// finite number. Short decimals take an exact fast path (Clinger: an integer mantissa below
    /// 2^53 times or divided by an exact power of ten ≤ 10^22 is correctly rounded by one IEEE
    /// operation); everything else goes through `Double(String)` (strtod), so results always
    /// equal correctly rounded parsing.
    static func parseDouble(_ raw: UnsafeBufferPointer<UInt8>) -> Double? {
        let field = trimmed(raw)
        let count = field.count
        if count == 0 { return nil }
        var i = 0
        var negative = false
        if field[0] == 0x2D || field[0] == 0x2B { negative = field[0] == 0x2D; i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0, fractionDigits = 0
        var sawDot = false, fast = true, sawDigit = false
        while i < count {
            let c = field[i]
            if c >= 0x30 && c <= 0x39 {
                sawDigit = true
                if mantissa == 0 && c == 0x30 {
                    if sawDot { fractionDigits += 1 }
                } else {
                    digits += 1
                    if digits > 15 { fast = false; break }
                    mantissa = mantissa * 10 + UInt64(c - 0x30)
                    if sawDot { fractionDigits += 1 }
                }
            } else if c == 0x2E && !sawDot {
                sawDot = true
            } else {
                fast = false
                break
            }
            i += 1
        }
        if fast && sawDigit && fractionDigits <= 22 {
            let value = fractionDigits == 0 ? Double(mantissa) : Double(mantissa) / powersOfTen[fractionDigits]
            return negative ? -value : value
        }
        // Slow path: exponents, long mantissas, and rejection of garbage.
        guard let value = Double(String(decoding: field, as: UTF8.self)), value.isFinite else { return nil }
        let first = field[negative || field[0] == 0x2B ? min(1, count - 1) : 0]
        // Reject strtod's extras that are not plain decimals (hex floats, "inf", "nan").
        if !(first >= 0x30 && first <= 0x39) && first != 0x2E { return nil }
        if field.contains(where: { $0 == 0x78 || $0 == 0x58 }) { return nil }
        return value
    }

    /// Maps raw label values to classes. Non-negative integers are kept (classes = max + 1);
    /// anything else (negative or fractional values such as −1/+1) is mapped to 0..<C in the
    /// sorted order of the distinct values. Returns nil values when there are too many classes.
    static func classLabels(_ raw: [Double], mapAlways: Bool) -> (labels: [Int32], classes: Int, values: [Double])? {
        let maxClasses = 65_536
        let keep = !mapAlways && raw.allSatisfy { $0 >= 0 && $0 == $0.rounded() && $0 < Double(maxClasses) }
        if keep {
            let classes = (raw.max().map { Int($0) } ?? -1) + 1
            return (raw.map { Int32($0) }, max(classes, 1), (0..<max(classes, 1)).map(Double.init))
        }
        let values = Array(Set(raw)).sorted()
        if values.count > maxClasses { return nil }
        var index = [Double: Int32]()
        for (i, v) in values.enumerated() { index[v] = Int32(i) }
        return (raw.map { index[$0] ?? 0 }, max(values.count, 1), values)
    }
}
