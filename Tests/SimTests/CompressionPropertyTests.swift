// Invariants and the spec's worked examples for the compressors (coding-and-compression.md part B).

import Foundation
@testable import Sim
import Protocol
import Testing

@Suite struct CompressionPropertyTests {
    /// A seeded vector of normals (Float32).
    static func vector(_ d: Int, seed: UInt64) -> [Float] {
        var g = RandomKey(seed: seed, purpose: .compression).generator
        return (0..<d).map { _ in Float(g.nextNormal()) }
    }

    static func random(_ seed: UInt64, round: UInt64 = 0, client: UInt64 = 0) -> CompressionRandom {
        CompressionRandom(key: RandomKey(seed: seed, purpose: .compression, round: round, client: client))
    }

    // MARK: - Top-k, random-k

    @Test(arguments: [1, 7, 100, 999]) func topKKeepsExactlyTheLargestMagnitudes(k: Int) {
        let x = Self.vector(1000, seed: 11)
        let sent = TopK(ratio: Double(k) / 1000).compress(x)
        let (indices, values) = sparseParts(sent)
        #expect(indices.count == k)
        #expect(indices == indices.sorted())
        let kept = Set(indices)
        let minKept = indices.map { abs(x[$0]) }.min() ?? 0
        let maxDropped = (0..<1000).filter { !kept.contains($0) }.map { abs(x[$0]) }.max() ?? 0
        #expect(minKept >= maxDropped)
        #expect(values == indices.map { x[$0] })
        // Naive reference: full sort by (|x| desc, index asc).
        let reference = (0..<1000).sorted { abs(x[$0]) != abs(x[$1]) ? abs(x[$0]) > abs(x[$1]) : $0 < $1 }.prefix(k).sorted()
        #expect(indices == Array(reference))
    }

    @Test func topKTieRuleIsLargerMagnitudeThenLowerIndex() {
        #expect(sparseParts(TopK(ratio: 2.0 / 3).compress([0.1, 0.3, 0.1])).indices == [0, 1])  // spec §B.2 tie fixture
        #expect(sparseParts(TopK(ratio: 0.6).compress([2, -2, 2, 2, -2])).indices == [0, 1, 2])
        #expect(MagnitudeSelection.keptCount(ratio: 0.29, count: 100) == 28)
        #expect(MagnitudeSelection.keptCount(ratio: 0.001, count: 10) == 1)
        #expect(MagnitudeSelection.keptCount(ratio: 0.5, count: 0) == 0)
    }

    @Test func kthLargestAgreesWithSortOnManyShapes() {
        for seed in UInt64(1)...20 {
            let d = Int(seed) * 37
            var values = Self.vector(d, seed: seed).map { ($0 * 4).rounded() }  // many ties
            let sorted = values.sorted(by: >)
            for k in [1, d / 2 + 1, d] { #expect(MagnitudeSelection.kthLargest(&values, k: k) == sorted[k - 1], "seed \(seed) k \(k)") }
        }
    }

    @Test func randomKIndicesAreSharedAcrossClientsForTheSameKey() {
        let compressor = RandomK(ratio: 0.05, scaled: false)
        let key = CompressionRandom.key(seed: 9, round: 3, client: 17, randomness: compressor.randomness)
        #expect(key.client == CompressionRandom.sharedClient)
        var a = CompressionRandom(key: key), b = CompressionRandom(key: key)
        var memory = CompressionMemory()
        let first = sparseParts(compressor.compress(Self.vector(400, seed: 1), memory: &memory, random: &a)).indices
        let second = sparseParts(compressor.compress(Self.vector(400, seed: 2), memory: &memory, random: &b)).indices
        #expect(first == second && first.count == 20 && Set(first).count == 20)
        var other = CompressionRandom(key: CompressionRandom.key(seed: 9, round: 4, client: 17, randomness: .shared))
        #expect(compressor.indices(count: 400, random: &other).map { Int($0) } != first)
        var dense = Self.random(5)
        #expect(Set(RandomK(ratio: 0.9, scaled: true).indices(count: 50, random: &dense)).count == 45)
    }

    // MARK: - Unbiasedness (Monte Carlo, seeded)

    /// Mean of `trials` decodings; each coordinate must lie within 5 standard errors of x (plus 1e-6).
    func expectUnbiased(_ compressor: any Compressor, _ x: [Float], trials: Int, _ label: String) {
        var sum = [Double](repeating: 0, count: x.count), sumSq = sum
        for t in 0..<trials {
            var memory = CompressionMemory()
            var random = Self.random(77, round: UInt64(t), client: 3)
            let y = compressor.compress(x, memory: &memory, random: &random).decode()
            for i in y.indices { sum[i] += Double(y[i]); sumSq[i] += Double(y[i]) * Double(y[i]) }
        }
        for i in x.indices {
            let mean = sum[i] / Double(trials)
            let variance = max(0, sumSq[i] / Double(trials) - mean * mean)
            let tolerance = 5 * (variance / Double(trials)).squareRoot() + 1e-6
            #expect(abs(mean - Double(x[i])) <= tolerance, "\(label)[\(i)]: mean \(mean) vs \(x[i]) (± \(tolerance))")
        }
    }

    @Test func qsgdTernGradScaledRandomKAndNaturalAreUnbiased() {
        let x = Self.vector(16, seed: 4)
        #expect(QSGD(levels: 4).isUnbiased && TernGrad(clipSigmas: nil).isUnbiased && RandomK(ratio: 0.25, scaled: true).isUnbiased)
        expectUnbiased(QSGD(levels: 4), x, trials: 3000, "qsgd s=4")
        expectUnbiased(QSGD(levels: 2, bucketSize: 5), x, trials: 3000, "qsgd s=2 b=5")
        expectUnbiased(TernGrad(clipSigmas: nil), x, trials: 3000, "terngrad")
        expectUnbiased(RandomK(ratio: 0.25, scaled: true), x, trials: 3000, "random-k scaled")
        expectUnbiased(NaturalCompression(), x, trials: 3000, "natural")
    }

    // MARK: - Error feedback (§B.1)

    @Test func errorFeedbackConservesMassExactlyOnSmallIntegers() {
        for base in [TopK(ratio: 0.25), ThresholdSparsifier(threshold: 2.5), RandomK(ratio: 0.25, scaled: false)] as [any Compressor] {
            let ef = ErrorFeedback(base)
            var memory = CompressionMemory()
            var random = Self.random(3)
            var sentTotal = [Float](repeating: 0, count: 12), inputTotal = sentTotal
            for t in 0..<6 {
                let x = (0..<12).map { Float(((($0 + 1) * (t + 3) * 7) % 11) - 5) }
                let sent = ef.compress(x, memory: &memory, random: &random).decode()
                for i in 0..<12 { sentTotal[i] += sent[i]; inputTotal[i] += x[i] }
                #expect(zip(sentTotal, memory.residual).map { $0 + $1 } == inputTotal, "\(type(of: base)) step \(t)")
            }
        }
    }

    @Test func errorFeedbackConservesMassWithinUlpsForQuantizers() {
        for base in [QSGD(levels: 3), ScaledSign(), NaturalCompression(), PowerSGD(rows: 6, columns: 8, rank: 2)] as [any Compressor] {
            let ef = ErrorFeedback(base)
            var memory = CompressionMemory()
            var random = Self.random(8)
            var sentTotal = [Double](repeating: 0, count: 48), inputTotal = sentTotal
            for t in 0..<5 {
                let x = Self.vector(48, seed: UInt64(100 + t))
                let sent = ef.compress(x, memory: &memory, random: &random).decode()
                for i in 0..<48 { sentTotal[i] += Double(sent[i]); inputTotal[i] += Double(x[i]) }
            }
            for i in 0..<48 {
                let gap = abs(sentTotal[i] + Double(memory.residual[i]) - inputTotal[i])
                #expect(gap <= 1e-5 * max(1, abs(inputTotal[i])), "\(type(of: base))[\(i)] gap \(gap)")
            }
        }
    }

    @Test func errorFeedbackWithIdentityKeepsZeroResidualAndTopKClearsSentIndices() {
        var memory = CompressionMemory()
        var random = Self.random(1)
        _ = ErrorFeedback(NoCompression()).compress(Self.vector(20, seed: 2), memory: &memory, random: &random)
        #expect(memory.residual == [Float](repeating: 0, count: 20))
        var topMemory = CompressionMemory()
        for t in 0..<3 {
            let sent = ErrorFeedback(TopK(ratio: 0.2)).compress(Self.vector(20, seed: UInt64(t)), memory: &topMemory, random: &random)
            for i in sparseParts(sent).indices { #expect(topMemory.residual[i] == 0) }
        }
    }

    // MARK: - Round trips and determinism

    @Test func losslessFormsRoundTrip() throws {
        let x = Self.vector(33, seed: 6)
        #expect(try NoCompression().compress(x).decompressed(expectedCount: 33) == x)
        #expect(try TopK(ratio: 1).compress(x).decompressed(expectedCount: 33) == x)
        let halves: [Float] = [0, -0.5, 1.5, 65504, -6.103515625e-05, 1025, 3]
        #expect(try Float16Compression().compress(halves).decompressed(expectedCount: 7) == halves)
        let powers: [Float] = [1, -0.25, 4096, 0]
        var memory = CompressionMemory()
        var random = Self.random(2)
        #expect(NaturalCompression().compress(powers, memory: &memory, random: &random).decode() == powers)
    }

    @Test func sameKeyGivesBitIdenticalOutput() {
        let x = Self.vector(64, seed: 12)
        for compressor in [QSGD(levels: 8), TernGrad(), NaturalCompression(), RandomK(ratio: 0.1, scaled: true),
                           DeepGradientCompression(ratio: 0.1), PowerSGD(rows: 8, columns: 8, rank: 2)] as [any Compressor] {
            var m1 = CompressionMemory(), m2 = CompressionMemory()
            var r1 = Self.random(5, round: 2), r2 = Self.random(5, round: 2)
            #expect(compressor.compress(x, memory: &m1, random: &r1) == compressor.compress(x, memory: &m2, random: &r2))
            #expect(m1 == m2)
        }
    }
}
