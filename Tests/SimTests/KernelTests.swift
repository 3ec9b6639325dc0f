import Foundation
import Testing
@testable import Sim

@Suite struct KernelTests {
    /// Row-major reference product in Double: alpha · op(A) op(B) + beta · C.
    private func naiveGemm(
        _ ta: BLAS.Transpose, _ tb: BLAS.Transpose, m: Int, n: Int, k: Int,
        alpha: Float, a: [Float], b: [Float], beta: Float, c: [Float]
    ) -> [Double] {
        var out = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let av = ta == .none ? a[i * k + p] : a[p * m + i]
                    let bv = tb == .none ? b[p * n + j] : b[j * k + p]
                    sum += Double(av) * Double(bv)
                }
                out[i * n + j] = Double(alpha) * sum + Double(beta) * Double(c[i * n + j])
            }
        }
        return out
    }

    @Test(arguments: [(BLAS.Transpose.none, BLAS.Transpose.none), (.transposed, .none), (.none, .transposed),
                      (.transposed, .transposed)])
    func sgemmMatchesNaiveProduct(ta: BLAS.Transpose, tb: BLAS.Transpose) {
        for (shapeIndex, (m, n, k)) in [(1, 1, 1), (3, 5, 7), (17, 4, 9), (8, 33, 2)].enumerated() {
            let seed = UInt64(100 + shapeIndex)
            let a = ModelFixtures.floats(seed: seed, count: m * k)
            let b = ModelFixtures.floats(seed: seed + 10, count: k * n)
            let c0 = ModelFixtures.floats(seed: seed + 20, count: m * n)
            for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-2, 0.25)] {
                var c = c0
                a.withUnsafeBufferPointer { ap in
                    b.withUnsafeBufferPointer { bp in
                        c.withUnsafeMutableBufferPointer { cp in
                            BLAS.sgemm(ta, tb, m: m, n: n, k: k, alpha: alpha, a: ap, b: bp, beta: beta, c: cp)
                        }
                    }
                }
                let expected = naiveGemm(ta, tb, m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c0)
                for i in 0..<(m * n) {
                    #expect(abs(Double(c[i]) - expected[i]) <= 1e-5 * max(1, abs(expected[i])),
                            "m=\(m) n=\(n) k=\(k) alpha=\(alpha) beta=\(beta) at \(i)")
                }
            }
        }
    }

    /// On a CPU with AVX2 or AVX-512 the products never run OpenBLAS's generic SSE3 ("Prescott")
    /// kernels, which an OpenBLAS older than the CPU falls back to (unless the user forced a core).
    @Test func blasRunsKernelsForThisCPU() {
        let core = BLAS.core
        let forced = !(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "").isEmpty
        guard !forced, !core.name.isEmpty, SIMDKernels.level >= 2 else { return }
        #expect(core.name.lowercased() != "prescott", "OpenBLAS core \(core.name)")
        if core.switched { #expect(["skylakex", "haswell"].contains(core.name.lowercased())) }
    }

    @Test func sgemmWithEmptyInnerDimensionScalesC() {
        var c: [Float] = [1, 2, 3, .nan]
        let empty: [Float] = []
        empty.withUnsafeBufferPointer { e in
            c.withUnsafeMutableBufferPointer { cp in
                BLAS.sgemm(.none, .none, m: 2, n: 2, k: 0, a: e, b: e, beta: 0, c: cp)
            }
        }
        #expect(c == [0, 0, 0, 0])
        var d: [Float] = [1, 2, 3, 4]
        empty.withUnsafeBufferPointer { e in
            d.withUnsafeMutableBufferPointer { dp in
                BLAS.sgemm(.none, .none, m: 2, n: 2, k: 0, a: e, b: e, beta: 2, c: dp)
            }
        }
        #expect(d == [2, 4, 6, 8])
    }

    @Test func threadCountIsSettableAndClampedToOne() {
        BLAS.setThreads(0)
        #expect(BLAS.threads == 1)
        BLAS.setThreads(1)
        #expect(BLAS.threads == 1)
    }

    @Test func columnSumsAndReluKernels() {
        let m: [Float] = [1, 2, 3, 4, 5, 6]  // 3 × 2
        var sums = [Float](repeating: .nan, count: 2)
        m.withUnsafeBufferPointer { mp in
            sums.withUnsafeMutableBufferPointer { DenseKernels.columnSums(of: mp, rows: 3, into: $0) }
        }
        #expect(sums == [9, 12])

        var x: [Float] = [-1, 0, 2, -0.5]
        x.withUnsafeMutableBufferPointer { DenseKernels.reluInPlace($0) }
        #expect(x == [0, 0, 2, 0])
        let upstream: [Float] = [10, 20, 30, 40]
        upstream.withUnsafeBufferPointer { u in
            x.withUnsafeMutableBufferPointer { DenseKernels.reluBackwardInPlace(activations: $0, upstream: u) }
        }
        #expect(x == [0, 0, 30, 0])
    }

    @Test func softmaxGradientOfKnownLogits() {
        // Two rows, three classes. Row 0 uniform logits: p = 1/3; row 1: logits (0, ln 2, ln 1) → p = (1/4, 1/2, 1/4).
        var z: [Float] = [5, 5, 5, 0, Float(log(2.0)), 0]
        let labels: [Int32] = [2, 1]
        let lossSum = z.withUnsafeMutableBufferPointer { zp in
            labels.withUnsafeBufferPointer { SoftmaxKernels.crossEntropyGradientInPlace(zp, rows: 2, classes: 3, labels: $0) }
        }
        #expect(abs(lossSum - (log(3.0) + log(2.0))) < 1e-6)
        let expected: [Float] = [1.0 / 6, 1.0 / 6, (1.0 / 3 - 1) / 2, 0.125, (0.5 - 1) / 2, 0.125]
        for i in 0..<6 { #expect(abs(z[i] - expected[i]) < 1e-6, "element \(i)") }
    }

    @Test func softmaxIsStableForHugeLogits() {
        let z: [Float] = [1e4, -1e4, 0, -1e4, 1e4, 1e4]
        let labels: [Int32] = [1, 0]
        let (lossSum, correct) = z.withUnsafeBufferPointer { zp in
            labels.withUnsafeBufferPointer { SoftmaxKernels.crossEntropyAndCorrect(zp, rows: 2, classes: 3, labels: $0) }
        }
        #expect(lossSum.isFinite)
        #expect(abs(lossSum - (2e4 + (2e4 + log(2.0)))) < 1e-2)
        #expect(correct == 0)  // row 1's first maximum is class 1, the label is 0
        var g = z
        let gradientLoss = g.withUnsafeMutableBufferPointer { gp in
            labels.withUnsafeBufferPointer { SoftmaxKernels.crossEntropyGradientInPlace(gp, rows: 2, classes: 3, labels: $0) }
        }
        #expect(gradientLoss == lossSum)
        #expect(g.allSatisfy { $0.isFinite })
    }
}
