// The compressed forms a compressor produces. Each case names what it carries, so a receiver (the
// coordinator next session) can validate it and decode it without knowing which compressor made
// it, and so the byte accounting (`wireBits`) follows the form, not the compressor.
//
// Bits per element follow the spec's table (coding-and-compression.md §B.13, packing §C.1/§C.2):
// fixed-width payload bits plus 32 bits for each per-tensor (or per-bucket) scalar or count.
// Packed signs are counted with the padding of their last byte (⌈d/8⌉ bytes); 2-bit ternary and
// fixed-width QSGD levels are counted unpadded (their scalars follow), exactly as the `wire_size`
// fixture evaluates the formulas. `wireByteCount` = ⌈wireBits / 8⌉ is the payload's byte size.

import Protocol

/// One compressed vector of `count` logical elements.
public struct CompressedTensor: Sendable, Equatable {
    /// Number of elements of the vector this decodes to (the model dimension for updates).
    public var count: Int
    /// What travels (and, for `sharedSparse`, what the receiver re-derives).
    public var form: CompressedForm

    /// Wraps a form. `count` must agree with the form; `validate(expectedCount:)` checks untrusted values.
    public init(count: Int, form: CompressedForm) {
        self.count = count
        self.form = form
    }

    /// Bits on the wire by the spec's formula for this form (payload and its scalars, no framing).
    public var wireBits: Int { form.encoding.bits(count: count) }

    /// Bytes on the wire: `⌈wireBits / 8⌉` (all scalars are whole bytes, so this is exact).
    public var wireByteCount: Int { (wireBits + 7) / 8 }
}

/// The payload forms. Index arrays are ascending and duplicate-free; every Float is finite.
public enum CompressedForm: Sendable, Equatable {
    /// Dense Float32 values (compressor `none`; 32 bits per element).
    case dense([Float])
    /// IEEE binary16 bit patterns, one per element (16 bits per element).
    case float16(bits: [UInt16])
    /// Kept values at ascending indices; a 32-bit count, then a UInt32 index and a Float32 value
    /// per kept element (top-k, threshold, DGC: 64 bits per kept element + 32).
    case sparse(indices: [UInt32], values: [Float])
    /// Random-k values at indices that both sides derive from a shared random key: only the values
    /// travel (32 bits per kept element); `indices` (ascending) are carried here for convenience.
    case sharedSparse(indices: [UInt32], values: [Float])
    /// ±1 per element, 1 bit each (signSGD; DESIGN §2 polarity).
    case signs(PackedSigns)
    /// `scale · (±1)` per element: packed signs plus one Float32 scale (scaled sign, EF-signSGD).
    case scaledSigns(PackedSigns, scale: Float)
    /// `scale · t`, t ∈ {−1, 0, +1}: 2-bit codes plus one Float32 scale (TernGrad).
    case ternary(PackedTernary, scale: Float)
    /// QSGD: signed integer levels with one Float32 norm per bucket.
    case quantized(QuantizedLevels)
    /// Natural compression: one byte per element, sign bit 7 and a 7-bit exponent offset (see
    /// `NaturalCompression`); code 0 or 128 is zero.
    case powersOfTwo(codes: [UInt8])
    /// PowerSGD: the rank-r factors of a rows × cols matrix; the vector is P·Qᵀ, row-major.
    case lowRank(LowRankFactors)
    /// Per-layer PowerSGD: consecutive blocks of the vector, low-rank factors or dense values.
    case lowRankBlocks([LowRankBlock])

    /// The wire encoding that sizes this form.
    public var encoding: WireEncoding {
        switch self {
        case .dense: .dense32
        case .float16: .float16
        case .sparse(let indices, _): .sparse(kept: indices.count)
        case .sharedSparse(let indices, _): .sharedSparse(kept: indices.count)
        case .signs: .signs
        case .scaledSigns: .scaledSigns
        case .ternary: .ternary2Bit
        case .quantized(let q): .quantized(levels: q.levelCount, buckets: q.norms.count)
        case .powersOfTwo: .naturalCodes
        case .lowRank(let f): .lowRank(rows: f.rows, columns: f.columns, rank: f.rank)
        case .lowRankBlocks(let blocks): .lowRankBlocks(values: blocks.reduce(0) { $0 + $1.valueCount }, blocks: blocks.count)
        }
    }
}

/// QSGD levels: element i of bucket b = `norms[b] / levelCount · levels[i]`.
public struct QuantizedLevels: Sendable, Equatable {
    /// s, the number of levels (≥ 1); every |level| ≤ s.
    public var levelCount: Int
    /// Elements per bucket (the last bucket may be shorter); ≥ 1.
    public var bucketSize: Int
    /// One non-negative norm per bucket, `⌈count / bucketSize⌉` of them.
    public var norms: [Float]
    /// Signed level per element.
    public var levels: [Int16]

    /// Wraps the parts (checked by `CompressedTensor.validate`).
    public init(levelCount: Int, bucketSize: Int, norms: [Float], levels: [Int16]) {
        self.levelCount = levelCount
        self.bucketSize = bucketSize
        self.norms = norms
        self.levels = levels
    }
}

/// Low-rank factors of a rows × columns matrix: P (rows × rank) and Q (columns × rank), row-major.
public struct LowRankFactors: Sendable, Equatable {
    /// n, rows of the matrix.
    public var rows: Int
    /// m, columns of the matrix.
    public var columns: Int
    /// r, columns of each factor.
    public var rank: Int
    /// P, rows × rank, row-major.
    public var p: [Float]
    /// Q, columns × rank, row-major.
    public var q: [Float]

    /// Wraps the factors (checked by `CompressedTensor.validate`).
    public init(rows: Int, columns: Int, rank: Int, p: [Float], q: [Float]) {
        self.rows = rows
        self.columns = columns
        self.rank = rank
        self.p = p
        self.q = q
    }
}
