// The compressor interface (GRACE decomposition, spec §B.0.1): `compress` turns a vector into a
// `CompressedTensor` and may update a per-client `CompressionMemory` that the caller keeps (the
// worker keeps one per client and may snapshot it); decoding belongs to the form
// (`CompressedTensor.decompressed(expectedCount:)`), so the receiver needs no compressor state.
// Error feedback is a wrapper (`ErrorFeedback`) around any compressor.

/// A gradient (or model) compressor.
public protocol Compressor: Sendable {
    /// Which random key the caller must give `compress` (see `CompressionRandomness`).
    var randomness: CompressionRandomness { get }
    /// True when E[decode(compress(x))] = x (spec §B.0.3); biased compressors want error feedback.
    var isUnbiased: Bool { get }
    /// Compresses `x`, reading and updating `memory` (empty buffers on the first call) and drawing
    /// from `random`. `x` must be finite.
    func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor
}

extension Compressor {
    /// Compresses with fresh memory and a fixed stream (for stateless, deterministic use and tests).
    public func compress(_ x: [Float]) -> CompressedTensor {
        var memory = CompressionMemory()
        var random = CompressionRandom(key: RandomKey(seed: 0, purpose: .compression))
        return compress(x, memory: &memory, random: &random)
    }
}

/// Per-client compressor state, kept by the caller between rounds. Each compressor uses only the
/// fields it documents; unused fields stay empty. A plain value: copy it to snapshot it.
public struct CompressionMemory: Sendable, Equatable {
    /// Error-feedback residual e (`ErrorFeedback`).
    public var residual: [Float] = []
    /// DGC momentum u.
    public var momentum: [Float] = []
    /// DGC accumulated velocity v.
    public var velocity: [Float] = []
    /// PowerSGD factor P (alternating variant), rows × rank.
    public var factorP: [Float] = []
    /// PowerSGD factor Q (warm start), columns × rank.
    public var factorQ: [Float] = []
    /// Compress calls made by compressors that count them (PowerSGD alternation).
    public var steps: Int = 0
    /// Compress calls made through `ErrorFeedback`.
    public var feedbackSteps: Int = 0

    /// Empty memory (the state of a client that has not compressed yet).
    public init() {}
}

/// The identity compressor: dense Float32.
public struct NoCompression: Compressor {
    /// The identity.
    public init() {}
    public var randomness: CompressionRandomness { .none }
    public var isUnbiased: Bool { true }
    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        CompressedTensor(count: x.count, form: .dense(x))
    }
}

/// fp16 casting (spec §B.11): round to nearest even, |x| ≥ 65520 becomes ±∞ (which the receiver
/// rejects), magnitudes ≤ 2⁻²⁵ become ±0. Biased but deterministic; 16 bits per element.
public struct Float16Compression: Compressor {
    /// The cast.
    public init() {}
    public var randomness: CompressionRandomness { .none }
    public var isUnbiased: Bool { false }
    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        CompressedTensor(count: x.count, form: .float16(bits: x.map { Float16($0).bitPattern }))
    }
}
