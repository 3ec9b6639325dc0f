// ZMQError — the one error type of the ZeroMQ target.
//
// Every failing libzmq call becomes a `ZMQError` carrying the `errno` libzmq reported and the
// operation that failed, written the way a reader would want to see it in a log line
// ("zmq_bind(tcp://127.0.0.1:5555)"). Expected conditions (`EAGAIN`, `EHOSTUNREACH`) are not
// errors: the socket calls return them as `SendOutcome` / `ReceiveOutcome` values (STYLE §3–4).

import CZeroMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A libzmq call failed.
///
/// `description` is one line: the operation, libzmq's own text for the errno
/// (`zmq_strerror`), the number, and for common mistakes a hint at the fix.
public struct ZMQError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `zmq_errno()` at the failure (libzmq's own codes, such as `ETERM`, live above `ZMQ_HAUSNUMERO`).
    public var errno: Int32
    /// The call that failed, with its arguments: `"zmq_bind(tcp://127.0.0.1:5555)"`.
    public var operation: String
    /// Extra context that is not part of the call itself (why a value was rejected before libzmq saw it).
    public var detail: String?

    /// Creates an error for `operation` failing with `errno`.
    public init(errno: Int32, operation: String, detail: String? = nil) {
        self.errno = errno
        self.operation = operation
        self.detail = detail
    }

    /// True when the context was shut down (`ETERM`): a loop seeing this should stop, not report.
    public var isTerminated: Bool { errno == ETERM }

    /// libzmq's text for `errno` (`zmq_strerror`).
    public var reason: String { String(cString: zmq_strerror(errno)) }

    /// One line: operation, reason, errno, and a hint where we know the usual fix.
    public var description: String {
        var text = "\(operation) failed: \(reason) (errno \(errno))"
        if let detail { text += "; \(detail)" }
        if let hint { text += "; \(hint)" }
        return text
    }

    /// A suggestion for the errors people actually hit.
    private var hint: String? {
        switch errno {
        case ETERM:
            return "the ZeroMQ context was shut down; the event loop should stop"
        case EPROTONOSUPPORT:
            return "use an endpoint of the form tcp://HOST:PORT, ipc://PATH or inproc://NAME"
        case EADDRINUSE:
            return "another socket or process is bound there; pick another port or bind tcp://127.0.0.1:* and read the last endpoint"
        case EADDRNOTAVAIL:
            return "the address is not a local interface of this machine; bind 127.0.0.1, 0.0.0.0 or an address it owns"
        case EINVAL where operation.hasPrefix("zmq_bind") || operation.hasPrefix("zmq_connect"):
            return "check the endpoint syntax, e.g. tcp://127.0.0.1:5555 (connect needs a concrete port)"
        case ENODEV:
            return "the named network interface does not exist"
        case EMFILE:
            return "too many open sockets or files; raise the limit (ulimit -n) or use fewer sockets"
        default:
            return nil
        }
    }
}
