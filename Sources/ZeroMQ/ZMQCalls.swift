// ZMQCalls — the seam between the wrapper and libzmq, and the one function every call goes through.
//
// Every libzmq call that touches a context or a socket goes through a `ZMQCalls` value, so the
// tests can script `EINTR`, `EAGAIN`, `EHOSTUNREACH` and `ETERM` without signals or real peers
// (STYLE §4, last paragraph). `LibZMQ` is the real implementation; the scripted one lives in
// the tests. Message-memory calls (`zmq_msg_init*`, `zmq_msg_close`, `zmq_msg_data`,
// `zmq_msg_size`) touch no socket and are called directly.
//
// `perform` is the single error-mapping function: retry on `EINTR`, `EAGAIN` → `.wouldBlock`,
// `EHOSTUNREACH` → `.peerUnreachable`, anything else (including `ETERM`) → a thrown `ZMQError`.

import CZeroMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The libzmq functions the wrapper calls on contexts and sockets, one requirement each,
/// with libzmq's conventions (return -1 / nil on failure, then read `lastErrno()`).
package protocol ZMQCalls: Sendable {
    func contextNew() -> UnsafeMutableRawPointer?
    func contextSet(_ context: UnsafeMutableRawPointer, _ option: Int32, _ value: Int32) -> Int32
    func contextShutdown(_ context: UnsafeMutableRawPointer) -> Int32
    func contextTerm(_ context: UnsafeMutableRawPointer) -> Int32
    func socket(_ context: UnsafeMutableRawPointer, _ type: Int32) -> UnsafeMutableRawPointer?
    func close(_ socket: UnsafeMutableRawPointer) -> Int32
    func setOption(_ socket: UnsafeMutableRawPointer, _ option: Int32, _ value: UnsafeRawBufferPointer) -> Int32
    func getOption(_ socket: UnsafeMutableRawPointer, _ option: Int32, _ value: UnsafeMutableRawPointer, _ length: UnsafeMutablePointer<Int>) -> Int32
    func bind(_ socket: UnsafeMutableRawPointer, _ endpoint: String) -> Int32
    func connect(_ socket: UnsafeMutableRawPointer, _ endpoint: String) -> Int32
    func messageSend(_ message: UnsafeMutablePointer<zmq_msg_t>, _ socket: UnsafeMutableRawPointer, _ flags: Int32) -> Int32
    func messageReceive(_ message: UnsafeMutablePointer<zmq_msg_t>, _ socket: UnsafeMutableRawPointer, _ flags: Int32) -> Int32
    func messageMore(_ message: UnsafeMutablePointer<zmq_msg_t>) -> Bool
    func poll(_ items: UnsafeMutablePointer<zmq_pollitem_t>, _ count: Int32, _ timeoutMilliseconds: Int) -> Int32
    /// The errno of the last failed call on this thread (`zmq_errno()`).
    func lastErrno() -> Int32
}

/// The real libzmq.
package struct LibZMQ: ZMQCalls {
    package init() {}
    package func contextNew() -> UnsafeMutableRawPointer? { zmq_ctx_new() }
    package func contextSet(_ context: UnsafeMutableRawPointer, _ option: Int32, _ value: Int32) -> Int32 {
        zmq_ctx_set(context, option, value)
    }
    package func contextShutdown(_ context: UnsafeMutableRawPointer) -> Int32 { zmq_ctx_shutdown(context) }
    package func contextTerm(_ context: UnsafeMutableRawPointer) -> Int32 { zmq_ctx_term(context) }
    package func socket(_ context: UnsafeMutableRawPointer, _ type: Int32) -> UnsafeMutableRawPointer? {
        zmq_socket(context, type)
    }
    package func close(_ socket: UnsafeMutableRawPointer) -> Int32 { zmq_close(socket) }
    package func setOption(_ socket: UnsafeMutableRawPointer, _ option: Int32, _ value: UnsafeRawBufferPointer) -> Int32 {
        zmq_setsockopt(socket, option, value.baseAddress, value.count)
    }
    package func getOption(_ socket: UnsafeMutableRawPointer, _ option: Int32, _ value: UnsafeMutableRawPointer, _ length: UnsafeMutablePointer<Int>) -> Int32 {
        zmq_getsockopt(socket, option, value, length)
    }
    package func bind(_ socket: UnsafeMutableRawPointer, _ endpoint: String) -> Int32 { zmq_bind(socket, endpoint) }
    package func connect(_ socket: UnsafeMutableRawPointer, _ endpoint: String) -> Int32 { zmq_connect(socket, endpoint) }
    package func messageSend(_ message: UnsafeMutablePointer<zmq_msg_t>, _ socket: UnsafeMutableRawPointer, _ flags: Int32) -> Int32 {
        zmq_msg_send(message, socket, flags)
    }
    package func messageReceive(_ message: UnsafeMutablePointer<zmq_msg_t>, _ socket: UnsafeMutableRawPointer, _ flags: Int32) -> Int32 {
        zmq_msg_recv(message, socket, flags)
    }
    package func messageMore(_ message: UnsafeMutablePointer<zmq_msg_t>) -> Bool { zmq_msg_more(message) != 0 }
    package func poll(_ items: UnsafeMutablePointer<zmq_pollitem_t>, _ count: Int32, _ timeoutMilliseconds: Int) -> Int32 {
        zmq_poll(items, count, timeoutMilliseconds)
    }
    package func lastErrno() -> Int32 { zmq_errno() }
}

/// What a call came back with once `EINTR` has been retried away.
package enum CallOutcome: Equatable, Sendable {
    /// The call succeeded with this (non-negative) return value.
    case done(Int32)
    /// `EAGAIN`: a non-blocking call could not proceed now.
    case wouldBlock
    /// `EHOSTUNREACH`: a ROUTER with `ZMQ_ROUTER_MANDATORY` has no (live) peer with that routing id.
    case peerUnreachable
}

extension ZMQCalls {
    /// The one function every libzmq call goes through (STYLE §4).
    ///
    /// `call` returns libzmq's status (negative on failure). `EINTR` is retried (the call is
    /// made again, so a call with a timeout must recompute its remaining time itself);
    /// `EAGAIN` and `EHOSTUNREACH` are outcomes; every other errno, `ETERM` included, throws
    /// a `ZMQError` naming `operation` (`ZMQError.isTerminated` tells the `ETERM` case apart).
    package func perform(_ operation: @autoclosure () -> String, _ call: () -> Int32) throws(ZMQError) -> CallOutcome {
        while true {
            let status = call()
            if status >= 0 { return .done(status) }
            let code = lastErrno()
            switch code {
            case EINTR: continue
            case EAGAIN: return .wouldBlock
            case EHOSTUNREACH: return .peerUnreachable
            default: throw ZMQError(errno: code, operation: operation())
            }
        }
    }

    /// `perform` for calls where `EAGAIN`/`EHOSTUNREACH` are not an expected outcome
    /// (bind, connect, options, poll): those become thrown errors too.
    package func performExpectingSuccess(_ operation: @autoclosure () -> String, _ call: () -> Int32) throws(ZMQError) -> Int32 {
        switch try perform(operation(), call) {
        case .done(let status): return status
        case .wouldBlock: throw ZMQError(errno: EAGAIN, operation: operation())
        case .peerUnreachable: throw ZMQError(errno: EHOSTUNREACH, operation: operation())
        }
    }
}
