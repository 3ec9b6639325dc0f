import Protocol
import Testing

@Suite struct DecodeRejectionTests {
    static let updateFrames = Message.update(Samples.update).encoded().frames()
    static let helloFrames = Message.hello(Samples.hello).encoded().frames()

    // MARK: - Truncation

    @Test(arguments: Samples.small)
    func everyPrefixOfEveryFrameIsRejected(message: Message) {
        let frames = message.encoded().frames()
        for frame in frames.indices {
            for length in 0..<frames[frame].count {
                var cut = frames
                cut[frame] = Array(cut[frame].prefix(length))
                #expect(decodeError(cut) != nil, "frame \(frame + 1) cut to \(length) bytes was accepted")
            }
        }
    }

    @Test(arguments: Samples.small)
    func everyMetadataPrefixIsTruncatedEvenWithAMatchingHeader(message: Message) {
        let frames = message.encoded().frames()
        for length in 0..<frames[1].count {
            var cut = frames
            cut[1] = Array(cut[1].prefix(length))
            let error = decodeError(reheadered(cut))
            guard case .truncated = error else {
                Issue.record("metadata cut to \(length) bytes gave \(String(describing: error))")
                continue
            }
        }
    }

    @Test func shortHeaderReportsNeededBytes() {
        #expect(decodeError([[0x47, 0x57, 0x57]]) == .truncated(field: "header", needed: 16, available: 3))
        #expect(decodeError([]) == .frameCountMismatch(expected: 2, found: 0))
    }

    // MARK: - Header

    @Test func wrongMagicIsRejected() {
        var frames = Self.helloFrames
        frames[0][3] = 0x32  // "GWW2"
        #expect(decodeError(frames) == .badMagic(0x3257_5747))
    }

    @Test(arguments: [UInt16(0), 2, 0x0100, .max])
    func unsupportedVersionIsRejected(version: UInt16) {
        var frames = Self.helloFrames
        frames[0].replaceSubrange(4..<6, with: littleEndianBytes(version))
        #expect(decodeError(frames) == .unsupportedVersion(found: version, supported: 1...1))
    }

    @Test(arguments: [UInt8(0), 8, 255])
    func unknownKindIsRejected(kind: UInt8) {
        var frames = Self.helloFrames
        frames[0][6] = kind
        #expect(decodeError(frames) == .unknownKind(kind))
    }

    @Test func nonzeroFlagsAreRejected() {
        var frames = Self.helloFrames
        frames[0][7] = 1
        #expect(decodeError(frames) == .invalidValue(field: "header.flags", reason: "no flags are defined in version 1, found 1"))
    }

    @Test func payloadCountMustMatchTheKind() {
        var frames = Self.helloFrames  // hello with a header claiming one payload frame
        frames[0].replaceSubrange(12..<16, with: littleEndianBytes(UInt32(1)))
        frames[0] += littleEndianBytes(UInt64(0))
        frames.append([])
        guard case .invalidValue(field: "header.payloadFrameCount", _) = decodeError(frames) else {
            Issue.record("hello with a payload frame was not rejected as invalid payload count")
            return
        }
        var huge = Self.updateFrames
        huge[0].replaceSubrange(12..<16, with: littleEndianBytes(UInt32.max))
        guard case .invalidValue(field: "header.payloadFrameCount", _) = decodeError(huge) else {
            Issue.record("payload count 2^32-1 was not rejected")
            return
        }
    }

    @Test func headerWithExtraBytesIsRejected() {
        var frames = Self.updateFrames
        frames[0].append(0)
        #expect(decodeError(frames) == .trailingBytes(field: "header", count: 1))
    }

    // MARK: - Frames and lengths

    @Test func frameCountMismatchIsRejected() {
        #expect(decodeError(Array(Self.updateFrames.prefix(2))) == .frameCountMismatch(expected: 3, found: 2))
        #expect(decodeError(Self.updateFrames + [[1, 2, 3, 4]]) == .frameCountMismatch(expected: 3, found: 4))
        #expect(decodeError(Array(Self.helloFrames.prefix(1))) == .frameCountMismatch(expected: 2, found: 1))
    }

    @Test func declaredLengthsMustMatchFrames() {
        var frames = Self.updateFrames
        frames[0].replaceSubrange(16..<24, with: littleEndianBytes(UInt64(20)))
        #expect(decodeError(frames) == .lengthMismatch(frame: 3, declared: 20, actual: 16))

        frames = Self.updateFrames
        frames[0].replaceSubrange(8..<12, with: littleEndianBytes(UInt32(frames[1].count + 1)))
        #expect(decodeError(frames) == .lengthMismatch(frame: 2, declared: frames[1].count + 1, actual: frames[1].count))

        frames = Self.updateFrames
        frames[0].replaceSubrange(16..<24, with: littleEndianBytes(UInt64.max))
        guard case .invalidValue(field: "header.payloadLengths[0]", _) = decodeError(frames) else {
            Issue.record("payload length 2^64-1 was not rejected")
            return
        }
    }

    @Test func elementCountMustMatchPayloadFrame() {
        // Metadata says 5 elements (20 bytes), the frame holds 4 (16 bytes); header agrees with the frame.
        var frames = Self.updateFrames
        frames[1].replaceSubrange(37..<45, with: littleEndianBytes(UInt64(5)))
        #expect(decodeError(frames) == .lengthMismatch(frame: 3, declared: 20, actual: 16))

        frames[1].replaceSubrange(37..<45, with: littleEndianBytes(UInt64(1) << 62))
        guard case .invalidValue(field: "update.payload.elementCount", _) = decodeError(frames) else {
            Issue.record("element count 2^62 was not rejected as overflowing")
            return
        }
        frames[1].replaceSubrange(37..<45, with: littleEndianBytes(UInt64.max))
        guard case .invalidValue(field: "update.payload.elementCount", _) = decodeError(frames) else {
            Issue.record("element count 2^64-1 was not rejected")
            return
        }
    }

    // MARK: - Limits

    @Test func oversizedFramesAreRejected() {
        #expect(decodeError(Self.updateFrames, limits: .init(maxPayloadBytes: 15)) == .payloadTooLarge(bytes: 16, limit: 15))
        #expect(decodeError(Self.updateFrames, limits: .init(maxPayloadBytes: 16)) == nil)
        let metadataBytes = Self.helloFrames[1].count
        #expect(
            decodeError(Self.helloFrames, limits: .init(maxMetadataBytes: metadataBytes - 1))
                == .payloadTooLarge(bytes: metadataBytes, limit: metadataBytes - 1))
    }

    @Test func dimensionMustMatchWhenExpected() {
        #expect(decodeError(Self.updateFrames, limits: .init(expectedDimension: 5)) == .dimensionMismatch(expected: 5, found: 4))
        #expect(decodeError(Self.updateFrames, limits: .init(expectedDimension: 4)) == nil)
        let task = Message.task(Samples.task).encoded().frames()
        #expect(decodeError(task, limits: .init(expectedDimension: 10)) == .dimensionMismatch(expected: 10, found: 11))
    }

    @Test func clientCountIsLimitedBeforeAllocation() {
        let task = Message.task(Samples.task).encoded().frames()
        #expect(decodeError(task, limits: .init(maxClientsPerTask: 3)) == nil)
        #expect(decodeError(task, limits: .init(maxClientsPerTask: 2)) == .invalidValue(field: "task.clients", reason: "3 clients exceed the limit of 2"))
        // A count of 2^32-1 with only 48 bytes of entries: rejected as truncated, nothing reserved.
        var huge = task
        let countOffset = 4 + 8 + 13
        huge[1].replaceSubrange(countOffset..<(countOffset + 4), with: littleEndianBytes(UInt32.max))
        #expect(
            decodeError(huge, limits: .init(maxClientsPerTask: .max))
                == .truncated(field: "task.clients", needed: Int(UInt32.max) * 16, available: 48))
    }

    // MARK: - Values

    @Test(arguments: [Float.nan, .infinity, -.infinity, Float(bitPattern: 0x7FC0_0001)])
    func nonFiniteTensorValuesAreRejected(bad: Float) {
        var values: [Float] = [1, 2, 3, 4, 5, 6, 7]
        values[5] = bad
        var update = Samples.update
        update.payload = .dense(values)
        #expect(decodeError(Message.update(update).encoded().frames()) == .nonFinite(field: "update.payload", index: 5))
        var task = Samples.task
        task.model = .dense(values)
        #expect(decodeError(Message.task(task).encoded().frames()) == .nonFinite(field: "task.model", index: 5))
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteScalarsAreRejected(bad: Double) {
        var update = Samples.update
        update.trainLoss = bad
        #expect(decodeError(Message.update(update).encoded().frames()) == .nonFinite(field: "update.trainLoss", index: 0))
        update = Samples.update
        update.wallComputeSeconds = bad
        #expect(decodeError(Message.update(update).encoded().frames()) == .nonFinite(field: "update.wallComputeSeconds", index: 0))
        update = Samples.update
        update.virtualComputeSeconds = bad
        #expect(decodeError(Message.update(update).encoded().frames()) == .nonFinite(field: "update.virtualComputeSeconds", index: 0))
        var task = Samples.task
        task.clients[1].extraDelaySeconds = bad
        #expect(decodeError(Message.task(task).encoded().frames()) == .nonFinite(field: "task.clients[1].extraDelaySeconds", index: 0))
    }

    @Test func negativeDurationsAreRejected() {
        var update = Samples.update
        update.virtualComputeSeconds = -1
        #expect(decodeError(Message.update(update).encoded().frames()) == .invalidValue(field: "update.virtualComputeSeconds", reason: "negative duration -1.0 s"))
        var task = Samples.task
        task.clients[2].extraDelaySeconds = -0.5
        #expect(decodeError(Message.task(task).encoded().frames()) == .invalidValue(field: "task.clients[2].extraDelaySeconds", reason: "negative duration -0.5 s"))
    }

    @Test(arguments: [[UInt8(0xFF), 0xFE], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0x61, 0xE2, 0x82]])
    func invalidUTF8IsRejected(bad: [UInt8]) {
        let hello = Hello(protocolVersion: 1, workerName: "x", capacity: 1, build: "b", dataHash: 0)
        var frames = Message.hello(hello).encoded().frames()
        frames[1].replaceSubrange(2..<7, with: littleEndianBytes(UInt32(bad.count)) + bad)
        #expect(decodeError(reheadered(frames)) == .invalidUTF8(field: "hello.workerName"))
    }

    @Test func trailingMetadataBytesAreRejected() {
        for message in Samples.small {
            var frames = message.encoded().frames()
            frames[1] += [0, 0]
            #expect(decodeError(reheadered(frames)) == .trailingBytes(field: "\(message.kind).metadata", count: 2))
        }
    }

    @Test func unknownCodecIsRejected() {
        var frames = Self.updateFrames
        for codec: UInt8 in [0, 14, 200, 255] {
            frames[1][36] = codec
            #expect(decodeError(frames) == .unknownCodec(codec))
        }
    }

    @Test func densePayloadWithParametersIsRejected() {
        var frames = Self.updateFrames
        frames[1].replaceSubrange(45..<49, with: littleEndianBytes(UInt32(2)))
        frames[1] += [9, 9]
        #expect(decodeError(reheadered(frames)) == .invalidValue(field: "update.payload.parameters", reason: "dense payloads take no parameters, found 2 bytes"))
    }

    @Test func enumAndTagBytesAreChecked() {
        var frames = Message.error(ErrorReport(code: .dataUnavailable, round: 1, client: 2, detail: "x")).encoded().frames()
        frames[1][6] = 2  // presence tag
        #expect(decodeError(frames) == .invalidValue(field: "error.client.present", reason: "presence tag must be 0 or 1, found 2"))
        frames[1][6] = 1
        frames[1].replaceSubrange(0..<2, with: littleEndianBytes(UInt16(99)))
        #expect(decodeError(frames) == .invalidValue(field: "error.code", reason: "unknown error code 99"))
    }

    @Test func welcomeIndexMustBeBelowCount() {
        var welcome = Samples.welcome
        welcome.workerIndex = 4
        #expect(decodeError(Message.welcome(welcome).encoded().frames()) == .invalidValue(field: "welcome.workerIndex", reason: "worker index 4 is not below the worker count 4"))
    }

    // MARK: - Descriptions

    @Test func descriptionsAreOneLineWithTheNumbers() {
        let cases: [(DecodeError, [String])] = [
            (.truncated(field: "update.trainLoss", needed: 8, available: 3), ["update.trainLoss", "8", "3"]),
            (.badMagic(0x1234_5678), ["0x12345678", "0x31575747"]),
            (.unsupportedVersion(found: 2, supported: 1...1), ["2", "1...1"]),
            (.unknownKind(9), ["9"]),
            (.frameCountMismatch(expected: 3, found: 2), ["3", "2"]),
            (.lengthMismatch(frame: 3, declared: 20, actual: 16), ["frame 3", "20", "16"]),
            (.payloadTooLarge(bytes: 4000, limit: 1000), ["4000", "1000"]),
            (.dimensionMismatch(expected: 7850, found: 7849), ["7850", "7849"]),
            (.nonFinite(field: "update.payload", index: 17), ["update.payload", "17"]),
            (.invalidUTF8(field: "hello.build"), ["hello.build"]),
            (.trailingBytes(field: "hello.metadata", count: 5), ["hello.metadata", "5"]),
            (.unknownCodec(7), ["7", "1"]),
            (.invalidValue(field: "error.code", reason: "unknown error code 99"), ["error.code", "99"]),
        ]
        for (error, needles) in cases {
            let text = error.description
            #expect(!text.contains("\n"))
            for needle in needles { #expect(text.contains(needle), "\(text) lacks \(needle)") }
        }
    }
}
