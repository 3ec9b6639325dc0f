// The spec's worked examples ([R]/[D]) with the project's defaults, plus decoding validation.

import Foundation
@testable import Sim
import Protocol
import Testing

@Suite struct CompressionExampleTests {
    static let gradients: [[Float]] = [[0.5, -0.1, 0.05, -0.8, 0.3, 0.02], [0.1, -0.25, 0.05, 0.1, 0.15, 0.01], [0, 0.05, 0.2, 0.01, -0.05, 0]]

    func close(_ a: [Float], _ b: [Double], _ tolerance: Double = 1e-6) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs(Double($0) - $1) <= tolerance }
    }

    @Test func topKWithErrorFeedbackTableB2() {
        let ef = ErrorFeedback(TopK(ratio: 1.0 / 3))
        var memory = CompressionMemory()
        var random = CompressionRandom(recorded: RecordedDraws())
        let sentIndices = Self.gradients.map { sparseParts(ef.compress($0, memory: &memory, random: &random)).indices }
        #expect(sentIndices == [[0, 3], [1, 4], [2, 3]])
        #expect(close(memory.residual, [0.1, 0.05, 0, 0, -0.05, 0.03]))
    }

    @Test func dgcMomentumCorrectionAndMaskingB34() {
        let dgc = DeepGradientCompression(ratio: 1.0 / 3, momentum: 0.9)
        var memory = CompressionMemory()
        var random = CompressionRandom(recorded: RecordedDraws())
        var sent: [[Int]] = []
        for (t, g) in Self.gradients.enumerated() {
            let (indices, values) = sparseParts(dgc.compress(g, memory: &memory, random: &random))
            sent.append(indices)
            if t == 1 {
                #expect(close(values, [-0.44, 0.72]))
                #expect(close(memory.momentum, [0.1, 0, 0.095, 0.1, 0, 0.028]))
                #expect(close(memory.velocity, [0.1, 0, 0.145, 0.1, 0, 0.048]))
            }
            if t == 2 { #expect(close(values, [0.4305, 0.2])) }
        }
        #expect(sent == [[0, 3], [1, 4], [2, 3]])
    }

    @Test func dgcWithoutMomentumIsTopKWithErrorFeedbackB35() {
        let dgc = DeepGradientCompression(ratio: 1.0 / 3, momentum: 0, selection: .exact)
        let ef = ErrorFeedback(TopK(ratio: 1.0 / 3))
        var m1 = CompressionMemory(), m2 = CompressionMemory()
        var random = CompressionRandom(recorded: RecordedDraws())
        for g in Self.gradients {
            #expect(dgc.compress(g, memory: &m1, random: &random) == ef.compress(g, memory: &m2, random: &random))
            #expect(m1.velocity == m2.residual)
        }
        #expect(DGCWarmup.paper(finalRatio: 0.001).explicitRatios! + [DGCWarmup.paper(finalRatio: 0.001).ratio(epoch: 4)]
                == [0.25, 0.0625, 0.015625, 0.00390625, 0.001])
    }

    @Test func qsgdWorkedExampleB43() {
        var sqError = 0.0
        let trials = 4000
        for t in 0..<trials {
            var memory = CompressionMemory()
            var random = CompressionRandom(key: RandomKey(seed: 43, purpose: .compression, round: UInt64(t)))
            let sent = QSGD(levels: 4).compress([0.6, -0.8, 0, 0], memory: &memory, random: &random)
            guard case .quantized(let q) = sent.form else { Issue.record("not quantized"); return }
            #expect([2, 3].contains(q.levels[0]) && [-3, -4].contains(q.levels[1]) && q.levels[2] == 0 && q.levels[3] == 0)
            let y = sent.decode()
            sqError += zip(y, [0.6, -0.8, 0, 0] as [Double]).reduce(0) { $0 + pow(Double($1.0) - $1.1, 2) }
        }
        #expect(abs(sqError / Double(trials) - 0.025) < 0.002)  // E‖q − v‖² = 0.025
        #expect(QSGD(levels: 4).compress([0, 0, 0]).decode() == [0, 0, 0])  // zero norm → zeros
    }

    @Test func ternGradExampleB5AndNaturalExampleB9() {
        var ups = 0, negatives = 0
        for t in 0..<2000 {
            var memory = CompressionMemory()
            var random = CompressionRandom(key: RandomKey(seed: 5, purpose: .compression, round: UInt64(t)))
            let y = TernGrad(clipSigmas: nil).compress([0.2, -0.5, 0.1, 0], memory: &memory, random: &random).decode()
            #expect(y[1] == -0.5 && y[3] == 0 && [0, 0.5].contains(y[0]))
            var r2 = CompressionRandom(key: RandomKey(seed: 6, purpose: .compression, round: UInt64(t)))
            let n = NaturalCompression().compress([0.3, -0.75, 1], memory: &memory, random: &r2).decode()
            #expect([0.25, 0.5].contains(n[0]) && [-0.5, -1].contains(n[1]) && n[2] == 1)
            if n[0] == 0.5 { ups += 1 }
            if n[1] == -1 { negatives += 1 }
        }
        #expect(abs(Double(ups) / 2000 - 0.2) < 0.03 && abs(Double(negatives) / 2000 - 0.5) < 0.04)
    }

    @Test func signPackingPolarityAndVoteB6() {
        let x: [Float] = [0.5, -1, 0, -0.0, 2, -3, 1, -0.25, 7, -1]
        guard case .signs(let s) = SignSGD().compress(x).form else { Issue.record("not signs"); return }
        #expect(s.bytes == [0x51, 0x01])  // DESIGN §2 / spec §C.1 decision
        let rows: [[Float]] = [[-1, -1, 1, 1, -1], [-1, 1, 1, -1, -1], [1, 1, -1, -1, -1]]
        #expect(SignSGD.majorityVote(rows) == [-1, 1, 1, -1, -1])
        #expect(SignSGD.majorityVote([[1, -1], [-1, -1]]) == [0, -1])
    }

    @Test func scaledSignErrorFeedbackExampleB7() {
        let ef = ErrorFeedback(ScaledSign(), scale: 1)
        var memory = CompressionMemory()
        var random = CompressionRandom(recorded: RecordedDraws())
        let d1 = ef.compress([0.3, -0.1, 0.02, -0.4], memory: &memory, random: &random).decode()
        #expect(close(d1, [0.205, -0.205, 0.205, -0.205]) && close(memory.residual, [0.095, 0.105, -0.185, -0.195]))
        let d2 = ef.compress([0.1, 0.05, -0.2, 0.3], memory: &memory, random: &random).decode()
        #expect(close(d2, [0.21, 0.21, -0.21, 0.21]) && close(memory.residual, [-0.015, -0.055, -0.175, -0.105]))
    }

    @Test func powerSGDExampleB10AndInvariants() {
        var memory = CompressionMemory()
        memory.factorQ = [1, 0]
        var random = CompressionRandom(recorded: RecordedDraws())
        let m: [Float] = [1, 2, 3, 4, 5, 6]
        let sent = ErrorFeedback(PowerSGD(rows: 3, columns: 2, rank: 1)).compress(m, memory: &memory, random: &random)
        guard case .lowRank(let f) = sent.form else { Issue.record("not low rank"); return }
        #expect(close(f.p, [0.169031, 0.507093, 0.845154]) && close(f.q, [5.916080, 7.437357], 1e-5))
        #expect(close(memory.residual, [0, 0.742857, 0, 0.228571, 0, -0.285714]))
        // Rank ≥ rank(M): exact after one step; warm start converges to the best rank-1 error 0.0539.
        #expect(close(PowerSGD(rows: 3, columns: 2, rank: 2).compress(m).decode(), m.map(Double.init), 1e-5))
        var warm = CompressionMemory()
        warm.factorQ = [1, 0]
        var approx: [Float] = []
        for _ in 0..<20 { approx = PowerSGD(rows: 3, columns: 2, rank: 1).compress(m, memory: &warm, random: &random).decode() }
        let err = zip(m, approx).reduce(0.0) { $0 + pow(Double($1.0 - $1.1), 2) }.squareRoot() / 91.0.squareRoot()
        #expect(abs(err - 0.0539) < 0.0005)
        let p = PowerSGD(rows: 8, columns: 6, rank: 3).compress(CompressionPropertyTests.vector(48, seed: 3))
        guard case .lowRank(let g) = p.form else { return }
        for a in 0..<3 { for b in 0..<3 {
            let dot = (0..<8).reduce(0.0) { $0 + Double(g.p[$1 * 3 + a]) * Double(g.p[$1 * 3 + b]) }
            #expect(abs(dot - (a == b ? 1 : 0)) < 1e-5)
        } }
    }

    // MARK: - Validation of received forms

    @Test func malformedFormsAreRejectedWithTypedErrors() {
        func error(_ t: CompressedTensor, _ d: Int) -> CompressionError? {
            do { _ = try t.decompressed(expectedCount: d); return nil } catch { return error }
        }
        #expect(error(CompressedTensor(count: 4, form: .dense([1, 2, 3, 4])), 5) == .countMismatch(expected: 5, found: 4))
        #expect(error(CompressedTensor(count: 4, form: .sparse(indices: [1, 4], values: [1, 2])), 4) == .indexOutOfRange(index: 4, count: 4))
        #expect(error(CompressedTensor(count: 4, form: .sparse(indices: [2, 2], values: [1, 2])), 4) == .indicesNotAscending(position: 1))
        #expect(error(CompressedTensor(count: 4, form: .sparse(indices: [1], values: [1, 2])), 4) == .lengthMismatch(part: "values", expected: 1, found: 2))
        #expect(error(CompressedTensor(count: 2, form: .dense([1, .nan])), 2) == .nonFinite(part: "values", position: 1))
        #expect(error(CompressedTensor(count: 2, form: .scaledSigns(PackedSigns(signs: [1, -1]), scale: .infinity)), 2) == .nonFinite(part: "scale", position: 0))
        let q = QuantizedLevels(levelCount: 2, bucketSize: 2, norms: [1, 1], levels: [1, 3, 0])
        #expect(error(CompressedTensor(count: 3, form: .quantized(q)), 3) == .invalidParameter(name: "level[1]", value: 3, reason: "|level| must be ≤ 2"))
        let big = QuantizedLevels(levelCount: 1, bucketSize: 1, norms: [Float.greatestFiniteMagnitude], levels: [1])
        #expect(error(CompressedTensor(count: 1, form: .quantized(big)), 1) == nil)
        let lr = LowRankFactors(rows: 2, columns: 3, rank: 1, p: [1, 2], q: [1, 2])
        #expect(error(CompressedTensor(count: 6, form: .lowRank(lr)), 6) == .lengthMismatch(part: "Q", expected: 3, found: 2))
        let overflow = LowRankFactors(rows: 1, columns: 1, rank: 1, p: [3e38], q: [3e38])
        #expect(error(CompressedTensor(count: 1, form: .lowRank(overflow)), 1) == .nonFinite(part: "decoded", position: 0))
        #expect(CompressionError.indexOutOfRange(index: 9, count: 4).description.contains("9"))
    }
}
