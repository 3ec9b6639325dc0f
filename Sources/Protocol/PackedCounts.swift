// Per-coordinate vote counts c ∈ 0…N: the averaging downlink of Distributed Lion (spec §5.2). Each
// count takes b = ⌈log2(N + 1)⌉ bits (the bit width of N). The counts form one little-endian bit
// stream: count i occupies stream bits i·b … i·b + b − 1, its least significant bit first, and
// stream bit k is bit k mod 8 of byte k / 8 (the same LSB-first order as packed signs). The bits
// past the last count are 0. ⌈d·b / 8⌉ bytes; N travels in the 4-byte codec parameter block.

/// Vote counts over `voters` ±1 votes, ⌈log2(voters + 1)⌉ bits each (codec id 6).
public struct PackedCounts: Sendable, Equatable {
    /// The largest voter count the format accepts (counts then take 17 bits).
    public static let maximumVoters = 1 << 16

    /// Number of coordinates (the model dimension).
    public let count: Int
    /// N, the number of votes counted (1 … `maximumVoters`); every count is ≤ N.
    public let voters: Int
    /// The packed counts (see the layout above).
    public let bytes: [UInt8]

    /// Bits per count: the bit width of `voters`.
    public var bitsPerCount: Int { Self.bitsPerCount(voters: voters) }

    /// Wraps bytes produced by this process (precondition: valid, see `validated`).
    public init(count: Int, voters: Int, bytes: [UInt8]) {
        precondition((1...Self.maximumVoters).contains(voters), "PackedCounts: \(voters) voters")
        precondition(count >= 0 && bytes.count == Self.byteCount(forCount: count, voters: voters),
                     "PackedCounts: \(bytes.count) bytes for \(count) counts of \(voters) voters")
        self.count = count
        self.voters = voters
        self.bytes = bytes
        precondition(firstProblem() == nil, "PackedCounts: \(firstProblem() ?? "")")
    }

    /// Packs `counts` (each ≤ `voters`, precondition).
    public init(voters: Int, counts: [UInt32]) {
        precondition((1...Self.maximumVoters).contains(voters), "PackedCounts: \(voters) voters")
        for c in counts { precondition(Int(c) <= voters, "PackedCounts: count \(c) exceeds \(voters) voters") }
        let out = BitStream.pack(counts.lazy.map { UInt64($0) }, count: counts.count, width: Self.bitsPerCount(voters: voters))
        self.init(count: counts.count, voters: voters, bytes: out)
    }

    /// Checks untrusted bytes: 1 ≤ voters ≤ 2^16, length ⌈count·b / 8⌉, every count ≤ voters,
    /// padding bits 0.
    public static func validated(count: Int, voters: Int, bytes: [UInt8], field: String) throws(DecodeError) -> PackedCounts {
        guard (1...maximumVoters).contains(voters) else {
            throw .invalidValue(field: field + ".voters", reason: "\(voters) voters; the format holds 1 … \(maximumVoters)")
        }
        let expected = byteCount(forCount: count, voters: voters)
        guard bytes.count == expected else {
            throw .invalidValue(field: field, reason: "\(count) counts of \(bitsPerCount(voters: voters)) bits take "
                                + "\(expected) bytes, found \(bytes.count)")
        }
        let candidate = PackedCounts(unchecked: count, voters: voters, bytes: bytes)
        if let problem = candidate.firstProblem() { throw .invalidValue(field: field, reason: problem) }
        return candidate
    }

    /// ⌈log2(voters + 1)⌉ = the bit width of `voters`.
    public static func bitsPerCount(voters: Int) -> Int { Int.bitWidth - voters.leadingZeroBitCount }

    /// ⌈count · b / 8⌉ bytes (nil-free: callers bound `count` by the frame size first).
    public static func byteCount(forCount count: Int, voters: Int) -> Int {
        let (bits, overflow) = count.multipliedReportingOverflow(by: bitsPerCount(voters: voters))
        precondition(!overflow, "PackedCounts: \(count) counts overflow")
        return bits / 8 + (bits % 8 == 0 ? 0 : 1)
    }

    /// The count of coordinate `index`.
    public func count(at index: Int) -> UInt32 {
        precondition(index >= 0 && index < count, "PackedCounts: index \(index) out of 0..<\(count)")
        let b = bitsPerCount
        let first = index * b
        var value: UInt32 = 0
        for j in 0..<b {
            let bit = first + j
            value |= UInt32((bytes[bit >> 3] >> UInt8(bit & 7)) & 1) << UInt32(j)
        }
        return value
    }

    /// Every count (unpacked).
    public var counts: [UInt32] {
        BitStream.unpack(bytes, count: count, width: bitsPerCount)
    }

    private init(unchecked count: Int, voters: Int, bytes: [UInt8]) {
        self.count = count
        self.voters = voters
        self.bytes = bytes
    }

    /// Why the bytes are not canonical (a count above `voters`, nonzero padding), or nil.
    private func firstProblem() -> String? {
        let all = counts
        if let bad = all.firstIndex(where: { Int($0) > voters }) {
            return "count \(all[bad]) at index \(bad) exceeds the \(voters) voters"
        }
        let usedBits = count * bitsPerCount
        let tail = usedBits % 8
        if tail != 0, let last = bytes.last, last >> UInt8(tail) != 0 {
            return "padding bits after count \(count) of the last byte must be 0"
        }
        return nil
    }
}
