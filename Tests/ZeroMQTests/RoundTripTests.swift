// Real sockets over tcp (loopback, wildcard port) and inproc (unique names): multipart round
// trips with the routing id as the ROUTER's first frame, replies, zero-copy frames, handover.
// Socket code runs on a thread of its own (`onOwnThread`); assertions happen back in the test.

import Foundation
import Testing
import ZeroMQ

@Suite struct RoundTripTests {
    struct Exchange: Sendable {
        var sendOutcome: SendOutcome
        var atRouter: [[UInt8]]?
        var replyOutcome: SendOutcome
        var atDealer: [[UInt8]]?
    }

    @Test(arguments: ["tcp", "inproc"])
    func dealerToRouterAndBack(transport: String) async throws {
        let exchange = try await onOwnThread { () throws -> Exchange in
            let context = try Context()
            let router = try Socket(context, .router)
            try router.bind(freshEndpoint(transport))
            let dealer = try Socket(context, .dealer, options: SocketOptions(routingID: Array(utf8: "worker-7")))
            try dealer.connect(router.lastEndpoint())

            let sendOutcome = try dealer.send([.bytes(Array(utf8: "header")), .bytes([]), .bytes([0, 1, 2, 255])])
            let atRouter = try receive(router)
            let replyOutcome = try router.send([.bytes(Array(utf8: "worker-7")), .bytes(Array(utf8: "welcome")), .bytes([42])])
            let atDealer = try receive(dealer)
            return Exchange(sendOutcome: sendOutcome, atRouter: atRouter, replyOutcome: replyOutcome, atDealer: atDealer)
        }
        #expect(exchange.sendOutcome == .sent)
        #expect(exchange.atRouter == [Array(utf8: "worker-7"), Array(utf8: "header"), [], [0, 1, 2, 255]])
        #expect(exchange.replyOutcome == .sent)
        #expect(exchange.atDealer == [Array(utf8: "welcome"), [42]])
    }

    @Test func lastEndpointResolvesTheWildcardPort() async throws {
        let endpoint = try await onOwnThread { () throws -> String in
            let context = try Context()
            let router = try Socket(context, .router)
            try router.bind("tcp://127.0.0.1:*")
            return try router.lastEndpoint()
        }
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        let port = try #require(Int(endpoint.dropFirst("tcp://127.0.0.1:".count)))
        #expect(port > 0 && port < 65536)
    }

    /// Small facts about a 4 MiB exchange (failure messages must not print megabytes).
    struct ZeroCopyResult: Sendable {
        var outcome: SendOutcome
        var leadingFrames: [[UInt8]]
        var payloadCount: Int
        var firstMismatch: Int?
        var released: Bool
    }

    /// 4 MiB sent from a MessageBuffer arrives intact, and libzmq releases the box once done.
    @Test(arguments: ["tcp", "inproc"])
    func zeroCopyBufferArrivesIntactAndIsReleased(transport: String) async throws {
        let result = try await onOwnThread { () throws -> ZeroCopyResult in
            let context = try Context()
            let router = try Socket(context, .router)
            try router.bind(freshEndpoint(transport))
            let dealer = try Socket(context, .dealer, options: SocketOptions(routingID: Array(utf8: "big")))
            try dealer.connect(router.lastEndpoint())

            let count = 4 << 20
            func pattern(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: i &* 31 &+ i >> 13) }
            weak var probe: MessageBuffer?
            let outcome: SendOutcome
            do {
                let buffer = MessageBuffer(byteCount: count)
                for i in 0..<count { buffer.bytes[i] = pattern(i) }
                probe = buffer
                outcome = try dealer.send([.bytes(Array(utf8: "tensor")), .buffer(buffer)])
            }
            let frames = try receive(router, within: 5000) ?? []
            let payload = frames.last ?? []
            let firstMismatch = payload.count == count ? payload.indices.first { payload[$0] != pattern($0) } : 0
            let released = eventually { probe == nil }
            return ZeroCopyResult(outcome: outcome, leadingFrames: Array(frames.dropLast()),
                                  payloadCount: payload.count, firstMismatch: firstMismatch, released: released)
        }
        #expect(result.outcome == .sent)
        #expect(result.leadingFrames == [Array(utf8: "big"), Array(utf8: "tensor")])
        #expect(result.payloadCount == 4 << 20)
        #expect(result.firstMismatch == nil)
        #expect(result.released, "libzmq must release the MessageBuffer after sending it")
    }

    /// ROUTER_HANDOVER: a second DEALER with the same routing id (a restarted worker) takes the
    /// id over; replies to that id go to the newcomer.
    @Test func restartedWorkerTakesItsRoutingIDOver() async throws {
        let (first, second, old, new) = try await onOwnThread { () throws -> ([[UInt8]]?, [[UInt8]]?, [[UInt8]]?, [[UInt8]]?) in
            let context = try Context()
            let router = try Socket(context, .router)
            try router.bind("tcp://127.0.0.1:*")
            let endpoint = try router.lastEndpoint()
            let id = Array(utf8: "worker-a")
            // The displaced worker must not reconnect (and take the id back) during the test.
            let oldWorker = try Socket(context, .dealer, options: SocketOptions(routingID: id, reconnectIntervalMilliseconds: 10_000))
            try oldWorker.connect(endpoint)
            _ = try oldWorker.send([.bytes(Array(utf8: "hello-1"))])
            let first = try receive(router)
            let newWorker = try Socket(context, .dealer, options: SocketOptions(routingID: id))
            try newWorker.connect(endpoint)
            _ = try newWorker.send([.bytes(Array(utf8: "hello-2"))])
            let second = try receive(router)
            _ = try router.send([.bytes(id), .bytes(Array(utf8: "welcome"))])
            let atNew = try receive(newWorker)
            let atOld = try receive(oldWorker, within: 100)
            return (first, second, atOld, atNew)
        }
        #expect(first == [Array(utf8: "worker-a"), Array(utf8: "hello-1")])
        #expect(second == [Array(utf8: "worker-a"), Array(utf8: "hello-2")])
        #expect(new == [Array(utf8: "welcome")])
        #expect(old == nil)
    }
}
