import Protocol
import Testing

/// Exact bytes, written out by hand from docs/wire-format.md (the same vectors appear there).
@Suite struct WireGoldenTests {
    static let hello = Hello(protocolVersion: 1, workerName: "w1", capacity: 8, build: "b", dataHash: 0x0102_0304_0506_0708)
    static let helloHeader = hexBytes("47575731 0100 01 00 19000000 00000000")
    static let helloMetadata = hexBytes(
        """
        0100
        02000000 7731
        08000000
        01000000 62
        0807060504030201
        """)

    static let update = Update(
        round: 3, client: 7, sampleCount: 10, trainLoss: 0.5, wallComputeSeconds: 0.25, virtualComputeSeconds: 2,
        payload: .dense([1, -2]))
    static let updateHeader = hexBytes("47575731 0100 04 00 31000000 01000000 0800000000000000")
    static let updateMetadata = hexBytes(
        """
        03000000 07000000 0a000000
        000000000000e03f 000000000000d03f 0000000000000040
        01 0200000000000000 00000000
        """)
    static let updatePayload = hexBytes("0000803f 000000c0")

    @Test func helloEncodesToGoldenBytes() throws {
        let frames = Message.hello(Self.hello).encoded().frames()
        #expect(frames == [Self.helloHeader, Self.helloMetadata])
        #expect(try Message.decode(frames: [Self.helloHeader, Self.helloMetadata]) == .hello(Self.hello))
    }

    @Test func updateEncodesToGoldenBytes() throws {
        let encoded = Message.update(Self.update).encoded()
        #expect(encoded.frames() == [Self.updateHeader, Self.updateMetadata, Self.updatePayload])
        #expect(encoded.totalBytes == 81)
        #expect(Self.update.encodedByteCount == 81)
        #expect(try Message.decode(frames: [Self.updateHeader, Self.updateMetadata, Self.updatePayload]) == .update(Self.update))
    }

    @Test func codecAndKindNumbersAreStable() {
        #expect(PayloadCodec.denseFloat32.rawValue == 1)
        #expect(MessageKind.allCases.map(\.rawValue) == [1, 2, 3, 4, 5, 6, 7])
        #expect(ErrorCode.allCases.map(\.rawValue) == [1, 2, 3, 4, 5, 6])
        #expect(Wire.magic == 0x3157_5747 && Wire.version == 1 && protocolVersion == 1)
    }
}
