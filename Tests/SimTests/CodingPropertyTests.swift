import Sim
import Testing

/// The spec's worked examples (§A.1.3, §A.2.3–§A.2.5) and invariants (§A.1.4, §A.2.6, §A.5) for the
/// gradient codes and decoders.
@Suite struct CodingPropertyTests {
    /// Seeded integer-valued partition gradients (n × d) in [−9, 9].
    static func gradients(n: Int, d: Int, seed: UInt64) -> [[Double]] {
        var g = RandomKey(seed: seed, purpose: .dataGeneration).generator
        return (0..<n).map { _ in (0..<d).map { _ in Double(Int(g.nextUniform() * 19) - 9) } }
    }

    static func sum(_ g: [[Double]]) -> [Double] { (0..<g[0].count).map { k in g.reduce(0) { $0 + $1[k] } } }

    /// All subsets of 0..<n of size k.
    static func subsets(_ n: Int, _ k: Int) -> [[Int]] {
        if k == 0 { return [[]] }
        if k > n { return [] }
        return subsets(n - 1, k) + subsets(n - 1, k - 1).map { $0 + [n - 1] }
    }

    static func close(_ a: [Double], _ b: [Double], _ tol: Double) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tol * max(1, abs($1)) }
    }

    // MARK: - FRC

    @Test func frcWorkedExampleA13() throws {
        let code = try GradientCode.fractionalRepetition(n: 6, s: 2)
        let rows: [[Double]] = [[1, 1, 1, 0, 0, 0], [1, 1, 1, 0, 0, 0], [1, 1, 1, 0, 0, 0],
                                [0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 1]]
        #expect(code.encoding == rows.flatMap { $0 })
        let first = GradientDecoder.plan(scheme: .code(code), arrivalOrder: [2, 3, 4, 5])  // stragglers {0, 1}
        #expect(first.usedWorkers == [2, 3] && first.isDecodable)
        let spread = GradientDecoder.plan(scheme: .code(code), arrivalOrder: [1, 2, 5])     // stragglers {0, 3, 4}
        #expect(spread.isDecodable && spread.usedWorkers == [1, 5])
        let group = GradientDecoder.plan(scheme: .code(code), arrivalOrder: [3, 4, 5])      // stragglers {0, 1, 2}
        #expect(!group.isDecodable)
    }

    @Test func frcRefusesIndivisibleParameters() {
        #expect(throws: CodingError.fractionalRepetitionIndivisible(n: 5, s: 1)) { try GradientCode.fractionalRepetition(n: 5, s: 1) }
        #expect(throws: CodingError.invalidParameters(scheme: "frc", n: 4, s: 4)) { try GradientCode.fractionalRepetition(n: 4, s: 4) }
        #expect("\(CodingError.fractionalRepetitionIndivisible(n: 5, s: 1))".contains("does not divide"))
    }

    /// §A.1.4: row/column counts, every ≤ s straggler set decodes exactly, decodable ⇔ every group
    /// has a survivor (brute force over all straggler sets for n ≤ 12), s = 0 → I, s = n − 1 → one arrival.
    @Test(arguments: [(4, 1), (6, 2), (6, 1), (8, 3), (12, 2), (5, 0), (5, 4)])
    func frcInvariants(n: Int, s: Int) throws {
        let code = try GradientCode.fractionalRepetition(n: n, s: s)
        for i in 0..<n {
            #expect((0..<n).filter { code.coefficient(worker: i, partition: $0) != 0 }.count == s + 1)
            #expect((0..<n).filter { code.coefficient(worker: $0, partition: i) != 0 }.count == s + 1)
        }
        #expect(code.encoding.allSatisfy { $0 == 0 || $0 == 1 })
        if s == 0 { #expect(code.encoding == (0..<n * n).map { $0 % (n + 1) == 0 ? 1 : 0 }) }
        let g = Self.gradients(n: n, d: 5, seed: UInt64(n * 100 + s))
        let messages = code.messages(partitionGradients: g)
        let total = Self.sum(g)
        for mask in 0..<(1 << n) {
            let alive = (0..<n).filter { mask & (1 << $0) != 0 }
            let plan = GradientDecoder.plan(scheme: .code(code), arrivalOrder: alive.reversed())
            let covered = Set(alive.map { $0 / (s + 1) }).count == n / (s + 1)
            #expect(plan.isDecodable == covered, "n \(n) s \(s) alive \(alive)")
            if n - alive.count <= s { #expect(plan.isDecodable) }
            if plan.isDecodable { #expect(try plan.combine { messages[$0] } == total) }
        }
        if s == n - 1 { #expect(GradientDecoder.plan(scheme: .code(code), arrivalOrder: [n - 1]).isDecodable) }
    }

    // MARK: - CRC worked examples

    @Test func crcPaperExampleA23() throws {
        let code = try GradientCode.given(encoding: [[0.5, 1, 0], [0, 1, -1], [0.5, 0, 1]], s: 1)
        let expected: [[Int]: [Double]] = [[1, 2]: [0, 1, 2], [0, 2]: [1, 0, 1], [0, 1]: [2, -1, 0]]
        for (alive, a) in expected {
            let plan = GradientDecoder.plan(scheme: .code(code), arrivalOrder: alive)
            #expect(plan.isDecodable && Self.close(plan.fullCoefficients(n: 3), a, 1e-12), "alive \(alive): \(plan.coefficients)")
        }
    }

    @Test func crcDeterministicHExampleA24() throws {
        let code = try GradientCode.cyclicRepetition(n: 4, s: 1, parity: [[1, -1, 1, -1]])
        let b: [[Double]] = [[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1], [1, 0, 0, 1]]
        #expect(Self.close(code.encoding, b.flatMap { $0 }, 1e-15))
        let table: [(alive: [Int], a: [Double])] = [([1, 2, 3], [1, 0, 1]), ([0, 2, 3], [1, 1, 0]),
                                                    ([0, 1, 3], [0, 1, 1]), ([0, 1, 2], [1, 0, 1])]
        let g = Self.gradients(n: 4, d: 3, seed: 24)
        for row in table {
            let plan = GradientDecoder.plan(scheme: .code(code), arrivalOrder: row.alive)
            #expect(plan.isDecodable, "alive \(row.alive)")
            // The least-squares a is unique (B_F has full row rank) and equals the table's.
            #expect(Self.close(plan.coefficients, row.a, 1e-12), "alive \(row.alive): \(plan.coefficients)")
            #expect(Self.close(try plan.combine { code.message(worker: $0, partitionGradients: g) }, Self.sum(g), 1e-12))
        }
    }

    @Test func crcIntegerHExampleA25() throws {
        let code = try GradientCode.cyclicRepetition(n: 5, s: 2, parity: [[-2, 3, 1, 1, -3], [1, -2, -1, 1, 1]])
        let b: [[Double]] = [[1, 1, -1, 0, 0], [0, 1, -2.5, -0.5, 0], [0, 0, 1, 0.5, 0.5], [-4, 0, 0, 1, 3], [-3, -1, 0, 0, 1]]
        #expect(Self.close(code.encoding, b.flatMap { $0 }, 1e-12))
        let table: [[Int]: [Double]] = [
            [2, 3, 4]: [1, 0.5, -1], [1, 3, 4]: [-0.4, 0.8, -1.4], [1, 2, 4]: [2.0 / 3, 8.0 / 3, -1.0 / 3],
            [1, 2, 3]: [1, 3.5, -0.25], [0, 3, 4]: [-1, 1, -2], [0, 2, 4]: [1, 2, 0], [0, 2, 3]: [1, 2, 0],
            [0, 1, 4]: [4, -2, 1], [0, 1, 3]: [7.0 / 3, -4.0 / 3, 1.0 / 3], [0, 1, 2]: [1, 0, 2],
        ]
        let g = (0..<5).map { j in (0..<3).map { Double(3 * j + $0 - 7) } }
        for (alive, a) in table {
            let plan = GradientDecoder.plan(scheme: .code(code), arrivalOrder: alive)
            #expect(Self.close(plan.coefficients, a, 1e-10), "alive \(alive): \(plan.coefficients)")
            #expect(Self.close(try plan.combine { code.message(worker: $0, partitionGradients: g) }, Self.sum(g), 1e-12))
        }
    }

    // MARK: - CRC invariants (§A.2.6)

    @Test(arguments: [(3, 1), (4, 2), (5, 2), (6, 1), (7, 3), (8, 3), (10, 3), (10, 0)])
    func crcInvariants(n: Int, s: Int) throws {
        var random = RandomKey(seed: 77, purpose: .straggler, round: UInt64(n), client: UInt64(s)).generator
        let code = try GradientCode.cyclicRepetition(n: n, s: s, random: &random)
        let h = try #require(code.parityMatrix)
        for i in 0..<n {
            #expect(Set((0..<n).filter { code.coefficient(worker: i, partition: $0) != 0 }) == Set((0...s).map { (i + $0) % n }))
            #expect((0..<n).filter { code.coefficient(worker: $0, partition: i) != 0 }.count == s + 1)
            for r in 0..<s {   // H·Bᵀ = 0
                let dot = (0..<n).reduce(0.0) { $0 + h[r * n + $1] * code.coefficient(worker: i, partition: $1) }
                #expect(abs(dot) <= 1e-10)
            }
        }
        let g = Self.gradients(n: n, d: 4, seed: UInt64(n * 10 + s))
        let h2 = Self.gradients(n: n, d: 4, seed: UInt64(n * 10 + s + 5000))
        let m = code.messages(partitionGradients: g), mh = code.messages(partitionGradients: h2)
        let mSum = code.messages(partitionGradients: zip(g, h2).map { zip($0, $1).map(+) })
        let total = Self.sum(g)
        for stragglers in Self.subsets(n, s) {
            let alive = (0..<n).filter { !stragglers.contains($0) }
            let plan = GradientDecoder.plan(scheme: .code(code), arrivalOrder: alive)
            #expect(plan.residual <= 1e-8 && plan.isDecodable, "stragglers \(stragglers): residual \(plan.residual)")
            let decoded = try plan.combine { m[$0] }
            #expect(Self.close(decoded, total, 1e-8), "stragglers \(stragglers)")
            // Order invariance: the plan depends only on F.
            #expect(GradientDecoder.plan(scheme: .code(code), arrivalOrder: alive.reversed()) == plan)
            // Linearity.
            let lhs = try plan.combine { mSum[$0] }, rhs = zip(decoded, try plan.combine { mh[$0] }).map(+)
            #expect(Self.close(lhs, rhs, 1e-9))
        }
        // More than s stragglers: "not decodable", never a silently wrong vector.
        if s + 1 < n {
            for stragglers in Self.subsets(n, s + 1).prefix(20) {
                let plan = GradientDecoder.plan(scheme: .code(code), arrivalOrder: (0..<n).filter { !stragglers.contains($0) })
                #expect(!plan.isDecodable, "stragglers \(stragglers) decoded with residual \(plan.residual)")
            }
        }
    }

    @Test func crcRejectsBadH() {
        #expect(throws: CodingError.self) { try GradientCode.cyclicRepetition(n: 4, s: 1, parity: [[1, 2, 3]]) }
        #expect(throws: CodingError.singularConstruction(worker: 0)) {
            try GradientCode.cyclicRepetition(n: 4, s: 2, parity: [[1, 1, 1, -3], [2, 2, 2, -6]])
        }
    }

    // MARK: - Decoder state machine and baselines (§A.5)

    @Test func streamingDecoderClosesOnNeededArrivals() throws {
        var random = RandomKey(seed: 5, purpose: .straggler).generator
        let crc = try GradientCode.cyclicRepetition(n: 5, s: 2, random: &random)
        var decoder = GradientDecoder(scheme: .code(crc))
        #expect(try !decoder.receive(worker: 4))
        #expect(try !decoder.receive(worker: 1))
        #expect(try decoder.receive(worker: 2))
        #expect(decoder.plan.usedWorkers == [1, 2, 4] && decoder.plan.isDecodable)
        #expect(throws: CodingError.invalidWorker(worker: 2, n: 5)) { try decoder.receive(worker: 2) }
        #expect(throws: CodingError.invalidWorker(worker: 7, n: 5)) { try decoder.receive(worker: 7) }

        var frc = GradientDecoder(scheme: .code(try GradientCode.fractionalRepetition(n: 6, s: 2)))
        #expect(try !frc.receive(worker: 0))
        #expect(try !frc.receive(worker: 1))
        #expect(try frc.receive(worker: 5))   // both groups covered after 3 < n − s arrivals
    }

    @Test func baselines() throws {
        let g = Self.gradients(n: 5, d: 3, seed: 9)
        var all = GradientDecoder(scheme: .waitForAll(n: 5))
        for w in [3, 1, 0, 4] { #expect(try !all.receive(worker: w)) }
        #expect(try all.receive(worker: 2))
        #expect(try all.plan.combine { g[$0] } == Self.sum(g) && all.plan.isExact)

        var ignore = GradientDecoder(scheme: .ignoreStragglers(n: 5, s: 2))
        for w in [3, 1] { #expect(try !ignore.receive(worker: w)) }
        #expect(try ignore.receive(worker: 4))
        let plan = ignore.plan
        #expect(plan.usedWorkers == [1, 3, 4] && plan.isDecodable && !plan.isExact)
        let a: Double = 5.0 / 3.0
        let expected: [Double] = (0..<3).map { (k: Int) -> Double in
            var v = 0.0
            for w in [1, 3, 4] { v += a * g[w][k] }
            return v
        }
        #expect(try plan.combine { g[$0] } == expected)
        let floats = try plan.combine(floatMessages: { g[$0].map(Float.init) })
        #expect(floats == expected.map { Float($0) })
        #expect(throws: CodingError.missingMessage(worker: 1)) { try plan.combine { $0 == 1 ? nil : g[$0] } }
    }
}
