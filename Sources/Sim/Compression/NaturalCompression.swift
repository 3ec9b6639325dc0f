// Natural compression (Horváth et al.; spec §B.9): x ≠ 0 becomes sign(x)·2^a or sign(x)·2^(a+1)
// with a = ⌊log2|x|⌋, rounding up with probability (|x| − 2^a)/2^a, so E = x and E[C(x)²] ≤ 9/8·x².
// Wire code (GRACE's byte): bit 7 = sign, bits 0–6 = clip(exponent field (+1 if rounded up),
// 18, 145) − 18; code 0 or 128 decodes to ±0, otherwise ±2^(code − 109) (code = 1…127 covers
// 2⁻¹⁰⁸…2¹⁸). So |x| < 2⁻¹⁰⁹ (and subnormals) become 0 and |x| ≥ 2¹⁸ saturates — negligible for
// gradients, but a bias there. 8 bits per element (the paper's 9-bit code is `WireEncoding.naturalPaper`).
//
// Rounding: `.spec` draws one uniform u per element and rounds up iff u·2²³ < mantissa (probability
// exactly mantissa/2²³); `.grace` draws an integer r in 0..<2²³−1 and rounds up iff mantissa > r
// (probability mantissa/(2²³−1), GRACE's quirk, for the fixtures).

/// Natural compression.
public struct NaturalCompression: Compressor {
    /// How the round-up decision is drawn.
    public enum Rounding: Sendable, Equatable {
        /// Probability mantissa / 2²³ from a uniform (unbiased; default).
        case spec
        /// GRACE: round up iff mantissa > r, r uniform in 0..<2²³ − 1.
        case grace
    }

    /// The rounding rule.
    public var rounding: Rounding

    /// Natural compression with the given rounding (default: the spec's).
    public init(rounding: Rounding = .spec) { self.rounding = rounding }

    public var randomness: CompressionRandomness { .perClient }
    public var isUnbiased: Bool { rounding == .spec }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        var codes = [UInt8](repeating: 0, count: x.count)
        for (i, v) in x.enumerated() {
            let bits = v.bitPattern
            let mantissa = bits & 0x7F_FFFF
            let roundUp: Bool
            switch rounding {
            case .spec: roundUp = random.uniform() * 0x1p23 < Double(mantissa)
            case .grace: roundUp = UInt32(mantissa) > UInt32(random.integer(below: 0x7F_FFFF))
            }
            let exponent = Int((bits >> 23) & 0xFF) + (roundUp ? 1 : 0)
            let offset = UInt8(min(max(exponent, 18), 145) - 18)
            codes[i] = (bits >> 31 == 1 ? 0x80 : 0) | offset
        }
        return CompressedTensor(count: x.count, form: .powersOfTwo(codes: codes))
    }

    /// The value of one code: ±0 for offset 0, else ±2^(offset − 109).
    public static func value(ofCode code: UInt8) -> Float {
        let offset = UInt32(code & 0x7F)
        let sign: UInt32 = code & 0x80 != 0 ? 0x8000_0000 : 0
        guard offset != 0 else { return Float(bitPattern: sign) }
        return Float(bitPattern: sign | ((offset + 18) << 23))
    }
}
