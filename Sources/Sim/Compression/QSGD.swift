// QSGD (Alistarh et al. 2017; spec §B.4). Per bucket of b coordinates with norm N (L2, or the
// max-norm variant): r_i = (s / N)·|x_i| in Float32 (the scalar s/N first, as GRACE), level =
// ⌊r_i⌋ + [u_i < r_i − ⌊r_i⌋] with one uniform per element in element order, signed by x_i
// (0 stays 0). Decoded value = (N / s)·level. E[decode] = x (unbiased); a zero-norm bucket decodes
// to zeros (spec; GRACE divides by zero there). Wire: 1 + ⌈log2(s+1)⌉ bits per element + 32 per
// bucket. One uniform is drawn per element even where r_i is an integer, so the draw order does not
// depend on the values.

/// QSGD stochastic quantizer.
public struct QSGD: Compressor {
    /// Which norm scales a bucket.
    public enum Norm: Sendable, Equatable {
        /// ‖v‖₂ (theory, GRACE, BytePS).
        case l2
        /// max |v_i| (the paper's experiments with small buckets).
        case max
    }

    /// s ≥ 1, the number of levels.
    public var levels: Int
    /// Coordinates per bucket; nil = one bucket for the whole tensor.
    public var bucketSize: Int?
    /// The bucket norm.
    public var norm: Norm

    /// QSGD with `levels` levels (1...32767), `bucketSize` coordinates per bucket (nil = whole tensor).
    public init(levels: Int, bucketSize: Int? = nil, norm: Norm = .l2) {
        precondition(levels >= 1 && levels <= Int(Int16.max), "QSGD levels \(levels) out of 1...\(Int16.max)")
        precondition(bucketSize.map { $0 >= 1 } ?? true, "QSGD bucket size must be ≥ 1")
        self.levels = levels
        self.bucketSize = bucketSize
        self.norm = norm
    }

    public var randomness: CompressionRandomness { .perClient }
    public var isUnbiased: Bool { true }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        let d = x.count
        let b = max(1, bucketSize ?? d)
        let bucketCount = (d + b - 1) / b
        var norms = [Float](repeating: 0, count: bucketCount)
        var levelsOut = [Int16](repeating: 0, count: d)
        let s = Float(levels)
        for bucket in 0..<bucketCount {
            let range = (bucket * b)..<min(d, (bucket + 1) * b)
            let n = bucketNorm(x[range])
            norms[bucket] = n
            let scale = n > 0 ? s / n : 0
            for i in range {
                let u = random.uniform()
                guard n > 0 else { continue }
                let r = min(scale * abs(x[i]), s)
                let low = r.rounded(.down)
                let up = u < Double(r - low) ? Float(1) : 0
                let level = Int16(low + up)
                levelsOut[i] = x[i] > 0 ? level : (x[i] < 0 ? -level : 0)
            }
        }
        let q = QuantizedLevels(levelCount: levels, bucketSize: b, norms: norms, levels: levelsOut)
        return CompressedTensor(count: d, form: .quantized(q))
    }

    private func bucketNorm(_ values: ArraySlice<Float>) -> Float {
        switch norm {
        case .l2:
            var sum = 0.0
            for v in values { sum += Double(v) * Double(v) }
            return Float(sum.squareRoot())
        case .max:
            return values.reduce(Float(0)) { max($0, abs($1)) }
        }
    }
}
