// Tensor payload forms. Each form has a one-byte codec id that travels in the metadata together
// with the element count and a length-prefixed block of codec parameters (empty for dense), so
// new forms are new cases with new ids and their own parameters without changing the framing. The
// compressed forms of issue 4 (codec ids 2, 3, 5, 8–13) are encoded in CompressedPayload+Wire.swift.

/// Codec ids of the payload forms. Raw values are stable: never renumber.
///
/// Assigned: 1 = dense Float32, 2 = Float16, 3 = sparse index/value, 4 = packed signs (8 per byte,
/// LSB first, bit 1 = +1), 5 = quantized levels with norms, 6 = vote counts (⌈log2(N+1)⌉ bits each,
/// N in the parameters), 7 = ternary {−1, 0, +1} (2 bits each), 8 = shared-index sparse values,
/// 9 = scaled signs, 10 = powers of two, 11 = low rank, 12 = scaled ternary, 13 = low-rank blocks.
/// 0 is never valid.
/// Layouts: docs/wire-format.md; the compressed forms' types: CompressedPayloads.swift.
public enum PayloadCodec: UInt8, Sendable, CaseIterable {
    /// Dense IEEE-754 binary32, little-endian, 4 bytes per element.
    case denseFloat32 = 1
    /// Packed ±1 signs, `⌈count / 8⌉` bytes (`PackedSigns`).
    case packedSigns = 4
    /// Vote counts, `⌈count · b / 8⌉` bytes with b = bit width of N; parameters: N as UInt32 (`PackedCounts`).
    case voteCounts = 6
    /// Ternary values, `⌈count / 4⌉` bytes (`PackedTernary`).
    case ternary = 7
    /// IEEE binary16 bit patterns, 2 bytes per element.
    case float16 = 2
    /// Sparse index/value pairs (`SparseValues`); parameters: k as UInt32.
    case sparse = 3
    /// QSGD levels with per-bucket norms (`PackedLevels`); parameters: s, bucket size (UInt32 each).
    case quantized = 5
    /// Values at shared-seed indices (`SharedSparseValues`), 4 bytes per kept value; parameters: k as UInt32.
    case sharedSparse = 8
    /// Packed signs times a scale; parameters: the Float32 scale.
    case scaledSigns = 9
    /// Natural compression, one byte per element.
    case powersOfTwo = 10
    /// Low-rank factors (`LowRankMatrix`); parameters: rows, columns, rank (UInt32 each).
    case lowRank = 11
    /// Ternary codes times a scale (TernGrad); parameters: the Float32 scale.
    case scaledTernary = 12
    /// Blocks of low-rank factors or dense values (`LowRankBlocks`, per-layer PowerSGD); parameters:
    /// the block count as UInt32.
    case lowRankBlocks = 13
}

/// One tensor as it travels in its own payload frame.
public enum TensorPayload: Sendable, Equatable {
    /// Dense Float32 values; on the wire `4 × count` bytes, little-endian. Values must be finite.
    case dense([Float])
    /// ±1 signs, 1 bit each (the Distributed Lion uplink; majority-vote downlink without ties).
    case packedSigns(PackedSigns)
    /// Per-coordinate counts of +1 votes out of N (the Distributed Lion averaging downlink).
    case voteCounts(PackedCounts)
    /// {−1, 0, +1}, 2 bits each (the Distributed Lion majority-vote downlink when votes can tie).
    case ternary(PackedTernary)
    /// IEEE binary16 bit patterns, 2 bytes each (compressor `fp16`). Must be finite (no inf/NaN).
    case float16([UInt16])
    /// Kept values at ascending indices (top-k, threshold, DGC): 8 bytes per kept element + k.
    case sparse(SparseValues)
    /// QSGD: sign + level codes of 1 + ⌈log2(s+1)⌉ bits and one Float32 norm per bucket.
    case quantized(PackedLevels)
    /// Random-k values only; the receiver derives the indices from the shared seed. 4 bytes each + k.
    case sharedSparse(SharedSparseValues)
    /// `scale · (±1)`: packed signs (DESIGN §2 polarity) and a finite Float32 scale (EF-signSGD).
    case scaledSigns(PackedSigns, scale: Float)
    /// Natural compression codes, one byte each: bit 7 sign, bits 0–6 exponent offset (0 = zero).
    case powersOfTwo([UInt8])
    /// PowerSGD factors P (rows × r) and Q (columns × r); rows · columns elements.
    case lowRank(LowRankMatrix)
    /// `scale · t`, t ∈ {−1, 0, +1}: packed ternary codes and a finite Float32 scale (TernGrad).
    case scaledTernary(PackedTernary, scale: Float)
    /// Per-layer PowerSGD: consecutive low-rank or dense blocks, each with a 12-byte header.
    case lowRankBlocks(LowRankBlocks)

    /// Number of logical tensor elements (the model dimension for model-sized tensors).
    public var elementCount: Int {
        switch self {
        case .dense(let values): values.count
        case .packedSigns(let signs): signs.count
        case .voteCounts(let counts): counts.count
        case .ternary(let values): values.count
        case .float16(let bits): bits.count
        case .sparse(let sparse): sparse.count
        case .quantized(let levels): levels.count
        case .sharedSparse(let shared): shared.count
        case .scaledSigns(let signs, _): signs.count
        case .powersOfTwo(let codes): codes.count
        case .lowRank(let matrix): matrix.count
        case .scaledTernary(let values, _): values.count
        case .lowRankBlocks(let blocks): blocks.count
        }
    }

    /// The codec id written into the metadata (see `PayloadCodec`).
    public var codecID: UInt8 { codec.rawValue }

    /// The payload form as a `PayloadCodec`.
    public var codec: PayloadCodec {
        switch self {
        case .dense: .denseFloat32
        case .packedSigns: .packedSigns
        case .voteCounts: .voteCounts
        case .ternary: .ternary
        case .float16: .float16
        case .sparse: .sparse
        case .quantized: .quantized
        case .sharedSparse: .sharedSparse
        case .scaledSigns: .scaledSigns
        case .powersOfTwo: .powersOfTwo
        case .lowRank: .lowRank
        case .scaledTernary: .scaledTernary
        case .lowRankBlocks: .lowRankBlocks
        }
    }

    /// Bytes of this payload's frame on the wire.
    public var byteCount: Int {
        switch self {
        case .dense(let values): values.count * MemoryLayout<Float>.size
        case .packedSigns(let signs): signs.bytes.count
        case .voteCounts(let counts): counts.bytes.count
        case .ternary(let values): values.bytes.count
        case .float16(let bits): 2 * bits.count
        case .sparse(let sparse): 8 * sparse.indices.count
        case .quantized(let levels): levels.bytes.count + 4 * levels.norms.count
        case .sharedSparse(let shared): 4 * shared.values.count
        case .scaledSigns(let signs, _): signs.bytes.count
        case .powersOfTwo(let codes): codes.count
        case .lowRank(let matrix): 4 * (matrix.p.count + matrix.q.count)
        case .scaledTernary(let values, _): values.bytes.count
        case .lowRankBlocks(let blocks): blocks.byteCount
        }
    }

    /// Bytes of this payload's codec-parameter block in the metadata (see `PayloadCodec`).
    var parameterByteCount: Int {
        switch self {
        case .dense, .packedSigns, .ternary, .float16, .powersOfTwo: 0
        case .voteCounts, .sparse, .sharedSparse, .scaledSigns, .scaledTernary, .lowRankBlocks: 4
        case .quantized: 8
        case .lowRank: 12
        }
    }

    /// The raw frame bytes of the packed forms (nil for forms with Float or integer arrays).
    var packedBytes: [UInt8]? {
        switch self {
        case .dense, .float16, .sparse, .quantized, .sharedSparse, .lowRank, .lowRankBlocks: nil
        case .packedSigns(let signs), .scaledSigns(let signs, _): signs.bytes
        case .voteCounts(let counts): counts.bytes
        case .ternary(let values), .scaledTernary(let values, _): values.bytes
        case .powersOfTwo(let codes): codes
        }
    }
}
