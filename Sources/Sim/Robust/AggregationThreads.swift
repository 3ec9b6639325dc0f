import Synchronization

/// Threads the column-parallel robust rules (median, trimmed mean, Meamed, Bulyan's coordinate step)
/// split their columns over: process-wide, default 1 (`run.aggregation_threads`). Every column is
/// computed by the same operations whichever thread takes it, so the count never changes a result.
/// OpenBLAS's own count (`BLAS.setThreads`, `run.blas_threads`) covers the Gram-based rules.
public enum AggregationThreads {
    private static let value = Atomic<Int>(1)

    /// The current count (at least 1).
    public static var count: Int { value.load(ordering: .relaxed) }

    /// Sets the count for the whole process; values below 1 mean 1.
    public static func set(_ n: Int) { value.store(max(1, n), ordering: .relaxed) }

    /// Columns below which a rule stays on one thread (splitting costs more than it saves).
    static let minimumColumnsPerThread = 8192

    /// `0..<d` cut into at most `threads` contiguous ranges of whole 64-column groups, in order.
    static func ranges(columns d: Int, threads wanted: Int = count) -> [Range<Int>] {
        let threads = max(1, min(wanted, d / minimumColumnsPerThread))
        guard threads > 1 else { return [0..<d] }
        let groups = (d + 63) / 64
        return (0..<threads).map { t in
            min(d, groups * t / threads * 64)..<min(d, groups * (t + 1) / threads * 64)
        }
    }
}
