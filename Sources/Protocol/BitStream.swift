/// Fixed-width codes packed into one LSB-first bit stream: code i occupies bits
/// i·width ..< (i+1)·width, bit k of the stream being bit k mod 8 of byte k / 8; the last byte is
/// zero-padded. Shared by the vote counts and the quantized levels.
enum BitStream {
    /// Bytes for `count` codes of `width` bits.
    static func byteCount(count: Int, width: Int) -> Int { (count * width + 7) / 8 }

    /// Packs `codes` (each below 2^width, not checked here).
    static func pack(_ codes: some Sequence<UInt64>, count: Int, width: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount(count: count, width: width))
        var accumulator: UInt64 = 0
        var pending = 0
        var next = 0
        for code in codes {
            accumulator |= code << UInt64(pending)
            pending += width
            while pending >= 8 {
                out[next] = UInt8(truncatingIfNeeded: accumulator)
                next += 1
                accumulator >>= 8
                pending -= 8
            }
        }
        if pending > 0 { out[next] = UInt8(truncatingIfNeeded: accumulator) }
        return out
    }

    /// The `count` codes of `width` bits in `bytes` (which must hold at least `byteCount` bytes).
    static func unpack(_ bytes: [UInt8], count: Int, width: Int) -> [UInt32] {
        let mask: UInt64 = (1 << UInt64(width)) - 1
        var result = [UInt32](repeating: 0, count: count)
        var accumulator: UInt64 = 0
        var available = 0
        var next = 0
        for i in 0..<count {
            while available < width {
                accumulator |= UInt64(bytes[next]) << UInt64(available)
                next += 1
                available += 8
            }
            result[i] = UInt32(accumulator & mask)
            accumulator >>= UInt64(width)
            available -= width
        }
        return result
    }
}
