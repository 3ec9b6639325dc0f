import Protocol
import Testing

/// Hostile input for the compressed forms: one test per validation rule, plus every truncation.
/// Update metadata: descriptor at offset 36 (codec 36, count 37…44, parameter length 45…48), parameters from 49.
@Suite struct CompressedRejectionTests {
    private static let nan = Float.nan.bitPattern
    private static let infinity = Float.infinity.bitPattern

    @Test(arguments: [1, 7, 13])
    func everyTruncationIsRejected(count: Int) {
        for payload in CompressedSamples.payloads(count: count) {
            for message in [Message.update(CompressedSamples.update(payload)),
                            .task(Task(round: 1, modelVersion: 1, model: payload, clients: [ClientTask(client: 1)]))] {
                let frames = message.encoded().frames()
                for frame in 0..<frames.count {
                    for length in 0..<frames[frame].count {
                        var cut = frames
                        cut[frame] = Array(frames[frame].prefix(length))
                        // Fix the header's lengths (except when cutting the header itself) so the
                        // metadata or payload checks, not the header, must catch the cut.
                        let candidate = frame == 0 ? cut : reheadered(cut)
                        #expect(decodeError(candidate) != nil, "\(payload.codec) frame \(frame + 1) cut to \(length)")
                    }
                }
            }
        }
    }

    @Test func parameterBlockLengthIsChecked() {
        let frames = updateFrames(.sparse(SparseValues(count: 4, indices: [1], values: [1])))
        var short = replacingMetadata(frames, at: 45, with: littleEndianBytes(UInt32(0)))
        short[1].removeSubrange(49..<53)
        #expect(decodeError(reheadered(short)) == .invalidValue(
            field: "update.payload.parameters", reason: "sparse payloads take 4 parameter bytes (the kept count), found 0"))
        var float16 = updateFrames(.float16([0x3C00]))
        float16 = replacingMetadata(float16, at: 45, with: littleEndianBytes(UInt32(1)))
        float16[1].append(0)
        #expect(decodeError(reheadered(float16)) == .invalidValue(
            field: "update.payload.parameters", reason: "float16 payloads take no parameters, found 1 bytes"))
    }

    @Test func expectedDimensionAppliesToCompressedForms() {
        for payload in CompressedSamples.payloads(count: 9) {
            #expect(decodeError(updateFrames(payload), limits: DecodeLimits(expectedDimension: 10))
                    == .dimensionMismatch(expected: 10, found: 9), "\(payload.codec)")
        }
    }

    // MARK: - Float16

    @Test(arguments: [UInt16(0x7C00), 0xFC00, 0x7E00, 0x7C01])
    func float16InfinityAndNaNAreRejected(bits: UInt16) {
        let frames = replacingPayload(updateFrames(.float16([0x3C00, 0x8000, 0x0001])), at: 2, with: littleEndianBytes(bits))
        #expect(decodeError(frames) == .nonFinite(field: "update.payload", index: 1))
    }

    // MARK: - Sparse

    @Test func sparseIndicesMustAscendAndBeInRange() {
        let frames = updateFrames(.sparse(SparseValues(count: 10, indices: [2, 7], values: [1, -2])))
        let swapped = replacingPayload(frames, at: 0, with: littleEndianBytes(UInt32(7)) + littleEndianBytes(UInt32(2)))
        #expect(decodeError(swapped) == .invalidValue(
            field: "update.payload.indices",
            reason: "index 2 at position 1 does not exceed the previous index 7 (indices must ascend without duplicates)"))
        let duplicate = replacingPayload(frames, at: 0, with: littleEndianBytes(UInt32(7)))
        #expect(decodeError(duplicate) == .invalidValue(
            field: "update.payload.indices",
            reason: "index 7 at position 1 does not exceed the previous index 7 (indices must ascend without duplicates)"))
        let outside = replacingPayload(frames, at: 4, with: littleEndianBytes(UInt32(10)))
        #expect(decodeError(outside) == .invalidValue(
            field: "update.payload.indices", reason: "index 10 at position 1 is not below the 10 elements"))
        let huge = replacingPayload(frames, at: 4, with: littleEndianBytes(UInt32.max))
        #expect(decodeError(huge) != nil)
    }

    @Test func sparseValuesMustBeFinite() {
        let frames = updateFrames(.sparse(SparseValues(count: 10, indices: [2, 7], values: [1, -2])))
        #expect(decodeError(replacingPayload(frames, at: 12, with: littleEndianBytes(Self.nan)))
                == .nonFinite(field: "update.payload.values", index: 1))
    }

    @Test func sparseKeptCountIsCheckedAgainstCountAndFrame() {
        let frames = updateFrames(.sparse(SparseValues(count: 3, indices: [0, 2], values: [1, 1])))
        #expect(decodeError(replacingMetadata(frames, at: 49, with: littleEndianBytes(UInt32(4)))) == .invalidValue(
            field: "update.payload.parameters.kept", reason: "4 kept elements exceed the 3 elements"))
        #expect(decodeError(replacingMetadata(frames, at: 49, with: littleEndianBytes(UInt32(1))))
                == .lengthMismatch(frame: 3, declared: 8, actual: 16))
    }

    // MARK: - Shared sparse

    @Test func sharedSparseIsChecked() {
        let frames = updateFrames(.sharedSparse(SharedSparseValues(count: 5, values: [1, 2])))
        #expect(decodeError(replacingPayload(frames, at: 4, with: littleEndianBytes(Self.infinity)))
                == .nonFinite(field: "update.payload.values", index: 1))
        #expect(decodeError(replacingMetadata(frames, at: 49, with: littleEndianBytes(UInt32(6)))) == .invalidValue(
            field: "update.payload.parameters.kept", reason: "6 kept elements exceed the 5 elements"))
        #expect(decodeError(replacingMetadata(frames, at: 49, with: littleEndianBytes(UInt32(3))))
                == .lengthMismatch(frame: 3, declared: 12, actual: 8))
    }

    // MARK: - Scaled signs and ternary

    @Test func scalesMustBeFinite() {
        let signs = updateFrames(.scaledSigns(PackedSigns(signs: [1, -1, 1]), scale: 2))
        #expect(decodeError(replacingMetadata(signs, at: 49, with: littleEndianBytes(Self.nan)))
                == .nonFinite(field: "update.payload.parameters.scale", index: 0))
        let ternary = updateFrames(.scaledTernary(PackedTernary(values: [1, 0, -1]), scale: 2))
        #expect(decodeError(replacingMetadata(ternary, at: 49, with: littleEndianBytes(Self.infinity)))
                == .nonFinite(field: "update.payload.parameters.scale", index: 0))
    }

    @Test func scaledPackedFormsCheckPaddingAndCodes() {
        let signs = updateFrames(.scaledSigns(PackedSigns(signs: [1, -1, 1]), scale: 2))
        #expect(decodeError(replacingPayload(signs, at: 0, with: [0x0D])) == .invalidValue(
            field: "update.payload", reason: "padding bits after sign 3 of the last byte must be 0"))
        let ternary = updateFrames(.scaledTernary(PackedTernary(values: [1, 0, -1, 1, 1]), scale: 2))
        #expect(decodeError(replacingPayload(ternary, at: 0, with: [0x03])) == .invalidValue(
            field: "update.payload", reason: "invalid ternary code 3 in byte 0"))
        #expect(decodeError(replacingPayload(ternary, at: 1, with: [0x05])) == .invalidValue(
            field: "update.payload", reason: "padding bits after value 5 of the last byte must be 0"))
    }

    // MARK: - Quantized

    /// d = 5, s = 1 (2-bit codes), buckets of 4: frame `8e 00` + norms 2, 0.5.
    private static let quantized = updateFrames(
        .quantized(PackedLevels(levelCount: 1, bucketSize: 4, norms: [2, 0.5], levels: [1, -1, 0, 1, 0])))

    @Test func quantizedParametersAreChecked() {
        #expect(decodeError(replacingMetadata(Self.quantized, at: 49, with: littleEndianBytes(UInt32(0)))) == .invalidValue(
            field: "update.payload.parameters.levelCount", reason: "0 levels; the format holds 1 … 32767"))
        #expect(decodeError(replacingMetadata(Self.quantized, at: 49, with: littleEndianBytes(UInt32(32768)))) == .invalidValue(
            field: "update.payload.parameters.levelCount", reason: "32768 levels; the format holds 1 … 32767"))
        #expect(decodeError(replacingMetadata(Self.quantized, at: 53, with: littleEndianBytes(UInt32(0)))) == .invalidValue(
            field: "update.payload.parameters.bucketSize", reason: "bucket size 0 must be at least 1"))
        // Buckets of 5 → one norm: the frame is 4 bytes too long.
        #expect(decodeError(replacingMetadata(Self.quantized, at: 53, with: littleEndianBytes(UInt32(5))))
                == .lengthMismatch(frame: 3, declared: 6, actual: 10))
        // s = 2 → 3-bit codes, 15 bits = 2 bytes still, but code 0 then reads 0b110 → level 3 > 2.
        #expect(decodeError(replacingMetadata(Self.quantized, at: 49, with: littleEndianBytes(UInt32(2)))) == .invalidValue(
            field: "update.payload.levels", reason: "level 3 at index 0 exceeds s = 2"))
    }

    @Test func quantizedCodesAreChecked() {
        // Code 0 → 0b01: sign set on magnitude 0.
        #expect(decodeError(replacingPayload(Self.quantized, at: 0, with: [0x8D])) == .invalidValue(
            field: "update.payload.levels", reason: "level at index 0 is a negative zero (sign bit set on magnitude 0)"))
        // s = 2, 3-bit codes: levels 2, −2 are 0b100, 0b101 (byte 0b0010_1100); 0b111 is −3 > s.
        let wide = updateFrames(.quantized(PackedLevels(levelCount: 2, bucketSize: 8, norms: [1], levels: [2, -2])))
        #expect(wide[2][0] == 0b0010_1100)
        #expect(decodeError(replacingPayload(wide, at: 0, with: [0b0011_1100])) == .invalidValue(
            field: "update.payload.levels", reason: "level 3 at index 1 exceeds s = 2"))
        #expect(decodeError(replacingPayload(Self.quantized, at: 1, with: [0x04])) == .invalidValue(
            field: "update.payload.levels", reason: "padding bits after code 5 of the last byte must be 0"))
    }

    @Test func quantizedNormsMustBeFiniteAndNonNegative() {
        #expect(decodeError(replacingPayload(Self.quantized, at: 6, with: littleEndianBytes(Self.nan)))
                == .nonFinite(field: "update.payload.norms", index: 1))
        #expect(decodeError(replacingPayload(Self.quantized, at: 2, with: littleEndianBytes(Float(-1).bitPattern)))
                == .invalidValue(field: "update.payload.norms", reason: "norm -1.0 of bucket 0 is negative"))
    }

    // MARK: - Powers of two

    @Test func powersOfTwoAcceptEveryCodeButNeedOneBytePerElement() throws {
        let all = TensorPayload.powersOfTwo((0...255).map { UInt8($0) })
        #expect(try Message.decode(frames: updateFrames(all)) == .update(CompressedSamples.update(all)))
        var frames = updateFrames(.powersOfTwo([1, 2, 3]))
        frames[2].removeLast()
        #expect(decodeError(reheadered(frames)) == .lengthMismatch(frame: 3, declared: 3, actual: 2))
    }

    // MARK: - Low rank

    /// 2 × 3 matrix, rank 1: P = [1, 2], Q = [1, 0, −1]; parameters rows 49, columns 53, rank 57.
    private static let lowRank = updateFrames(.lowRank(LowRankMatrix(rows: 2, columns: 3, rank: 1, p: [1, 2], q: [1, 0, -1])))

    @Test func lowRankShapeIsChecked() {
        #expect(decodeError(replacingMetadata(Self.lowRank, at: 49, with: littleEndianBytes(UInt32(3)))) == .invalidValue(
            field: "update.payload.parameters.rows", reason: "a 3×3 matrix does not have the 6 elements of the payload"))
        #expect(decodeError(replacingMetadata(Self.lowRank, at: 57, with: littleEndianBytes(UInt32(0)))) == .invalidValue(
            field: "update.payload.parameters.rank", reason: "rank 0 is outside 1 … 2 for a 2×3 matrix"))
        #expect(decodeError(replacingMetadata(Self.lowRank, at: 57, with: littleEndianBytes(UInt32(3)))) == .invalidValue(
            field: "update.payload.parameters.rank", reason: "rank 3 is outside 1 … 2 for a 2×3 matrix"))
        #expect(decodeError(replacingMetadata(Self.lowRank, at: 57, with: littleEndianBytes(UInt32(2))))
                == .lengthMismatch(frame: 3, declared: 40, actual: 20))
        // A shape whose product overflows must not trap.
        let overflow = replacingMetadata(Self.lowRank, at: 49, with: littleEndianBytes(UInt32.max) + littleEndianBytes(UInt32.max))
        #expect(decodeError(overflow) != nil)
    }

    @Test func lowRankFactorsMustBeFinite() {
        #expect(decodeError(replacingPayload(Self.lowRank, at: 4, with: littleEndianBytes(Self.nan)))
                == .nonFinite(field: "update.payload.p", index: 1))
        #expect(decodeError(replacingPayload(Self.lowRank, at: 16, with: littleEndianBytes(Self.infinity)))
                == .nonFinite(field: "update.payload.q", index: 2))
    }

    @Test func emptyLowRankIsRejected() {
        var frames = replacingMetadata(Self.lowRank, at: 37, with: littleEndianBytes(UInt64(0)))
        frames = replacingMetadata(frames, at: 49, with: littleEndianBytes(UInt32(0)) + littleEndianBytes(UInt32(3)))
        #expect(decodeError(frames) == .invalidValue(
            field: "update.payload.parameters.rank", reason: "a 0×3 matrix has no elements; send it dense"))
    }
}

/// Element counts and shapes chosen so that naive size arithmetic would overflow must be rejected, not trap.
@Suite struct CompressedOverflowTests {
    @Test func hugeQuantizedCountsAreRejected() {
        let frames = updateFrames(.quantized(PackedLevels(levelCount: 1, bucketSize: 1, norms: [1], levels: [1])))
        for count in [UInt64(1) << 61, (UInt64(1) << 62) + 4, UInt64(Int.max)] {
            #expect(decodeError(replacingMetadata(frames, at: 37, with: littleEndianBytes(count))) != nil, "\(count)")
        }
    }

    @Test func hugeLowRankShapesAreRejected() {
        let frames = updateFrames(.lowRank(LowRankMatrix(rows: 1, columns: 1, rank: 1, p: [1], q: [1])))
        let side: UInt32 = 3_000_000_000
        var huge = replacingMetadata(frames, at: 37, with: littleEndianBytes(UInt64(side) * UInt64(side)))
        huge = replacingMetadata(huge, at: 49, with: littleEndianBytes(side) + littleEndianBytes(side) + littleEndianBytes(side))
        #expect(decodeError(huge) == .invalidValue(
            field: "update.payload.parameters.rank",
            reason: "rank 3000000000 factors of a 3000000000×3000000000 matrix do not fit in memory"))
    }

    @Test func hugeSparseAndFloat16CountsAreHandled() throws {
        let float16 = updateFrames(.float16([0x3C00]))
        #expect(decodeError(replacingMetadata(float16, at: 37, with: littleEndianBytes(UInt64(Int.max)))) == .invalidValue(
            field: "update.payload.elementCount", reason: "\(Int.max) elements do not fit in memory"))
        let sparse = updateFrames(.sparse(SparseValues(count: 1, indices: [0], values: [1])))
        let hugeSparse = replacingMetadata(sparse, at: 37, with: littleEndianBytes(UInt64(Int.max)))
        #expect(try Message.decode(frames: hugeSparse).payloads[0].elementCount == Int.max,
                "k = 1 of a huge vector needs no allocation; the expected dimension limit rejects it")
        #expect(decodeError(hugeSparse, limits: DecodeLimits(expectedDimension: 1)) == .dimensionMismatch(expected: 1, found: Int.max))
    }
}
