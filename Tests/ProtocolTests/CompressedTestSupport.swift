import Protocol

/// Deterministic sample payloads of every compressed form, and the spec's size formulas.
enum CompressedSamples {
    /// Element counts for round trips: empty, lengths that are not multiples of 8 (or 4), and larger.
    static let counts = [0, 1, 3, 7, 9, 13, 64, 100]

    /// One payload per compressed form (two quantized variants; low rank only when count ≥ 1).
    static func payloads(count d: Int) -> [TensorPayload] {
        let indices = stride(from: 0, to: d, by: 3).map { UInt32($0) }
        var result: [TensorPayload] = [
            .float16((0..<d).map { UInt16(truncatingIfNeeded: $0 &* 40503) & 0xFBFF }),
            .sparse(SparseValues(count: d, indices: indices, values: indices.map { Float($0) * 0.5 - 1 })),
            .quantized(PackedLevels(levelCount: 5, bucketSize: 4,
                                    norms: (0..<((d + 3) / 4)).map { Float($0) + 0.75 },
                                    levels: (0..<d).map { Int16($0 % 11 - 5) })),
            .quantized(PackedLevels(levelCount: 127, bucketSize: max(d, 1), norms: d == 0 ? [] : [3.5],
                                    levels: (0..<d).map { Int16(($0 * 37) % 255 - 127) })),
            .sharedSparse(SharedSparseValues(count: d, values: (0..<(d / 2)).map { Float($0) - 2.25 })),
            .scaledSigns(PackedSigns(signs: (0..<d).map { $0 % 3 == 0 ? 1 : -1 }), scale: 0.25),
            .powersOfTwo((0..<d).map { UInt8(truncatingIfNeeded: $0 * 37) }),
            .scaledTernary(PackedTernary(values: (0..<d).map { Int8($0 % 3 - 1) }), scale: 1.5),
        ]
        if d >= 1 {
            let rows = d < 2 ? 1 : (2...d).first { d % $0 == 0 } ?? d
            let columns = d / rows
            let rank = min(2, rows, columns)
            result.append(
                .lowRank(LowRankMatrix(rows: rows, columns: columns, rank: rank,
                                       p: (0..<(rows * rank)).map { Float($0) - 1.5 },
                                       q: (0..<(columns * rank)).map { 0.5 * Float($0) + 0.125 })))
            result.append(.lowRankBlocks(lowRankBlocks(count: d)))
        }
        return result
    }

    /// Blocks of `count` ≥ 1 elements: a 2 × 3 rank-2 matrix when count ≥ 7, then dense values and a
    /// 1 × 1 rank-1 block (or a single dense value).
    static func lowRankBlocks(count d: Int) -> LowRankBlocks {
        var blocks: [LowRankBlocks.Block] = []
        var rest = d
        if d >= 7 {
            blocks.append(.lowRank(LowRankMatrix(rows: 2, columns: 3, rank: 2, p: [1, -2, 0.5, 3], q: [1, 0, -1, 2, 0.25, -4])))
            rest -= 6
        }
        if rest >= 2 {
            blocks.append(.dense((0..<(rest - 1)).map { Float($0) - 0.5 }))
            blocks.append(.lowRank(LowRankMatrix(rows: 1, columns: 1, rank: 1, p: [2], q: [0.25])))
        } else {
            blocks.append(.dense([3]))
        }
        return LowRankBlocks(blocks: blocks)
    }

    /// Every sample payload over `counts`, with its count.
    static var all: [TensorPayload] { counts.flatMap { payloads(count: $0) } }

    /// An update carrying `payload` (descriptor at metadata offset 36, parameters at 49).
    static func update(_ payload: TensorPayload) -> Update {
        Update(round: 5, client: 11, sampleCount: 32, trainLoss: 0.25, wallComputeSeconds: 0.5,
               virtualComputeSeconds: 1, payload: payload)
    }

    /// Bits by the spec's formula (coding-and-compression.md §B.13), a mirror of Sim's
    /// `WireEncoding.bits(count:)` for the encoding each form maps to in `CompressedForm.encoding`.
    static func specBits(_ payload: TensorPayload) -> Int {
        let d = payload.elementCount
        switch payload {
        case .dense: return 32 * d
        case .float16: return 16 * d
        case .sparse(let s): return 64 * s.indices.count + 32
        case .sharedSparse(let s): return 32 * s.values.count
        case .packedSigns: return 8 * ((d + 7) / 8)
        case .scaledSigns: return 8 * ((d + 7) / 8) + 32
        case .ternary: return 2 * d
        case .scaledTernary: return 2 * d + 32
        case .quantized(let q):
            let width = Int.bitWidth - q.levelCount.leadingZeroBitCount
            return d * (1 + width) + 32 * q.norms.count
        case .powersOfTwo: return 8 * d
        case .lowRank(let m): return 32 * m.rank * (m.rows + m.columns)
        case .lowRankBlocks(let list):
            // Σ r·(n + m) factor values + Σ dense values, 32 bits each, plus a 96-bit header per block.
            return list.blocks.reduce(0) { total, block in
                switch block {
                case .lowRank(let m): total + 32 * m.rank * (m.rows + m.columns) + 96
                case .dense(let values): total + 32 * values.count + 96
                }
            }
        case .voteCounts(let c): return d * c.bitsPerCount
        }
    }

    /// Bytes of the codec-parameter block that the spec's formula counts as payload (the 32-bit
    /// count of sparse, the 32-bit scale of scaled signs and scaled ternary).
    static func scalarBytesCountedBySpec(_ payload: TensorPayload) -> Int {
        switch payload {
        case .sparse, .scaledSigns, .scaledTernary: 4
        default: 0
        }
    }
}

/// Frames of an update message carrying `payload`.
func updateFrames(_ payload: TensorPayload) -> [[UInt8]] {
    Message.update(CompressedSamples.update(payload)).encoded().frames()
}

/// The frames with metadata bytes from `offset` replaced by `bytes`.
func replacingMetadata(_ frames: [[UInt8]], at offset: Int, with bytes: [UInt8]) -> [[UInt8]] {
    var frames = frames
    frames[1].replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    return frames
}

/// The frames with payload-frame bytes from `offset` replaced by `bytes`.
func replacingPayload(_ frames: [[UInt8]], at offset: Int, with bytes: [UInt8]) -> [[UInt8]] {
    var frames = frames
    frames[2].replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    return frames
}
