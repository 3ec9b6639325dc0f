import Foundation
import Messaging
import Protocol
import Synchronization
import Testing
import ZeroMQ

// Protocol messages over real ZeroMQ sockets. Blocking libzmq calls never run on the cooperative
// pool: each test does its socket work on a thread of its own and asserts afterwards. Endpoints are
// unique inproc names, so tests can run in parallel.

/// Runs `body` on a new thread and resumes with its result.
private func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

private let endpointCounter = Atomic<Int>(0)

/// A fresh `inproc://` endpoint.
private func freshEndpoint() -> String {
    "inproc://messaging-tests-\(getpid())-\(endpointCounter.add(1, ordering: .relaxed).newValue)"
}

/// Waits up to `milliseconds` for one message and decodes it.
private func receive(_ socket: borrowing Socket, router: Bool, limits: DecodeLimits = DecodeLimits(),
                     within milliseconds: Int = 3000) throws -> Received? {
    let deadline = MonotonicClock.seconds() + Double(milliseconds) / 1000
    while MonotonicClock.seconds() < deadline {
        if let received = try socket.receiveMessage(hasRoutingID: router, limits: limits) { return received }
        _ = try socket.waitReadable(timeoutMilliseconds: 50)
    }
    return nil
}

/// The outcome of one exchange, as plain values.
private struct Exchange: Sendable {
    var sender: [UInt8]
    var message: Result<Message, DecodeError>
    var wireBytes: Int
    var sentBytes: Int
    var outcome: SendOutcome
}

private func update(elements: Int, round: RoundID = 2, client: ClientID = 5) -> Message {
    let values = (0..<elements).map { Float($0 % 1000) * 0.001 - 0.5 }
    return .update(Update(round: round, client: client, sampleCount: 144, trainLoss: 0.75,
                          wallComputeSeconds: 0.01, virtualComputeSeconds: 2.5, payload: .dense(values)))
}

private func task(elements: Int) -> Message {
    let values = (0..<elements).map { Float($0 % 777) * -0.002 }
    return .task(Task(round: 9, modelVersion: 8, model: .dense(values),
                      clients: [ClientTask(client: 1), ClientTask(client: 4, extraDelaySeconds: 0.5, flags: 0)]))
}

/// Sends `message` DEALER → ROUTER (dealer id `id`) and returns what the ROUTER got.
private func dealerToRouter(_ message: Message, id: String = "worker-1", threshold: Int = 64 * 1024) async throws
    -> Exchange
{
    try await onOwnThread {
        let context = try Context()
        let endpoint = freshEndpoint()
        let router = try Socket(context, .router)
        try router.bind(endpoint)
        let dealer = try Socket(context, .dealer, options: SocketOptions(routingID: Array(id.utf8)))
        try dealer.connect(endpoint)
        let (outcome, bytes) = try dealer.send(message.encoded(), zeroCopyThreshold: threshold)
        guard let received = try receive(router, router: true) else { throw TestFailure("nothing arrived") }
        return Exchange(sender: received.sender, message: received.message, wireBytes: received.wireBytes,
                        sentBytes: bytes, outcome: outcome)
    }
}

/// Sends `message` ROUTER → DEALER (after the dealer introduced itself) and returns what the DEALER got.
private func routerToDealer(_ message: Message, threshold: Int = 64 * 1024) async throws -> Exchange {
    try await onOwnThread {
        let context = try Context()
        let endpoint = freshEndpoint()
        let router = try Socket(context, .router)
        try router.bind(endpoint)
        let dealer = try Socket(context, .dealer, options: SocketOptions(routingID: Array("w2".utf8)))
        try dealer.connect(endpoint)
        _ = try dealer.send(Message.heartbeat(Heartbeat(sequence: 1)).encoded())
        guard let hello = try receive(router, router: true) else { throw TestFailure("no heartbeat from the dealer") }
        let (outcome, bytes) = try router.send(message.encoded(), to: hello.sender, zeroCopyThreshold: threshold)
        guard let received = try receive(dealer, router: false) else { throw TestFailure("nothing arrived") }
        return Exchange(sender: received.sender, message: received.message, wireBytes: received.wireBytes,
                        sentBytes: bytes, outcome: outcome)
    }
}

private struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

@Suite struct MessagingRoundTripTests {
    static let messages: [Message] = [
        .hello(Hello(protocolVersion: Wire.version, workerName: "worker-1", capacity: 8, build: "test", dataHash: 77)),
        .heartbeat(Heartbeat(sequence: 12)),
        .error(ErrorReport(code: .dataUnavailable, round: 3, client: 99, detail: "client 99 does not exist")),
        .shutdown(Shutdown(reason: "run finished")),
        update(elements: 650),
        update(elements: 100_000),  // 400 kB payload: above the zero-copy threshold
    ]

    @Test(arguments: messages)
    func dealerToRouterDeliversTheMessageWithTheSenderID(message: Message) async throws {
        let exchange = try await dealerToRouter(message)
        #expect(exchange.outcome == .sent)
        #expect(exchange.sender == Array("worker-1".utf8))
        #expect(try exchange.message.get() == message)
        #expect(exchange.wireBytes == message.encoded().totalBytes)
        #expect(exchange.sentBytes == message.encoded().totalBytes)
    }

    @Test(arguments: [task(elements: 10), task(elements: 100_000),
                      .welcome(Welcome(runID: "r", configTOML: "[run]\nseed = 1\n", configHash: 5, workerIndex: 0,
                                       workerCount: 1))] as [Message])
    func routerToDealerDeliversTheMessage(message: Message) async throws {
        let exchange = try await routerToDealer(message)
        #expect(exchange.outcome == .sent)
        #expect(exchange.sender.isEmpty)
        #expect(try exchange.message.get() == message)
        #expect(exchange.wireBytes == message.encoded().totalBytes)
    }

    /// Copying and zero-copy frames carry the same bytes.
    @Test(arguments: [0, 1, Int.max])
    func zeroCopyThresholdDoesNotChangeWhatArrives(threshold: Int) async throws {
        let message = update(elements: 20_000)
        #expect(try await dealerToRouter(message, threshold: threshold).message.get() == message)
        let down = task(elements: 20_000)
        #expect(try await routerToDealer(down, threshold: threshold).message.get() == down)
    }

    @Test func receiveReturnsNilWhenNothingIsWaiting() async throws {
        let nothing = try await onOwnThread { () -> Bool in
            let context = try Context()
            let router = try Socket(context, .router)
            try router.bind(freshEndpoint())
            return try router.receiveMessage(hasRoutingID: true, limits: DecodeLimits()) == nil
        }
        #expect(nothing)
    }
}

@Suite struct MessagingRejectionTests {
    /// Raw frames that are not a Gradwire message arrive as a DecodeError, tagged with the sender.
    @Test(arguments: [
        [[1, 2, 3]],  // too short for a header
        [[UInt8](repeating: 0x41, count: 64), [0]],  // bad magic
        [Message.shutdown(Shutdown(reason: "x")).encoded().header],  // a valid header without its metadata frame
    ] as [[[UInt8]]])
    func malformedFramesArriveAsFailureWithTheSender(frames: [[UInt8]]) async throws {
        let exchange = try await onOwnThread { () -> Exchange in
            let context = try Context()
            let endpoint = freshEndpoint()
            let router = try Socket(context, .router)
            try router.bind(endpoint)
            let dealer = try Socket(context, .dealer, options: SocketOptions(routingID: Array("mallory".utf8)))
            try dealer.connect(endpoint)
            let outcome = try dealer.send(frames.map { Frame.bytes($0) })
            guard let received = try receive(router, router: true) else { throw TestFailure("nothing arrived") }
            return Exchange(sender: received.sender, message: received.message, wireBytes: received.wireBytes,
                            sentBytes: 0, outcome: outcome)
        }
        #expect(exchange.sender == Array("mallory".utf8))
        #expect(exchange.wireBytes == frames.reduce(0) { $0 + $1.count })
        guard case .failure = exchange.message else {
            Issue.record("expected a DecodeError, got \(exchange.message)")
            return
        }
    }

    @Test func wrongDimensionIsRejectedAgainstTheLimits() async throws {
        let message = update(elements: 5)
        let result = try await onOwnThread { () -> Result<Message, DecodeError> in
            let context = try Context()
            let endpoint = freshEndpoint()
            let router = try Socket(context, .router)
            try router.bind(endpoint)
            let dealer = try Socket(context, .dealer, options: SocketOptions(routingID: Array("w".utf8)))
            try dealer.connect(endpoint)
            _ = try dealer.send(message.encoded())
            guard let received = try receive(router, router: true, limits: DecodeLimits(expectedDimension: 10)) else {
                throw TestFailure("nothing arrived")
            }
            return received.message
        }
        #expect(result == .failure(.dimensionMismatch(expected: 10, found: 5)))
    }
}

@Suite struct HeartbeatSenderTests {
    @Test func heartbeatsArriveUnderTheNameWithSuffixAndStopIsPrompt() async throws {
        let (senders, sequences, stopSeconds, afterStop) = try await onOwnThread {
            () -> ([[UInt8]], [UInt64], Double, Int) in
            let context = try Context()
            let endpoint = freshEndpoint()
            let router = try Socket(context, .router)
            try router.bind(endpoint)
            let sender = HeartbeatSender(context: context, endpoint: endpoint, workerName: "w7", interval: 0.02)
            var senders: [[UInt8]] = []
            var sequences: [UInt64] = []
            while sequences.count < 3, let received = try receive(router, router: true) {
                senders.append(received.sender)
                if case .success(.heartbeat(let beat)) = received.message { sequences.append(beat.sequence) }
            }
            let start = MonotonicClock.seconds()
            sender.stop()
            let stopSeconds = MonotonicClock.seconds() - start
            // Whatever was in flight before stop() returned; then silence.
            Thread.sleep(forTimeInterval: 0.05)
            while try router.receiveMessage(hasRoutingID: true, limits: DecodeLimits()) != nil {}
            var afterStop = 0
            if try router.waitReadable(timeoutMilliseconds: 200) { afterStop += 1 }
            return (senders, sequences, stopSeconds, afterStop)
        }
        #expect(senders == Array(repeating: Array("w7~hb".utf8), count: 3))
        #expect(sequences == [1, 2, 3])
        #expect(stopSeconds < 2)
        #expect(afterStop == 0)
    }

    @Test func stopIsPromptWhenNobodyListens() async throws {
        let seconds = try await onOwnThread { () -> Double in
            let context = try Context()
            let sender = HeartbeatSender(context: context, endpoint: freshEndpoint(), workerName: "lonely",
                                         interval: 0.05)
            Thread.sleep(forTimeInterval: 0.4)  // long enough to fill the send queue (high-water mark 4)
            let start = MonotonicClock.seconds()
            sender.stop()
            return MonotonicClock.seconds() - start
        }
        #expect(seconds < 2)
    }

    @Test func stopTwiceReturns() async throws {
        try await onOwnThread {
            let context = try Context()
            let sender = HeartbeatSender(context: context, endpoint: freshEndpoint(), workerName: "twice",
                                         interval: 0.01)
            sender.stop()
            sender.stop()
        }
    }

    @Test func suffixIsTheDocumentedOne() {
        #expect(HeartbeatSender.heartbeatSuffix == Array("~hb".utf8))
    }
}

@Suite struct MonotonicClockTests {
    @Test func advancesWithRealTime() {
        let start = MonotonicClock.seconds()
        Thread.sleep(forTimeInterval: 0.05)
        let elapsed = MonotonicClock.seconds() - start
        #expect(elapsed >= 0.045)
        #expect(elapsed < 5)
    }
}
