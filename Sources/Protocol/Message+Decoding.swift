// The validating decoder. Input is hostile: every declared length is checked against the real
// frame sizes and the limits before anything is allocated, every enum byte against its domain,
// every string for UTF-8, every tensor value and timing for finiteness. Checks run in this order:
// header (size, magic, version, kind, flags, payload count, lengths) → frame count → frame sizes
// against the header → limits → metadata (per kind, then no trailing bytes) → payloads
// (codec, dimension, size against the descriptor, finite values). See docs/wire-format.md.

extension Message {
    /// Decodes and validates a message from its frames (header, metadata, payloads).
    /// - Throws: `DecodeError` describing the first violation found; never traps on bad input.
    public static func decode(frames: [[UInt8]], limits: DecodeLimits = .init()) throws(DecodeError) -> Message {
        try decode(ArrayFrames(frames: frames), limits: limits)
    }

    /// Decodes and validates a message from frames the transport still owns (for example
    /// `zmq_msg_data` of received parts), without copying them first. The buffers only need to
    /// stay valid for the duration of the call; the result owns its storage.
    public static func decode(
        frameBuffers: [UnsafeRawBufferPointer], limits: DecodeLimits = .init()
    ) throws(DecodeError) -> Message {
        try decode(BufferFrames(frames: frameBuffers), limits: limits)
    }

    private static func decode(_ frames: some FrameSource, limits: DecodeLimits) throws(DecodeError) -> Message {
        guard frames.count >= 1 else { throw .frameCountMismatch(expected: 2, found: 0) }
        let header = try frames.withFrame(0) { raw throws(DecodeError) in try WireHeader(parsing: raw) }

        let expectedFrames = 2 + header.payloadLengths.count
        guard frames.count == expectedFrames else {
            throw .frameCountMismatch(expected: expectedFrames, found: frames.count)
        }
        let metadataBytes = frames.byteCount(of: 1)
        guard metadataBytes == header.metadataLength else {
            throw .lengthMismatch(frame: 2, declared: header.metadataLength, actual: metadataBytes)
        }
        guard metadataBytes <= limits.maxMetadataBytes else {
            throw .payloadTooLarge(bytes: metadataBytes, limit: limits.maxMetadataBytes)
        }
        for (index, declared) in header.payloadLengths.enumerated() {
            let actual = frames.byteCount(of: 2 + index)
            guard actual == declared else { throw .lengthMismatch(frame: 3 + index, declared: declared, actual: actual) }
            guard actual <= limits.maxPayloadBytes else {
                throw .payloadTooLarge(bytes: actual, limit: limits.maxPayloadBytes)
            }
        }

        var (message, descriptors) = try frames.withFrame(1) { raw throws(DecodeError) in
            var reader = WireReader(raw)
            return try MetadataDecoder.decode(header.kind, from: &reader, limits: limits)
        }
        precondition(descriptors.count == header.payloadLengths.count, "metadata decoder and MessageKind disagree")

        var payloads: [TensorPayload] = []
        for (index, descriptor) in descriptors.enumerated() {
            let payload = try frames.withFrame(2 + index) { raw throws(DecodeError) in
                try decodePayload(descriptor, frame: 3 + index, from: raw)
            }
            payloads.append(payload)
        }
        descriptors.removeAll()
        message.attach(payloads)
        return message
    }

    /// Replaces the placeholder payloads left by the metadata decoder.
    private mutating func attach(_ payloads: [TensorPayload]) {
        switch self {
        case .task(var task):
            task.model = payloads[0]
            self = .task(task)
        case .update(var update):
            update.payload = payloads[0]
            self = .update(update)
        case .hello, .welcome, .heartbeat, .error, .shutdown:
            break
        }
    }

    private static func decodePayload(
        _ descriptor: PayloadDescriptor, frame: Int, from raw: UnsafeRawBufferPointer
    ) throws(DecodeError) -> TensorPayload {
        switch descriptor.codec {
        case .denseFloat32:
            let (expectedBytes, overflow) = descriptor.elementCount.multipliedReportingOverflow(by: 4)
            guard !overflow else {
                throw .invalidValue(
                    field: descriptor.field + ".elementCount",
                    reason: "\(descriptor.elementCount) elements do not fit in memory")
            }
            guard raw.count == expectedBytes else {
                throw .lengthMismatch(frame: frame, declared: expectedBytes, actual: raw.count)
            }
            let values = decodeFloat32(raw)
            if let bad = firstNonFinite(values) { throw .nonFinite(field: descriptor.field, index: bad) }
            return .dense(values)
        case .packedSigns:
            let expectedBytes = PackedSigns.byteCount(forCount: descriptor.elementCount)
            guard raw.count == expectedBytes else {
                throw .lengthMismatch(frame: frame, declared: expectedBytes, actual: raw.count)
            }
            return .packedSigns(try PackedSigns.validated(count: descriptor.elementCount, bytes: Array(raw),
                                                          field: descriptor.field))
        case .ternary:
            let expectedBytes = PackedTernary.byteCount(forCount: descriptor.elementCount)
            guard raw.count == expectedBytes else {
                throw .lengthMismatch(frame: frame, declared: expectedBytes, actual: raw.count)
            }
            return .ternary(try PackedTernary.validated(count: descriptor.elementCount, bytes: Array(raw),
                                                        field: descriptor.field))
        case .voteCounts:
            let bits = PackedCounts.bitsPerCount(voters: descriptor.voters)
            let (totalBits, overflow) = descriptor.elementCount.multipliedReportingOverflow(by: bits)
            guard !overflow else {
                throw .invalidValue(
                    field: descriptor.field + ".elementCount",
                    reason: "\(descriptor.elementCount) elements do not fit in memory")
            }
            let expectedBytes = totalBits / 8 + (totalBits % 8 == 0 ? 0 : 1)
            guard raw.count == expectedBytes else {
                throw .lengthMismatch(frame: frame, declared: expectedBytes, actual: raw.count)
            }
            return .voteCounts(try PackedCounts.validated(count: descriptor.elementCount, voters: descriptor.voters,
                                                          bytes: Array(raw), field: descriptor.field))
        case .float16, .sparse, .quantized, .sharedSparse, .scaledSigns, .powersOfTwo, .lowRank, .scaledTernary, .lowRankBlocks:
            return try CompressedPayloadDecoder.decode(descriptor, frame: frame, from: raw)
        }
    }

    /// Copies little-endian Float32 values (memcpy on little-endian hosts). `raw.count % 4 == 0`.
    private static func decodeFloat32(_ raw: UnsafeRawBufferPointer) -> [Float] {
        let count = raw.count / 4
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            #if _endian(little)
                if count > 0 { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw) }
            #else
                for i in 0..<count {
                    let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
                    buffer[i] = Float(bitPattern: bits)
                }
            #endif
            initialized = count
        }
    }

    private static func firstNonFinite(_ values: [Float]) -> Int? {
        values.withUnsafeBufferPointer { buffer in
            for i in buffer.indices where !buffer[i].isFinite { return i }
            return nil
        }
    }
}

// MARK: - Header

/// The parsed and validated header frame.
struct WireHeader {
    var kind: MessageKind
    var metadataLength: Int
    var payloadLengths: [Int]

    init(parsing raw: UnsafeRawBufferPointer) throws(DecodeError) {
        var reader = WireReader(raw)
        try reader.require(Wire.fixedHeaderBytes, "header")
        let magic = try reader.read(UInt32.self, "header.magic")
        guard magic == Wire.magic else { throw .badMagic(magic) }
        let version = try reader.read(UInt16.self, "header.version")
        guard Wire.supportedVersions.contains(version) else {
            throw .unsupportedVersion(found: version, supported: Wire.supportedVersions)
        }
        let kindByte = try reader.read(UInt8.self, "header.kind")
        guard let kind = MessageKind(rawValue: kindByte) else { throw .unknownKind(kindByte) }
        let flags = try reader.read(UInt8.self, "header.flags")
        guard flags == 0 else {
            throw .invalidValue(field: "header.flags", reason: "no flags are defined in version 1, found \(flags)")
        }
        metadataLength = Int(try reader.read(UInt32.self, "header.metadataLength"))
        let payloadCount = Int(try reader.read(UInt32.self, "header.payloadFrameCount"))
        guard payloadCount == kind.payloadFrameCount else {
            throw .invalidValue(
                field: "header.payloadFrameCount",
                reason: "\(kind) messages carry \(kind.payloadFrameCount) payload frames, header declares \(payloadCount)")
        }
        try reader.require(8 * payloadCount, "header.payloadLengths")
        var lengths: [Int] = []
        lengths.reserveCapacity(payloadCount)
        for index in 0..<payloadCount {
            let length = try reader.read(UInt64.self, "header.payloadLengths[\(index)]")
            guard let checked = Int(exactly: length) else {
                throw .invalidValue(field: "header.payloadLengths[\(index)]", reason: "\(length) bytes cannot exist")
            }
            lengths.append(checked)
        }
        try reader.expectEnd("header")
        self.kind = kind
        payloadLengths = lengths
    }
}

// MARK: - Frame access

/// Read access to received frames, one at a time.
protocol FrameSource {
    var count: Int { get }
    func byteCount(of index: Int) -> Int
    func withFrame<R>(
        _ index: Int, _ body: (UnsafeRawBufferPointer) throws(DecodeError) -> R
    ) throws(DecodeError) -> R
}

private struct ArrayFrames: FrameSource {
    let frames: [[UInt8]]
    var count: Int { frames.count }
    func byteCount(of index: Int) -> Int { frames[index].count }
    func withFrame<R>(
        _ index: Int, _ body: (UnsafeRawBufferPointer) throws(DecodeError) -> R
    ) throws(DecodeError) -> R {
        let result = frames[index].withUnsafeBytes { raw in
            Result { () throws(DecodeError) -> R in try body(raw) }
        }
        return try result.get()
    }
}

private struct BufferFrames: FrameSource {
    let frames: [UnsafeRawBufferPointer]
    var count: Int { frames.count }
    func byteCount(of index: Int) -> Int { frames[index].count }
    func withFrame<R>(
        _ index: Int, _ body: (UnsafeRawBufferPointer) throws(DecodeError) -> R
    ) throws(DecodeError) -> R {
        try body(frames[index])
    }
}
