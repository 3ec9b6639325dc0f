// Decoding a round of gradient-coded messages (spec §A.1.2, §A.2.2, §A.5), as a small state
// machine the coordinator feeds arrivals into (in virtual-arrival order) until it says the round can
// close, then a plan (which workers, which coefficients) it applies to the messages.
//
// - FRC: take the first arrival of every group; complete (and decodable) as soon as every group has
//   one — possibly after only n/(s+1) arrivals and with more than s stragglers (the authors' master).
// - CRC (and a given B): take exactly the first n − s arrivals F; a = argmin ‖B_Fᵀa − 1‖₂ (Householder
//   QR, Double); r = ‖B_Fᵀa − 1‖∞; decodable iff r ≤ `residualTolerance` (1e-8). Later arrivals
//   are ignored, so the result depends only on F, never on arrival order within F.
// - wait-for-all (§A.5.1): every worker, a_i = 1.
// - ignore-stragglers (§A.5.2): the first n − s arrivals, a_i = n/(n − s) (the authors' rescaling:
//   an unbiased estimate of the sum if straggling is independent of the data; not exact).
// Combining sums a_i·m_i in increasing worker order in Double, whatever the arrival order.

/// What the coordinator decodes with: a gradient code, or one of the two uncoded baselines.
public enum DecodingScheme: Sendable, Equatable {
    /// An exact gradient code (FRC or CRC/given B).
    case code(GradientCode)
    /// Uncoded, one partition per worker, wait for all n (§A.5.1).
    case waitForAll(n: Int)
    /// Uncoded, one partition per worker, keep the first n − s and rescale by n/(n − s) (§A.5.2).
    case ignoreStragglers(n: Int, s: Int)

    /// Number of workers.
    public var n: Int {
        switch self {
        case .code(let c): return c.n
        case .waitForAll(let n), .ignoreStragglers(let n, _): return n
        }
    }

    /// Arrivals after which the decoder stops waiting (FRC may stop earlier, once every group is covered).
    public var arrivalsNeeded: Int {
        switch self {
        case .code(let c): return c.n - c.s
        case .waitForAll(let n): return n
        case .ignoreStragglers(let n, let s): return n - s
        }
    }
}

/// Which workers' messages to combine, with which coefficients, and whether that gives Σ_j g_j.
public struct DecodingPlan: Sendable, Equatable {
    /// The workers used, in increasing index order.
    public var usedWorkers: [Int]
    /// a_i for each of `usedWorkers`.
    public var coefficients: [Double]
    /// ‖B_Fᵀa − 1‖∞ (0 for FRC and wait-for-all when decodable; the baseline's bias for ignore-stragglers).
    public var residual: Double
    /// True when the plan may be applied: exact decoding (residual within tolerance), or the
    /// ignore-stragglers baseline with its n − s arrivals.
    public var isDecodable: Bool
    /// True when the decoded vector equals Σ_j g_j exactly (up to rounding).
    public var isExact: Bool

    /// The coefficients as a length-n vector (zero for unused workers).
    public func fullCoefficients(n: Int) -> [Double] {
        var a = [Double](repeating: 0, count: n)
        for (w, c) in zip(usedWorkers, coefficients) { a[w] = c }
        return a
    }

    /// Σ a_i·m_i over the used workers, in increasing worker order, in Double.
    /// `message(worker)` returns that worker's message or nil if it is missing.
    public func combine(_ message: (Int) -> [Double]?) throws(CodingError) -> [Double] {
        var sum: [Double] = []
        for (w, a) in zip(usedWorkers, coefficients) {
            guard let m = message(w) else { throw .missingMessage(worker: w) }
            if sum.isEmpty { sum = [Double](repeating: 0, count: m.count) }
            guard m.count == sum.count else { throw .messageLengthMismatch(expected: sum.count, found: m.count, worker: w) }
            for k in 0..<m.count { sum[k] += a * m[k] }
        }
        return sum
    }

    /// Σ a_i·m_i for Float messages (the wire's Float32), accumulated in Double, rounded to Float once.
    public func combine(floatMessages message: (Int) -> [Float]?) throws(CodingError) -> [Float] {
        var sum: [Double] = []
        for (w, a) in zip(usedWorkers, coefficients) {
            guard let m = message(w) else { throw .missingMessage(worker: w) }
            if sum.isEmpty { sum = [Double](repeating: 0, count: m.count) }
            guard m.count == sum.count else { throw .messageLengthMismatch(expected: sum.count, found: m.count, worker: w) }
            for k in 0..<m.count { sum[k] += a * Double(m[k]) }
        }
        return sum.map { Float($0) }
    }
}

/// Collects arrivals for one round and decides when the round can close and how to decode.
public struct GradientDecoder: Sendable, Equatable {
    public let scheme: DecodingScheme
    /// Largest ‖B_Fᵀa − 1‖∞ accepted as exact decoding (spec §A.2.2: 1e-8).
    public var residualTolerance: Double
    /// Workers in arrival order (each at most once).
    public private(set) var arrivals: [Int] = []

    public init(scheme: DecodingScheme, residualTolerance: Double = 1e-8) {
        self.scheme = scheme
        self.residualTolerance = residualTolerance
    }

    /// Records that `worker`'s message arrived; returns `isComplete` afterwards. Arrivals after
    /// completion are recorded but do not change the plan.
    /// - Throws: `invalidWorker` for an index outside 0..<n or a repeat.
    @discardableResult
    public mutating func receive(worker: Int) throws(CodingError) -> Bool {
        guard (0..<scheme.n).contains(worker), !arrivals.contains(worker) else {
            throw .invalidWorker(worker: worker, n: scheme.n)
        }
        arrivals.append(worker)
        return isComplete
    }

    /// True once the decoder needs no more arrivals: FRC when every group has arrived, otherwise
    /// after `scheme.arrivalsNeeded` arrivals.
    public var isComplete: Bool {
        if case .code(let c) = scheme, c.kind == .fractionalRepetition {
            return Set(arrivals.map { $0 / (c.s + 1) }).count == c.n / (c.s + 1)
        }
        return arrivals.count >= scheme.arrivalsNeeded
    }

    /// The plan from the arrivals so far (not decodable while incomplete, except FRC/CRC may report
    /// the least-squares attempt over fewer workers).
    public var plan: DecodingPlan { Self.plan(scheme: scheme, arrivalOrder: arrivals, residualTolerance: residualTolerance) }

    /// The plan for the given arrival order (spec decoding rules; see the file comment).
    public static func plan(scheme: DecodingScheme, arrivalOrder: [Int], residualTolerance: Double = 1e-8) -> DecodingPlan {
        switch scheme {
        case .waitForAll(let n):
            let used = Array(Set(arrivalOrder)).sorted()
            let ok = used.count == n
            return DecodingPlan(usedWorkers: used, coefficients: used.map { _ in 1 }, residual: ok ? 0 : 1,
                                isDecodable: ok, isExact: ok)
        case .ignoreStragglers(let n, let s):
            let used = Array(arrivalOrder.prefix(n - s)).sorted()
            let a = Double(n) / Double(n - s)
            let residual = used.count == n ? abs(a - 1) : max(abs(a - 1), 1)
            return DecodingPlan(usedWorkers: used, coefficients: used.map { _ in a }, residual: residual,
                                isDecodable: used.count == n - s, isExact: s == 0 && used.count == n)
        case .code(let code) where code.kind == .fractionalRepetition:
            var picked: [Int: Int] = [:]
            for w in arrivalOrder where picked[w / (code.s + 1)] == nil { picked[w / (code.s + 1)] = w }
            let used = picked.values.sorted()
            let a = used.map { _ in 1.0 }
            let residual = Self.residual(code: code, workers: used, coefficients: a)
            let ok = picked.count == code.n / (code.s + 1)
            return DecodingPlan(usedWorkers: used, coefficients: a, residual: residual, isDecodable: ok, isExact: ok)
        case .code(let code):
            let used = Array(arrivalOrder.prefix(code.n - code.s)).sorted()
            guard !used.isEmpty else {
                return DecodingPlan(usedWorkers: [], coefficients: [], residual: 1, isDecodable: false, isExact: false)
            }
            // B_Fᵀ: n rows (partitions) × |F| columns (workers).
            let n = code.n, k = used.count
            var bt = [Double](repeating: 0, count: n * k)
            for (c, w) in used.enumerated() { for j in 0..<n { bt[j * k + c] = code.encoding[w * n + j] } }
            let a = DenseSolve.leastSquares(bt, [Double](repeating: 1, count: n), rows: n, columns: k)
            let residual = Self.residual(code: code, workers: used, coefficients: a)
            let ok = residual <= residualTolerance
            return DecodingPlan(usedWorkers: used, coefficients: a, residual: residual, isDecodable: ok, isExact: ok)
        }
    }

    /// ‖Σ_i a_i·B[w_i, :] − 1‖∞.
    public static func residual(code: GradientCode, workers: [Int], coefficients: [Double]) -> Double {
        var worst = 0.0
        for j in 0..<code.n {
            var v = 0.0
            for (w, a) in zip(workers, coefficients) { v += a * code.encoding[w * code.n + j] }
            worst = max(worst, abs(v - 1))
        }
        return worst
    }
}
