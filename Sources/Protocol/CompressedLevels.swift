// QSGD levels on the wire (codec id 5): element i of bucket b decodes to norms[b] / s · level_i with
// |level_i| ≤ s. Each level is a w-bit code, w = 1 + ⌈log2(s + 1)⌉ (the width of the spec's size
// table, §B.13): bit 0 is the sign (1 = negative), bits 1 … w−1 the magnitude |level|. The codes form
// one little-endian bit stream like `PackedCounts`: code i occupies stream bits i·w … i·w + w − 1,
// least significant first, stream bit k = bit k mod 8 of byte k / 8; the bits past the last code
// are 0. Canonical: a zero level has sign bit 0. The frame is the ⌈d·w / 8⌉ code bytes followed by
// ⌈d / bucketSize⌉ Float32 norms (finite, ≥ 0); s and the bucket size travel as two UInt32 in the
// codec parameters. Bits: d·w + 32·buckets, the spec's formula, plus 8 parameter bytes of framing.

/// Signed QSGD levels with one Float32 norm per bucket, packed with sign + magnitude codes.
public struct PackedLevels: Sendable, Equatable {
    /// Largest accepted level count s (levels fit in `Int16`, codes in 16 bits).
    public static let maximumLevelCount = 32767

    /// Number of elements (the model dimension).
    public let count: Int
    /// s, the number of levels, 1 … `maximumLevelCount`.
    public let levelCount: Int
    /// Elements per bucket (the last bucket may be shorter), ≥ 1.
    public let bucketSize: Int
    /// One finite, non-negative norm per bucket: `⌈count / bucketSize⌉` of them.
    public let norms: [Float]
    /// The packed codes, `⌈count · bitsPerLevel / 8⌉` bytes (layout above).
    public let bytes: [UInt8]

    /// Bits per code: 1 + ⌈log2(s + 1)⌉.
    public var bitsPerLevel: Int { Self.bitsPerLevel(levelCount: levelCount) }

    /// Packs this process's own levels (precondition: valid parameters, |level| ≤ s, right norm count).
    public init(levelCount: Int, bucketSize: Int, norms: [Float], levels: [Int16]) {
        precondition((1...Self.maximumLevelCount).contains(levelCount), "PackedLevels: \(levelCount) levels")
        precondition(bucketSize >= 1, "PackedLevels: bucket size \(bucketSize)")
        precondition(norms.count == Self.bucketCount(count: levels.count, bucketSize: bucketSize),
                     "PackedLevels: \(norms.count) norms for \(levels.count) elements in buckets of \(bucketSize)")
        for level in levels {
            precondition(Int(level.magnitude) <= levelCount, "PackedLevels: level \(level) exceeds \(levelCount)")
        }
        // Bit 0 of a code is the sign (1 = negative), the bits above it |level|.
        let codes = levels.lazy.map { level in UInt64(level.magnitude) << 1 | (level < 0 ? 1 : 0) }
        let out = BitStream.pack(codes, count: levels.count, width: Self.bitsPerLevel(levelCount: levelCount))
        self.init(unchecked: levels.count, levelCount: levelCount, bucketSize: bucketSize, norms: norms, bytes: out)
    }

    /// Checks untrusted parts: s in 1 … 32767 (`field.levelCount`), bucket size ≥ 1
    /// (`field.bucketSize`), code bytes and norm counts (`field.levels`, `field.norms`), every
    /// |level| ≤ s, no negative zero, zero padding (`field.levels`), norms finite and ≥ 0 (`field.norms`).
    public static func validated(
        count: Int, levelCount: Int, bucketSize: Int, norms: [Float], bytes: [UInt8], field: String
    ) throws(DecodeError) -> PackedLevels {
        try checkParameters(levelCount: levelCount, bucketSize: bucketSize, field: field)
        let expectedBytes = codeByteCount(count: count, levelCount: levelCount)
        guard bytes.count == expectedBytes else {
            throw .invalidValue(field: field + ".levels",
                                reason: "\(count) codes of \(bitsPerLevel(levelCount: levelCount)) bits take "
                                    + "\(expectedBytes) bytes, found \(bytes.count)")
        }
        let buckets = bucketCount(count: count, bucketSize: bucketSize)
        guard norms.count == buckets else {
            throw .invalidValue(field: field + ".norms", reason: "\(buckets) buckets need \(buckets) norms, found \(norms.count)")
        }
        if let bad = firstNonFiniteFloat(norms) { throw .nonFinite(field: field + ".norms", index: bad) }
        if let bad = norms.firstIndex(where: { $0 < 0 }) {
            throw .invalidValue(field: field + ".norms", reason: "norm \(norms[bad]) of bucket \(bad) is negative")
        }
        let candidate = PackedLevels(unchecked: count, levelCount: levelCount, bucketSize: bucketSize,
                                     norms: norms, bytes: bytes)
        if let problem = candidate.codeProblem() { throw .invalidValue(field: field + ".levels", reason: problem) }
        return candidate
    }

    /// Every level, signed (unpacked).
    public var levels: [Int16] {
        codes.map { code in
            let magnitude = Int16(truncatingIfNeeded: code >> 1)
            return code & 1 == 1 ? -magnitude : magnitude
        }
    }

    /// The decoded vector: norms[b] / s · level_i (Float32 arithmetic in this order).
    public var dense: [Float] {
        let s = Float(levelCount)
        return levels.enumerated().map { i, level in norms[i / bucketSize] / s * Float(level) }
    }

    // MARK: - Sizes

    /// 1 + ⌈log2(s + 1)⌉ for s ≥ 1.
    public static func bitsPerLevel(levelCount s: Int) -> Int { 1 + (Int.bitWidth - s.leadingZeroBitCount) }

    /// ⌈count / bucketSize⌉ (bucketSize ≥ 1).
    public static func bucketCount(count: Int, bucketSize: Int) -> Int {
        count / bucketSize + (count % bucketSize == 0 ? 0 : 1)
    }

    /// ⌈count · w / 8⌉, or nil when it overflows (w ≤ 17, so only absurd counts overflow).
    static func checkedCodeByteCount(count: Int, levelCount: Int) -> Int? {
        let (bits, overflow) = count.multipliedReportingOverflow(by: bitsPerLevel(levelCount: levelCount))
        return overflow ? nil : bits / 8 + (bits % 8 == 0 ? 0 : 1)
    }

    /// ⌈count · w / 8⌉ for counts that exist in memory.
    static func codeByteCount(count: Int, levelCount: Int) -> Int {
        guard let bytes = checkedCodeByteCount(count: count, levelCount: levelCount) else {
            preconditionFailure("PackedLevels: \(count) codes overflow")
        }
        return bytes
    }

    /// Throws unless 1 ≤ s ≤ 32767 and bucketSize ≥ 1.
    static func checkParameters(levelCount: Int, bucketSize: Int, field: String) throws(DecodeError) {
        guard (1...maximumLevelCount).contains(levelCount) else {
            throw .invalidValue(field: field + ".levelCount",
                                reason: "\(levelCount) levels; the format holds 1 … \(maximumLevelCount)")
        }
        guard bucketSize >= 1 else {
            throw .invalidValue(field: field + ".bucketSize", reason: "bucket size \(bucketSize) must be at least 1")
        }
    }

    // MARK: - Private

    private init(unchecked count: Int, levelCount: Int, bucketSize: Int, norms: [Float], bytes: [UInt8]) {
        self.count = count
        self.levelCount = levelCount
        self.bucketSize = bucketSize
        self.norms = norms
        self.bytes = bytes
    }

    /// The raw w-bit codes.
    private var codes: [UInt32] {
        BitStream.unpack(bytes, count: count, width: bitsPerLevel)
    }

    /// Why the codes are not canonical (|level| > s, negative zero, nonzero padding), or nil.
    private func codeProblem() -> String? {
        for (i, code) in codes.enumerated() {
            if Int(code >> 1) > levelCount { return "level \(code >> 1) at index \(i) exceeds s = \(levelCount)" }
            if code == 1 { return "level at index \(i) is a negative zero (sign bit set on magnitude 0)" }
        }
        let tail = (count * bitsPerLevel) % 8
        if tail != 0, let last = bytes.last, last >> UInt8(tail) != 0 {
            return "padding bits after code \(count) of the last byte must be 0"
        }
        return nil
    }
}
