// Bits on the wire per encoding, by the formulas of coding-and-compression.md §B.13 with the
// packing of §C.1 (signs 8 per byte) and §C.2 (ternary 4 per byte or 5 trits per byte). Includes
// encodings the spec tabulates but Gradwire does not produce (the paper's 9-bit natural code,
// base-3 ternary, GRACE's byte-per-trit, BytePS's 64-bit sign words, a bitmap sparse index), so
// that the table can be checked in one place and the choices compared.

/// A wire encoding and its exact size formula.
public enum WireEncoding: Sendable, Equatable {
    /// Float32 per element: 32d.
    case dense32
    /// Float16 per element: 16d.
    case float16
    /// Natural compression as in the paper (sign + 8-bit exponent): 9d.
    case naturalPaper
    /// Natural compression as GRACE and Gradwire encode it (one byte): 8d.
    case naturalCodes
    /// QSGD fixed width: d·(1 + ⌈log2(s+1)⌉) + 32 per bucket.
    case quantized(levels: Int, buckets: Int)
    /// TernGrad 2-bit codes + 32-bit scale: 2d + 32.
    case ternary2Bit
    /// TernGrad base-3, five trits per byte + scale: 8⌈d/5⌉ + 32.
    case ternaryBase3
    /// TernGrad one byte per trit (GRACE) + scale: 8d + 32.
    case ternaryBytes
    /// Packed signs: 8⌈d/8⌉.
    case signs
    /// Packed signs + 32-bit scale: 8⌈d/8⌉ + 32.
    case scaledSigns
    /// BytePS onebit: signs in 64-bit words + scale: 64⌈d/64⌉ + 32.
    case signWords64
    /// Sparse (UInt32 index, Float32 value) pairs + 32-bit count: 64k + 32.
    case sparse(kept: Int)
    /// Sparse with a d-bit bitmap index and Float32 values: d + 32k.
    case sparseBitmap(kept: Int)
    /// Values only, indices from a shared seed: 32k.
    case sharedSparse(kept: Int)
    /// Low-rank factors of an n × m matrix: 32·r·(n + m).
    case lowRank(rows: Int, columns: Int, rank: Int)
    /// Per-layer low-rank blocks (codec 13): `values` Float32 values (Σ r·(n + m) over the factor
    /// blocks plus the dense blocks' elements) and a 96-bit header per block: 32·values + 96·blocks.
    case lowRankBlocks(values: Int, blocks: Int)

    /// Exact bits for a vector of `count` elements.
    public func bits(count d: Int) -> Int {
        switch self {
        case .dense32: 32 * d
        case .float16: 16 * d
        case .naturalPaper: 9 * d
        case .naturalCodes: 8 * d
        case .quantized(let s, let buckets): d * (1 + Self.bitWidth(of: s)) + 32 * buckets
        case .ternary2Bit: 2 * d + 32
        case .ternaryBase3: 8 * ((d + 4) / 5) + 32
        case .ternaryBytes: 8 * d + 32
        case .signs: 8 * ((d + 7) / 8)
        case .scaledSigns: 8 * ((d + 7) / 8) + 32
        case .signWords64: 64 * ((d + 63) / 64) + 32
        case .sparse(let k): 64 * k + 32
        case .sparseBitmap(let k): d + 32 * k
        case .sharedSparse(let k): 32 * k
        case .lowRank(let n, let m, let r): 32 * r * (n + m)
        case .lowRankBlocks(let values, let blocks): 32 * values + 96 * blocks
        }
    }

    /// Bits per element, `bits(count:) / count` (0 for an empty vector).
    public func bitsPerElement(count d: Int) -> Double {
        d == 0 ? 0 : Double(bits(count: d)) / Double(d)
    }

    /// ⌈log2(s + 1)⌉ for s ≥ 0: the bits of an unsigned level in 0...s.
    public static func bitWidth(of s: Int) -> Int {
        s <= 0 ? 0 : Int.bitWidth - s.leadingZeroBitCount
    }
}
