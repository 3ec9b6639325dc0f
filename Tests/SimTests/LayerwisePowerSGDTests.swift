// Per-layer PowerSGD (spec §B.10 "per weight tensor reshaped to a matrix; vectors (biases) sent
// uncompressed"): the block layout of [W1, b1, W2, b2], exact reconstruction at full rank, biases
// bit for bit, each matrix equal to a stand-alone PowerSGD on its slice with the layer's derived
// stream and its own warm-start Q, the payload round trip and the byte formula.

@testable import Sim
import Protocol
import Testing

@Suite struct LayerwisePowerSGDTests {
    /// 6 → 5 → 3: W1 6×5 at 0, b1 at 30, W2 5×3 at 35, b2 at 50; 53 parameters.
    static let shapes: [(inputs: Int, outputs: Int)] = [(6, 5), (5, 3)]
    static let d = 53

    static func key(round: UInt64 = 2) -> RandomKey {
        CompressionRandom.key(seed: 7, round: round, client: 0, randomness: .shared)
    }

    static func compress(_ compressor: some Compressor, _ x: [Float], memory: inout CompressionMemory,
                         round: UInt64 = 2) -> CompressedTensor {
        var random = CompressionRandom(key: key(round: round))
        return compressor.compress(x, memory: &memory, random: &random)
    }

    @Test func blocksFollowTheModelLayout() {
        let blocks = LayerwisePowerSGD.blocks(layerShapes: Self.shapes)
        #expect(blocks == [
            .init(offset: 0, rows: 6, columns: 5, isMatrix: true), .init(offset: 30, rows: 1, columns: 5, isMatrix: false),
            .init(offset: 35, rows: 5, columns: 3, isMatrix: true), .init(offset: 50, rows: 1, columns: 3, isMatrix: false),
        ])
        #expect(blocks.reduce(0) { $0 + $1.count } == ModelSpec(inputs: 6, hidden: [5], classes: 3).parameterCount)
    }

    @Test(arguments: [3, 5, 8])
    func fullRankReconstructsExactlyAfterOneStep(rank: Int) {
        // rank ≥ min(n, m) of every matrix (min(6, 5) = 5, min(5, 3) = 3) for 5 and 8; rank 3 only for W2.
        let x = CompressionPropertyTests.vector(Self.d, seed: 11)
        var memory = CompressionMemory()
        let compressor = LayerwisePowerSGD(rank: rank, blocks: LayerwisePowerSGD.blocks(layerShapes: Self.shapes))
        let decoded = Self.compress(compressor, x, memory: &memory).decode()
        let scale = x.map(abs).max()!
        let w1Error = (0..<30).map { abs(decoded[$0] - x[$0]) }.max()!
        let w2Error = (35..<50).map { abs(decoded[$0] - x[$0]) }.max()!
        #expect(w2Error <= 1e-5 * scale)
        if rank >= 5 { #expect(w1Error <= 1e-5 * scale) } else { #expect(w1Error > 1e-3 * scale) }
        // Biases pass bit for bit whatever the rank.
        #expect(Array(decoded[30..<35]) == Array(x[30..<35]) && Array(decoded[50..<53]) == Array(x[50..<53]))
    }

    /// Each matrix is a stand-alone warm-start PowerSGD on its slice, drawing its first Q from the
    /// stream derived from the shared key and the layer index, and carrying its own Q to the next call.
    @Test func eachMatrixIsItsOwnPowerSGDWithItsOwnWarmStart() throws {
        let compressor = LayerwisePowerSGD(rank: 2, blocks: LayerwisePowerSGD.blocks(layerShapes: Self.shapes))
        var memory = CompressionMemory()
        var alone = [CompressionMemory(), CompressionMemory()]
        let matrices = [(offset: 0, rows: 6, columns: 5), (offset: 35, rows: 5, columns: 3)]
        for step in 0..<3 {
            let x = CompressionPropertyTests.vector(Self.d, seed: 20 + UInt64(step))
            let sent = Self.compress(compressor, x, memory: &memory, round: 2 + UInt64(step))
            guard case .lowRankBlocks(let blocks) = sent.form else { Issue.record("not a block form"); return }
            #expect(blocks.count == 4)
            for (layer, m) in matrices.enumerated() {
                var random = CompressionRandom(key: Self.key(round: 2 + UInt64(step))).derived(part: layer)
                let expected = PowerSGD(rows: m.rows, columns: m.columns, rank: 2)
                    .compress(Array(x[m.offset..<(m.offset + m.rows * m.columns)]), memory: &alone[layer], random: &random)
                #expect(blocks[2 * layer] == .factors(try #require({ if case .lowRank(let f) = expected.form { f } else { nil } }())),
                        "step \(step) layer \(layer)")
            }
            #expect(memory.factorQ == alone[0].factorQ + alone[1].factorQ)
        }
        // The layers' first Q differ (derived streams), and every client of a round draws the same.
        var layer0 = CompressionRandom(key: Self.key()).derived(part: 0)
        var layer1 = CompressionRandom(key: Self.key()).derived(part: 1)
        #expect(layer0.normal() != layer1.normal())
        var a = CompressionMemory(), b = CompressionMemory()
        let x = CompressionPropertyTests.vector(Self.d, seed: 3)
        #expect(Self.compress(compressor, x, memory: &a) == Self.compress(compressor, x, memory: &b))
    }

    @Test func alternatingVariantKeepsPerLayerFactors() {
        let compressor = LayerwisePowerSGD(rank: 2, variant: .alternating, blocks: LayerwisePowerSGD.blocks(layerShapes: Self.shapes))
        var memory = CompressionMemory()
        for step in 0..<3 {
            _ = Self.compress(compressor, CompressionPropertyTests.vector(Self.d, seed: UInt64(step)), memory: &memory)
            #expect(memory.steps == step + 1)
            #expect(memory.factorP.count == 6 * 2 + 5 * 2 && memory.factorQ.count == 5 * 2 + 3 * 2)
        }
    }

    /// The payload survives the wire and decodes to the same vector; its frame is the documented
    /// Σ 4·r·(n + m) + 4·biases + 12 per block, which is also `wireByteCount`.
    @Test func payloadRoundTripsAndBytesAreTheFormula() throws {
        let compressor = LayerwisePowerSGD(rank: 2, blocks: LayerwisePowerSGD.blocks(layerShapes: Self.shapes))
        var memory = CompressionMemory()
        let x = CompressionPropertyTests.vector(Self.d, seed: 5)
        let sent = Self.compress(compressor, x, memory: &memory)
        let update = Update(round: 2, client: 1, sampleCount: 1, trainLoss: 0, wallComputeSeconds: 0, virtualComputeSeconds: 0,
                            payload: sent.payload)
        let received = try Message.decode(frames: Message.update(update).encoded().frames())
        guard case .update(let back) = received else { Issue.record("not an update"); return }
        #expect(back.payload.codec == .lowRankBlocks)
        #expect(try CompressedTensor(payload: back.payload, sharedKey: nil) == sent)
        #expect(try back.payload.decompressed(expectedCount: Self.d, sharedKey: nil) == sent.decode())
        let formula = 4 * 2 * (6 + 5) + 4 * 5 + 4 * 2 * (5 + 3) + 4 * 3 + 12 * 4
        #expect(sent.payload.byteCount == formula)
        #expect(sent.wireByteCount == formula && compressor.payloadByteCount == formula)
        #expect(update.encodedByteCount == Update(round: 2, client: 1, sampleCount: 1, trainLoss: 0, wallComputeSeconds: 0,
                                                  virtualComputeSeconds: 0, payload: .dense([])).encodedByteCount + 4 + formula)
    }

    @Test func errorFeedbackLeavesNoResidualOnBiases() {
        let compressor = ErrorFeedback(LayerwisePowerSGD(rank: 1, blocks: LayerwisePowerSGD.blocks(layerShapes: Self.shapes)))
        var memory = CompressionMemory()
        _ = Self.compress(compressor, CompressionPropertyTests.vector(Self.d, seed: 8), memory: &memory)
        #expect(memory.residual[30..<35].allSatisfy { $0 == 0 } && memory.residual[50..<53].allSatisfy { $0 == 0 })
        #expect(memory.residual[0..<30].contains { $0 != 0 })
    }

    @Test func hostileBlockListsAreRefused() {
        let f = LowRankFactors(rows: 2, columns: 2, rank: 1, p: [1, 2], q: [3, 4])
        func error(_ blocks: [LowRankBlock], _ count: Int) -> CompressionError? {
            do { _ = try CompressedTensor(count: count, form: .lowRankBlocks(blocks)).decompressed(expectedCount: count) } catch {
                return error
            }
            return nil
        }
        #expect(error([.factors(f), .dense([1])], 5) == nil)
        #expect(error([.factors(f), .dense([1])], 6) == .countMismatch(expected: 6, found: 5))
        #expect(error([.factors(f), .dense([1, 2])], 5) == .countMismatch(expected: 5, found: 6))
        #expect(error([], 0) == .lengthMismatch(part: "blocks", expected: 1, found: 0))
        #expect(error([.factors(f), .dense([.nan])], 5) == .nonFinite(part: "values", position: 0))
        let badRank = LowRankFactors(rows: 2, columns: 2, rank: 3, p: [1, 2, 3, 4, 5, 6], q: [1, 2, 3, 4, 5, 6])
        #expect(error([.factors(badRank)], 4) == .invalidParameter(name: "rank", value: 3, reason: "must be in 1...min(rows, columns)"))
        let huge = LowRankFactors(rows: 1, columns: 1, rank: 1, p: [3e38], q: [3e38])
        #expect(error([.factors(huge)], 1) == .nonFinite(part: "decoded", position: 0))
    }
}
