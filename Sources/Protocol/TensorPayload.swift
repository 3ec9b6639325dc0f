// Tensor payload forms. Each form has a one-byte codec id that travels in the metadata together
// with the element count and a length-prefixed block of codec parameters (empty for dense), so
// later forms (float16, sparse index/value, quantized) are new cases with new ids and their own
// parameters without changing the framing.

/// Codec ids of the payload forms. Raw values are stable: never renumber.
///
/// Assigned: 1 = dense Float32, 4 = packed signs (8 per byte, LSB first, bit 1 = +1), 6 = vote
/// counts (⌈log2(N+1)⌉ bits each, N in the parameters), 7 = ternary {−1, 0, +1} (2 bits each).
/// Reserved for planned forms (rejected as unknown until implemented): 2 = dense Float16,
/// 3 = sparse index/value, 5 = quantized. 0 is never valid.
public enum PayloadCodec: UInt8, Sendable, CaseIterable {
    /// Dense IEEE-754 binary32, little-endian, 4 bytes per element.
    case denseFloat32 = 1
    /// Packed ±1 signs, `⌈count / 8⌉` bytes (`PackedSigns`).
    case packedSigns = 4
    /// Vote counts, `⌈count · b / 8⌉` bytes with b = bit width of N; parameters: N as UInt32 (`PackedCounts`).
    case voteCounts = 6
    /// Ternary values, `⌈count / 4⌉` bytes (`PackedTernary`).
    case ternary = 7
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

    /// Number of logical tensor elements (the model dimension for model-sized tensors).
    public var elementCount: Int {
        switch self {
        case .dense(let values): values.count
        case .packedSigns(let signs): signs.count
        case .voteCounts(let counts): counts.count
        case .ternary(let values): values.count
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
        }
    }

    /// Bytes of this payload's frame on the wire.
    public var byteCount: Int {
        switch self {
        case .dense(let values): values.count * MemoryLayout<Float>.size
        case .packedSigns(let signs): signs.bytes.count
        case .voteCounts(let counts): counts.bytes.count
        case .ternary(let values): values.bytes.count
        }
    }

    /// Bytes of this payload's codec-parameter block in the metadata (0 except vote counts: 4).
    var parameterByteCount: Int {
        switch self {
        case .dense, .packedSigns, .ternary: 0
        case .voteCounts: 4
        }
    }

    /// The raw frame bytes of the packed forms (nil for dense).
    var packedBytes: [UInt8]? {
        switch self {
        case .dense: nil
        case .packedSigns(let signs): signs.bytes
        case .voteCounts(let counts): counts.bytes
        case .ternary(let values): values.bytes
        }
    }
}
