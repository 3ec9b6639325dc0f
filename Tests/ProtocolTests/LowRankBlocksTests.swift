import Protocol
import Testing

/// The per-layer PowerSGD payload (codec 13): round trip, byte accounting, and hostile input.
/// Update metadata: element count at 37, parameter length at 45, block count at 49. The sample's
/// frame: block 0 header at 0 (rows 0, columns 4, rank 8), P at 12…19, Q at 20…31; block 1
/// header at 32 (rows 32, columns 36, rank 40), values at 44…55.
@Suite struct LowRankBlocksTests {
    /// A 2 × 3 rank-1 matrix (P = [1, 2], Q = [1, 0, −1]) then a dense bias [5, −6, 7]: 9 elements.
    static let sample = LowRankBlocks(blocks: [
        .lowRank(LowRankMatrix(rows: 2, columns: 3, rank: 1, p: [1, 2], q: [1, 0, -1])),
        .dense([5, -6, 7]),
    ])
    static let frames = updateFrames(.lowRankBlocks(sample))

    @Test func roundTripsAndDecodesToTheBlocksInOrder() throws {
        let decoded = try Message.decode(frames: Self.frames)
        #expect(decoded == .update(CompressedSamples.update(.lowRankBlocks(Self.sample))))
        #expect(Self.sample.dense == [1, 0, -1, 2, 0, -2, 5, -6, 7])
        #expect(TensorPayload.lowRankBlocks(Self.sample).elementCount == 9)
        #expect(TensorPayload.lowRankBlocks(Self.sample).codecID == 13)
        for count in CompressedSamples.counts where count >= 1 {
            let payload = TensorPayload.lowRankBlocks(CompressedSamples.lowRankBlocks(count: count))
            #expect(payload.elementCount == count)
            #expect(try Message.decode(frames: updateFrames(payload)) == .update(CompressedSamples.update(payload)))
        }
    }

    /// Frame bytes = Σ 4·r·(n + m) + 4 · dense values + 12 per block; the metadata adds the 4-byte block count.
    @Test func bytesAreTheDocumentedFormula() {
        #expect(Self.sample.byteCount == 4 * 1 * (2 + 3) + 4 * 3 + 12 * 2)
        #expect(Self.frames[2].count == Self.sample.byteCount)
        let dense = Message.update(CompressedSamples.update(.dense([Float](repeating: 0, count: 9)))).encoded().frames()
        #expect(Self.frames[1].count == dense[1].count + 4)
        #expect(CompressedSamples.update(.lowRankBlocks(Self.sample)).encodedByteCount == 73 + 4 + 56)
    }

    @Test func blockCountIsChecked() {
        #expect(decodeError(replacingMetadata(Self.frames, at: 49, with: littleEndianBytes(UInt32(0)))) == .invalidValue(
            field: "update.payload.parameters.blocks",
            reason: "0 blocks for 9 elements; a block list holds 1 … 9 non-empty blocks"))
        #expect(decodeError(replacingMetadata(Self.frames, at: 49, with: littleEndianBytes(UInt32(10)))) == .invalidValue(
            field: "update.payload.parameters.blocks",
            reason: "10 blocks for 9 elements; a block list holds 1 … 9 non-empty blocks"))
        // More blocks announced than the frame holds: the third header is missing.
        #expect(decodeError(replacingMetadata(Self.frames, at: 49, with: littleEndianBytes(UInt32(3))))
                == .truncated(field: "update.payload.blocks[2].rows", needed: 4, available: 0))
        // Fewer: the second block's bytes are left over after the first covers 6 of 9 elements.
        #expect(decodeError(replacingMetadata(Self.frames, at: 49, with: littleEndianBytes(UInt32(1)))) == .invalidValue(
            field: "update.payload.blocks", reason: "1 blocks cover 6 of the payload's 9 elements"))
    }

    @Test func blockShapesMustCoverTheCountExactly() {
        #expect(decodeError(replacingPayload(Self.frames, at: 0, with: littleEndianBytes(UInt32(0)))) == .invalidValue(
            field: "update.payload.blocks[0].rows",
            reason: "a 0×3 block does not fit in the 9 elements left of 9 (blocks must be non-empty and cover the vector exactly)"))
        #expect(decodeError(replacingPayload(Self.frames, at: 36, with: littleEndianBytes(UInt32(4)))) == .invalidValue(
            field: "update.payload.blocks[1].rows",
            reason: "a 1×4 block does not fit in the 3 elements left of 9 (blocks must be non-empty and cover the vector exactly)"))
        // A dense block is written 1 × n; any other shape would decode to the same payload (not canonical).
        #expect(decodeError(replacingPayload(Self.frames, at: 32, with: littleEndianBytes(UInt32(3)) + littleEndianBytes(UInt32(1))))
                == .invalidValue(field: "update.payload.blocks[1].rows", reason: "a dense block (rank 0) is 1 × its length, found 3×1"))
        // A larger element count in the metadata: the blocks cover too little.
        #expect(decodeError(replacingMetadata(Self.frames, at: 37, with: littleEndianBytes(UInt64(12)))) == .invalidValue(
            field: "update.payload.blocks", reason: "2 blocks cover 9 of the payload's 12 elements"))
        // Bytes after the last block.
        var trailing = Self.frames
        trailing[2] += [0, 0, 0, 0]
        #expect(decodeError(reheadered(trailing)) == .trailingBytes(field: "update.payload.blocks", count: 4))
        // A dense block shortened to two values by a 1 × 2 header: its third value reads as the next header.
        #expect(decodeError(replacingPayload(Self.frames, at: 36, with: littleEndianBytes(UInt32(2)))) != nil)
    }

    @Test func ranksMustBeWithinTheShape() {
        #expect(decodeError(replacingPayload(Self.frames, at: 8, with: littleEndianBytes(UInt32(3)))) == .invalidValue(
            field: "update.payload.blocks[0].rank", reason: "rank 3 is outside 0 … 2 for a 2×3 block (0 = dense values)"))
        // Rank 2 needs 40 bytes of factors; the frame has 44 left after the header, but the bias
        // block then misses its header.
        #expect(decodeError(replacingPayload(Self.frames, at: 8, with: littleEndianBytes(UInt32(2)))) != nil)
        // A bias announced as rank 1 reads 4 factor values where 3 values are: the frame runs out.
        #expect(decodeError(replacingPayload(Self.frames, at: 40, with: littleEndianBytes(UInt32(1))))
                == .truncated(field: "update.payload.blocks[1].values", needed: 16, available: 12))
    }

    @Test func valuesMustBeFinite() {
        let nan = littleEndianBytes(Float.nan.bitPattern)
        #expect(decodeError(replacingPayload(Self.frames, at: 16, with: nan)) == .nonFinite(field: "update.payload.blocks[0].p", index: 1))
        #expect(decodeError(replacingPayload(Self.frames, at: 28, with: littleEndianBytes(Float.infinity.bitPattern)))
                == .nonFinite(field: "update.payload.blocks[0].q", index: 2))
        #expect(decodeError(replacingPayload(Self.frames, at: 48, with: nan)) == .nonFinite(field: "update.payload.blocks[1].values", index: 1))
    }

    /// Shapes whose sizes overflow naive arithmetic are rejected, not trapped on or allocated.
    @Test func hugeShapesAreRejected() {
        let side: UInt32 = 3_000_000_000
        var huge = replacingMetadata(Self.frames, at: 37, with: littleEndianBytes(UInt64(side) * UInt64(side)))
        huge = replacingMetadata(huge, at: 49, with: littleEndianBytes(UInt32(1)))
        huge = replacingPayload(huge, at: 0, with: littleEndianBytes(side) + littleEndianBytes(side) + littleEndianBytes(side))
        #expect(decodeError(huge) == .truncated(field: "update.payload.blocks[0].values", needed: Int.max, available: 44))
        let wide = replacingPayload(Self.frames, at: 0, with: littleEndianBytes(UInt32.max) + littleEndianBytes(UInt32.max))
        #expect(decodeError(wide) != nil)
    }
}
