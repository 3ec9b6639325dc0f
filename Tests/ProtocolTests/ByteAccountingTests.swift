import Protocol
import Testing

@Suite struct ByteAccountingTests {
    @Test(arguments: [0, 1, 7, 7850])
    func updateByteCountEqualsEncodedSize(dimension: Int) {
        let update = Update(
            round: 1, client: 2, sampleCount: 3, trainLoss: 0.5, wallComputeSeconds: 0.1, virtualComputeSeconds: 1,
            payload: .dense([Float](repeating: 0.5, count: dimension)))
        let encoded = Message.update(update).encoded()
        #expect(update.encodedByteCount == encoded.totalBytes)
        #expect(update.encodedByteCount == 24 + 49 + 4 * dimension)
        #expect(encoded.frames().map(\.count).reduce(0, +) == encoded.totalBytes)
    }

    @Test(arguments: [0, 1, 7850])
    func perClientTaskBytesEqualAOneClientTask(dimension: Int) {
        let model = TensorPayload.dense([Float](repeating: 1, count: dimension))
        let many = Task(round: 4, modelVersion: 3, model: model, clients: (0..<50).map { ClientTask(client: $0) })
        let one = Task(round: 4, modelVersion: 3, model: model, clients: [ClientTask(client: 9, extraDelaySeconds: 2)])
        let none = Task(round: 4, modelVersion: 3, model: model, clients: [])
        #expect(many.perClientByteCount == Message.task(one).encoded().totalBytes)
        #expect(one.perClientByteCount == many.perClientByteCount)
        #expect(none.perClientByteCount == many.perClientByteCount)
        #expect(many.perClientByteCount == 24 + 4 + 8 + 13 + 4 + 16 + 4 * dimension)
        // The whole 50-client message adds 16 bytes per extra client.
        #expect(Message.task(many).encoded().totalBytes == many.perClientByteCount + 49 * 16)
    }

    @Test func payloadSizesFollowTheCodec() {
        let payload = TensorPayload.dense([1, 2, 3])
        #expect(payload.elementCount == 3)
        #expect(payload.byteCount == 12)
        #expect(payload.codecID == 1)
        #expect(payload.codec == .denseFloat32)
    }
}

@Suite struct StableHashTests {
    /// Reference values of the FNV-1a 64-bit test suite (isthe.com/chongo/tech/comp/fnv).
    @Test(arguments: [
        ("", UInt64(0xcbf2_9ce4_8422_2325)), ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8),
    ])
    func matchesReferenceVectors(text: String, expected: UInt64) {
        #expect(StableHash.fnv1a64(text) == expected)
        #expect(StableHash.fnv1a64(Array(text.utf8)) == expected)
    }

    @Test func continuingEqualsHashingTheConcatenation() {
        let a = Array("[run]\nseed = 1\n".utf8)
        let b = Array("ünïcode ✓".utf8)
        #expect(StableHash.fnv1a64(continuing: StableHash.fnv1a64(a), b) == StableHash.fnv1a64(a + b))
        #expect(StableHash.fnv1a64("ab") != StableHash.fnv1a64("ba"))
    }
}
