import Protocol
import Testing

@Suite struct MessageRoundTripTests {
    @Test(arguments: Samples.small)
    func roundTripsThroughFrames(message: Message) throws {
        let encoded = message.encoded()
        let frames = encoded.frames()
        #expect(frames.count == encoded.frameCount)
        #expect(frames.count == 2 + message.kind.payloadFrameCount)
        #expect(frames.map(\.count).reduce(0, +) == encoded.totalBytes)
        #expect(Array(frames.dropFirst(2).map(\.count)) == encoded.payloadByteCounts)
        let decoded = try Message.decode(frames: frames)
        #expect(decoded == message)
        #expect(decoded.kind == message.kind)
        #expect(decoded.payloads.map(bitPatterns) == message.payloads.map(bitPatterns))
    }

    @Test(arguments: Samples.small)
    func roundTripsThroughBorrowedBuffers(message: Message) throws {
        let frames = message.encoded().frames()
        let decoded = try withBuffers(frames) { buffers throws(DecodeError) in
            try Message.decode(frameBuffers: buffers)
        }
        #expect(decoded == message)
    }

    @Test func headerStartsWithMagicVersionAndKind() {
        for message in Samples.small {
            let header = message.encoded().header
            #expect(Array(header[0..<4]) == Array("GWW1".utf8))
            #expect(header[4] == UInt8(Wire.version) && header[5] == 0)
            #expect(header[6] == message.kind.rawValue)
            #expect(header.count == Wire.headerBytes(payloadFrames: message.kind.payloadFrameCount))
        }
    }

    @Test func preservesSignedZerosAndSubnormalsBitExactly() throws {
        let decoded = try Message.decode(frames: Message.task(Samples.task).encoded().frames())
        guard case .task(let task) = decoded else {
            Issue.record("decoded \(decoded.kind), expected task")
            return
        }
        #expect(bitPatterns(task.model) == Samples.awkwardFloats.map(\.bitPattern))
        #expect(task.model.elementCount == Samples.awkwardFloats.count)
        #expect(bitPatterns(task.model)[1] == 0x8000_0000)  // -0.0 survived
        #expect(bitPatterns(task.model)[2] == 0x0000_0001)  // smallest subnormal survived
    }

    @Test func largePayloadRoundTripsWithZeroCopyWriter() throws {
        var rng = TestSplitMix(seed: 0x5eed_0001)
        var values = (0..<1_000_000).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0xBF7F_FFFF) }
        values[0] = -0.0
        values[999_999] = Float(bitPattern: 0x8000_0001)
        let update = Update(
            round: 1, client: 2, sampleCount: 3, trainLoss: 0.1, wallComputeSeconds: 1, virtualComputeSeconds: 2,
            payload: .dense(values))
        let encoded = Message.update(update).encoded()
        #expect(encoded.payloadByteCounts == [4_000_000])

        // The transport's path: allocate a buffer of the announced size, let Protocol fill it.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4_000_000, alignment: 16)
        defer { buffer.deallocate() }
        encoded.writePayload(0, into: buffer)
        #expect(buffer.load(fromByteOffset: 4, as: UInt32.self) == UInt32(littleEndian: values[1].bitPattern))

        let decoded = try withBuffers([encoded.header, encoded.metadata]) { small throws(DecodeError) in
            try Message.decode(frameBuffers: small + [UnsafeRawBufferPointer(buffer)], limits: .init(expectedDimension: 1_000_000))
        }
        guard case .update(let back) = decoded else {
            Issue.record("decoded \(decoded.kind), expected update")
            return
        }
        #expect(bitPatterns(back.payload) == values.map(\.bitPattern))
        #expect(back == update)
    }

    @Test func descriptionIsOneLineWithCountsAndSizes() {
        for message in Samples.small {
            let text = message.description
            #expect(!text.contains("\n"), "\(text)")
            #expect(text.hasPrefix(message.kind.description))
        }
        #expect(Message.update(Samples.update).description.contains("round=3 client=17"))
        #expect(Message.update(Samples.update).description.contains("dense[4] 16B"))
        #expect(Message.task(Samples.task).description.contains("clients=3"))
    }
}

/// Runs `body` with borrowed raw views of all arrays at once.
func withBuffers<R>(
    _ arrays: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) throws(DecodeError) -> R
) throws(DecodeError) -> R {
    func step(_ index: Int, _ collected: [UnsafeRawBufferPointer]) -> Result<R, DecodeError> {
        if index == arrays.count { return Result { () throws(DecodeError) -> R in try body(collected) } }
        return arrays[index].withUnsafeBytes { step(index + 1, collected + [$0]) }
    }
    return try step(0, []).get()
}
