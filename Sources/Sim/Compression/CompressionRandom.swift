// The random draws of randomized compressors. Production draws come from a `RandomKey` stream
// (purpose `.compression`); tests inject the draws a reference implementation recorded (the
// fixtures' `randomness` field) so that outputs can be compared exactly. Every compressor asks for
// draws through the four methods below and nothing else, in a documented order.

/// Which key a compressor's draws must come from (spec §B.0.2).
public enum CompressionRandomness: Sendable, Equatable {
    /// The compressor draws nothing.
    case none
    /// Per-client draws (stochastic rounding): key (seed, .compression, round, client).
    case perClient
    /// Draws every client must share (random-k indices, PowerSGD's initial Q): key
    /// (seed, .compression, round, `CompressionRandom.sharedClient`).
    case shared
}

/// Draws recorded by a reference implementation, consumed in order (tests).
public struct RecordedDraws: Sendable, Equatable {
    /// Uniforms in [0, 1) (QSGD, TernGrad, natural compression's spec rounding).
    public var uniforms: [Double]
    /// Integers (DGC sample indices or sample start, GRACE natural compression's rand_ints).
    public var integers: [Int]
    /// Standard normals (PowerSGD initial factors), in row-major order of each factor.
    public var normals: [Double]
    /// Whole index subsets (random-k), one per compress call.
    public var subsets: [[Int]]

    /// Draws to replay; unused kinds may be empty.
    public init(uniforms: [Double] = [], integers: [Int] = [], normals: [Double] = [], subsets: [[Int]] = []) {
        self.uniforms = uniforms
        self.integers = integers
        self.normals = normals
        self.subsets = subsets
    }
}

/// A source of draws: a counter-based stream or a recording.
public struct CompressionRandom: Sendable {
    /// The client id used in the key of shared draws (no real client has it).
    public static let sharedClient: UInt64 = .max

    private var generator: CounterRandom?
    private var recorded: RecordedDraws
    private var cursors = (uniform: 0, integer: 0, normal: 0, subset: 0)

    /// Draws from the stream of `key`.
    public init(key: RandomKey) {
        generator = key.generator
        recorded = RecordedDraws()
    }

    /// Replays `recorded`. Asking for more draws than recorded is a test bug (precondition).
    public init(recorded: RecordedDraws) {
        generator = nil
        self.recorded = recorded
    }

    /// The key for `randomness` in `round` for `client` (the shared client for `.shared`).
    public static func key(seed: UInt64, round: UInt64, client: UInt64, randomness: CompressionRandomness) -> RandomKey {
        RandomKey(seed: seed, purpose: .compression, round: round, client: randomness == .shared ? sharedClient : client)
    }

    /// An independent stream for part `index` of a composite compressor (per-layer PowerSGD's layer
    /// `index`): the stream seed mixed with `index + 1`, so every holder of the same key derives the
    /// same part streams whatever it drew before. A recording is copied at its current position (each
    /// part replays the same recorded draws).
    public func derived(part index: Int) -> CompressionRandom {
        var copy = self
        if let generator {
            copy.generator = CounterRandom(seed: PortableRandom.mix(generator.seed ^ PortableRandom.mix(UInt64(index) &+ 1)))
        }
        return copy
    }

    /// A uniform double in [0, 1).
    public mutating func uniform() -> Double {
        if generator != nil { return generator!.nextUniform() }
        precondition(cursors.uniform < recorded.uniforms.count, "recorded uniforms exhausted")
        defer { cursors.uniform += 1 }
        return recorded.uniforms[cursors.uniform]
    }

    /// An integer in 0..<bound (bound ≥ 1), by a 128-bit multiply of one 64-bit draw.
    public mutating func integer(below bound: Int) -> Int {
        precondition(bound >= 1, "integer(below: \(bound))")
        if generator != nil { return Int(UInt64(bound).multipliedFullWidth(by: generator!.next()).high) }
        precondition(cursors.integer < recorded.integers.count, "recorded integers exhausted")
        defer { cursors.integer += 1 }
        return recorded.integers[cursors.integer]
    }

    /// A standard normal.
    public mutating func normal() -> Double {
        if generator != nil { return generator!.nextNormal() }
        precondition(cursors.normal < recorded.normals.count, "recorded normals exhausted")
        defer { cursors.normal += 1 }
        return recorded.normals[cursors.normal]
    }

    /// `k` distinct indices of 0..<d, uniformly (partial Fisher–Yates; order of drawing).
    /// - Complexity: O(k) expected time and memory when k ≪ d, O(d) otherwise.
    public mutating func subset(count k: Int, of d: Int) -> [Int] {
        precondition(k >= 0 && k <= d, "subset of \(k) from \(d)")
        guard generator != nil else {
            precondition(cursors.subset < recorded.subsets.count, "recorded subsets exhausted")
            defer { cursors.subset += 1 }
            return recorded.subsets[cursors.subset]
        }
        var result: [Int] = []
        result.reserveCapacity(k)
        if 4 * k >= d {
            var pool = Array(0..<d)
            for j in 0..<k {
                let t = j + integer(below: d - j)
                pool.swapAt(j, t)
                result.append(pool[j])
            }
        } else {
            var swapped: [Int: Int] = [:]
            for j in 0..<k {
                let t = j + integer(below: d - j)
                let picked = swapped[t] ?? t
                swapped[t] = swapped[j] ?? j
                result.append(picked)
            }
        }
        return result
    }
}
