import CKernels
import Synchronization

/// The runtime-dispatched C kernels of CKernels (AVX-512 or AVX2 on x86-64): which instruction set
/// they use, and a way to run code with them capped (tests compare both paths bit for bit).
/// Every kernel has a Swift path with the same bits, so the level never changes a result, only
/// its speed. The environment variable `GRADWIRE_SIMD` (0, 2 or 3) caps it for a whole process.
public enum SIMDKernels {
    /// 0: Swift paths only; 2: AVX2; 3: AVX-512.
    public static var level: Int { Int(gw_simd_level()) }

    /// The level's name for logs and benchmark tables.
    public static var levelName: String {
        switch level {
        case 3: "avx512"
        case 2: "avx2"
        default: "swift"
        }
    }

    /// The sum of the values in vector lanes (no fixed order): one streaming read of the buffer, the
    /// memory-read ceiling the linear rules are measured against (benchmarks).
    public static func sum(_ values: UnsafeBufferPointer<Float>) -> Float {
        guard let base = values.baseAddress else { return 0 }
        return gw_sum_floats(base, Int64(values.count))
    }

    /// Sets the level for the rest of the process (never above the CPU's) and returns the level in
    /// force. For a process that compares the two paths (the benchmarks); tests use `withLevel`.
    @discardableResult
    public static func setLevel(_ level: Int) -> Int {
        gate.withLock { _ in Int(gw_simd_set_level(Int32(level))) }
    }

    private static let gate = Mutex(())

    /// Runs `body` with the kernels capped at `level` (never raised above the CPU's), then restores
    /// the previous level. Calls are serialised process-wide, so two comparisons cannot interleave.
    public static func withLevel<T>(_ level: Int, _ body: () throws -> T) rethrows -> T {
        try gate.withLock { _ in
            let previous = gw_simd_level()
            gw_simd_set_level(Int32(level))
            defer { gw_simd_set_level(previous) }
            return try body()
        }
    }
}
