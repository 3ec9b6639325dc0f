// MessageBuffer and Frame — what a message is made of on the sending side.
//
// Small frames are `[UInt8]` and copied into a libzmq message. Tensor frames are
// `MessageBuffer`s: the box allocates its own memory, the encoder writes into it, and the
// socket hands the memory to libzmq without copying (`zmq_msg_init_data` with the retained box
// as hint). libzmq calls the free function from its I/O thread once the frame is sent (or the
// message is dropped); that function only releases the box, whose `deinit` frees the memory.

import CZeroMQ

/// A byte buffer a socket can send without copying.
///
/// `@unchecked Sendable`: the memory is written only by the owner, before the buffer is passed
/// to `Socket.send`; from then on libzmq only reads it, and the last release (possibly on a
/// libzmq I/O thread) frees it. Writing to `bytes` after sending is a bug this type cannot catch.
public final class MessageBuffer: @unchecked Sendable {
    /// The buffer's memory (16-byte aligned, so it can be viewed as `Float`s).
    public let bytes: UnsafeMutableRawBufferPointer

    /// Allocates `byteCount` bytes, zero-filled.
    public init(byteCount: Int) {
        precondition(byteCount >= 0, "MessageBuffer byteCount must be non-negative, got \(byteCount)")
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 16)
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
    }

    /// Allocates a buffer holding a copy of `contents` (convenience for tests and small frames).
    public convenience init(copying contents: some Collection<UInt8>) {
        self.init(byteCount: contents.count)
        _ = bytes.initializeMemory(as: UInt8.self, from: contents)
    }

    /// Number of bytes.
    public var count: Int { bytes.count }

    deinit { bytes.deallocate() }
}

/// One frame of an outgoing multipart message.
public enum Frame: Sendable {
    /// Copied into a libzmq message (headers, metadata, routing ids).
    case bytes([UInt8])
    /// Sent without copying; the socket keeps the box alive until libzmq is done with it.
    case buffer(MessageBuffer)

    /// Length of the frame in bytes.
    public var count: Int {
        switch self {
        case .bytes(let bytes): bytes.count
        case .buffer(let buffer): buffer.count
        }
    }
}

/// What happened to a message handed to `Socket.send`.
public enum SendOutcome: Sendable, Equatable {
    /// libzmq queued the whole message.
    case sent
    /// `EAGAIN`: the peer's queue is full (or, for a DEALER, there is no peer); nothing was sent.
    case wouldBlock
    /// `EHOSTUNREACH`: a ROUTER has no connected peer with the routing id in frame 1; nothing was sent.
    case peerUnreachable
}

/// What `Socket.receive` found.
public enum ReceiveOutcome: Sendable, Equatable {
    /// One whole multipart message, each frame copied out. On a ROUTER frame 1 is the sender's routing id.
    case message([[UInt8]])
    /// Nothing to read now.
    case wouldBlock
}
