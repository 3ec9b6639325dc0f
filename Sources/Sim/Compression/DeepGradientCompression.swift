// Deep Gradient Compression (Lin et al., ICLR 2018; spec §B.3). Per client: optional local
// gradient clipping, momentum correction (u ← m·u + g; v ← v + u, or the Nesterov form), selection
// of ≈ ρd coordinates of the accumulated velocity v, transmission of (v_I, I), and momentum factor
// masking (u_I ← 0, v_I ← 0; without masking only v_I ← 0). u and v live in `CompressionMemory`
// (`momentum`, `velocity`); DGC is its own error feedback, so do not wrap it in `ErrorFeedback`,
// and the server must not apply momentum again to the averaged result.
//
// Selection (`DGCSelection`): `.sampled` is the authors' code (synxlin/deep-gradient-compression
// dgc/compression.py: strided sample, threshold from the top ⌈ρ·samples⌉, ×1.3 / ×0.8 adaptation,
// exact top-k of the candidates when too many, then the first ⌈ρd⌉ candidates *in index order*);
// `.grace` is GRACE's simpler variant (uniform sample with replacement, ×1.3 / ×0.7, no cap);
// `.exact` is exact top-⌈ρd⌉ (no randomness). Warm-up (`DGCWarmup`) gives ρ per epoch; the
// caller builds the compressor with that round's ρ. Float32 constants (m, 1.3, 0.8, 0.7) multiply
// Float32 tensors as torch does.

import Foundation

/// Deep Gradient Compression (biased; sparse form, 64k + 32 bits).
public struct DeepGradientCompression: Compressor {
    /// Local gradient clipping before the momentum update.
    public enum Clipping: Sendable, Equatable {
        /// No clipping.
        case none
        /// Scale g so ‖g‖₂ ≤ maxNorm · workers^(−1/2) (the paper's local clipping).
        case norm(maxNorm: Double, workers: Int)
        /// Clamp each element to ±bound (GRACE: bound = √(mean over workers of Σg²), computed by the caller).
        case elementwise(bound: Float)
    }

    /// ρ, the target kept fraction this round (after warm-up).
    public var ratio: Double
    /// m, the momentum factor (0.9).
    public var momentum: Float
    /// Nesterov momentum correction: u ← m(u + g); v ← v + u + g.
    public var nesterov: Bool
    /// Momentum factor masking (zero u at the sent indices as well as v). Default on.
    public var masking: Bool
    /// Local gradient clipping.
    public var clipping: Clipping
    /// How the sent coordinates are chosen.
    public var selection: DGCSelection

    /// DGC with the authors' defaults: m = 0.9, masking on, sampled selection, no clipping.
    public init(ratio: Double, momentum: Float = 0.9, nesterov: Bool = false, masking: Bool = true,
                clipping: Clipping = .none, selection: DGCSelection = .sampled(DGCSampling())) {
        self.ratio = ratio
        self.momentum = momentum
        self.nesterov = nesterov
        self.masking = masking
        self.clipping = clipping
        self.selection = selection
    }

    public var randomness: CompressionRandomness { selection == .exact ? .none : .perClient }
    public var isUnbiased: Bool { false }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        let d = x.count
        let g = clipped(x)
        if memory.momentum.count != d { memory.momentum = [Float](repeating: 0, count: d) }
        if memory.velocity.count != d { memory.velocity = [Float](repeating: 0, count: d) }
        for i in 0..<d {
            if nesterov {
                memory.momentum[i] = momentum * (memory.momentum[i] + g[i])
                memory.velocity[i] += memory.momentum[i] + g[i]
            } else {
                memory.momentum[i] = momentum * memory.momentum[i] + g[i]
                memory.velocity[i] += memory.momentum[i]
            }
        }
        let indices = selection.select(memory.velocity, ratio: ratio, random: &random).indices
        let values = indices.map { memory.velocity[Int($0)] }
        for i in indices {
            memory.velocity[Int(i)] = 0
            if masking { memory.momentum[Int(i)] = 0 }
        }
        return CompressedTensor(count: d, form: .sparse(indices: indices, values: values))
    }

    /// The gradient after local clipping.
    public func clipped(_ x: [Float]) -> [Float] {
        switch clipping {
        case .none:
            return x
        case .elementwise(let bound):
            return x.map { min(max($0, -bound), bound) }
        case .norm(let maxNorm, let workers):
            let limit = maxNorm / Double(max(1, workers)).squareRoot()
            var sum = 0.0
            for v in x { sum += Double(v) * Double(v) }
            let norm = sum.squareRoot()
            guard norm > limit, norm > 0 else { return x }
            let factor = Float(limit / norm)
            return x.map { $0 * factor }
        }
    }
}

/// DGC's warm-up (spec §B.3.2): ρ per epoch during the first epochs, then the final ρ.
public struct DGCWarmup: Sendable, Equatable {
    /// The final kept fraction.
    public var finalRatio: Double
    /// E, warm-up epochs.
    public var epochs: Int
    /// Explicit ratios for epochs 0..<E, or nil for the authors' default c^(e+1) with c = ρ^(1/(E+1)).
    public var explicitRatios: [Double]?

    /// A schedule; `explicitRatios` must have at least `epochs` entries when given.
    public init(finalRatio: Double, epochs: Int, explicitRatios: [Double]? = nil) {
        precondition(explicitRatios.map { $0.count >= epochs } ?? true, "DGC warm-up needs \(epochs) ratios")
        self.finalRatio = finalRatio
        self.epochs = epochs
        self.explicitRatios = explicitRatios
    }

    /// The paper's list: densities 1/4, 1/16, 1/64, 1/256, then `finalRatio`.
    public static func paper(finalRatio: Double) -> DGCWarmup {
        DGCWarmup(finalRatio: finalRatio, epochs: 4, explicitRatios: [0.25, 0.0625, 0.015625, 0.00390625])
    }

    /// c = ρ^(1/(E+1)), the authors' default coefficient.
    public var defaultCoefficient: Double { pow(finalRatio, 1.0 / Double(epochs + 1)) }

    /// ρ in `epoch` (0-based): the explicit entry, or max(c^(e+1), ρ) during warm-up; ρ after.
    public func ratio(epoch: Int) -> Double {
        guard epoch >= 0, epoch < epochs else { return finalRatio }
        if let list = explicitRatios { return list[epoch] }
        return max(pow(defaultCoefficient, Double(epoch + 1)), finalRatio)
    }
}
