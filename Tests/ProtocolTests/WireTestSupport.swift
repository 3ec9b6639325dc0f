import Protocol

/// SplitMix64 (Steele, Lea & Flood 2014), local to the tests so they need nothing from Sim.
struct TestSplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Named sample messages covering every kind and the awkward values.
enum Samples {
    /// Floats whose bits must survive: signed zeros, subnormals, extremes.
    static let awkwardFloats: [Float] = [
        0, -0.0, Float(bitPattern: 1), -Float(bitPattern: 1), Float.leastNormalMagnitude / 2,
        Float.leastNormalMagnitude, Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude, 1, -1, .pi,
    ]

    static let hello = Hello(
        protocolVersion: 1, workerName: "worker-α 🚀", capacity: 64, build: "gradwire 0.1 (abc1234)",
        dataHash: 0xDEAD_BEEF_0BAD_F00D)
    static let welcome = Welcome(
        runID: "quickstart-20250101T000000", configTOML: "[run]\nname = \"quick ✓\"\nseed = 7\n",
        configHash: StableHash.fnv1a64("[run]\nname = \"quick ✓\"\nseed = 7\n"), workerIndex: 2, workerCount: 4)
    static let task = Task(
        round: 12, modelVersion: 11, model: .dense(awkwardFloats),
        clients: [
            ClientTask(client: 0, extraDelaySeconds: 0, flags: 0),
            ClientTask(client: 41, extraDelaySeconds: 1.5, flags: 3),
            ClientTask(client: UInt32.max, extraDelaySeconds: 1e-300, flags: UInt32.max),
        ])
    static let update = Update(
        round: 3, client: 17, sampleCount: 120, trainLoss: 0.6931471805599453, wallComputeSeconds: 0.012,
        virtualComputeSeconds: 4.25, payload: .dense([0.5, -0.25, -0.0, Float(bitPattern: 0x0000_0859)]))

    /// Every kind, with edge cases; small enough to loop over every prefix.
    static let small: [Message] = [
        .hello(hello),
        .hello(Hello(protocolVersion: 0, workerName: "", capacity: 0, build: "", dataHash: 0)),
        .welcome(welcome),
        .task(task),
        .task(Task(round: 1, modelVersion: 0, model: .dense([]), clients: [])),
        .task(Task(round: 2, modelVersion: 1, model: .dense([1, 2, 3]), clients: [])),
        .update(update),
        .update(
            Update(
                round: .max, client: .max, sampleCount: 0, trainLoss: -1.0e308, wallComputeSeconds: 0,
                virtualComputeSeconds: .greatestFiniteMagnitude, payload: .dense([]))),
        .heartbeat(Heartbeat(sequence: 0)),
        .heartbeat(Heartbeat(sequence: .max)),
        .error(ErrorReport(code: .trainingFailed, round: 9, client: 5, detail: "loss became NaN at step 3")),
        .error(ErrorReport(code: .malformedMessage, round: 0, client: nil, detail: "")),
        .shutdown(Shutdown(reason: "run finished — 終了")),
        .shutdown(Shutdown(reason: "")),
    ]
}

/// The error `Message.decode` throws for these frames, or nil if it succeeds.
func decodeError(_ frames: [[UInt8]], limits: DecodeLimits = .init()) -> DecodeError? {
    do {
        _ = try Message.decode(frames: frames, limits: limits)
        return nil
    } catch {
        return error
    }
}

/// Rewrites the header's metadata and payload lengths to match the frames as they are now, so a
/// test can corrupt metadata or payloads without tripping the header's length checks first.
func reheadered(_ frames: [[UInt8]]) -> [[UInt8]] {
    var frames = frames
    frames[0].replaceSubrange(8..<12, with: littleEndianBytes(UInt32(frames[1].count)))
    for index in 2..<frames.count {
        let offset = 16 + 8 * (index - 2)
        frames[0].replaceSubrange(offset..<(offset + 8), with: littleEndianBytes(UInt64(frames[index].count)))
    }
    return frames
}

func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// Bit patterns, so that -0.0 vs 0.0 and NaN payloads compare exactly.
func bitPatterns(_ payload: TensorPayload) -> [UInt32] {
    switch payload {
    case .dense(let values): values.map(\.bitPattern)
    case .packedSigns(let signs): signs.bytes.map(UInt32.init)
    case .voteCounts(let counts): [UInt32(counts.voters)] + counts.bytes.map(UInt32.init)
    case .ternary(let values): values.bytes.map(UInt32.init)
    default: Message.update(Update(round: 0, client: 0, sampleCount: 0, trainLoss: 0, wallComputeSeconds: 0,
                                   virtualComputeSeconds: 0, payload: payload)).encoded().frames()[2].map(UInt32.init)
    }
}

/// Parses "47 57 57 31 ..." (whitespace ignored) into bytes.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}
