// The composite payload of per-layer PowerSGD (codec id 13, spec §B.10 "per weight tensor reshaped
// to a matrix; vectors (biases) sent uncompressed"): the flat vector is cut into consecutive
// blocks, each either the rank-r factors of one weight matrix or the dense Float32 values of one
// bias vector. The receiver needs no knowledge of the model: every block carries its own shape.
//
// Wire (docs/wire-format.md): parameters p = 4, the block count B (UInt32, 1 ≤ B ≤ count); frame:
// B blocks back to back, each a 12-byte header rows n, columns m, rank r (UInt32 each) followed by
// its values — r ≥ 1: P (n × r) then Q (m × r), row-major Float32; r = 0: the n·m dense values.
// Frame bytes = Σ_blocks 12 + Σ_low-rank 4·r·(n + m) + Σ_dense 4·n·m.
//
// Decoding is hostile-input safe: each header is checked (shape, rank, dense blocks 1 × n so the
// encoding stays canonical, running element total ≤ count) and each block's byte length against what remains before any value is read, so memory
// never exceeds the frame's size; values must be finite; the blocks must cover exactly `count`
// elements and fill the frame exactly.

/// Consecutive blocks of a flat vector: low-rank factors or dense values (codec id 13).
public struct LowRankBlocks: Sendable, Equatable {
    /// One block of the vector.
    public enum Block: Sendable, Equatable {
        /// The rows × columns matrix P·Qᵀ, row-major.
        case lowRank(LowRankMatrix)
        /// Dense finite Float32 values (biases); on the wire a 1 × count block of rank 0.
        case dense([Float])

        /// Elements of the vector this block decodes to.
        public var count: Int {
            switch self {
            case .lowRank(let matrix): matrix.count
            case .dense(let values): values.count
            }
        }

        /// Bytes of the block in the frame: its 12-byte header plus 4 per Float32 value.
        public var byteCount: Int {
            switch self {
            case .lowRank(let matrix): LowRankBlocks.blockHeaderBytes + 4 * (matrix.p.count + matrix.q.count)
            case .dense(let values): LowRankBlocks.blockHeaderBytes + 4 * values.count
            }
        }
    }

    /// Bytes of each block's header (rows, columns, rank as UInt32).
    public static let blockHeaderBytes = 12

    /// The blocks, in vector order (at least one, none empty).
    public let blocks: [Block]

    /// Elements of the whole vector, the sum of the blocks' counts.
    public var count: Int { blocks.reduce(0) { $0 + $1.count } }

    /// Bytes of the frame, `Σ byteCount` of the blocks.
    public var byteCount: Int { blocks.reduce(0) { $0 + $1.byteCount } }

    /// Wraps this process's own output (precondition: at least one block, no empty block).
    public init(blocks: [Block]) {
        precondition(!blocks.isEmpty && blocks.allSatisfy { $0.count >= 1 }, "LowRankBlocks: empty block list or block")
        self.blocks = blocks
    }

    /// The dense vector: each block's values (P·Qᵀ for low-rank blocks) in order.
    public var dense: [Float] {
        var out: [Float] = []
        out.reserveCapacity(count)
        for block in blocks {
            switch block {
            case .lowRank(let matrix): out += matrix.dense
            case .dense(let values): out += values
            }
        }
        return out
    }

    /// Reads and validates `blockCount` blocks of a frame for a vector of `count` elements.
    /// Errors: `truncated` (a header or a block's values run past the frame), `invalidValue`
    /// (`field.blocks[i].rows` for a shape without elements or beyond the count, `….rank` for a
    /// rank above min(n, m), `field.blocks` when the blocks cover fewer elements), `nonFinite`
    /// (`….p`, `….q`, `….values`), `trailingBytes` after the last block.
    static func validated(
        count: Int, blockCount: Int, raw: UnsafeRawBufferPointer, field: String
    ) throws(DecodeError) -> LowRankBlocks {
        var reader = WireReader(raw)
        var blocks: [Block] = []
        blocks.reserveCapacity(min(blockCount, raw.count / blockHeaderBytes))
        var covered = 0
        for index in 0..<blockCount {
            let name = field + ".blocks[\(index)]"
            let rows = Int(try reader.read(UInt32.self, name + ".rows"))
            let columns = Int(try reader.read(UInt32.self, name + ".columns"))
            let rank = Int(try reader.read(UInt32.self, name + ".rank"))
            let (elements, overflow) = rows.multipliedReportingOverflow(by: columns)
            guard rows >= 1, columns >= 1, !overflow, elements <= count - covered else {
                throw .invalidValue(field: name + ".rows",
                                    reason: "a \(rows)×\(columns) block does not fit in the \(count - covered) elements "
                                        + "left of \(count) (blocks must be non-empty and cover the vector exactly)")
            }
            guard rank <= min(rows, columns) else {
                throw .invalidValue(field: name + ".rank",
                                    reason: "rank \(rank) is outside 0 … \(min(rows, columns)) for a \(rows)×\(columns) block "
                                        + "(0 = dense values)")
            }
            guard rank >= 1 || rows == 1 else {  // one encoding per vector: the encoder writes dense blocks as 1 × n
                throw .invalidValue(field: name + ".rows",
                                    reason: "a dense block (rank 0) is 1 × its length, found \(rows)×\(columns)")
            }
            // rows + columns < 2³³ cannot overflow; rank · (rows + columns) can.
            let (factorValues, factorOverflow) = rank.multipliedReportingOverflow(by: rows + columns)
            let values = rank == 0 ? elements : factorValues
            guard rank == 0 || !factorOverflow, values <= reader.remaining / 4 else {
                throw .truncated(field: name + ".values", needed: factorOverflow || values > Int.max / 4 ? Int.max : 4 * values,
                                 available: reader.remaining)
            }
            var floats: [Float] = []
            floats.reserveCapacity(values)
            for _ in 0..<values { floats.append(Float(bitPattern: try reader.read(UInt32.self, name + ".values"))) }
            if rank == 0 {
                if let bad = firstNonFiniteFloat(floats) { throw .nonFinite(field: name + ".values", index: bad) }
                blocks.append(.dense(floats))
            } else {
                let split = rows * rank
                let matrix = try LowRankMatrix.validated(
                    count: elements, rows: rows, columns: columns, rank: rank,
                    p: Array(floats[0..<split]), q: Array(floats[split...]), field: name)
                blocks.append(.lowRank(matrix))
            }
            covered += elements
        }
        guard covered == count else {
            throw .invalidValue(field: field + ".blocks",
                                reason: "\(blockCount) blocks cover \(covered) of the payload's \(count) elements")
        }
        guard reader.remaining == 0 else { throw .trailingBytes(field: field + ".blocks", count: reader.remaining) }
        return LowRankBlocks(blocks: blocks)
    }

    /// Checks the parameter block's B: 1 ≤ B ≤ count (every block holds at least one element).
    static func checkBlockCount(_ blockCount: Int, count: Int, field: String) throws(DecodeError) {
        guard blockCount >= 1, blockCount <= count else {
            throw .invalidValue(field: field + ".blocks",
                                reason: "\(blockCount) blocks for \(count) elements; a block list holds 1 … \(count) non-empty blocks")
        }
    }

    /// Writes the frame (exactly `byteCount` bytes) at `offset` of `destination`, advancing it.
    func write(into destination: UnsafeMutableRawBufferPointer, offset: inout Int) {
        func put(_ value: UInt32) {
            destination.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
            offset += 4
        }
        for block in blocks {
            switch block {
            case .lowRank(let matrix):
                put(UInt32(matrix.rows))
                put(UInt32(matrix.columns))
                put(UInt32(matrix.rank))
                for value in matrix.p { put(value.bitPattern) }
                for value in matrix.q { put(value.bitPattern) }
            case .dense(let values):
                put(1)
                put(UInt32(values.count))
                put(0)
                for value in values { put(value.bitPattern) }
            }
        }
    }
}
