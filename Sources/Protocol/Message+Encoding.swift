// The encoder. Layouts are documented field by field in docs/wire-format.md; `MetadataSize`
// mirrors `writeMetadata` arithmetically so byte accounting never has to encode anything.

extension Message {
    /// Encodes this message into its frames. Never fails; the encoder does not validate (a
    /// non-finite loss or value is written as is, and the receiver's decoder rejects it).
    /// - Complexity: O(metadata size); payload bytes are written later by `writePayload(_:into:)`.
    public func encoded() -> EncodedMessage {
        let payloads = self.payloads
        var metadata = WireWriter(capacity: metadataByteCount)
        writeMetadata(into: &metadata)
        var header = WireWriter(capacity: Wire.headerBytes(payloadFrames: payloads.count))
        header.write(Wire.magic)
        header.write(Wire.version)
        header.write(kind.rawValue)
        header.write(UInt8(0))  // flags: none defined in version 1
        header.write(UInt32(metadata.bytes.count))
        header.write(UInt32(payloads.count))
        for payload in payloads { header.write(UInt64(payload.byteCount)) }
        return EncodedMessage(header: header.bytes, metadata: metadata.bytes, payloads: payloads)
    }

    /// Bytes of this message's metadata frame.
    var metadataByteCount: Int {
        switch self {
        case .hello(let m): 2 + MetadataSize.string(m.workerName) + 4 + MetadataSize.string(m.build) + 8
        case .welcome(let m): MetadataSize.string(m.runID) + MetadataSize.string(m.configTOML) + 8 + 4 + 4
        case .task(let m): MetadataSize.task(model: m.model, clientCount: m.clients.count)
        case .update(let m): MetadataSize.update(payload: m.payload)
        case .heartbeat: 8
        case .error(let m): 2 + 4 + 1 + (m.client == nil ? 0 : 4) + MetadataSize.string(m.detail)
        case .shutdown(let m): MetadataSize.string(m.reason)
        }
    }

    private func writeMetadata(into out: inout WireWriter) {
        switch self {
        case .hello(let m):
            out.write(m.protocolVersion)
            out.write(m.workerName)
            out.write(m.capacity)
            out.write(m.build)
            out.write(m.dataHash)
        case .welcome(let m):
            out.write(m.runID)
            out.write(m.configTOML)
            out.write(m.configHash)
            out.write(m.workerIndex)
            out.write(m.workerCount)
        case .task(let m):
            out.write(m.round)
            out.write(m.modelVersion)
            writeDescriptor(of: m.model, into: &out)
            out.write(UInt32(m.clients.count))
            for client in m.clients {
                out.write(client.client)
                out.write(client.extraDelaySeconds)
                out.write(client.flags)
            }
        case .update(let m):
            out.write(m.round)
            out.write(m.client)
            out.write(m.sampleCount)
            out.write(m.trainLoss)
            out.write(m.wallComputeSeconds)
            out.write(m.virtualComputeSeconds)
            writeDescriptor(of: m.payload, into: &out)
        case .heartbeat(let m):
            out.write(m.sequence)
        case .error(let m):
            out.write(m.code.rawValue)
            out.write(m.round)
            if let client = m.client {
                out.write(UInt8(1))
                out.write(client)
            } else {
                out.write(UInt8(0))
            }
            out.write(m.detail)
        case .shutdown(let m):
            out.write(m.reason)
        }
    }

    /// Payload descriptor: codec id (UInt8), element count (UInt64), parameter-block length
    /// (UInt32), parameter block (codec-specific, see `PayloadCodec` and docs/wire-format.md).
    private func writeDescriptor(of payload: TensorPayload, into out: inout WireWriter) {
        out.write(payload.codecID)
        out.write(UInt64(payload.elementCount))
        out.write(UInt32(payload.parameterByteCount))
        payload.writeParameters(into: &out)
    }
}

/// Metadata sizes computed from field sizes alone (used by byte accounting and to size buffers).
enum MetadataSize {
    static func string(_ string: String) -> Int { 4 + string.utf8.count }

    static func descriptor(_ payload: TensorPayload) -> Int { 1 + 8 + 4 + payload.parameterByteCount }

    /// Per-client entry of a task: client (UInt32), extra delay (Double), flags (UInt32).
    static let clientTask = 16

    static func task(model: TensorPayload, clientCount: Int) -> Int {
        4 + 8 + descriptor(model) + 4 + clientTask * clientCount
    }

    static func update(payload: TensorPayload) -> Int { 4 + 4 + 4 + 8 + 8 + 8 + descriptor(payload) }
}
