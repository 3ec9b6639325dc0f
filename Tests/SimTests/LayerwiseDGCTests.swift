// Per-layer DGC: each weight matrix is its own DGC selection, biases are sent whole.

@testable import Sim
import Protocol
import Testing

@Suite struct LayerwiseDGCTests {
    @Test func matricesAreSelectedOnTheirOwnAndBiasesSentWhole() {
        let shapes = [(inputs: 6, outputs: 5), (inputs: 5, outputs: 3)]
        let blocks = LayerwiseDGC.blocks(layerShapes: shapes)
        #expect(blocks == [.init(offset: 0, count: 30, isMatrix: true), .init(offset: 30, count: 5, isMatrix: false),
                           .init(offset: 35, count: 15, isMatrix: true), .init(offset: 50, count: 3, isMatrix: false)])
        let base = DeepGradientCompression(ratio: 0.2, selection: .exact)
        let layerwise = LayerwiseDGC(base: base, blocks: blocks)
        var memory = CompressionMemory()
        var separate = blocks.map { _ in CompressionMemory() }
        var random = CompressionRandom(key: RandomKey(seed: 1, purpose: .compression))
        for step in 0..<3 {
            let x = CompressionPropertyTests.vector(53, seed: UInt64(step))
            let sent = layerwise.compress(x, memory: &memory, random: &random)
            guard case .sparse(let indices, let values) = sent.form else {
                Issue.record("not sparse")
                return
            }
            // The same as DGC on each block with that block's memory; vectors keep every entry.
            var expected: [UInt32] = [], expectedValues: [Float] = []
            for (b, block) in blocks.enumerated() {
                var compressor = base
                if !block.isMatrix { compressor.ratio = 1 }
                let part = compressor.compress(Array(x[block.offset..<(block.offset + block.count)]), memory: &separate[b],
                                               random: &random)
                guard case .sparse(let i, let v) = part.form else { return }
                #expect(i.count == (block.isMatrix ? block.count / 5 : block.count))
                expected += i.map { $0 + UInt32(block.offset) }
                expectedValues += v
            }
            #expect(indices == expected && values == expectedValues)
            #expect(memory.velocity == separate.flatMap(\.velocity))
            // Sent coordinates leave no velocity behind.
            #expect(indices.allSatisfy { memory.velocity[Int($0)] == 0 })
        }
    }
}
