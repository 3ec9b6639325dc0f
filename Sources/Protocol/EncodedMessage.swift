/// A message encoded into its frames, ready to send.
///
/// Header and metadata are small byte arrays. Payload frames are not materialised: the transport
/// asks for each frame's size, allocates its own buffer (for zero-copy sends) and lets
/// `writePayload(_:into:)` fill it. `frames()` materialises everything for tests and small messages.
public struct EncodedMessage: Sendable {
    /// Frame 1: the fixed little-endian header.
    public let header: [UInt8]
    /// Frame 2: the metadata.
    public let metadata: [UInt8]
    private let payloads: [TensorPayload]

    init(header: [UInt8], metadata: [UInt8], payloads: [TensorPayload]) {
        self.header = header
        self.metadata = metadata
        self.payloads = payloads
    }

    /// Sizes in bytes of the payload frames (frames 3…), in order.
    public var payloadByteCounts: [Int] { payloads.map(\.byteCount) }

    /// Number of frames: 2 + number of payloads.
    public var frameCount: Int { 2 + payloads.count }

    /// Bytes of all frames together (ZeroMQ's own per-frame framing not included).
    public var totalBytes: Int { header.count + metadata.count + payloads.reduce(0) { $0 + $1.byteCount } }

    /// Writes payload frame `index` (0-based among payloads) into `destination`, which must be
    /// exactly `payloadByteCounts[index]` bytes (precondition). Values are written little-endian.
    public func writePayload(_ index: Int, into destination: UnsafeMutableRawBufferPointer) {
        precondition(payloads.indices.contains(index), "payload index \(index) out of 0..<\(payloads.count)")
        let payload = payloads[index]
        precondition(
            destination.count == payload.byteCount,
            "payload \(index) needs \(payload.byteCount) bytes, destination has \(destination.count)")
        switch payload {
        case .dense(let values):
            values.withUnsafeBytes { source in
                #if _endian(little)
                    destination.copyMemory(from: source)
                #else
                    for (i, value) in values.enumerated() {
                        destination.storeBytes(
                            of: value.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                    }
                #endif
            }
        case .packedSigns, .voteCounts, .ternary, .scaledSigns, .scaledTernary, .powersOfTwo:
            payload.packedBytes?.withUnsafeBytes { destination.copyMemory(from: $0) }
        case .float16, .sparse, .quantized, .sharedSparse, .lowRank, .lowRankBlocks:
            payload.writeCompressedFrame(into: destination)
        }
    }

    /// All frames as byte arrays: header, metadata, then one array per payload.
    public func frames() -> [[UInt8]] {
        var result = [header, metadata]
        for (index, count) in payloadByteCounts.enumerated() {
            result.append(
                [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                    writePayload(index, into: UnsafeMutableRawBufferPointer(buffer))
                    initialized = count
                })
        }
        return result
    }
}
