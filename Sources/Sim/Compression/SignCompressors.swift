// Sign compressors. signSGD (Bernstein et al.; spec §B.6) sends one bit per coordinate; the
// server's majority vote is `SignSGD.majorityVote`. Scaled sign (Karimireddy et al. 2019, EF-signSGD;
// spec §B.7) sends (‖p‖₁/d)·sign(p): packed signs + one Float32 scale; wrap it in `ErrorFeedback`
// with the learning rate as `scale` for EF-SGD.
//
// Polarity: the project rule (DESIGN §2) by default — bit 1 iff x > 0, so 0 and −0.0 travel as −1.
// `SignPolarity.nonNegativeIsPositive` reproduces GRACE (bit 1 iff x ≥ 0: 0 and −0.0 → +1, NaN → −1)
// for the reference fixtures.

import Protocol

/// Which inputs map to +1.
public enum SignPolarity: Sendable, Equatable {
    /// x > 0 → +1; 0, −0.0 and negatives → −1 (DESIGN §2).
    case positiveIsPositive
    /// x ≥ 0 → +1 (GRACE's compatibility rule).
    case nonNegativeIsPositive

    func pack(_ x: [Float]) -> PackedSigns {
        switch self {
        case .positiveIsPositive:
            return SignPacking.pack(x)
        case .nonNegativeIsPositive:
            var bytes = [UInt8](repeating: 0, count: PackedSigns.byteCount(forCount: x.count))
            for (i, v) in x.enumerated() where v >= 0 { bytes[i >> 3] |= 1 << UInt8(i & 7) }
            return PackedSigns(count: x.count, bytes: bytes)
        }
    }
}

/// signSGD: 1 bit per element (biased).
public struct SignSGD: Compressor {
    /// The sign rule for zeros.
    public var polarity: SignPolarity

    /// signSGD with the project polarity unless told otherwise.
    public init(polarity: SignPolarity = .positiveIsPositive) { self.polarity = polarity }

    public var randomness: CompressionRandomness { .none }
    public var isUnbiased: Bool { false }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        CompressedTensor(count: x.count, form: .signs(polarity.pack(x)))
    }

    /// Majority vote over decoded ±1 vectors: sign of the per-coordinate sum; an exact tie gives 0
    /// (spec §B.6), or +1 with `tieIsPositive` (GRACE: +1 iff sum ≥ 0).
    public static func majorityVote(_ signs: [[Float]], tieIsPositive: Bool = false) -> [Float] {
        guard let first = signs.first else { return [] }
        var sums = [Float](repeating: 0, count: first.count)
        for row in signs {
            precondition(row.count == sums.count, "majorityVote: rows of \(row.count) and \(sums.count)")
            for i in sums.indices { sums[i] += row[i] }
        }
        return sums.map { $0 > 0 ? 1 : ($0 < 0 ? -1 : (tieIsPositive ? 1 : 0)) }
    }
}

/// Scaled sign: mean|x| · sign(x) (biased, contractive; 1 bit per element + 32).
public struct ScaledSign: Compressor {
    /// The sign rule for zeros.
    public var polarity: SignPolarity

    /// Scaled sign with the project polarity unless told otherwise.
    public init(polarity: SignPolarity = .positiveIsPositive) { self.polarity = polarity }

    public var randomness: CompressionRandomness { .none }
    public var isUnbiased: Bool { false }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        var sum = 0.0
        for v in x { sum += Double(abs(v)) }
        let scale = x.isEmpty ? 0 : Float(sum / Double(x.count))
        return CompressedTensor(count: x.count, form: .scaledSigns(polarity.pack(x), scale: scale))
    }
}
