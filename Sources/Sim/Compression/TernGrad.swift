// TernGrad (Wen et al. 2017; spec §B.5), as GRACE implements it: optionally clip to ±c·σ (σ the
// population standard deviation of the tensor, c = 2.5; the bound c·σ formed in Double and applied
// as a Float32 clamp), s = max|clipped|, then per element threshold_i = Float32(u_i·s) from one
// uniform per element and t_i = 0 if threshold_i ≥ |clipped_i| else sign(clipped_i). Decoded value
// s·t_i. Unbiased with respect to the clipped gradient (P(t_i ≠ 0) = |g_i|/s). Wire: 2 bits per
// element (ternary codes of DESIGN's `PackedTernary`) + the 32-bit scale.

import Protocol

/// TernGrad ternary quantizer.
public struct TernGrad: Compressor {
    /// c in the ±c·σ clip; nil disables clipping (then the output is unbiased for x itself).
    public var clipSigmas: Double?

    /// TernGrad with clipping at `clipSigmas` standard deviations (GRACE: 2.5; nil = none).
    public init(clipSigmas: Double? = 2.5) { self.clipSigmas = clipSigmas }

    public var randomness: CompressionRandomness { .perClient }
    /// Unbiased only without clipping (clipping biases large entries toward 0).
    public var isUnbiased: Bool { clipSigmas == nil }

    /// The clip bound c·σ (Double) for `x`, or nil without clipping.
    public func clipBound(_ x: [Float]) -> Double? {
        guard let c = clipSigmas, !x.isEmpty else { return nil }
        var mean = 0.0
        for v in x { mean += Double(v) }
        mean /= Double(x.count)
        var variance = 0.0
        for v in x { variance += (Double(v) - mean) * (Double(v) - mean) }
        let sigma = Float((variance / Double(x.count)).squareRoot())
        return c * Double(sigma)
    }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        var clipped = x
        if let bound = clipBound(x) {
            let b = Float(bound)
            for i in clipped.indices { clipped[i] = min(max(clipped[i], -b), b) }
        }
        let scalar = clipped.reduce(Float(0)) { max($0, abs($1)) }
        var symbols = [Int8](repeating: 0, count: x.count)
        for i in clipped.indices {
            let threshold = Float(random.uniform() * Double(scalar))
            if threshold < abs(clipped[i]) { symbols[i] = clipped[i] > 0 ? 1 : -1 }
        }
        return CompressedTensor(count: x.count, form: .ternary(PackedTernary(values: symbols), scale: scalar))
    }
}
