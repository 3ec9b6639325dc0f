// Helpers for tests that use real sockets.
//
// Blocking libzmq calls (waitReadable) must not run on the cooperative thread pool, so every
// test that blocks runs its socket code on a thread of its own and returns plain values; the
// assertions happen back in the test.

import Foundation
import Synchronization
import ZeroMQ

/// Runs `body` on a new thread and resumes with its result.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

private let inprocCounter = Atomic<Int>(0)

/// A unique endpoint of `transport` ("tcp" binds a wildcard port on loopback).
func freshEndpoint(_ transport: String) -> String {
    switch transport {
    case "inproc":
        let n = inprocCounter.add(1, ordering: .relaxed).newValue
        return "inproc://zeromq-tests-\(getpid())-\(n)"
    default:
        return "tcp://127.0.0.1:*"
    }
}

/// Waits up to `milliseconds` for one whole message; nil if none came.
func receive(_ socket: borrowing Socket, within milliseconds: Int = 3000) throws -> [[UInt8]]? {
    guard try socket.waitReadable(timeoutMilliseconds: milliseconds) else { return nil }
    guard case .message(let frames) = try socket.receive() else { return nil }
    return frames
}

/// Polls `condition` every few milliseconds for up to `milliseconds`; true once it holds.
func eventually(within milliseconds: Int = 3000, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(milliseconds)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(2_000)
    }
    return condition()
}

extension Array where Element == UInt8 {
    /// The UTF-8 bytes of `text`.
    init(utf8 text: String) { self = Array(text.utf8) }
}
