// Wire encoding of the compressed payload forms (codec ids 2, 3, 5, 8 … 13): their codec
// parameter blocks (metadata), their frames (encoder) and the validating frame decoder. The
// framing, descriptor and order of checks are those of docs/wire-format.md; the layouts per form
// are in its codec table. Input is hostile: parameters are checked against the element count in
// the metadata before any frame is read, frame sizes against the parameters before anything is
// allocated, and every value for its domain (finite, in range, ascending, zero padding).

/// The decoded codec parameters of a payload descriptor (empty for most forms).
enum PayloadParameters: Equatable {
    /// No parameters (dense, packed signs, ternary, float16, powers of two).
    case none
    /// N of a vote-count payload.
    case voters(Int)
    /// k of a sparse or shared-sparse payload (k ≤ element count).
    case kept(Int)
    /// A finite Float32 scale (scaled signs, scaled ternary).
    case scale(Float)
    /// s and the bucket size of a quantized payload.
    case quantized(levelCount: Int, bucketSize: Int)
    /// The shape of a low-rank payload (rows · columns = element count).
    case lowRank(rows: Int, columns: Int, rank: Int)
    /// The block count B of a low-rank block list (1 ≤ B ≤ element count).
    case blocks(Int)

    /// Bytes of the parameter block each codec takes.
    static func byteCount(of codec: PayloadCodec) -> Int {
        switch codec {
        case .denseFloat32, .packedSigns, .ternary, .float16, .powersOfTwo: 0
        case .voteCounts, .sparse, .sharedSparse, .scaledSigns, .scaledTernary, .lowRankBlocks: 4
        case .quantized: 8
        case .lowRank: 12
        }
    }

    /// Reads and validates the parameter block of `codec` (whose length the caller checked equals
    /// `byteCount(of:)`) for a payload of `count` elements.
    static func read(
        _ codec: PayloadCodec, count: Int, from reader: inout WireReader, field: String
    ) throws(DecodeError) -> PayloadParameters {
        let field = field + ".parameters"
        switch codec {
        case .denseFloat32, .packedSigns, .ternary, .float16, .powersOfTwo:
            return .none
        case .voteCounts:
            let voters = Int(try reader.read(UInt32.self, field + ".voters"))
            guard (1...PackedCounts.maximumVoters).contains(voters) else {
                throw .invalidValue(field: field + ".voters",
                                    reason: "\(voters) voters; vote counts hold 1 … \(PackedCounts.maximumVoters)")
            }
            return .voters(voters)
        case .sparse, .sharedSparse:
            let kept = Int(try reader.read(UInt32.self, field + ".kept"))
            guard kept <= count else {
                throw .invalidValue(field: field + ".kept", reason: "\(kept) kept elements exceed the \(count) elements")
            }
            return .kept(kept)
        case .scaledSigns, .scaledTernary:
            let scale = Float(bitPattern: try reader.read(UInt32.self, field + ".scale"))
            guard scale.isFinite else { throw .nonFinite(field: field + ".scale", index: 0) }
            return .scale(scale)
        case .quantized:
            let levelCount = Int(try reader.read(UInt32.self, field + ".levelCount"))
            let bucketSize = Int(try reader.read(UInt32.self, field + ".bucketSize"))
            try PackedLevels.checkParameters(levelCount: levelCount, bucketSize: bucketSize, field: field)
            return .quantized(levelCount: levelCount, bucketSize: bucketSize)
        case .lowRank:
            let rows = Int(try reader.read(UInt32.self, field + ".rows"))
            let columns = Int(try reader.read(UInt32.self, field + ".columns"))
            let rank = Int(try reader.read(UInt32.self, field + ".rank"))
            try LowRankMatrix.checkShape(count: count, rows: rows, columns: columns, rank: rank, field: field)
            return .lowRank(rows: rows, columns: columns, rank: rank)
        case .lowRankBlocks:
            let blockCount = Int(try reader.read(UInt32.self, field + ".blocks"))
            try LowRankBlocks.checkBlockCount(blockCount, count: count, field: field)
            return .blocks(blockCount)
        }
    }
}

// MARK: - Encoding

extension TensorPayload {
    /// Writes this payload's codec parameters (exactly `parameterByteCount` bytes).
    func writeParameters(into out: inout WireWriter) {
        switch self {
        case .dense, .packedSigns, .ternary, .float16, .powersOfTwo: break
        case .voteCounts(let counts): out.write(UInt32(counts.voters))
        case .sparse(let sparse): out.write(UInt32(sparse.indices.count))
        case .sharedSparse(let shared): out.write(UInt32(shared.values.count))
        case .scaledSigns(_, let scale), .scaledTernary(_, let scale): out.write(scale.bitPattern)
        case .quantized(let levels):
            out.write(UInt32(levels.levelCount))
            out.write(UInt32(levels.bucketSize))
        case .lowRank(let matrix):
            out.write(UInt32(matrix.rows))
            out.write(UInt32(matrix.columns))
            out.write(UInt32(matrix.rank))
        case .lowRankBlocks(let blocks):
            out.write(UInt32(blocks.blocks.count))
        }
    }

    /// Writes the frame of a form that is not a single byte array (`packedBytes == nil`) other
    /// than dense. `destination.count == byteCount` (checked by the caller).
    func writeCompressedFrame(into destination: UnsafeMutableRawBufferPointer) {
        var offset = 0
        func put<T: FixedWidthInteger>(_ value: T) {
            destination.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
            offset += MemoryLayout<T>.size
        }
        switch self {
        case .float16(let bits):
            for b in bits { put(b) }
        case .sparse(let sparse):
            for index in sparse.indices { put(index) }
            for value in sparse.values { put(value.bitPattern) }
        case .quantized(let levels):
            levels.bytes.withUnsafeBytes { destination.copyMemory(from: $0) }
            offset = levels.bytes.count
            for norm in levels.norms { put(norm.bitPattern) }
        case .sharedSparse(let shared):
            for value in shared.values { put(value.bitPattern) }
        case .lowRank(let matrix):
            for value in matrix.p { put(value.bitPattern) }
            for value in matrix.q { put(value.bitPattern) }
        case .lowRankBlocks(let blocks):
            blocks.write(into: destination, offset: &offset)
        case .dense, .packedSigns, .voteCounts, .ternary, .scaledSigns, .powersOfTwo, .scaledTernary:
            preconditionFailure("writeCompressedFrame: \(codec) is written elsewhere")
        }
        precondition(offset == destination.count, "writeCompressedFrame: wrote \(offset) of \(destination.count) bytes")
    }
}

// MARK: - Decoding

enum CompressedPayloadDecoder {
    /// Decodes the frame of a compressed form (codec ids 2, 3, 5, 8–13) against its descriptor.
    static func decode(
        _ descriptor: PayloadDescriptor, frame: Int, from raw: UnsafeRawBufferPointer
    ) throws(DecodeError) -> TensorPayload {
        let count = descriptor.elementCount
        let field = descriptor.field
        switch (descriptor.codec, descriptor.parameters) {
        case (.float16, _):
            try expectLength(raw, count, times: 2, frame: frame, field: field)
            let bits = readIntegers(raw, as: UInt16.self)
            if let bad = firstNonFiniteHalf(bits) { throw .nonFinite(field: field, index: bad) }
            return .float16(bits)
        case (.sparse, .kept(let kept)):
            try expectLength(raw, kept, times: 8, frame: frame, field: field)
            let indices = readIntegers(UnsafeRawBufferPointer(rebasing: raw[0..<(4 * kept)]), as: UInt32.self)
            let values = readFloats(UnsafeRawBufferPointer(rebasing: raw[(4 * kept)...]))
            return .sparse(try SparseValues.validated(count: count, indices: indices, values: values, field: field))
        case (.quantized, .quantized(let levelCount, let bucketSize)):
            guard let codeBytes = PackedLevels.checkedCodeByteCount(count: count, levelCount: levelCount) else {
                throw .invalidValue(field: field + ".elementCount", reason: "\(count) elements do not fit in memory")
            }
            let buckets = PackedLevels.bucketCount(count: count, bucketSize: bucketSize)
            let (normBytes, normOverflow) = buckets.multipliedReportingOverflow(by: 4)
            let (expected, overflow) = codeBytes.addingReportingOverflow(normBytes)
            guard !normOverflow, !overflow else {
                throw .invalidValue(field: field + ".elementCount", reason: "\(count) elements do not fit in memory")
            }
            guard raw.count == expected else { throw .lengthMismatch(frame: frame, declared: expected, actual: raw.count) }
            let levels = try PackedLevels.validated(
                count: count, levelCount: levelCount, bucketSize: bucketSize,
                norms: readFloats(UnsafeRawBufferPointer(rebasing: raw[codeBytes...])),
                bytes: Array(UnsafeRawBufferPointer(rebasing: raw[0..<codeBytes])), field: field)
            return .quantized(levels)
        case (.sharedSparse, .kept(let kept)):
            try expectLength(raw, kept, times: 4, frame: frame, field: field)
            return .sharedSparse(try SharedSparseValues.validated(count: count, values: readFloats(raw), field: field))
        case (.scaledSigns, .scale(let scale)):
            try expectLength(raw, PackedSigns.byteCount(forCount: count), times: 1, frame: frame, field: field)
            return .scaledSigns(try PackedSigns.validated(count: count, bytes: Array(raw), field: field), scale: scale)
        case (.scaledTernary, .scale(let scale)):
            try expectLength(raw, PackedTernary.byteCount(forCount: count), times: 1, frame: frame, field: field)
            return .scaledTernary(try PackedTernary.validated(count: count, bytes: Array(raw), field: field), scale: scale)
        case (.powersOfTwo, _):
            try expectLength(raw, count, times: 1, frame: frame, field: field)
            return .powersOfTwo(Array(raw))
        case (.lowRank, .lowRank(let rows, let columns, let rank)):
            // rows, columns < 2³², so their sum cannot overflow; the products can (rank up to 2³²).
            let (values, overflow) = rank.multipliedReportingOverflow(by: rows + columns)
            guard !overflow else {
                throw .invalidValue(field: field + ".parameters.rank",
                                    reason: "rank \(rank) factors of a \(rows)×\(columns) matrix do not fit in memory")
            }
            try expectLength(raw, values, times: 4, frame: frame, field: field)
            let split = 4 * rank * rows
            let p = readFloats(UnsafeRawBufferPointer(rebasing: raw[0..<split]))
            let q = readFloats(UnsafeRawBufferPointer(rebasing: raw[split...]))
            return .lowRank(try LowRankMatrix.validated(count: count, rows: rows, columns: columns, rank: rank,
                                                        p: p, q: q, field: field))
        case (.lowRankBlocks, .blocks(let blockCount)):
            return .lowRankBlocks(try LowRankBlocks.validated(count: count, blockCount: blockCount, raw: raw, field: field))
        default:
            preconditionFailure("CompressedPayloadDecoder: \(descriptor.codec) with \(descriptor.parameters)")
        }
    }

    /// Throws `lengthMismatch` unless the frame holds exactly `units · size` bytes.
    private static func expectLength(
        _ raw: UnsafeRawBufferPointer, _ units: Int, times size: Int, frame: Int, field: String
    ) throws(DecodeError) {
        let (expected, overflow) = units.multipliedReportingOverflow(by: size)
        guard !overflow else {
            throw .invalidValue(field: field + ".elementCount", reason: "\(units) elements do not fit in memory")
        }
        guard raw.count == expected else { throw .lengthMismatch(frame: frame, declared: expected, actual: raw.count) }
    }

    private static func readIntegers<T: FixedWidthInteger>(_ raw: UnsafeRawBufferPointer, as _: T.Type) -> [T] {
        let size = MemoryLayout<T>.size
        return (0..<(raw.count / size)).map { T(littleEndian: raw.loadUnaligned(fromByteOffset: size * $0, as: T.self)) }
    }

    private static func readFloats(_ raw: UnsafeRawBufferPointer) -> [Float] {
        readIntegers(raw, as: UInt32.self).map(Float.init(bitPattern:))
    }
}

// MARK: - Names for errors

extension PayloadCodec {
    /// The form's name in error messages ("packed-sign payloads take …").
    var formName: String {
        switch self {
        case .denseFloat32: "dense"
        case .packedSigns: "packed-sign"
        case .voteCounts: "vote-count"
        case .ternary: "ternary"
        case .float16: "float16"
        case .sparse: "sparse"
        case .quantized: "quantized"
        case .sharedSparse: "shared-sparse"
        case .scaledSigns: "scaled-sign"
        case .powersOfTwo: "powers-of-two"
        case .lowRank: "low-rank"
        case .scaledTernary: "scaled-ternary"
        case .lowRankBlocks: "low-rank-block"
        }
    }

    /// What the parameter block holds, for error messages.
    var parameterNames: String {
        switch self {
        case .denseFloat32, .packedSigns, .ternary, .float16, .powersOfTwo: "none"
        case .voteCounts: "the voter count"
        case .sparse, .sharedSparse: "the kept count"
        case .scaledSigns, .scaledTernary: "the Float32 scale"
        case .quantized: "levels and bucket size"
        case .lowRank: "rows, columns and rank"
        case .lowRankBlocks: "the block count"
        }
    }
}
