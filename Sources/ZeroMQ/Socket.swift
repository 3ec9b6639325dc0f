// Socket — one owned libzmq ROUTER or DEALER socket.
//
// Ownership: `~Copyable`, so exactly one value owns the handle; `deinit` calls `zmq_close`.
// The socket keeps its `Context` alive, so the context is terminated only after its sockets
// are closed. Sockets are not `Sendable`: libzmq sockets must be used by one thread, the one
// that created them (the event loop's). `ZMQ_LINGER = 0` and all `SocketOptions` are set at
// creation, before any bind/connect.
//
// Calls never block except `waitReadable`. Sends and receives use `ZMQ_DONTWAIT` and report
// `EAGAIN`/`EHOSTUNREACH` as outcomes (all through `ZMQCalls.perform`, STYLE §4).
//
// Multipart send policy. libzmq 4.3 makes the HWM/reachability decision for a whole message on
// its FIRST part: a ROUTER looks up the routing id in part 1 and reports EAGAIN (peer full) or
// EHOSTUNREACH (no such peer, with ROUTER_MANDATORY) there, and never fails a later part (if
// the peer vanishes mid-message it drops the rest and reports success). So a failure on part 1
// means nothing was sent and the caller may retry later. A later part can fail only on a DEALER
// whose peer connection died mid-message: libzmq then rolls back the parts it had queued and
// silently discards the remaining parts up to the last one. We hand it those remaining parts
// anyway (so the socket is back at a message boundary and the next message is not eaten) and
// return the failing part's outcome: the message was not delivered, and resending is safe.
//
// zmq_msg_t discipline: each part is initialised and closed in the same scope; after a
// successful zmq_msg_send libzmq owns the content and the message is not closed again.

import CZeroMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An owned ZeroMQ socket (ROUTER or DEALER), used by the one thread that created it.
public struct Socket: ~Copyable {
    /// The socket types Gradwire uses.
    public enum Kind: Sendable, Equatable, CustomStringConvertible {
        /// The coordinator's socket: binds, receives with the sender's routing id as frame 1,
        /// sends with the destination routing id as frame 1.
        case router
        /// A worker's socket: connects, with `SocketOptions.routingID` = worker name.
        case dealer

        var rawValue: Int32 {
            switch self {
            case .router: ZMQ_ROUTER
            case .dealer: ZMQ_DEALER
            }
        }

        /// "ROUTER" or "DEALER".
        public var description: String {
            switch self {
            case .router: "ROUTER"
            case .dealer: "DEALER"
            }
        }
    }

    /// The socket type.
    public let kind: Kind
    private let handle: UnsafeMutableRawPointer
    private let context: Context
    /// Scratch storage for one `zmq_msg_t` at a stable address (small messages keep their bytes
    /// inside the struct, so it must not move while libzmq looks at it).
    private let message: UnsafeMutablePointer<zmq_msg_t>
    private var calls: any ZMQCalls { context.calls }

    /// Creates a socket of `kind` in `context`, with `ZMQ_LINGER = 0` and `options` applied.
    ///
    /// Throws if libzmq refuses an option (for example a negative high-water mark) or the routing
    /// id is empty, longer than 255 bytes or starts with a zero byte; `ETERM` if the context was
    /// shut down.
    public init(_ context: Context, _ kind: Kind, options: SocketOptions = .init()) throws(ZMQError) {
        if let id = options.routingID, let problem = SocketOptions.problem(withRoutingID: id) {
            throw ZMQError(errno: EINVAL, operation: "zmq_setsockopt(ZMQ_ROUTING_ID=\(SocketOptions.Value.bytes(id).text))",
                           detail: problem)
        }
        let calls = context.calls
        var created: UnsafeMutableRawPointer?
        _ = try calls.performExpectingSuccess("zmq_socket(\(kind))") {
            created = calls.socket(context.handle, kind.rawValue)
            return created == nil ? -1 : 0
        }
        guard let created else { throw ZMQError(errno: calls.lastErrno(), operation: "zmq_socket(\(kind))") }
        do throws(ZMQError) {
            for setting in options.settings(for: kind) {
                try Self.set(setting.option, name: setting.name, to: setting.value, on: created, calls)
            }
        } catch {
            _ = calls.close(created)
            throw error
        }
        self.kind = kind
        self.handle = created
        self.context = context
        self.message = .allocate(capacity: 1)
    }

    deinit {
        message.deallocate()
        let status = calls.close(handle)
        precondition(status == 0, "zmq_close failed (errno \(calls.lastErrno())): not a socket")
    }

    /// Binds to `endpoint` (`tcp://127.0.0.1:*` picks a free port; read it with `lastEndpoint()`).
    public func bind(_ endpoint: String) throws(ZMQError) {
        _ = try calls.performExpectingSuccess("zmq_bind(\(endpoint))") { calls.bind(handle, endpoint) }
    }

    /// Connects to `endpoint`. libzmq connects in the background and reconnects on its own.
    public func connect(_ endpoint: String) throws(ZMQError) {
        _ = try calls.performExpectingSuccess("zmq_connect(\(endpoint))") { calls.connect(handle, endpoint) }
    }

    /// The endpoint of the last bind or connect (`ZMQ_LAST_ENDPOINT`), with a wildcard port resolved.
    public func lastEndpoint() throws(ZMQError) -> String {
        var buffer = [UInt8](repeating: 0, count: 1024)
        var length = buffer.count
        _ = try calls.performExpectingSuccess("zmq_getsockopt(ZMQ_LAST_ENDPOINT)") {
            buffer.withUnsafeMutableBytes { raw in
                calls.getOption(handle, ZMQ_LAST_ENDPOINT, raw.baseAddress!, &length)
            }
        }
        return String(decoding: buffer.prefix(min(length, buffer.count)).prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Sends all frames as one multipart message, non-blocking (`ZMQ_DONTWAIT` on every part).
    /// Frames of kind `.buffer` go zero-copy. On a ROUTER frame 1 is the destination routing id.
    ///
    /// Returns `.wouldBlock` (peer queue full, or a DEALER without peer) or `.peerUnreachable`
    /// (ROUTER: no such peer) when the message was not sent; see the file comment for what a
    /// failure on a later part means. Throws for anything else; `ETERM` → `isTerminated`.
    public func send(_ frames: [Frame]) throws(ZMQError) -> SendOutcome {
        precondition(!frames.isEmpty, "a ZeroMQ message has at least one frame")
        for index in frames.indices {
            let isLast = index == frames.count - 1
            let outcome = try sendPart(frames[index], index: index, more: !isLast)
            guard outcome == .sent else {
                // Part 1 failing: nothing went out, the socket is still at a message boundary.
                if index == 0 { return outcome }
                // A later part failing: libzmq has dropped the earlier parts and discards the
                // rest up to the last one; hand them over so the socket ends at a message
                // boundary. Their outcomes carry no information.
                for rest in frames.indices.dropFirst(index + 1) {
                    _ = try sendPart(frames[rest], index: rest, more: rest != frames.count - 1)
                }
                return outcome
            }
        }
        return .sent
    }

    /// Non-blocking receive of one whole multipart message (all parts arrive together).
    /// Returns `.wouldBlock` when nothing is queued.
    public func receive() throws(ZMQError) -> ReceiveOutcome {
        var frames: [[UInt8]] = []
        var more = true
        while more {
            let part = frames.count
            let status = zmq_msg_init(message)
            precondition(status == 0, "zmq_msg_init cannot fail")
            defer { zmq_msg_close(message) }
            let outcome = try calls.perform("zmq_msg_recv(\(kind), part \(part + 1))") {
                calls.messageReceive(message, handle, ZMQ_DONTWAIT)
            }
            switch outcome {
            case .done:
                let size = zmq_msg_size(message)
                if size == 0 {
                    frames.append([])
                } else {
                    frames.append([UInt8](UnsafeRawBufferPointer(start: zmq_msg_data(message), count: size)))
                }
                more = calls.messageMore(message)
            case .wouldBlock where part == 0:
                return .wouldBlock
            case .wouldBlock, .peerUnreachable:
                // libzmq delivers multipart messages atomically; a gap here is a libzmq bug.
                throw ZMQError(errno: outcome == .wouldBlock ? EAGAIN : EHOSTUNREACH,
                               operation: "zmq_msg_recv(\(kind), part \(part + 1))",
                               detail: "the rest of a multipart message was missing after \(part) part(s)")
            }
        }
        return .message(frames)
    }

    /// Waits up to `timeoutMilliseconds` (-1 = forever, 0 = just check) for a message to be
    /// readable. Returns false on timeout. Blocks the calling thread: never call it from `async`
    /// code. `Context.shutdown()` from another thread makes it throw with `isTerminated`.
    public func waitReadable(timeoutMilliseconds: Int) throws(ZMQError) -> Bool {
        let clock = ContinuousClock()
        let start = clock.now
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        let ready = try calls.performExpectingSuccess("zmq_poll(\(kind), timeout \(timeoutMilliseconds) ms)") {
            // After EINTR only the rest of the timeout is waited for.
            var remaining = timeoutMilliseconds
            if timeoutMilliseconds > 0 {
                let elapsed = start.duration(to: clock.now).components
                let elapsedMilliseconds = Int(elapsed.seconds) * 1000 + Int(elapsed.attoseconds / 1_000_000_000_000_000)
                remaining = max(0, timeoutMilliseconds - elapsedMilliseconds)
            }
            item.revents = 0
            return calls.poll(&item, 1, remaining)
        }
        return ready > 0 && item.revents & Int16(ZMQ_POLLIN) != 0
    }

    // MARK: - Parts

    /// Sends one part. The `zmq_msg_t` is initialised here and closed here unless libzmq took it.
    private func sendPart(_ frame: Frame, index: Int, more: Bool) throws(ZMQError) -> SendOutcome {
        try initialize(message, with: frame, index: index)
        var handedOver = false
        defer { if !handedOver { zmq_msg_close(message) } }
        let flags = ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0)
        let outcome = try calls.perform("zmq_msg_send(\(kind), part \(index + 1), \(frame.count) bytes)") {
            calls.messageSend(message, handle, flags)
        }
        switch outcome {
        case .done:
            handedOver = true // libzmq owns the content now and has reset the message.
            return .sent
        case .wouldBlock:
            return .wouldBlock
        case .peerUnreachable:
            return .peerUnreachable
        }
    }

    /// Initialises `message` with a copy of `.bytes`, or around a `.buffer` without copying.
    private func initialize(_ message: UnsafeMutablePointer<zmq_msg_t>, with frame: Frame, index: Int) throws(ZMQError) {
        switch frame {
        case .bytes(let bytes):
            _ = try calls.performExpectingSuccess("zmq_msg_init_size(part \(index + 1), \(bytes.count) bytes)") {
                zmq_msg_init_size(message, bytes.count)
            }
            if !bytes.isEmpty {
                bytes.withUnsafeBytes { source in
                    zmq_msg_data(message).copyMemory(from: source.baseAddress!, byteCount: source.count)
                }
            }
        case .buffer(let buffer):
            // The retained box is the hint; libzmq calls the free function (on its I/O thread, or
            // here when a failed message is closed) exactly once, and it only releases the box.
            let box = Unmanaged.passRetained(buffer)
            let status = zmq_msg_init_data(message, buffer.bytes.baseAddress, buffer.count, { _, hint in
                guard let hint else { return }
                Unmanaged<MessageBuffer>.fromOpaque(hint).release()
            }, box.toOpaque())
            if status != 0 {
                box.release() // libzmq did not take it: the free function will not run.
                throw ZMQError(errno: zmq_errno(), operation: "zmq_msg_init_data(part \(index + 1), \(buffer.count) bytes)")
            }
        }
    }

    /// `zmq_setsockopt` with the value in the width libzmq expects.
    private static func set(_ option: Int32, name: String, to value: SocketOptions.Value,
                            on handle: UnsafeMutableRawPointer, _ calls: any ZMQCalls) throws(ZMQError) {
        _ = try calls.performExpectingSuccess("zmq_setsockopt(\(name)=\(value.text))") {
            switch value {
            case .int32(var number):
                return withUnsafeBytes(of: &number) { calls.setOption(handle, option, UnsafeRawBufferPointer($0)) }
            case .int64(var number):
                return withUnsafeBytes(of: &number) { calls.setOption(handle, option, UnsafeRawBufferPointer($0)) }
            case .bytes(let bytes):
                return bytes.withUnsafeBytes { calls.setOption(handle, option, $0) }
            }
        }
    }
}

/// Sockets belong to the thread that created them (libzmq sockets are not thread-safe).
@available(*, unavailable, message: "a ZeroMQ socket is used only by the thread that created it")
extension Socket: Sendable {}
