// The error-mapping rules of STYLE §4, exercised through the scripted call seam:
// EINTR is retried, EAGAIN → .wouldBlock, EHOSTUNREACH → .peerUnreachable, ETERM → isTerminated,
// anything else throws — plus the multipart send policy and the zmq_msg_t ownership rules.

import CZeroMQ
import Glibc
import Testing
import ZeroMQ

@Suite struct CallSeamTests {
    /// A ROUTER or DEALER whose calls go to `calls`.
    private func withSocket<T>(_ calls: ScriptedCalls, _ kind: Socket.Kind = .dealer,
                               options: SocketOptions = .init(),
                               _ body: (borrowing Socket) throws -> T) throws -> T {
        let context = try Context(ioThreads: 1, calls: calls)
        let socket = try Socket(context, kind, options: options)
        return try body(socket)
    }

    @Test(arguments: [
        (EAGAIN, CallOutcome.wouldBlock),
        (EHOSTUNREACH, CallOutcome.peerUnreachable),
    ])
    func performMapsExpectedConditionsToOutcomes(errno code: Int32, expected: CallOutcome) throws {
        let calls = ScriptedCalls(send: [.fail(code)])
        let outcome = try calls.perform("test") { calls.messageSend(nilMessage, fakeSocket, 0) }
        #expect(outcome == expected)
    }

    @Test func performRetriesEINTRUntilTheCallSucceeds() throws {
        let calls = ScriptedCalls(bind: [.fail(EINTR), .fail(EINTR), .fail(EINTR), .succeed])
        let outcome = try calls.perform("test") { calls.bind(fakeSocket, "x") }
        #expect(outcome == .done(0))
        #expect(calls.log == ["bind", "bind", "bind", "bind"])
    }

    @Test(arguments: [ETERM, ENOTSUP, EFSM, EINVAL])
    func performThrowsEverythingElse(errno code: Int32) {
        let calls = ScriptedCalls(bind: [.fail(code)])
        #expect(throws: ZMQError(errno: code, operation: "zmq_bind(x)")) {
            _ = try calls.perform("zmq_bind(x)") { calls.bind(fakeSocket, "x") }
        }
        #expect(ZMQError(errno: code, operation: "").isTerminated == (code == ETERM))
    }

    @Test func sendRetriesEINTROnEachPartAndSendsAllPartsNonBlocking() throws {
        let calls = ScriptedCalls(send: [.fail(EINTR), .succeed, .fail(EINTR), .fail(EINTR), .succeed, .succeed])
        let outcome = try withSocket(calls) { try $0.send([.bytes([1, 2]), .bytes([3]), .bytes([])]) }
        #expect(outcome == .sent)
        #expect(calls.sent == [
            .init(bytes: [1, 2], more: true, dontWait: true),
            .init(bytes: [3], more: true, dontWait: true),
            .init(bytes: [], more: false, dontWait: true),
        ])
        #expect(calls.log.filter { $0 == "send" }.count == 6)
    }

    @Test func firstPartEAGAINIsWouldBlockAndNothingIsSent() throws {
        let calls = ScriptedCalls(send: [.fail(EAGAIN)])
        weak var probe: MessageBuffer?
        let outcome = try withSocket(calls, .router) { socket in
            let buffer = MessageBuffer(copying: [9, 9, 9])
            probe = buffer
            return try socket.send([.bytes(Array(utf8: "worker-1")), .buffer(buffer)])
        }
        #expect(outcome == .wouldBlock)
        #expect(calls.sent.isEmpty)
        #expect(calls.log.filter { $0 == "send" }.count == 1)
        #expect(probe == nil, "an unsent zero-copy buffer must not be retained")
    }

    @Test func firstPartEHOSTUNREACHIsPeerUnreachable() throws {
        let calls = ScriptedCalls(send: [.fail(EHOSTUNREACH)])
        let outcome = try withSocket(calls, .router) { try $0.send([.bytes(Array(utf8: "ghost")), .bytes([1])]) }
        #expect(outcome == .peerUnreachable)
        #expect(calls.sent.isEmpty)
    }

    /// A later part failing (a DEALER whose peer died mid-message): the remaining parts are still
    /// handed to libzmq so the socket ends at a message boundary, and the failure is reported.
    @Test func laterPartEAGAINFinishesTheMessageAndReportsWouldBlock() throws {
        let calls = ScriptedCalls(send: [.succeed, .fail(EAGAIN), .succeed, .succeed])
        weak var probe: MessageBuffer?
        let outcome = try withSocket(calls) { socket in
            let buffer = MessageBuffer(copying: [7, 7])
            probe = buffer
            return try socket.send([.bytes([1]), .buffer(buffer), .bytes([3]), .bytes([4])])
        }
        #expect(outcome == .wouldBlock)
        #expect(calls.sent == [
            .init(bytes: [1], more: true, dontWait: true),
            .init(bytes: [3], more: true, dontWait: true),
            .init(bytes: [4], more: false, dontWait: true),
        ])
        #expect(probe == nil, "the failed zero-copy part is closed, which releases its box")
    }

    @Test func sentZeroCopyBufferIsReleasedByLibzmqNotBeforeSending() throws {
        let calls = ScriptedCalls()
        weak var probe: MessageBuffer?
        let outcome = try withSocket(calls) { socket in
            let buffer = MessageBuffer(copying: [5, 6, 7, 8])
            probe = buffer
            return try socket.send([.buffer(buffer)])
        }
        #expect(outcome == .sent)
        #expect(calls.sent == [.init(bytes: [5, 6, 7, 8], more: false, dontWait: true)])
        #expect(probe == nil)
    }

    @Test func sendETERMThrowsTerminatedNamingTheOperation() throws {
        let calls = ScriptedCalls(send: [.fail(ETERM)])
        do {
            _ = try withSocket(calls) { try $0.send([.bytes([1])]) }
            Issue.record("expected ETERM to throw")
        } catch let error as ZMQError {
            #expect(error.isTerminated)
            #expect(error.description.contains("zmq_msg_send"))
        }
    }

    @Test func receiveRetriesEINTRAndCollectsAllParts() throws {
        let calls = ScriptedCalls(receive: [
            .fail(EINTR), .part(Array(utf8: "w1"), more: true), .fail(EINTR), .part([], more: true),
            .part([1, 2, 3], more: false),
        ])
        let outcome = try withSocket(calls, .router) { try $0.receive() }
        #expect(outcome == .message([Array(utf8: "w1"), [], [1, 2, 3]]))
    }

    @Test func receiveEAGAINIsWouldBlock() throws {
        let calls = ScriptedCalls(receive: [.fail(EAGAIN)])
        #expect(try withSocket(calls) { try $0.receive() } == .wouldBlock)
    }

    @Test func receiveGapInsideAMultipartMessageThrows() throws {
        let calls = ScriptedCalls(receive: [.part([1], more: true), .fail(EAGAIN)])
        #expect(throws: ZMQError.self) { _ = try withSocket(calls) { try $0.receive() } }
    }

    @Test func waitReadableRetriesEINTRWithoutWaitingLonger() throws {
        let calls = ScriptedCalls(poll: [.fail(EINTR), .fail(EINTR), .readable])
        #expect(try withSocket(calls) { try $0.waitReadable(timeoutMilliseconds: 5000) })
        let timeouts = calls.pollTimeouts
        #expect(timeouts.count == 3)
        #expect(timeouts.allSatisfy { $0 <= 5000 && $0 >= 0 })
        #expect(zip(timeouts, timeouts.dropFirst()).allSatisfy { $0 >= $1 })
    }

    @Test func waitReadableTimeoutIsFalseAndETERMIsTerminated() throws {
        #expect(try withSocket(ScriptedCalls(poll: [.timeout])) { try $0.waitReadable(timeoutMilliseconds: 10) } == false)
        #expect(try withSocket(ScriptedCalls(poll: [.fail(EINTR), .timeout])) { try $0.waitReadable(timeoutMilliseconds: -1) } == false)
        do {
            _ = try withSocket(ScriptedCalls(poll: [.fail(ETERM)])) { try $0.waitReadable(timeoutMilliseconds: -1) }
            Issue.record("expected ETERM to throw")
        } catch let error as ZMQError {
            #expect(error.isTerminated)
        }
    }

    @Test func bindRetriesEINTRAndTreatsEAGAINAsAnError() throws {
        let retried = ScriptedCalls(bind: [.fail(EINTR), .succeed])
        try withSocket(retried) { try $0.bind("tcp://127.0.0.1:*") }
        #expect(retried.log.filter { $0 == "bind" }.count == 2)
        #expect(throws: ZMQError(errno: EAGAIN, operation: "zmq_bind(tcp://127.0.0.1:*)")) {
            try withSocket(ScriptedCalls(bind: [.fail(EAGAIN)])) { try $0.bind("tcp://127.0.0.1:*") }
        }
    }

    @Test func optionsAreSetBeforeBindWithLingerZeroFirst() throws {
        let calls = ScriptedCalls()
        let options = SocketOptions(maxMessageSize: 1 << 20, heartbeatIntervalMilliseconds: 500)
        try withSocket(calls, .router, options: options) { try $0.bind("tcp://127.0.0.1:*") }
        let log = calls.log
        let set = calls.options
        #expect(log.first == "socket")
        #expect(log.last == "close")
        let bindIndex = try #require(log.firstIndex(of: "bind"))
        #expect(log[..<bindIndex].filter { $0.hasPrefix("setsockopt") }.count == set.count)
        #expect(set.first?.option == ZMQ_LINGER && set.first?.value == [0, 0, 0, 0])
        let byOption = Dictionary(set.map { ($0.option, $0.value) }, uniquingKeysWith: { $1 })
        #expect(byOption[ZMQ_ROUTER_MANDATORY] == [1, 0, 0, 0])
        #expect(byOption[ZMQ_ROUTER_HANDOVER] == [1, 0, 0, 0])
        #expect(byOption[ZMQ_SNDHWM] == [64, 0, 0, 0])
        #expect(byOption[ZMQ_MAXMSGSIZE] == [0, 0, 16, 0, 0, 0, 0, 0]) // Int64, little-endian
        #expect(byOption[ZMQ_HEARTBEAT_IVL] == [0xF4, 0x01, 0, 0])
        #expect(byOption[ZMQ_HEARTBEAT_TIMEOUT] == nil, "0 leaves libzmq's default (the interval)")
        #expect(byOption[ZMQ_ROUTING_ID] == nil)
    }

    @Test func dealerGetsRoutingIDAndNoRouterOptions() throws {
        let calls = ScriptedCalls()
        try withSocket(calls, .dealer, options: SocketOptions(routingID: Array(utf8: "w-3"))) { _ in }
        let byOption = Dictionary(calls.options.map { ($0.option, $0.value) }, uniquingKeysWith: { $1 })
        #expect(byOption[ZMQ_ROUTING_ID] == Array(utf8: "w-3"))
        #expect(byOption[ZMQ_ROUTER_MANDATORY] == nil)
        #expect(byOption[ZMQ_ROUTER_HANDOVER] == nil)
    }

    @Test(arguments: [[UInt8](), [0, 65], [UInt8](repeating: 65, count: 256)])
    func invalidRoutingIDIsRejectedBeforeLibzmqSeesIt(id: [UInt8]) throws {
        let calls = ScriptedCalls()
        do {
            try withSocket(calls, .dealer, options: SocketOptions(routingID: id)) { _ in }
            Issue.record("expected routing id \(id.prefix(4)) to be rejected")
        } catch let error as ZMQError {
            #expect(error.errno == EINVAL)
            #expect(error.description.contains("ZMQ_ROUTING_ID"))
            #expect(error.detail != nil)
        }
        #expect(!calls.log.contains("socket"))
    }
}

private var fakeSocket: UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: 0x2000)! }
/// Never dereferenced: the scripted send fails before looking at the message.
private var nilMessage: UnsafeMutablePointer<zmq_msg_t> { UnsafeMutablePointer(bitPattern: 0x3000)! }
