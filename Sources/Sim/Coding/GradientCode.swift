// Exact gradient codes for stragglers (spec coding-and-compression.md Part A; Tandon, Lei, Dimakis,
// Karampatziakis, ICML 2017; authors' code rashisht1/gradient_coding @1ba5035).
//
// n logical clients ("workers") and n data partitions. Worker i sends m_i = Σ_j B[i,j]·g_j, a fixed
// combination of the gradients of the partitions it holds (the support of row i). The coordinator
// recovers Σ_j g_j from any n − s workers: it finds a with Σ_{i∈F} a_i·B[i,:] = 1ᵀ and outputs
// Σ_{i∈F} a_i·m_i (`GradientDecoder`).
//
// - Fractional repetition (FRC, §A.1): (s+1) | n; worker i is in group ⌊i/(s+1)⌋ and sends the sum
//   of the group's s+1 partitions (the authors' layout; the paper's "i mod G" layout only relabels
//   workers). Coefficients 0/1: no floating-point amplification.
// - Cyclic repetition (CRC, §A.2): any 0 ≤ s < n. Worker i holds the cyclic window
//   S_i = (i, i+1, …, i+s) mod n. From H ∈ R^{s×n} with H·1 = 0 (a seeded Gaussian draw with the
//   last column = −row sums, as the authors do, or a given H): B[i,i] = 1 and the other s
//   coefficients solve H[:, S_i[1...s]]·x = −H[:, i]. Every row then lies in null(H) ∋ 1. A given B
//   (the paper's n = 3 illustration) is accepted as is.
// Everything is Double; the coordinator converts Float messages once when it decodes.
// Deviation: the authors draw H from numpy's unseeded legacy generator; we draw it from a
// `CounterRandom` stream (Box–Muller normals), so B is reproducible from the run's seed.

/// How a `GradientCode` was built.
public enum GradientCodeKind: String, Sendable, Equatable, CaseIterable {
    /// Fractional repetition (§A.1): 0/1 coefficients, decode = first arrival of every group.
    case fractionalRepetition = "frc"
    /// Cyclic repetition (§A.2): real coefficients, decode = least squares over the first n − s arrivals.
    case cyclicRepetition = "crc"
}

/// An exact (n, s) gradient code: the encoding matrix B and each worker's partitions.
public struct GradientCode: Sendable, Equatable {
    /// Number of workers (logical clients) = number of data partitions.
    public let n: Int
    /// Straggler tolerance: any n − s workers suffice.
    public let s: Int
    public let kind: GradientCodeKind
    /// B, row-major n × n. Row i = the coefficients of worker i's message.
    public let encoding: [Double]
    /// The partitions worker i holds, in the order the reference loads them (FRC: rotated within
    /// the group; CRC: the cyclic window i, i+1, …, i+s mod n).
    public let supports: [[Int]]
    /// The random or given H (CRC built from H only), row-major s × n.
    public let parityMatrix: [Double]?

    // MARK: - Construction

    /// The fractional repetition code (§A.1). Throws unless 0 ≤ s < n and (s + 1) | n.
    public static func fractionalRepetition(n: Int, s: Int) throws(CodingError) -> GradientCode {
        guard n >= 1, s >= 0, s < n else { throw .invalidParameters(scheme: "frc", n: n, s: s) }
        guard n % (s + 1) == 0 else { throw .fractionalRepetitionIndivisible(n: n, s: s) }
        let width = s + 1
        var b = [Double](repeating: 0, count: n * n)
        var supports: [[Int]] = []
        for w in 0..<n {
            let first = width * (w / width)
            supports.append((0..<width).map { first + ((w % width) + $0) % width })
            for j in first..<(first + width) { b[w * n + j] = 1 }
        }
        return GradientCode(n: n, s: s, kind: .fractionalRepetition, encoding: b, supports: supports, parityMatrix: nil)
    }

    /// The cyclic repetition code (§A.2) from a given H (s rows of n; rows should sum to 0).
    /// - Throws: on a bad shape, non-finite entries, or a singular s × s system.
    public static func cyclicRepetition(n: Int, s: Int, parity h: [[Double]]) throws(CodingError) -> GradientCode {
        guard n >= 1, s >= 0, s < n else { throw .invalidParameters(scheme: "crc", n: n, s: s) }
        guard h.count == s, h.allSatisfy({ $0.count == n }) else {
            throw .shapeMismatch(what: "crc H", expected: "\(s) × \(n)",
                                 found: "\(h.count) × \(h.first?.count ?? 0)")
        }
        for (r, row) in h.enumerated() {
            if let c = row.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteEntry(what: "H", row: r, column: c) }
        }
        var b = [Double](repeating: 0, count: n * n)
        var supports: [[Int]] = []
        for i in 0..<n {
            let window = (0...s).map { (i + $0) % n }
            supports.append(window)
            b[i * n + i] = 1
            guard s > 0 else { continue }
            var system = [Double](repeating: 0, count: s * s)
            var rhs = [Double](repeating: 0, count: s)
            for r in 0..<s {
                for k in 0..<s { system[r * s + k] = h[r][window[k + 1]] }
                rhs[r] = -h[r][i]
            }
            guard let x = DenseSolve.solve(system, rhs, n: s) else { throw .singularConstruction(worker: i) }
            for k in 0..<s { b[i * n + window[k + 1]] = x[k] }
        }
        return GradientCode(n: n, s: s, kind: .cyclicRepetition, encoding: b, supports: supports,
                            parityMatrix: h.flatMap { $0 })
    }

    /// The cyclic repetition code with the authors' random H: entries of columns 0..<n−1 are
    /// standard normals drawn row by row from `random`, column n − 1 = −(row sum).
    public static func cyclicRepetition(n: Int, s: Int, random: inout CounterRandom) throws(CodingError) -> GradientCode {
        guard n >= 1, s >= 0, s < n else { throw .invalidParameters(scheme: "crc", n: n, s: s) }
        let h = Self.randomParity(n: n, s: s, random: &random)
        return try cyclicRepetition(n: n, s: s, parity: h)
    }

    /// The authors' random H (s × n, rows summing to 0), drawn from `random`.
    public static func randomParity(n: Int, s: Int, random: inout CounterRandom) -> [[Double]] {
        (0..<s).map { _ in
            var row = (0..<(n - 1)).map { _ in random.nextNormal() }
            row.append(-row.reduce(0, +))
            return row
        }
    }

    /// A code from a given encoding matrix B (n × n), e.g. the paper's n = 3 illustration (§A.2.3).
    /// Supports are the nonzero columns of each row, starting at the diagonal and going cyclically.
    /// Decoded with least squares like CRC; whether it tolerates s stragglers is the caller's claim
    /// (check with `GradientDecoder.plan` over all patterns).
    public static func given(encoding rows: [[Double]], s: Int) throws(CodingError) -> GradientCode {
        let n = rows.count
        guard n >= 1, s >= 0, s < n else { throw .invalidParameters(scheme: "crc", n: n, s: s) }
        guard rows.allSatisfy({ $0.count == n }) else {
            throw .shapeMismatch(what: "B", expected: "\(n) × \(n)", found: "\(n) × \(rows.first?.count ?? 0)")
        }
        for (r, row) in rows.enumerated() {
            if let c = row.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteEntry(what: "B", row: r, column: c) }
        }
        let supports = (0..<n).map { i in (0..<n).map { (i + $0) % n }.filter { rows[i][$0] != 0 } }
        return GradientCode(n: n, s: s, kind: .cyclicRepetition, encoding: rows.flatMap { $0 }, supports: supports,
                            parityMatrix: nil)
    }

    // MARK: - Use

    /// B[row, column].
    public func coefficient(worker: Int, partition: Int) -> Double { encoding[worker * n + partition] }

    /// Row `worker` of B as (partition, coefficient) pairs in support order: what the coordinator
    /// ships to the worker (§A.0.2).
    public func task(worker: Int) -> [(partition: Int, coefficient: Double)] {
        supports[worker].map { ($0, encoding[worker * n + $0]) }
    }

    /// FRC only: the group of worker `worker` (⌊worker/(s+1)⌋); nil for other codes.
    public func group(ofWorker worker: Int) -> Int? {
        kind == .fractionalRepetition ? worker / (s + 1) : nil
    }

    /// Normalized computation load per worker: (s + 1)/n for FRC and CRC (optimal, §A.3).
    public var load: Double { Double(supports.map(\.count).max() ?? 0) / Double(n) }

    /// Worker `worker`'s coded message Σ_j B[worker, j]·g_j, summed in support order in Double.
    /// `partitionGradients[j]` is g_j; all must have the same length.
    public func message(worker: Int, partitionGradients g: [[Double]]) -> [Double] {
        precondition(g.count == n, "message: \(g.count) partition gradients for n = \(n)")
        let d = g.first?.count ?? 0
        var m = [Double](repeating: 0, count: d)
        for j in supports[worker] {
            let c = encoding[worker * n + j]
            precondition(g[j].count == d, "message: partition \(j) has \(g[j].count) values, expected \(d)")
            for k in 0..<d { m[k] += c * g[j][k] }
        }
        return m
    }

    /// Every worker's message (B·G).
    public func messages(partitionGradients g: [[Double]]) -> [[Double]] {
        (0..<n).map { message(worker: $0, partitionGradients: g) }
    }
}
