// Context — owns one libzmq context (zmq_ctx_new … zmq_ctx_term).
//
// Lifetime: every `Socket` keeps its context alive, so `zmq_ctx_term` in `deinit` runs only
// after all sockets of the context are closed (it would block otherwise; LINGER is 0 on all
// our sockets, so it returns at once). To stop a loop blocked in `waitReadable` from another
// thread call `shutdown()`: blocked and later calls fail with `ETERM`.

import CZeroMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ZeroMQ context: the I/O threads and the registry of sockets and `inproc://` endpoints.
///
/// Create one per process after start-up (never `fork` a process that has one), hand it to the
/// thread that owns the sockets, and call `shutdown()` from anywhere to make that thread stop.
///
/// `@unchecked Sendable`: libzmq contexts are thread-safe (zmq_ctx_* and zmq_socket may be
/// called from any thread), and this class holds only the immutable handle and call seam.
public final class Context: @unchecked Sendable {
    /// The `void *` from `zmq_ctx_new`; never changes, released in `deinit`.
    package let handle: UnsafeMutableRawPointer
    /// The seam all calls on this context and its sockets go through.
    package let calls: any ZMQCalls

    /// Creates a context with `ioThreads` background I/O threads (1 is plenty below ~1 GB/s).
    public convenience init(ioThreads: Int = 1) throws(ZMQError) {
        try self.init(ioThreads: ioThreads, calls: LibZMQ())
    }

    /// Creates a context whose calls go through `calls` (tests pass a scripted seam).
    package init(ioThreads: Int, calls: any ZMQCalls) throws(ZMQError) {
        var created: UnsafeMutableRawPointer?
        _ = try calls.performExpectingSuccess("zmq_ctx_new()") {
            created = calls.contextNew()
            return created == nil ? -1 : 0
        }
        guard let created else { throw ZMQError(errno: calls.lastErrno(), operation: "zmq_ctx_new()") }
        do throws(ZMQError) {
            guard let threads = Int32(exactly: ioThreads), threads >= 0 else {
                throw ZMQError(errno: EINVAL, operation: "zmq_ctx_set(ZMQ_IO_THREADS=\(ioThreads))",
                               detail: "the number of I/O threads must be between 0 and \(Int32.max)")
            }
            _ = try calls.performExpectingSuccess("zmq_ctx_set(ZMQ_IO_THREADS=\(threads))") {
                calls.contextSet(created, ZMQ_IO_THREADS, threads)
            }
        } catch {
            Self.terminate(created, calls)
            throw error
        }
        self.handle = created
        self.calls = calls
    }

    /// Shuts the context down (`zmq_ctx_shutdown`) from any thread: calls blocked in other
    /// threads (`waitReadable`) and every later call on its sockets fail with a `ZMQError`
    /// whose `isTerminated` is true. Sockets still have to be dropped; calling it twice is harmless.
    public func shutdown() {
        do throws(ZMQError) {
            _ = try calls.performExpectingSuccess("zmq_ctx_shutdown()") { calls.contextShutdown(handle) }
        } catch {
            // Only EFAULT (not a context) is possible: a bug in this file, not a runtime condition.
            preconditionFailure("\(error)")
        }
    }

    deinit { Self.terminate(handle, calls) }

    /// `zmq_ctx_term`, retried on `EINTR`; other failures (EFAULT) are ignored on the way out.
    private static func terminate(_ handle: UnsafeMutableRawPointer, _ calls: any ZMQCalls) {
        _ = try? calls.perform("zmq_ctx_term()") { calls.contextTerm(handle) }
    }
}
