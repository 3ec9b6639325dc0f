import CKernels
import COpenBLAS

/// The OpenBLAS entry points Gradwire uses: a row-major `sgemm` wrapper and the thread-count setting.
///
/// OpenBLAS runs **single-threaded by default in every process**: the first call into this type
/// (any `sgemm`, or `setThreads`) applies `openblas_set_num_threads(1)`, whatever
/// `OPENBLAS_NUM_THREADS` says. Each worker is already its own process, and one thread keeps every
/// product bit-reproducible. `setThreads(_:)` changes the setting for the whole process.
///
/// The same first call checks the kernels OpenBLAS chose: a library older than the CPU falls back
/// to its generic SSE3 ("Prescott") kernels, and is then switched to the core the CPU's features
/// call for (`gw_blas_select_core`; `OPENBLAS_CORETYPE`, when set, always wins). `core` names the
/// kernels in force; docs/architecture.md, "OpenBLAS kernels".
public enum BLAS {
    /// Whether an operand enters a product as stored or transposed (`CblasNoTrans` / `CblasTrans`).
    public enum Transpose: Sendable, Equatable {
        case none
        case transposed

        var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
    }

    /// Applied once per process, before the first product or thread-count change: the core check,
    /// then one thread. The core OpenBLAS runs and whether it was switched from the generic one.
    private static let oneTimeSetUp: (name: String, switched: Bool) = {
        var name = [CChar](repeating: 0, count: 64)
        let result = gw_blas_select_core(&name, Int32(name.count))
        openblas_set_num_threads(1)
        let end = name.firstIndex(of: 0) ?? name.count
        return (String(decoding: name[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self), result == 1)
    }()

    /// Applies the one-time set-up now (core check, one thread). Processes call it first thing, before
    /// they start threads: the core check sets and clears an environment variable.
    public static func prepare() {
        _ = oneTimeSetUp
    }

    /// The OpenBLAS core whose kernels run (e.g. "SkylakeX", "Haswell"; empty when the library
    /// does not say), and whether Gradwire switched to it from the generic "Prescott" fallback.
    public static var core: (name: String, switched: Bool) { oneTimeSetUp }

    /// Sets the number of OpenBLAS threads for the whole process (corresponds to
    /// `openblas_set_num_threads`). Values below 1 are treated as 1. Default: 1.
    public static func setThreads(_ n: Int) {
        _ = oneTimeSetUp
        openblas_set_num_threads(Int32(clamping: max(1, n)))
    }

    /// Runs `body` with OpenBLAS single-threaded, then restores the count: for callers that run
    /// independent BLAS calls on their own threads (one call per thread). Not for concurrent use
    /// with other BLAS work in the process (the count is process-wide).
    public static func withSingleThreadedCalls<R>(_ body: () throws -> R) rethrows -> R {
        let saved = threads
        if saved == 1 { return try body() }
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(Int32(saved)) }
        return try body()
    }

    /// The current OpenBLAS thread count (corresponds to `openblas_get_num_threads`).
    public static var threads: Int {
        _ = oneTimeSetUp
        return Int(openblas_get_num_threads())
    }

    /// `C ← alpha · op(A) · op(B) + beta · C` on dense row-major matrices (`cblas_sgemm`, `CblasRowMajor`).
    ///
    /// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`. Every matrix is stored contiguously
    /// (leading dimension = its stored column count): `A` is `m × k` when `transA == .none`, else
    /// `k × m`; `B` is `k × n` when `transB == .none`, else `n × k`. Buffer sizes are checked
    /// (programmer errors are preconditions). With `beta == 0`, `C`'s previous contents are ignored.
    /// Empty products are handled without calling OpenBLAS (`k == 0` scales `C` by `beta`).
    /// `C` must not overlap `A` or `B`.
    public static func sgemm(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafeBufferPointer<Float>,
        b: UnsafeBufferPointer<Float>,
        beta: Float = 0,
        c: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative dimension m=\(m) n=\(n) k=\(k)")
        precondition(m <= Int(Int32.max) && n <= Int(Int32.max) && k <= Int(Int32.max),
                     "sgemm: dimension exceeds 32-bit BLAS indices (m=\(m) n=\(n) k=\(k))")
        precondition(a.count >= m * k, "sgemm: A has \(a.count) elements, needs \(m * k)")
        precondition(b.count >= k * n, "sgemm: B has \(b.count) elements, needs \(k * n)")
        precondition(c.count >= m * n, "sgemm: C has \(c.count) elements, needs \(m * n)")
        if m == 0 || n == 0 { return }
        guard k > 0, let aBase = a.baseAddress, let bBase = b.baseAddress, let cBase = c.baseAddress else {
            // op(A)·op(B) is the zero matrix; C ← beta · C (beta == 0 clears, even NaNs, like BLAS).
            for i in 0..<(m * n) { c[i] = beta == 0 ? 0 : beta * c[i] }
            return
        }
        _ = oneTimeSetUp
        let lda = transA == .none ? k : m
        let ldb = transB == .none ? n : k
        cblas_sgemm(CblasRowMajor, transA.cblas, transB.cblas,
                    Int32(m), Int32(n), Int32(k),
                    alpha, aBase, Int32(lda), bBase, Int32(ldb),
                    beta, cBase, Int32(n))
    }
}
