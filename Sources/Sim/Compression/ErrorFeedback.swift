// Error feedback (residual memory, spec §B.1), as a wrapper around any compressor:
//   p ← γ·x + e;  c ← C(p);  e ← p − D(c).
// So D(c) + e_new = γ·x + e_old: exact when D(c)_i is p_i or 0 (sparsifiers), within an ulp of p
// otherwise. γ is the EF-SGD learning rate of §B.7 (1 for plain residual memory, as in GRACE's
// `ResidualMemory` with β = γ = 1).
//
// Compatibility: GRACE's EF-signSGD memory skips γ on the very first step (it returns the raw
// gradient); `scalesFirstStep = false` reproduces that (fixture quirk); the default follows the spec.

/// Residual memory around `base`; the residual lives in `CompressionMemory.residual`.
public struct ErrorFeedback: Compressor {
    /// The wrapped compressor.
    public var base: any Compressor
    /// γ, multiplied into x before the residual is added (Float32, as torch rounds Python floats).
    public var scale: Float
    /// False reproduces GRACE's EF-signSGD first step (p = x, no γ). Default true (spec).
    public var scalesFirstStep: Bool

    /// Error feedback around `base` with learning rate `scale` (1 = plain residual memory).
    public init(_ base: any Compressor, scale: Float = 1, scalesFirstStep: Bool = true) {
        self.base = base
        self.scale = scale
        self.scalesFirstStep = scalesFirstStep
    }

    public var randomness: CompressionRandomness { base.randomness }
    /// Error feedback makes the sum of what is sent track the sum of inputs, but one message is biased.
    public var isUnbiased: Bool { false }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        let gamma: Float = (memory.feedbackSteps == 0 && !scalesFirstStep) ? 1 : scale
        var p = x
        if gamma != 1 { for i in p.indices { p[i] *= gamma } }
        if memory.residual.count == p.count {
            for i in p.indices { p[i] += memory.residual[i] }
        }
        let compressed = base.compress(p, memory: &memory, random: &random)
        let decoded = compressed.decode()
        for i in p.indices { p[i] -= decoded[i] }
        memory.residual = p
        memory.feedbackSteps += 1
        return compressed
    }
}
