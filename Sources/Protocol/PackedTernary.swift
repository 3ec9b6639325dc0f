// Ternary vectors {−1, 0, +1}, 2 bits per coordinate: the majority-vote downlink of Distributed Lion
// when an even number of votes can tie (a tie gives 0, spec §5.2). Layout: coordinate i is the
// 2-bit code at bits 2·(i mod 4) and 2·(i mod 4) + 1 of byte i / 4 (least significant pair first);
// code 0 = 0, 1 = +1, 2 = −1, 3 is invalid; the pairs past the element count are 0. ⌈d / 4⌉ bytes.

/// A vector of values in {−1, 0, +1}, 4 per byte (codec id 7). Canonical like `PackedSigns`.
public struct PackedTernary: Sendable, Equatable {
    /// Number of coordinates (the model dimension).
    public let count: Int
    /// `⌈count / 4⌉` bytes of 2-bit codes (0 = 0, 1 = +1, 2 = −1), least significant pair first.
    public let bytes: [UInt8]

    /// Wraps bytes produced by this process (precondition: right length, no code 3, zero padding).
    public init(count: Int, bytes: [UInt8]) {
        precondition(count >= 0 && bytes.count == Self.byteCount(forCount: count),
                     "PackedTernary: \(bytes.count) bytes for \(count) values")
        precondition(Self.firstProblem(count: count, bytes: bytes) == nil, "PackedTernary: invalid codes or padding")
        self.count = count
        self.bytes = bytes
    }

    /// Packs values (the sign of each: > 0 → +1, < 0 → −1, 0 → 0). Reference packer for tests.
    public init(values: [Int8]) {
        var out = [UInt8](repeating: 0, count: Self.byteCount(forCount: values.count))
        for (i, v) in values.enumerated() where v != 0 {
            out[i >> 2] |= (v > 0 ? 1 : 2) << UInt8(2 * (i & 3))
        }
        self.init(count: values.count, bytes: out)
    }

    /// Checks untrusted bytes: length `⌈count / 4⌉`, no code 3, padding 0.
    public static func validated(count: Int, bytes: [UInt8], field: String) throws(DecodeError) -> PackedTernary {
        let expected = byteCount(forCount: count)
        guard bytes.count == expected else {
            throw .invalidValue(field: field, reason: "\(count) ternary values take \(expected) bytes, found \(bytes.count)")
        }
        if let problem = firstProblem(count: count, bytes: bytes) { throw .invalidValue(field: field, reason: problem) }
        return PackedTernary(count: count, bytes: bytes)
    }

    /// `⌈count / 4⌉`, without overflow.
    public static func byteCount(forCount count: Int) -> Int { count / 4 + (count % 4 == 0 ? 0 : 1) }

    /// The value of coordinate `index`: −1, 0 or +1.
    public func value(at index: Int) -> Int8 {
        precondition(index >= 0 && index < count, "PackedTernary: index \(index) out of 0..<\(count)")
        switch (bytes[index >> 2] >> UInt8(2 * (index & 3))) & 3 {
        case 1: return 1
        case 2: return -1
        default: return 0
        }
    }

    /// Every value (for tests and small vectors).
    public var values: [Int8] { (0..<count).map { value(at: $0) } }

    /// Why the bytes are not canonical, or nil. A code 3 has both bits of its pair set.
    static func firstProblem(count: Int, bytes: [UInt8]) -> String? {
        for (b, byte) in bytes.enumerated() where byte & (byte >> 1) & 0x55 != 0 {
            return "invalid ternary code 3 in byte \(b)"
        }
        let used = count % 4
        if used != 0, let last = bytes.last, last >> UInt8(2 * used) != 0 {
            return "padding bits after value \(count) of the last byte must be 0"
        }
        return nil
    }
}
