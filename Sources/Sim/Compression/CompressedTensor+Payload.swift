// The one place where Sim's compressed forms meet Protocol's payload forms. A compressor's output
// (`CompressedTensor`) becomes the `TensorPayload` that travels (`payload`), and a received payload
// becomes a `CompressedTensor` again (`init(payload:sharedKey:)`) so that the receiver can validate
// and decode it without any compressor state (`TensorPayload.decompressed`).
//
// Every form maps one to one, with one exception: random-k's values travel without their indices
// (`sharedSparse`); the receiver re-derives them from the shared key (seed, round, shared client)
// and k, exactly as `RandomK.indices(count:random:)` drew them on the sender. Decoding therefore
// needs that key; without it a shared-sparse payload is refused.
//
// Protocol's frame decoder already checks lengths, index order and finiteness of what it reads;
// `decompressed` checks again at the tensor level (count against the model dimension, levels
// against s, shape against rank) and additionally that the *decoded* vector is finite (a QSGD norm
// or a low-rank product can overflow to infinity from finite parts).

import Protocol

extension CompressedTensor {
    /// The payload form that carries this tensor (this process's own, trusted output).
    public var payload: TensorPayload {
        switch form {
        case .dense(let values):
            return .dense(values)
        case .float16(let bits):
            return .float16(bits)
        case .sparse(let indices, let values):
            return .sparse(SparseValues(count: count, indices: indices, values: values))
        case .sharedSparse(_, let values):
            return .sharedSparse(SharedSparseValues(count: count, values: values))
        case .signs(let signs):
            return .packedSigns(signs)
        case .scaledSigns(let signs, let scale):
            return .scaledSigns(signs, scale: scale)
        case .ternary(let ternary, let scale):
            return .scaledTernary(ternary, scale: scale)
        case .quantized(let q):
            return .quantized(PackedLevels(levelCount: q.levelCount, bucketSize: q.bucketSize, norms: q.norms,
                                           levels: q.levels))
        case .powersOfTwo(let codes):
            return .powersOfTwo(codes)
        case .lowRank(let f):
            return .lowRank(LowRankMatrix(rows: f.rows, columns: f.columns, rank: f.rank, p: f.p, q: f.q))
        case .lowRankBlocks(let blocks):
            return .lowRankBlocks(LowRankBlocks(blocks: blocks.map { block in
                switch block {
                case .factors(let f): .lowRank(LowRankMatrix(rows: f.rows, columns: f.columns, rank: f.rank, p: f.p, q: f.q))
                case .dense(let values): .dense(values)
                }
            }))
        }
    }

    /// The tensor a received payload carries. `sharedKey` is the key of shared draws for this
    /// round (`CompressionRandom.key(seed:round:client:randomness: .shared)`); only shared-sparse
    /// payloads need it. Throws `unexpectedForm` for vote counts and plain ternary values (no
    /// compressor produces them) and for a shared-sparse payload without a key. The result still
    /// has to pass `validate(expectedCount:)`.
    public init(payload: TensorPayload, sharedKey: RandomKey?) throws(CompressionError) {
        let count = payload.elementCount
        switch payload {
        case .dense(let values):
            self.init(count: count, form: .dense(values))
        case .float16(let bits):
            self.init(count: count, form: .float16(bits: bits))
        case .sparse(let sparse):
            self.init(count: count, form: .sparse(indices: sparse.indices, values: sparse.values))
        case .sharedSparse(let shared):
            guard let sharedKey else {
                throw .unexpectedForm(found: "sharedSparse", expected: "a run whose uplink or downlink is randomk")
            }
            var random = CompressionRandom(key: sharedKey)
            let indices = random.subset(count: shared.values.count, of: count).map { UInt32($0) }.sorted()
            self.init(count: count, form: .sharedSparse(indices: indices, values: shared.values))
        case .packedSigns(let signs):
            self.init(count: count, form: .signs(signs))
        case .scaledSigns(let signs, let scale):
            self.init(count: count, form: .scaledSigns(signs, scale: scale))
        case .scaledTernary(let ternary, let scale):
            self.init(count: count, form: .ternary(ternary, scale: scale))
        case .quantized(let levels):
            self.init(count: count, form: .quantized(QuantizedLevels(
                levelCount: levels.levelCount, bucketSize: levels.bucketSize, norms: levels.norms, levels: levels.levels)))
        case .powersOfTwo(let codes):
            self.init(count: count, form: .powersOfTwo(codes: codes))
        case .lowRank(let matrix):
            self.init(count: count, form: .lowRank(LowRankFactors(rows: matrix.rows, columns: matrix.columns,
                                                                  rank: matrix.rank, p: matrix.p, q: matrix.q)))
        case .lowRankBlocks(let list):
            self.init(count: count, form: .lowRankBlocks(list.blocks.map { block in
                switch block {
                case .lowRank(let m): .factors(LowRankFactors(rows: m.rows, columns: m.columns, rank: m.rank, p: m.p, q: m.q))
                case .dense(let values): .dense(values)
                }
            }))
        case .voteCounts, .ternary:
            throw .unexpectedForm(found: "\(payload.codec)", expected: "a compressed update or model")
        }
    }
}

extension TensorPayload {
    /// Validates and decodes an untrusted payload to `expectedCount` finite Float32 values (the
    /// receiver's side of every compressor): lengths, indices, parameters and finiteness of the
    /// parts and of the decoded vector. `sharedKey`: see `CompressedTensor.init(payload:sharedKey:)`.
    public func decompressed(expectedCount: Int, sharedKey: RandomKey?) throws(CompressionError) -> [Float] {
        if case .dense(let values) = self {
            // The common case, without a copy into a CompressedTensor.
            guard values.count == expectedCount else { throw .countMismatch(expected: expectedCount, found: values.count) }
            if let i = values.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(part: "values", position: i) }
            return values
        }
        return try CompressedTensor(payload: self, sharedKey: sharedKey).decompressed(expectedCount: expectedCount)
    }
}
