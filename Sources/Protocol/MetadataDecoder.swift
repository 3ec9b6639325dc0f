// Per-kind metadata decoding (frame 2). Field order and widths mirror Message+Encoding.swift and
// docs/wire-format.md. Tensor payloads are left as placeholders and described by
// `PayloadDescriptor`s, which the caller validates against the payload frames.

/// What the metadata says about one payload frame, after codec and dimension checks.
struct PayloadDescriptor {
    var codec: PayloadCodec
    var elementCount: Int
    /// Field path for errors, e.g. "update.payload".
    var field: String
    /// The codec's decoded parameters (`.none` for forms without any).
    var parameters = PayloadParameters.none
    /// N of a vote-count payload (0 for the other forms).
    var voters: Int {
        if case .voters(let n) = parameters { return n }
        return 0
    }
}

enum MetadataDecoder {
    static func decode(
        _ kind: MessageKind, from reader: inout WireReader, limits: DecodeLimits
    ) throws(DecodeError) -> (Message, [PayloadDescriptor]) {
        let result: (Message, [PayloadDescriptor])
        switch kind {
        case .hello: result = (.hello(try hello(&reader)), [])
        case .welcome: result = (.welcome(try welcome(&reader)), [])
        case .task:
            let (task, descriptor) = try task(&reader, limits: limits)
            result = (.task(task), [descriptor])
        case .update:
            let (update, descriptor) = try update(&reader, limits: limits)
            result = (.update(update), [descriptor])
        case .heartbeat: result = (.heartbeat(Heartbeat(sequence: try reader.read(UInt64.self, "heartbeat.sequence"))), [])
        case .error: result = (.error(try errorReport(&reader)), [])
        case .shutdown: result = (.shutdown(Shutdown(reason: try reader.readString("shutdown.reason"))), [])
        }
        try reader.expectEnd("\(kind).metadata")
        return result
    }

    private static func hello(_ reader: inout WireReader) throws(DecodeError) -> Hello {
        Hello(
            protocolVersion: try reader.read(UInt16.self, "hello.protocolVersion"),
            workerName: try reader.readString("hello.workerName"),
            capacity: try reader.read(UInt32.self, "hello.capacity"),
            build: try reader.readString("hello.build"),
            dataHash: try reader.read(UInt64.self, "hello.dataHash"))
    }

    private static func welcome(_ reader: inout WireReader) throws(DecodeError) -> Welcome {
        let welcome = Welcome(
            runID: try reader.readString("welcome.runID"),
            configTOML: try reader.readString("welcome.configTOML"),
            configHash: try reader.read(UInt64.self, "welcome.configHash"),
            workerIndex: try reader.read(UInt32.self, "welcome.workerIndex"),
            workerCount: try reader.read(UInt32.self, "welcome.workerCount"))
        guard welcome.workerIndex < welcome.workerCount else {
            throw .invalidValue(
                field: "welcome.workerIndex",
                reason: "worker index \(welcome.workerIndex) is not below the worker count \(welcome.workerCount)")
        }
        return welcome
    }

    private static func task(
        _ reader: inout WireReader, limits: DecodeLimits
    ) throws(DecodeError) -> (Task, PayloadDescriptor) {
        let round = try reader.read(UInt32.self, "task.round")
        let modelVersion = try reader.read(UInt64.self, "task.modelVersion")
        let descriptor = try payloadDescriptor(&reader, field: "task.model", limits: limits)
        let count = Int(try reader.read(UInt32.self, "task.clients.count"))
        guard count <= limits.maxClientsPerTask else {
            throw .invalidValue(
                field: "task.clients", reason: "\(count) clients exceed the limit of \(limits.maxClientsPerTask)")
        }
        try reader.require(count * MetadataSize.clientTask, "task.clients")
        var clients: [ClientTask] = []
        clients.reserveCapacity(count)
        for index in 0..<count {
            clients.append(
                ClientTask(
                    client: try reader.read(UInt32.self, "task.clients[\(index)].client"),
                    extraDelaySeconds: try reader.readDuration("task.clients[\(index)].extraDelaySeconds"),
                    flags: try reader.read(UInt32.self, "task.clients[\(index)].flags")))
        }
        let task = Task(round: round, modelVersion: modelVersion, model: .dense([]), clients: clients)
        return (task, descriptor)
    }

    private static func update(
        _ reader: inout WireReader, limits: DecodeLimits
    ) throws(DecodeError) -> (Update, PayloadDescriptor) {
        let update = Update(
            round: try reader.read(UInt32.self, "update.round"),
            client: try reader.read(UInt32.self, "update.client"),
            sampleCount: try reader.read(UInt32.self, "update.sampleCount"),
            trainLoss: try reader.readFinite("update.trainLoss"),
            wallComputeSeconds: try reader.readDuration("update.wallComputeSeconds"),
            virtualComputeSeconds: try reader.readDuration("update.virtualComputeSeconds"),
            payload: .dense([]))
        let descriptor = try payloadDescriptor(&reader, field: "update.payload", limits: limits)
        return (update, descriptor)
    }

    private static func errorReport(_ reader: inout WireReader) throws(DecodeError) -> ErrorReport {
        let rawCode = try reader.read(UInt16.self, "error.code")
        guard let code = ErrorCode(rawValue: rawCode) else {
            throw .invalidValue(field: "error.code", reason: "unknown error code \(rawCode)")
        }
        let round = try reader.read(UInt32.self, "error.round")
        let client: ClientID?
        switch try reader.read(UInt8.self, "error.client.present") {
        case 0: client = nil
        case 1: client = try reader.read(UInt32.self, "error.client")
        case let tag:
            throw .invalidValue(field: "error.client.present", reason: "presence tag must be 0 or 1, found \(tag)")
        }
        let detail = try reader.readString("error.detail")
        return ErrorReport(code: code, round: round, client: client, detail: detail)
    }

    /// Codec id (UInt8), element count (UInt64), parameter length (UInt32), parameters.
    private static func payloadDescriptor(
        _ reader: inout WireReader, field: String, limits: DecodeLimits
    ) throws(DecodeError) -> PayloadDescriptor {
        let codecByte = try reader.read(UInt8.self, field + ".codec")
        guard let codec = PayloadCodec(rawValue: codecByte) else { throw .unknownCodec(codecByte) }
        let rawCount = try reader.read(UInt64.self, field + ".elementCount")
        guard let count = Int(exactly: rawCount) else {
            throw .invalidValue(field: field + ".elementCount", reason: "\(rawCount) elements cannot exist")
        }
        let parameterBytes = Int(try reader.read(UInt32.self, field + ".parameters.length"))
        try reader.require(parameterBytes, field + ".parameters")
        let expectedParameterBytes = PayloadParameters.byteCount(of: codec)
        guard parameterBytes == expectedParameterBytes else {
            throw .invalidValue(
                field: field + ".parameters",
                reason: expectedParameterBytes == 0
                    ? "\(codec.formName) payloads take no parameters, found \(parameterBytes) bytes"
                    : "\(codec.formName) payloads take \(expectedParameterBytes) parameter bytes "
                        + "(\(codec.parameterNames)), found \(parameterBytes)")
        }
        let parameters = try PayloadParameters.read(codec, count: count, from: &reader, field: field)
        if let expected = limits.expectedDimension, count != expected {
            throw .dimensionMismatch(expected: expected, found: count)
        }
        return PayloadDescriptor(codec: codec, elementCount: count, field: field, parameters: parameters)
    }
}
