// PowerSGD per layer, as spec §B.10 and the reference code (epfml/powersgd) run it: "per weight
// tensor reshaped to a matrix; vectors (biases) sent uncompressed". The flat update
// `[W1 (inputs × outputs, row-major), b1, W2, b2, …]` is cut into its blocks; each weight matrix
// gets its own PowerSGD step (rank min(r, rows, cols), its own warm-start Q), each bias travels as
// dense Float32. The result is one `lowRankBlocks` form (codec 13) that carries every block's shape,
// so the receiver decodes it without knowing the model.
//
// Memory: the matrices' Q factors (and P for the alternating variant) are kept concatenated in
// layer order in `CompressionMemory.factorQ` / `factorP`; a memory whose length does not match
// (first call, another model) starts every matrix afresh. Randomness: matrix l draws its initial Q
// from `random.derived(part: l)`, a stream derived from the round's shared key and the layer index,
// so all clients start from the same Q per layer. Error feedback is the generic `ErrorFeedback`
// around this compressor (biases are exact, so their residual stays zero).

import Protocol

/// One compressed block of a flat vector: low-rank factors of a matrix, or dense values.
public enum LowRankBlock: Sendable, Equatable {
    /// The factors of a rows × columns matrix (the block is P·Qᵀ, row-major).
    case factors(LowRankFactors)
    /// Dense Float32 values (a bias vector).
    case dense([Float])

    /// Float32 values that travel: r·(rows + columns) for factors, the element count for dense.
    public var valueCount: Int {
        switch self {
        case .factors(let f): f.rank * (f.rows + f.columns)
        case .dense(let values): values.count
        }
    }
}

/// PowerSGD applied per weight matrix, biases sent dense.
public struct LayerwisePowerSGD: Compressor {
    /// A contiguous rows × columns slice of the flat vector.
    public struct Block: Sendable, Equatable {
        /// First element.
        public var offset: Int
        /// Rows (a weight matrix's inputs; 1 for a vector).
        public var rows: Int
        /// Columns (a weight matrix's outputs; the length of a vector).
        public var columns: Int
        /// True for a matrix (low rank); false for a vector (sent dense).
        public var isMatrix: Bool

        /// Elements of the block.
        public var count: Int { rows * columns }

        /// A block of rows × columns elements at `offset`.
        public init(offset: Int, rows: Int, columns: Int, isMatrix: Bool) {
            self.offset = offset
            self.rows = rows
            self.columns = columns
            self.isMatrix = isMatrix
        }
    }

    /// r, the requested rank (each matrix uses min(r, rows, columns)).
    public var rank: Int
    /// Where Q comes from at each call (as `PowerSGD`).
    public var variant: PowerSGD.Variant
    /// The blocks, in layout order, covering the vector exactly.
    public var blocks: [Block]

    /// PowerSGD per matrix block at `rank`; vector blocks pass dense.
    public init(rank: Int, variant: PowerSGD.Variant = .warmStart, blocks: [Block]) {
        precondition(rank >= 1, "LayerwisePowerSGD rank \(rank)")
        self.rank = rank
        self.variant = variant
        self.blocks = blocks
    }

    /// The blocks of the flat layout `[W1 (inputs × outputs), b1, W2, b2, …]` of a model with these layers.
    public static func blocks(layerShapes: [(inputs: Int, outputs: Int)]) -> [Block] {
        var blocks: [Block] = []
        var offset = 0
        for shape in layerShapes {
            blocks.append(Block(offset: offset, rows: shape.inputs, columns: shape.outputs, isMatrix: true))
            offset += shape.inputs * shape.outputs
            blocks.append(Block(offset: offset, rows: 1, columns: shape.outputs, isMatrix: false))
            offset += shape.outputs
        }
        return blocks
    }

    public var randomness: CompressionRandomness { .shared }
    public var isUnbiased: Bool { false }

    /// Bytes of the payload frame (`wireByteCount` of every output):
    /// Σ_matrices 4·r·(n + m) + Σ_vectors 4·count + 12 per non-empty block.
    public var payloadByteCount: Int {
        blocks.filter { $0.count > 0 }.reduce(0) { total, block in
            total + LowRankBlocks.blockHeaderBytes
                + 4 * (block.isMatrix ? min(rank, block.rows, block.columns) * (block.rows + block.columns) : block.count)
        }
    }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        precondition(blocks.reduce(0) { $0 + $1.count } == x.count, "LayerwisePowerSGD: blocks do not cover the \(x.count) elements")
        let matrices = blocks.filter { $0.isMatrix && $0.count > 0 }
        let qTotal = matrices.reduce(0) { $0 + $1.columns * min(rank, $1.rows, $1.columns) }
        let pTotal = matrices.reduce(0) { $0 + $1.rows * min(rank, $1.rows, $1.columns) }
        let warmQ = memory.factorQ.count == qTotal
        let warmP = memory.factorP.count == pTotal
        var newQ: [Float] = [], newP: [Float] = []
        var qOffset = 0, pOffset = 0, layer = 0
        var steps = memory.steps
        var out: [LowRankBlock] = []
        for block in blocks where block.count > 0 {
            let range = block.offset..<(block.offset + block.count)
            guard block.isMatrix else {
                out.append(.dense(Array(x[range])))
                continue
            }
            let power = PowerSGD(rows: block.rows, columns: block.columns, rank: rank, variant: variant)
            let r = power.effectiveRank
            var slice = CompressionMemory()
            slice.steps = memory.steps
            if warmQ { slice.factorQ = Array(memory.factorQ[qOffset..<(qOffset + block.columns * r)]) }
            if warmP { slice.factorP = Array(memory.factorP[pOffset..<(pOffset + block.rows * r)]) }
            var layerRandom = random.derived(part: layer)
            let part = power.compress(Array(x[range]), memory: &slice, random: &layerRandom)
            guard case .lowRank(let factors) = part.form else { preconditionFailure("PowerSGD returned \(part.form.encoding)") }
            out.append(.factors(factors))
            newQ += slice.factorQ
            newP += slice.factorP
            steps = slice.steps
            qOffset += block.columns * r
            pOffset += block.rows * r
            layer += 1
        }
        memory.factorQ = newQ
        memory.factorP = newP
        memory.steps = steps
        return CompressedTensor(count: x.count, form: .lowRankBlocks(out))
    }
}
