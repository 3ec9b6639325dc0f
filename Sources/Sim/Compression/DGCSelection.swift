// The three ways DGC picks coordinates (see DeepGradientCompression.swift for sources). Draw
// order: `.sampled` draws one `integer(below: stride)` per call when it samples with a stride (none
// when the whole tensor is the sample), or `numSamples` `integer(below: d)` without a stride;
// `.grace` draws max(1, ⌊0.01·d⌋) `integer(below: d)`; `.exact` draws nothing.

/// Parameters of the DGC authors' sampled threshold estimation (their defaults).
public struct DGCSampling: Sendable, Equatable {
    /// Fraction of elements sampled (clamped to 0.01...1 as the authors do).
    public var sampleRatio: Double = 0.01
    /// Strided sample from a random start (true) or uniform indices with replacement.
    public var strided: Bool = true
    /// Too many candidates above `upper`·k (compared in Double; the threshold is multiplied in Float32) (then exact top-k of the candidates, or ×upper).
    public var upper: Double = 1.3
    /// Too few candidates below `lower`·k (then the threshold is multiplied by `lower`).
    public var lower: Double = 0.8
    /// At most this many adaptations.
    public var maxIterations: Int = 10
    /// Exact top-k of the candidates when there are too many (true) or raise the threshold.
    public var resample: Bool = true

    /// The authors' defaults.
    public init() {}

    /// The authors' `initialize` for a tensor of `count` elements at kept fraction `ratio`.
    public func attributes(count: Int, ratio: Double) -> DGCSamplingAttributes {
        let sr = min(max(sampleRatio, 0.01), 1.0)
        var stride = 1, samples = count
        if sr < 1 {
            let pct = Int((Double(count) * sr).rounded(.up))
            let cpr = Int((2 / ratio).rounded(.up))
            if count > cpr {
                let target = max(pct, cpr)
                stride = Int((Double(count) / Double(target) / 32).rounded(.up)) * 32 + 1
                samples = count / stride
                while samples < target, stride > 8 {
                    stride -= 8
                    samples = count / stride
                }
            }
        }
        return DGCSamplingAttributes(
            numSelects: Int((Double(count) * ratio).rounded(.up)), numSamples: samples,
            topKSamples: Int((Double(samples) * ratio).rounded(.up)), sampleStride: stride)
    }
}

/// Sizes the authors' DGC derives per tensor.
public struct DGCSamplingAttributes: Sendable, Equatable {
    /// ⌈ρd⌉, the most coordinates sent.
    public var numSelects: Int
    /// Number of sampled magnitudes.
    public var numSamples: Int
    /// ⌈ρ·numSamples⌉: the threshold is the smallest of this many largest samples.
    public var topKSamples: Int
    /// Stride of the strided sample.
    public var sampleStride: Int
}

/// What a selection did (for tests and diagnostics).
public struct DGCSelectionResult: Sendable, Equatable {
    /// Chosen indices, ascending.
    public var indices: [UInt32]
    /// Every threshold tried, in order (empty for `.exact`).
    public var thresholds: [Float]
    /// True when the authors' "exact top-k of the candidates" branch ran.
    public var resampled: Bool
}

/// How DGC picks the coordinates it sends.
public enum DGCSelection: Sendable, Equatable {
    /// Exact top-⌈ρd⌉ by magnitude (ties to the lower index).
    case exact
    /// The authors' sampled threshold estimation.
    case sampled(DGCSampling)
    /// GRACE's sampled threshold.
    case grace

    /// Selects coordinates of `v` at kept fraction `ratio`.
    public func select(_ v: [Float], ratio: Double, random: inout CompressionRandom) -> DGCSelectionResult {
        let d = v.count
        guard d > 0 else { return DGCSelectionResult(indices: [], thresholds: [], resampled: false) }
        switch self {
        case .exact:
            let k = min(d, Int((Double(d) * ratio).rounded(.up)))
            return DGCSelectionResult(indices: MagnitudeSelection.topK(v, k: k), thresholds: [], resampled: false)
        case .sampled(let options):
            return Self.sampled(v, ratio: ratio, options: options, random: &random)
        case .grace:
            return Self.grace(v, ratio: ratio, random: &random)
        }
    }

    private static func candidates(_ importance: [Float], _ threshold: Float) -> [UInt32] {
        var out: [UInt32] = []
        for (i, m) in importance.enumerated() where m >= threshold { out.append(UInt32(i)) }
        return out
    }

    private static func sampled(_ v: [Float], ratio: Double, options: DGCSampling,
                                random: inout CompressionRandom) -> DGCSelectionResult {
        let d = v.count
        let a = options.attributes(count: d, ratio: ratio)
        let importance = v.map { abs($0) }
        var samples: [Float]
        if a.numSamples == d {
            samples = importance
        } else if options.strided {
            let start = random.integer(below: a.sampleStride)
            samples = Swift.stride(from: start, to: d, by: a.sampleStride).map { importance[$0] }
        } else {
            samples = (0..<a.numSamples).map { _ in importance[random.integer(below: d)] }
        }
        let k = min(max(1, a.topKSamples), samples.count)
        var threshold = MagnitudeSelection.kthLargest(&samples, k: k)
        var thresholds = [threshold]
        var indices = candidates(importance, threshold)
        var resampled = false
        if d > a.numSamples {
            for _ in 0..<options.maxIterations {
                if indices.count > a.numSelects {
                    guard Double(indices.count) > Double(a.numSelects) * options.upper else { break }
                    if options.resample {
                        indices = MagnitudeSelection.topK(v, k: a.numSelects)
                        resampled = true
                        break
                    }
                    threshold *= Float(options.upper)
                } else if Double(indices.count) < options.lower * Double(a.numSelects) {
                    threshold *= Float(options.lower)
                } else {
                    break
                }
                thresholds.append(threshold)
                indices = candidates(importance, threshold)
            }
        }
        if indices.count > a.numSelects { indices.removeLast(indices.count - a.numSelects) }
        return DGCSelectionResult(indices: indices, thresholds: thresholds, resampled: resampled)
    }

    private static func grace(_ v: [Float], ratio: Double, random: inout CompressionRandom) -> DGCSelectionResult {
        let d = v.count
        let importance = v.map { abs($0) }
        let sampleCount = max(1, Int((Double(d) * 0.01).rounded(.towardZero)))
        var samples = (0..<sampleCount).map { _ in importance[random.integer(below: d)] }
        let k = min(samples.count, max(1, Int((Double(d) * ratio * 0.01).rounded(.towardZero))))
        var threshold = MagnitudeSelection.kthLargest(&samples, k: k)
        var thresholds = [threshold]
        var indices = candidates(importance, threshold)
        for _ in 0..<10 {
            if Double(indices.count) > 1.3 * Double(d) * ratio {
                threshold = Float(1.3) * threshold
            } else if Double(indices.count) < 0.7 * Double(d) * ratio {
                threshold = Float(0.7) * threshold
            } else {
                break
            }
            thresholds.append(threshold)
            indices = candidates(importance, threshold)
        }
        return DGCSelectionResult(indices: indices, thresholds: thresholds, resampled: false)
    }
}
