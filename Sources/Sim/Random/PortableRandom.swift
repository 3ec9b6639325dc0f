/// The portable counter-based generator shared with the benchmark tasks' reference code.
///
/// Every random draw in Gradwire is a pure function of a 64-bit stream seed and a counter, so a
/// result never depends on which process computed it or in which order. The formulas are those of
/// `benchmarks/TASKS.md` (and `peers/tasks.py`), so T1/T2 data, splits, partitions, client
/// schedules and initial weights are bit-exact with the reference:
///
///     u64(seed, i)     = mix(seed &+ (i + 1) &* 0x9E3779B97F4A7C15)
///     uniform(seed, i) = (u64(seed, i) >> 11) · 2⁻⁵³                       in [0, 1)
///     normal(seed, i)  = sqrt(−2 ln(1 − uniform(seed, 2i))) · cos(2π · uniform(seed, 2i + 1))
///     permutation(seed, n) = stable argsort of u64(seed, 0..<n)
public enum PortableRandom {
    static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The SplitMix64 finaliser.
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The `index`-th 64-bit output of the stream `seed`.
    @inlinable
    public static func u64(seed: UInt64, index: UInt64) -> UInt64 {
        mix(seed &+ (index &+ 1) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// A double in [0, 1) with 53 random bits.
    @inlinable
    public static func uniform(seed: UInt64, index: UInt64) -> Double {
        Double(u64(seed: seed, index: index) >> 11) * 0x1p-53
    }

    /// A standard normal draw by the Box–Muller transform of two consecutive uniforms.
    @inlinable
    public static func normal(seed: UInt64, index: UInt64) -> Double {
        let u1 = uniform(seed: seed, index: 2 &* index)
        let u2 = uniform(seed: seed, index: 2 &* index &+ 1)
        return (-2.0 * log1pReference(-u1)).squareRoot() * cosReference(2.0 * Double.pi * u2)
    }

    /// `count` uniforms of stream `seed`, starting at counter `start`.
    public static func uniforms(seed: UInt64, count: Int, start: UInt64 = 0) -> [Double] {
        (0..<count).map { uniform(seed: seed, index: start &+ UInt64($0)) }
    }

    /// `count` standard normals of stream `seed` (counters 0..<count).
    public static func normals(seed: UInt64, count: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = normal(seed: seed, index: UInt64(i)) }
            initialized = count
        }
    }

    /// The stable argsort of `u64(seed, 0..<count)`: a uniformly random permutation of 0..<count.
    public static func permutation(seed: UInt64, count: Int) -> [Int] {
        let keys = (0..<count).map { u64(seed: seed, index: UInt64($0)) }
        // Ties between 64-bit outputs are astronomically rare; the index breaks them (stable).
        return (0..<count).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
    }

    /// Cuts 0..<count, permuted by `seed`, into `parts` contiguous chunks; the first
    /// `count % parts` chunks are one longer (numpy's `array_split`).
    public static func splitPermutation(seed: UInt64, count: Int, parts: Int) -> [[Int]] {
        precondition(parts > 0, "splitPermutation: parts must be positive")
        let perm = permutation(seed: seed, count: count)
        let base = count / parts, extra = count % parts
        var result: [[Int]] = []
        result.reserveCapacity(parts)
        var start = 0
        for part in 0..<parts {
            let length = base + (part < extra ? 1 : 0)
            result.append(Array(perm[start..<start + length]))
            start += length
        }
        return result
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `log1p` and `cos` from the C library, as numpy uses them (the last ulp can matter for T2's labels).
@usableFromInline func log1pReference(_ x: Double) -> Double { log1p(x) }
@usableFromInline func cosReference(_ x: Double) -> Double { cos(x) }
