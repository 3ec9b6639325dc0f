// Packed sign vectors: the uplink of Distributed Lion and the majority-vote downlink when no vote
// can tie. Polarity is the project's (DESIGN §2): coordinate i is bit i mod 8 of byte i / 8, least
// significant bit first; bit 1 means +1, bit 0 means −1 (an exact 0 travels as −1, as in the
// Distributed Lion reference code); the bits of the last byte past the element count are 0.

/// A vector of ±1 signs, 8 per byte, LSB first, bit 1 = +1 (codec id 4).
///
/// The stored bytes are canonical: exactly `byteCount(forCount:)` of them, padding bits zero.
/// Two values are equal when their counts and bytes are equal.
public struct PackedSigns: Sendable, Equatable {
    /// Number of coordinates (the model dimension).
    public let count: Int
    /// `⌈count / 8⌉` bytes; bit i mod 8 of byte i / 8 is coordinate i (1 = +1, 0 = −1).
    public let bytes: [UInt8]

    /// Wraps bytes produced by this process's own packer. `bytes.count` must be
    /// `byteCount(forCount: count)` and the padding bits zero (precondition: a programmer error).
    /// Untrusted bytes go through `validated(count:bytes:field:)`.
    public init(count: Int, bytes: [UInt8]) {
        precondition(count >= 0 && bytes.count == Self.byteCount(forCount: count),
                     "PackedSigns: \(bytes.count) bytes for \(count) signs")
        precondition(Self.paddingIsZero(count: count, bytes: bytes), "PackedSigns: padding bits are not zero")
        self.count = count
        self.bytes = bytes
    }

    /// Packs `signs` (bit 1 iff the value is > 0: −1 and 0 both become −1). A simple reference
    /// packer for tests and small vectors; Sim's `SignPacking` is the fast one.
    public init(signs: [Int8]) {
        var out = [UInt8](repeating: 0, count: Self.byteCount(forCount: signs.count))
        for (i, s) in signs.enumerated() where s > 0 { out[i >> 3] |= 1 << UInt8(i & 7) }
        self.init(count: signs.count, bytes: out)
    }

    /// Checks untrusted bytes: the length must be `⌈count / 8⌉` and the padding bits zero.
    public static func validated(count: Int, bytes: [UInt8], field: String) throws(DecodeError) -> PackedSigns {
        let expected = byteCount(forCount: count)
        guard bytes.count == expected else {
            throw .invalidValue(field: field, reason: "\(count) packed signs take \(expected) bytes, found \(bytes.count)")
        }
        guard paddingIsZero(count: count, bytes: bytes) else {
            throw .invalidValue(field: field, reason: "padding bits after sign \(count) of the last byte must be 0")
        }
        return PackedSigns(count: count, bytes: bytes)
    }

    /// `⌈count / 8⌉`, without overflow.
    public static func byteCount(forCount count: Int) -> Int { count / 8 + (count % 8 == 0 ? 0 : 1) }

    /// The sign of coordinate `index` as +1 or −1.
    public func sign(at index: Int) -> Int8 {
        precondition(index >= 0 && index < count, "PackedSigns: index \(index) out of 0..<\(count)")
        return (bytes[index >> 3] >> UInt8(index & 7)) & 1 == 1 ? 1 : -1
    }

    /// Every sign as +1 or −1 (for tests and small vectors).
    public var signs: [Int8] { (0..<count).map { sign(at: $0) } }

    /// True when the bits of the last byte past `count` are all 0.
    static func paddingIsZero(count: Int, bytes: [UInt8]) -> Bool {
        let used = count % 8
        guard used != 0, let last = bytes.last else { return true }
        return last >> UInt8(used) == 0
    }
}
