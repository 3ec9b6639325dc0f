// Tensor payload forms. Each form has a one-byte codec id that travels in the metadata together
// with the element count and a length-prefixed block of codec parameters (empty for dense), so
// later forms (float16, sparse index/value, packed signs, quantized) are new cases with new ids
// and their own parameters without changing the framing.

/// Codec ids of the payload forms. Raw values are stable: never renumber.
///
/// Assigned: 1 = dense Float32. Reserved for planned forms (rejected as unknown until
/// implemented): 2 = dense Float16, 3 = sparse index/value, 4 = packed signs (8 per byte, LSB
/// first, bit 1 = +1), 5 = quantized. 0 is never valid.
public enum PayloadCodec: UInt8, Sendable, CaseIterable {
    /// Dense IEEE-754 binary32, little-endian, 4 bytes per element.
    case denseFloat32 = 1
}

/// One tensor as it travels in its own payload frame.
public enum TensorPayload: Sendable, Equatable {
    /// Dense Float32 values; on the wire `4 × count` bytes, little-endian. Values must be finite.
    case dense([Float])

    /// Number of logical tensor elements (the model dimension for model-sized tensors).
    public var elementCount: Int {
        switch self {
        case .dense(let values): values.count
        }
    }

    /// The codec id written into the metadata (see `PayloadCodec`).
    public var codecID: UInt8 { codec.rawValue }

    /// The payload form as a `PayloadCodec`.
    public var codec: PayloadCodec {
        switch self {
        case .dense: .denseFloat32
        }
    }

    /// Bytes of this payload's frame on the wire.
    public var byteCount: Int {
        switch self {
        case .dense(let values): values.count * MemoryLayout<Float>.size
        }
    }

    /// Bytes of this payload's codec-parameter block in the metadata (0 for dense).
    var parameterByteCount: Int {
        switch self {
        case .dense: 0
        }
    }
}
