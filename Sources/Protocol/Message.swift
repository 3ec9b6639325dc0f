// The sum of all message types, one case per `MessageKind`.

/// Any Gradwire message. Encode with `encoded()`, decode with `Message.decode(frames:limits:)`.
public enum Message: Sendable, Equatable {
    /// See `Hello`.
    case hello(Hello)
    /// See `Welcome`.
    case welcome(Welcome)
    /// See `Task`.
    case task(Task)
    /// See `Update`.
    case update(Update)
    /// See `Heartbeat`.
    case heartbeat(Heartbeat)
    /// See `ErrorReport`.
    case error(ErrorReport)
    /// See `Shutdown`.
    case shutdown(Shutdown)

    /// The header kind byte of this message.
    public var kind: MessageKind {
        switch self {
        case .hello: .hello
        case .welcome: .welcome
        case .task: .task
        case .update: .update
        case .heartbeat: .heartbeat
        case .error: .error
        case .shutdown: .shutdown
        }
    }

    /// The tensor payloads of this message, in payload-frame order.
    public var payloads: [TensorPayload] {
        switch self {
        case .task(let task): [task.model]
        case .update(let update): [update.payload]
        case .hello, .welcome, .heartbeat, .error, .shutdown: []
        }
    }
}

// MARK: - Log summaries

extension Message: CustomStringConvertible {
    /// One line for logs: kind, round, client, counts and sizes; never the tensor values or
    /// the whole configuration text.
    public var description: String {
        switch self {
        case .hello(let m):
            "hello worker=\(quoted(m.workerName)) version=\(m.protocolVersion) capacity=\(m.capacity) "
                + "build=\(quoted(m.build)) dataHash=\(hex(m.dataHash))"
        case .welcome(let m):
            "welcome run=\(quoted(m.runID)) worker=\(m.workerIndex)/\(m.workerCount) "
                + "config=\(m.configTOML.utf8.count)B configHash=\(hex(m.configHash))"
        case .task(let m):
            "task round=\(m.round) modelVersion=\(m.modelVersion) clients=\(m.clients.count) "
                + "model=\(summary(m.model))"
        case .update(let m):
            "update round=\(m.round) client=\(m.client) samples=\(m.sampleCount) loss=\(m.trainLoss) "
                + "wall=\(m.wallComputeSeconds)s virtual=\(m.virtualComputeSeconds)s payload=\(summary(m.payload))"
        case .heartbeat(let m):
            "heartbeat sequence=\(m.sequence)"
        case .error(let m):
            "error code=\(m.code) round=\(m.round) client=\(m.client.map(String.init) ?? "-") "
                + "detail=\(quoted(m.detail))"
        case .shutdown(let m):
            "shutdown reason=\(quoted(m.reason))"
        }
    }
}

private func summary(_ payload: TensorPayload) -> String {
    switch payload {
    case .dense: "dense[\(payload.elementCount)] \(payload.byteCount)B"
    case .packedSigns: "signs[\(payload.elementCount)] \(payload.byteCount)B"
    case .voteCounts(let counts): "counts[\(payload.elementCount)]/\(counts.voters) \(payload.byteCount)B"
    case .ternary: "ternary[\(payload.elementCount)] \(payload.byteCount)B"
    default: "\(payload.codec)[\(payload.elementCount)] \(payload.byteCount)B"
    }
}

private func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
}

/// Quotes a string for a one-line log, escaping newlines and cutting it at 80 characters.
private func quoted(_ text: String) -> String {
    let cut = text.count > 80 ? String(text.prefix(80)) + "…" : text
    return "\"" + cut.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
        .replacingAll("\n", with: "\\n").replacingAll("\r", with: "\\r") + "\""
}

extension String {
    /// Stdlib-only replacement of every `target` character (avoids importing Foundation).
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
