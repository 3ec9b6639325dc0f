import Protocol
import ZeroMQ

/// What arrived on a socket: the sender's routing id (ROUTER side; empty on a DEALER), the
/// decoded message or the reason it was rejected, and the bytes it took on the wire.
public struct Received: Sendable {
    public var sender: [UInt8]
    public var message: Result<Message, DecodeError>
    public var wireBytes: Int
}

extension Socket {
    /// Sends a Protocol message, prefixed by `routingID` when sending from a ROUTER.
    /// Payload frames above `zeroCopyThreshold` bytes are written straight into a buffer that
    /// libzmq sends without copying. Returns the outcome and the bytes put on the wire.
    public func send(_ message: EncodedMessage, to routingID: [UInt8]? = nil,
                     zeroCopyThreshold: Int = 64 * 1024) throws(ZMQError) -> (outcome: SendOutcome, bytes: Int) {
        var frames: [Frame] = []
        frames.reserveCapacity(message.frameCount + 1)
        if let routingID { frames.append(.bytes(routingID)) }
        frames.append(.bytes(message.header))
        frames.append(.bytes(message.metadata))
        for (index, count) in message.payloadByteCounts.enumerated() {
            if count >= zeroCopyThreshold {
                let buffer = MessageBuffer(byteCount: count)
                message.writePayload(index, into: buffer.bytes)
                frames.append(.buffer(buffer))
            } else {
                var bytes = [UInt8](repeating: 0, count: count)
                bytes.withUnsafeMutableBytes { message.writePayload(index, into: $0) }
                frames.append(.bytes(bytes))
            }
        }
        return (try send(frames), message.totalBytes)
    }

    /// Receives one message without blocking and decodes it. `hasRoutingID` is true on a ROUTER,
    /// whose first frame names the sender. Returns nil when nothing is waiting.
    public func receiveMessage(hasRoutingID: Bool, limits: DecodeLimits) throws(ZMQError) -> Received? {
        guard case .message(var frames) = try receive() else { return nil }
        var sender: [UInt8] = []
        if hasRoutingID, !frames.isEmpty { sender = frames.removeFirst() }
        let bytes = frames.reduce(0) { $0 + $1.count }
        let result: Result<Message, DecodeError>
        do {
            result = .success(try Message.decode(frames: frames, limits: limits))
        } catch {
            result = .failure(error)
        }
        return Received(sender: sender, message: result, wireBytes: bytes)
    }
}
