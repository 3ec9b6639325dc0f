// Deep Gradient Compression per layer, as the paper and the authors' code run it (spec §B.3.1):
// every weight matrix is compressed on its own (its own top-ρ of its own velocity), while biases
// (tensors with fewer than two dimensions) are sent whole — still through the momentum correction,
// so they follow momentum SGD. The result is one sparse vector over the flat layout (indices offset
// by each block's start), so it travels in the ordinary sparse form and the receiver needs no
// knowledge of the layers. Memory (momentum u, velocity v) is kept over the whole flat vector and
// each block works on its slice; random draws are taken block after block in layout order.

/// DGC applied block by block: matrices sparsified, vectors sent whole.
public struct LayerwiseDGC: Compressor {
    /// A contiguous slice of the flat vector.
    public struct Block: Sendable, Equatable {
        /// First element.
        public var offset: Int
        /// Number of elements.
        public var count: Int
        /// True for a matrix (sparsified); false for a vector (sent whole).
        public var isMatrix: Bool

        /// A block of `count` elements at `offset`.
        public init(offset: Int, count: Int, isMatrix: Bool) {
            self.offset = offset
            self.count = count
            self.isMatrix = isMatrix
        }
    }

    /// The compressor of the matrices (its ratio, momentum, clipping and selection).
    public var base: DeepGradientCompression
    /// The blocks, in layout order, covering the vector exactly.
    public var blocks: [Block]

    /// DGC per block.
    public init(base: DeepGradientCompression, blocks: [Block]) {
        self.base = base
        self.blocks = blocks
    }

    /// The blocks of the flat layout `[W1 (in×out), b1, W2, b2, …]` of a model with these layers.
    public static func blocks(layerShapes: [(inputs: Int, outputs: Int)]) -> [Block] {
        var blocks: [Block] = []
        var offset = 0
        for shape in layerShapes {
            blocks.append(Block(offset: offset, count: shape.inputs * shape.outputs, isMatrix: true))
            offset += shape.inputs * shape.outputs
            blocks.append(Block(offset: offset, count: shape.outputs, isMatrix: false))
            offset += shape.outputs
        }
        return blocks
    }

    public var randomness: CompressionRandomness { base.randomness }
    public var isUnbiased: Bool { false }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        let d = x.count
        precondition(blocks.reduce(0) { $0 + $1.count } == d, "LayerwiseDGC: blocks do not cover the \(d) elements")
        if memory.momentum.count != d { memory.momentum = [Float](repeating: 0, count: d) }
        if memory.velocity.count != d { memory.velocity = [Float](repeating: 0, count: d) }
        var whole = base
        whole.ratio = 1
        whole.selection = .exact
        var indices: [UInt32] = []
        var values: [Float] = []
        for block in blocks where block.count > 0 {
            let range = block.offset..<(block.offset + block.count)
            var slice = CompressionMemory()
            slice.momentum = Array(memory.momentum[range])
            slice.velocity = Array(memory.velocity[range])
            let part = (block.isMatrix ? base : whole).compress(Array(x[range]), memory: &slice, random: &random)
            memory.momentum.replaceSubrange(range, with: slice.momentum)
            memory.velocity.replaceSubrange(range, with: slice.velocity)
            guard case .sparse(let blockIndices, let blockValues) = part.form else {
                preconditionFailure("DGC returned a \(part.form.encoding) form")
            }
            indices += blockIndices.map { $0 + UInt32(block.offset) }
            values += blockValues
        }
        return CompressedTensor(count: d, form: .sparse(indices: indices, values: values))
    }
}
