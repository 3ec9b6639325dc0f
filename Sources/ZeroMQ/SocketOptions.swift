// SocketOptions — the options every Gradwire socket is created with.
//
// All of them are applied by `Socket.init`, before any bind/connect (most libzmq options only
// affect later binds/connects). The defaults are the project's choices (docs/transport.md):
// small explicit high-water marks because messages are large, ROUTER_MANDATORY so messages to
// unknown or full peers are reported instead of silently dropped, ROUTER_HANDOVER so a
// restarted worker can take its routing id back, and LINGER=0 (not an option: always).

import CZeroMQ

/// Options applied to a socket at creation, before `bind`/`connect`.
public struct SocketOptions: Sendable, Equatable {
    /// `ZMQ_ROUTING_ID`: the identity a DEALER presents to the ROUTER (the worker name bytes).
    /// 1…255 bytes, never starting with a zero byte (those are reserved for libzmq-generated ids);
    /// `Socket.init` throws otherwise. `nil` lets libzmq generate one.
    public var routingID: [UInt8]?
    /// `ZMQ_SNDHWM`: complete messages queued per peer before sends report `.wouldBlock`.
    public var sendHighWaterMark: Int32
    /// `ZMQ_RCVHWM`: complete messages queued per peer on the receiving side.
    public var receiveHighWaterMark: Int32
    /// `ZMQ_MAXMSGSIZE`: largest message (bytes, all frames) accepted from a peer; a peer that
    /// sends more is disconnected and the message is never delivered. -1 = unlimited.
    public var maxMessageSize: Int64
    /// `ZMQ_ROUTER_MANDATORY` (ROUTER only): sends to an unknown peer return `.peerUnreachable`,
    /// to a full peer `.wouldBlock`, instead of being dropped silently.
    public var routerMandatory: Bool
    /// `ZMQ_ROUTER_HANDOVER` (ROUTER only): a new connection with a routing id already in use
    /// takes it over (a restarted worker gets its identity back) instead of being refused.
    public var routerHandover: Bool
    /// `ZMQ_HEARTBEAT_IVL`: send a ZMTP PING this often on idle connections; 0 = off.
    public var heartbeatIntervalMilliseconds: Int32
    /// `ZMQ_HEARTBEAT_TIMEOUT`: drop a connection that stays silent this long after a PING;
    /// 0 = libzmq's default (the heartbeat interval).
    public var heartbeatTimeoutMilliseconds: Int32
    /// `ZMQ_HEARTBEAT_TTL`: ask the peer to drop us after this long without traffic (rounded
    /// down to 100 ms by libzmq); 0 = off.
    public var heartbeatTTLMilliseconds: Int32
    /// `ZMQ_IMMEDIATE`: queue messages only to completed connections (a DEALER with no live
    /// peer then reports `.wouldBlock` instead of queueing for a peer that may never come).
    public var immediate: Bool
    /// `ZMQ_RECONNECT_IVL`: wait between reconnection attempts of a connecting socket.
    public var reconnectIntervalMilliseconds: Int32

    /// Options with the project defaults; override what you need.
    public init(
        routingID: [UInt8]? = nil,
        sendHighWaterMark: Int32 = 64,
        receiveHighWaterMark: Int32 = 64,
        maxMessageSize: Int64 = -1,
        routerMandatory: Bool = true,
        routerHandover: Bool = true,
        heartbeatIntervalMilliseconds: Int32 = 0,
        heartbeatTimeoutMilliseconds: Int32 = 0,
        heartbeatTTLMilliseconds: Int32 = 0,
        immediate: Bool = false,
        reconnectIntervalMilliseconds: Int32 = 100
    ) {
        self.routingID = routingID
        self.sendHighWaterMark = sendHighWaterMark
        self.receiveHighWaterMark = receiveHighWaterMark
        self.maxMessageSize = maxMessageSize
        self.routerMandatory = routerMandatory
        self.routerHandover = routerHandover
        self.heartbeatIntervalMilliseconds = heartbeatIntervalMilliseconds
        self.heartbeatTimeoutMilliseconds = heartbeatTimeoutMilliseconds
        self.heartbeatTTLMilliseconds = heartbeatTTLMilliseconds
        self.immediate = immediate
        self.reconnectIntervalMilliseconds = reconnectIntervalMilliseconds
    }

    /// Why `routingID` cannot be used, or nil if it can.
    public static func problem(withRoutingID id: [UInt8]) -> String? {
        if id.isEmpty { return "a routing id must not be empty" }
        if id.count > 255 { return "a routing id is at most 255 bytes, this one has \(id.count)" }
        if id[0] == 0 { return "a routing id must not start with a zero byte (reserved for ids libzmq generates)" }
        return nil
    }

    /// A value for `zmq_setsockopt`, in the width libzmq expects for that option.
    enum Value: Equatable {
        case int32(Int32)
        case int64(Int64)
        case bytes([UInt8])

        var text: String {
            switch self {
            case .int32(let value): "\(value)"
            case .int64(let value): "\(value)"
            case .bytes(let bytes): "0x" + bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
            }
        }
    }

    /// The `(option, name, value)` settings for a socket of `kind`, in the order they are applied.
    /// `ZMQ_LINGER = 0` always comes first. The routing id must have been validated.
    func settings(for kind: Socket.Kind) -> [(option: Int32, name: String, value: Value)] {
        var settings: [(option: Int32, name: String, value: Value)] = [
            (ZMQ_LINGER, "ZMQ_LINGER", .int32(0)),
            (ZMQ_SNDHWM, "ZMQ_SNDHWM", .int32(sendHighWaterMark)),
            (ZMQ_RCVHWM, "ZMQ_RCVHWM", .int32(receiveHighWaterMark)),
            (ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE", .int64(maxMessageSize)),
            (ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE", .int32(immediate ? 1 : 0)),
            (ZMQ_RECONNECT_IVL, "ZMQ_RECONNECT_IVL", .int32(reconnectIntervalMilliseconds)),
            (ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL", .int32(heartbeatIntervalMilliseconds)),
        ]
        // libzmq's defaults for these are "follow the interval" (-1) and "off" (0): set only when asked.
        if heartbeatTimeoutMilliseconds > 0 {
            settings.append((ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT", .int32(heartbeatTimeoutMilliseconds)))
        }
        if heartbeatTTLMilliseconds > 0 {
            settings.append((ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL", .int32(heartbeatTTLMilliseconds)))
        }
        if kind == .router {
            settings.append((ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY", .int32(routerMandatory ? 1 : 0)))
            settings.append((ZMQ_ROUTER_HANDOVER, "ZMQ_ROUTER_HANDOVER", .int32(routerHandover ? 1 : 0)))
        }
        if let routingID {
            settings.append((ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID", .bytes(routingID)))
        }
        return settings
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
