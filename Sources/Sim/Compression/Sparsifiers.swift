// Sparsifiers (spec §B.2). Top-k keeps the k = max(1, ⌊ρd⌋) largest magnitudes (selection, not a
// sort; ties to the lower index). Threshold keeps every |x_i| > τ (strict, compared in Float32).
// Random-k keeps k indices drawn uniformly without replacement from a key *shared by all
// clients*, so only the values travel; the unscaled form (GRACE) relies on error feedback, the
// scaled form multiplies the kept values by d/k and is unbiased (ω = d/k − 1). All biased forms
// want `ErrorFeedback`.

/// Top-k by magnitude (biased; 64k + 32 bits).
public struct TopK: Compressor {
    /// ρ, the fraction of elements kept.
    public var ratio: Double

    /// Keeps `max(1, ⌊ratio · d⌋)` elements.
    public init(ratio: Double) { self.ratio = ratio }

    public var randomness: CompressionRandomness { .none }
    public var isUnbiased: Bool { false }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        let indices = MagnitudeSelection.topK(x, k: MagnitudeSelection.keptCount(ratio: ratio, count: x.count))
        return CompressedTensor(count: x.count, form: .sparse(indices: indices, values: indices.map { x[Int($0)] }))
    }
}

/// Threshold sparsification: keep |x_i| > τ (biased; variable size, 64k + 32 bits).
public struct ThresholdSparsifier: Compressor {
    /// τ (GRACE default 0.01).
    public var threshold: Double

    /// Keeps elements whose magnitude exceeds `threshold` (compared as Float32).
    public init(threshold: Double) { self.threshold = threshold }

    public var randomness: CompressionRandomness { .none }
    public var isUnbiased: Bool { false }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        let tau = Float(threshold)
        var indices: [UInt32] = []
        var values: [Float] = []
        for (i, value) in x.enumerated() where abs(value) > tau {
            indices.append(UInt32(i))
            values.append(value)
        }
        return CompressedTensor(count: x.count, form: .sparse(indices: indices, values: values))
    }
}

/// Random-k with shared indices (32k bits; indices implicit).
public struct RandomK: Compressor {
    /// ρ, the fraction of elements kept.
    public var ratio: Double
    /// Multiply kept values by d/k (unbiased); false = GRACE's unscaled form (use error feedback).
    public var scaled: Bool

    /// Keeps `max(1, ⌊ratio · d⌋)` elements drawn from the shared key.
    public init(ratio: Double, scaled: Bool) {
        self.ratio = ratio
        self.scaled = scaled
    }

    public var randomness: CompressionRandomness { .shared }
    public var isUnbiased: Bool { scaled }

    /// The indices (ascending) every client derives for dimension `d` from the same draws:
    /// one `subset(count: k, of: d)` draw.
    public func indices(count d: Int, random: inout CompressionRandom) -> [UInt32] {
        let k = MagnitudeSelection.keptCount(ratio: ratio, count: d)
        return random.subset(count: k, of: d).map { UInt32($0) }.sorted()
    }

    public func compress(_ x: [Float], memory: inout CompressionMemory, random: inout CompressionRandom) -> CompressedTensor {
        let indices = indices(count: x.count, random: &random)
        let factor: Float = scaled && !indices.isEmpty ? Float(x.count) / Float(indices.count) : 1
        let values = indices.map { scaled ? x[Int($0)] * factor : x[Int($0)] }
        return CompressedTensor(count: x.count, form: .sharedSparse(indices: indices, values: values))
    }
}
