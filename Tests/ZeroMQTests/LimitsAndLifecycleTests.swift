// Options that protect the coordinator (ROUTER_MANDATORY, MAXMSGSIZE), timeouts, shutdown from
// another thread, and error descriptions for bad endpoints — all on real sockets.

import Dispatch
import Foundation
import Testing
import ZeroMQ

@Suite struct LimitsAndLifecycleTests {
    @Test(arguments: [true, false])
    func routerMandatoryReportsUnknownPeers(mandatory: Bool) async throws {
        let outcome = try await onOwnThread { () throws -> SendOutcome in
            let context = try Context()
            let router = try Socket(context, .router, options: SocketOptions(routerMandatory: mandatory))
            try router.bind(freshEndpoint("inproc"))
            return try router.send([.bytes(Array(utf8: "nobody")), .bytes([1, 2, 3])])
        }
        // Without ROUTER_MANDATORY libzmq drops the message silently and reports success.
        #expect(outcome == (mandatory ? .peerUnreachable : .sent))
    }

    /// An oversized message is never delivered (its sender is disconnected); the ROUTER keeps
    /// serving other peers.
    @Test func maxMessageSizeDropsOversizedMessages() async throws {
        let (oversized, later) = try await onOwnThread { () throws -> ([[UInt8]]?, [[UInt8]]?) in
            let context = try Context()
            let router = try Socket(context, .router, options: SocketOptions(maxMessageSize: 1024))
            try router.bind("tcp://127.0.0.1:*")
            let endpoint = try router.lastEndpoint()

            let greedy = try Socket(context, .dealer, options: SocketOptions(routingID: Array(utf8: "greedy")))
            try greedy.connect(endpoint)
            _ = try greedy.send([.bytes([UInt8](repeating: 7, count: 4096))])
            let oversized = try receive(router, within: 300)

            let modest = try Socket(context, .dealer, options: SocketOptions(routingID: Array(utf8: "modest")))
            try modest.connect(endpoint)
            _ = try modest.send([.bytes(Array(utf8: "hello")), .bytes([UInt8](repeating: 1, count: 512))])
            let later = try receive(router)
            return (oversized, later)
        }
        #expect(oversized == nil)
        #expect(later == [Array(utf8: "modest"), Array(utf8: "hello"), [UInt8](repeating: 1, count: 512)])
    }

    @Test func waitReadableTimesOutWithFalse() async throws {
        let (immediate, timed, elapsed) = try await onOwnThread { () throws -> (Bool, Bool, Duration) in
            let context = try Context()
            let router = try Socket(context, .router)
            try router.bind(freshEndpoint("inproc"))
            let immediate = try router.waitReadable(timeoutMilliseconds: 0)
            let start = ContinuousClock.now
            let timed = try router.waitReadable(timeoutMilliseconds: 100)
            return (immediate, timed, ContinuousClock.now - start)
        }
        #expect(immediate == false)
        #expect(timed == false)
        #expect(elapsed < .seconds(5))
    }

    @Test func shutdownFromAnotherThreadWakesABlockedWait() async throws {
        let context = try Context()
        let ready = DispatchSemaphore(value: 0)
        async let waited = onOwnThread { () throws -> (Result<Bool, ZMQError>, Duration) in
            let socket = try Socket(context, .dealer)
            ready.signal()
            let start = ContinuousClock.now
            let result = Result { () throws(ZMQError) -> Bool in try socket.waitReadable(timeoutMilliseconds: 5000) }
            return (result, ContinuousClock.now - start)
        }
        try await onOwnThread {
            ready.wait()
            usleep(50_000) // let the other thread enter zmq_poll
            context.shutdown()
        }
        let (result, elapsed) = try await waited
        switch result {
        case .success(let readable):
            Issue.record("waitReadable returned \(readable) instead of being terminated")
        case .failure(let error):
            #expect(error.isTerminated)
            #expect(error.description.contains("zmq_poll"))
        }
        #expect(elapsed < .seconds(4), "the wait must end on shutdown, not on its timeout")
        // A shut-down context refuses new sockets the same way.
        #expect(throws: ZMQError.self) { _ = try Socket(context, .router) }
    }

    @Test(arguments: [
        ("bind", "bogus://nowhere"),
        ("bind", "tcp://not an address"),
        ("connect", "tcp://127.0.0.1:*"),
    ])
    func invalidEndpointNamesOperationAndEndpoint(operation: String, endpoint: String) throws {
        let context = try Context()
        let socket = try Socket(context, .router)
        do {
            if operation == "bind" { try socket.bind(endpoint) } else { try socket.connect(endpoint) }
            Issue.record("\(operation) \(endpoint) should fail")
        } catch {
            #expect(error.operation == "zmq_\(operation)(\(endpoint))")
            #expect(error.description.contains("zmq_\(operation)(\(endpoint)) failed: "))
            #expect(!error.reason.isEmpty)
            #expect(!error.isTerminated)
        }
    }

    @Test func routingIDStartingWithZeroIsRejected() throws {
        let context = try Context()
        #expect(throws: ZMQError.self) {
            _ = try Socket(context, .dealer, options: SocketOptions(routingID: [0, 1, 2]))
        }
    }
}
