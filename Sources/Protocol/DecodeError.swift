/// Why a received message was rejected. Frame numbers are 1-based as in docs/wire-format.md
/// (1 = header, 2 = metadata, 3… = payloads); field names are `kind.field` paths.
public enum DecodeError: Error, Equatable, CustomStringConvertible {
    /// A field needs `needed` bytes but only `available` remain in its frame.
    case truncated(field: String, needed: Int, available: Int)
    /// The header does not start with `Wire.magic`.
    case badMagic(UInt32)
    /// The header's protocol version is outside the supported range.
    case unsupportedVersion(found: UInt16, supported: ClosedRange<UInt16>)
    /// The header's kind byte is not a `MessageKind`.
    case unknownKind(UInt8)
    /// The message has `found` frames where its header implies `expected`.
    case frameCountMismatch(expected: Int, found: Int)
    /// A length declared for frame `frame` (header or payload descriptor) differs from its actual size.
    case lengthMismatch(frame: Int, declared: Int, actual: Int)
    /// A frame of `bytes` bytes exceeds the configured `limit` (`DecodeLimits`).
    case payloadTooLarge(bytes: Int, limit: Int)
    /// A tensor has `found` elements where the model dimension is `expected`.
    case dimensionMismatch(expected: Int, found: Int)
    /// A NaN or infinity at `index` of `field` (index 0 for scalar fields).
    case nonFinite(field: String, index: Int)
    /// A string field is not valid UTF-8.
    case invalidUTF8(field: String)
    /// `count` bytes are left over after `field` was fully read.
    case trailingBytes(field: String, count: Int)
    /// A payload descriptor names a codec id this build does not know.
    case unknownCodec(UInt8)
    /// A field holds a value outside its domain.
    case invalidValue(field: String, reason: String)

    /// One line naming the problem, with the numbers, and what to do about it.
    public var description: String {
        switch self {
        case .truncated(let field, let needed, let available):
            "truncated message: '\(field)' needs \(needed) bytes but only \(available) remain; "
                + "the sender wrote a short frame or the message was cut"
        case .badMagic(let magic):
            "bad magic 0x\(String(magic, radix: 16)) (expected 0x\(String(Wire.magic, radix: 16)), \"GWW1\"); "
                + "the peer is not a Gradwire process"
        case .unsupportedVersion(let found, let supported):
            "unsupported protocol version \(found) (this build supports \(supported.lowerBound)..."
                + "\(supported.upperBound)); run the same gradwire release on coordinator and workers"
        case .unknownKind(let kind):
            "unknown message kind \(kind) (known 1...\(MessageKind.allCases.count)); "
                + "the peer runs a newer or incompatible gradwire"
        case .frameCountMismatch(let expected, let found):
            "message has \(found) frames but its header implies \(expected); "
                + "the sender must send header, metadata and one frame per payload"
        case .lengthMismatch(let frame, let declared, let actual):
            "frame \(frame) is declared as \(declared) bytes but holds \(actual); "
                + "the message was cut or corrupted in transit"
        case .payloadTooLarge(let bytes, let limit):
            "frame of \(bytes) bytes exceeds the limit of \(limit) bytes; "
                + "raise the decode limit or send a smaller model"
        case .dimensionMismatch(let expected, let found):
            "tensor has \(found) elements but the model dimension is \(expected); "
                + "coordinator and worker disagree on the model (check the configuration)"
        case .nonFinite(let field, let index):
            "non-finite value (NaN or infinity) in '\(field)' at index \(index); "
                + "the sender's training diverged (lower the learning rate) or the message is corrupt"
        case .invalidUTF8(let field):
            "'\(field)' is not valid UTF-8; the sender must encode strings as UTF-8"
        case .trailingBytes(let field, let count):
            "\(count) unexpected bytes after '\(field)'; the sender writes a different layout "
                + "(version skew) or the message is corrupt"
        case .unknownCodec(let codec):
            "unknown payload codec id \(codec) (known: "
                + PayloadCodec.allCases.map { "\($0.rawValue)" }.joined(separator: ", ")
                + "); the peer uses a compressor this build does not decode"
        case .invalidValue(let field, let reason):
            "invalid value in '\(field)': \(reason)"
        }
    }
}
