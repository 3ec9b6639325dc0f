import Foundation
import Sim
import Testing

/// Every `frc`, `crc` and `sgc` case of ../shared/fixtures/coding-compression (found by globbing the
/// folder and reading `kind`, no list of names), with each file's own parameters, inputs, recorded
/// H/B and tolerances. Failures name the file.
@Suite struct CodingFixtureTests {
    static var fixtureDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/fixtures/coding-compression")
    }

    /// (file name, parsed JSON) of every fixture of `kind`, sorted by name.
    static func fixtures(kind: String) throws -> [(String, JSONNode)] {
        let files = try FileManager.default.contentsOfDirectory(atPath: fixtureDirectory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try files.compactMap { file in
            let text = try String(contentsOf: fixtureDirectory.appendingPathComponent(file), encoding: .utf8)
            let json = try JSONNode.parse(text)
            return json["kind"]?.stringValue == kind ? (file, json) : nil
        }
    }

    /// |x − y| ≤ tol·max(1, |y|) elementwise (the README's rule); returns the first offending index.
    static func firstMismatch(_ actual: [Double], _ expected: [Double], tolerance: Double) -> Int? {
        guard actual.count == expected.count else { return -1 }
        return zip(actual, expected).enumerated().first { abs($0.1.0 - $0.1.1) > tolerance * max(1, abs($0.1.1)) }?.offset
    }

    static func ints(_ node: JSONNode?) -> [Int]? { node?.arrayValue?.compactMap(\.intValue) }

    // MARK: - FRC

    @Test func everyFRCFixture() throws {
        let cases = try Self.fixtures(kind: "frc")
        #expect(cases.count >= 4, "expected frc fixtures in \(Self.fixtureDirectory.path)")
        for (file, json) in cases {
            let n = try #require(json["params"]?["n"]?.intValue, "\(file): params.n")
            let s = try #require(json["params"]?["s"]?.intValue, "\(file): params.s")
            let d = try #require(json["params"]?["d"]?.intValue, "\(file): params.d")
            let groups = try #require(json["params"]?["groups"]?.intValue, "\(file): params.groups")
            let g = try #require(json["inputs"]?["partition_gradients"]?.matrix, "\(file): partition_gradients")
            let expected = try #require(json["expected"], "\(file): expected")
            let tolerance = try #require(json["tolerance"]?["decoded_abs"]?.doubleValue, "\(file): tolerance")
            #expect(g.count == n && g.allSatisfy { $0.count == d }, "\(file): gradients shape")
            let code = try GradientCode.fractionalRepetition(n: n, s: s)
            let expectedB = try #require(expected["B"]?.matrix, "\(file): expected.B")
            #expect(code.encoding == expectedB.flatMap { $0 }, "\(file): B")
            #expect((0..<n).compactMap { code.group(ofWorker: $0) } == Self.ints(expected["group_of_worker"]), "\(file): groups")
            #expect(Set((0..<n).compactMap { code.group(ofWorker: $0) }).count == groups, "\(file): group count")
            let supports = try #require(expected["partitions_of_worker"]?.arrayValue?.map { Self.ints($0) ?? [] })
            #expect(code.supports == supports, "\(file): partitions_of_worker")
            let messages = code.messages(partitionGradients: g)
            let expectedMessages = try #require(expected["messages"]?.matrix, "\(file): expected.messages")
            #expect(messages == expectedMessages, "\(file): messages")
            let sum = try #require(expected["sum"]?.vector)
            for decode in try #require(expected["decodes"]?.arrayValue) {
                let order = try #require(Self.ints(decode["arrival_order"]))
                let label = "\(file) stragglers \(Self.ints(decode["stragglers"]) ?? [])"
                let plan = GradientDecoder.plan(scheme: .code(code), arrivalOrder: order)
                #expect(plan.usedWorkers == Self.ints(decode["used_workers"]), "\(label): used workers")
                #expect(plan.fullCoefficients(n: n) == decode["a_full"]?.vector, "\(label): a_full")
                let decodable = try #require(decode["decodable"]?.boolValue as Bool?)
                #expect(plan.isDecodable == decodable, "\(label): decodable")
                // The streaming decoder closes the round exactly when the plan becomes decodable.
                var decoder = GradientDecoder(scheme: .code(code))
                for w in order { try decoder.receive(worker: w) }
                #expect(decoder.isComplete == decodable && decoder.plan == plan, "\(label): streaming decoder")
                if decodable {
                    let expectedDecoded = try #require(decode["decoded"]?.vector)
                    let decoded = try plan.combine { messages[$0] }
                    #expect(Self.firstMismatch(decoded, expectedDecoded, tolerance: tolerance) == nil, "\(label): decoded")
                    #expect(decoded == sum, "\(label): decoded ≠ Σ g")
                } else {
                    #expect(decode["decoded"]?.isNull == true, "\(label): fixture has a decoded vector")
                }
            }
        }
    }

    // MARK: - CRC

    @Test func everyCRCFixture() throws {
        let cases = try Self.fixtures(kind: "crc")
        #expect(cases.count >= 9, "expected crc fixtures in \(Self.fixtureDirectory.path)")
        for (file, json) in cases {
            let n = try #require(json["params"]?["n"]?.intValue, "\(file): params.n")
            let s = try #require(json["params"]?["s"]?.intValue, "\(file): params.s")
            let d = try #require(json["params"]?["d"]?.intValue, "\(file): params.d")
            let source = try #require(json["params"]?["B_source"]?.stringValue, "\(file): B_source")
            let g = try #require(json["inputs"]?["partition_gradients"]?.matrix, "\(file): partition_gradients")
            let expected = try #require(json["expected"], "\(file): expected")
            let tol = try #require(json["tolerance"], "\(file): tolerance")
            let bRel = try #require(tol["B_rel"]?.doubleValue), aRel = try #require(tol["a_rel"]?.doubleValue)
            let decodedRel = try #require(tol["decoded_rel"]?.doubleValue)
            let residualMax = try #require(tol["residual_decodable_max"]?.doubleValue)
            let expectedB = try #require(expected["B"]?.matrix, "\(file): expected.B")
            #expect(g.count == n && g.allSatisfy { $0.count == d }, "\(file): gradients shape")

            let code: GradientCode
            switch source {
            case "random_H", "given_H":
                let h = try #require(json["inputs"]?["H"]?.matrix, "\(file): inputs.H")
                if let recorded = json["randomness"]?["H"]?.matrix { #expect(recorded == h, "\(file): randomness.H ≠ inputs.H") }
                code = try GradientCode.cyclicRepetition(n: n, s: s, parity: h)
            case "given_B":
                code = try GradientCode.given(encoding: expectedB, s: s)
            default:
                Issue.record("\(file): unknown B_source \(source)")
                continue
            }
            #expect(Self.firstMismatch(code.encoding, expectedB.flatMap { $0 }, tolerance: bRel) == nil, "\(file): B")
            let supports = try #require(expected["supports"]?.arrayValue?.map { Self.ints($0) ?? [] })
            #expect(code.supports == supports, "\(file): supports")
            let messages = code.messages(partitionGradients: g)
            let expectedMessages = try #require(expected["messages"]?.matrix)
            #expect(Self.firstMismatch(messages.flatMap { $0 }, expectedMessages.flatMap { $0 }, tolerance: decodedRel) == nil,
                    "\(file): messages")
            let sum = try #require(expected["sum"]?.vector)
            #expect(sum == (0..<d).map { k in g.reduce(0) { $0 + $1[k] } }, "\(file): sum")

            for decode in try #require(expected["decodes"]?.arrayValue) {
                let order = try #require(Self.ints(decode["arrival_order"]))
                let label = "\(file) stragglers \(Self.ints(decode["stragglers"]) ?? [])"
                let plan = GradientDecoder.plan(scheme: .code(code), arrivalOrder: order, residualTolerance: residualMax)
                #expect(plan.usedWorkers == Self.ints(decode["used_workers"]), "\(label): used workers")
                let a = try #require(decode["a"]?.vector, "\(label): a")
                let aFull = try #require(decode["a_full"]?.vector, "\(label): a_full")
                #expect(Self.firstMismatch(plan.coefficients, a, tolerance: aRel) == nil, "\(label): a = \(plan.coefficients)")
                #expect(Self.firstMismatch(plan.fullCoefficients(n: n), aFull, tolerance: aRel) == nil, "\(label): a_full")
                let residual = try #require(decode["residual_inf"]?.doubleValue)
                #expect(abs(plan.residual - residual) <= aRel * max(1, residual), "\(label): residual \(plan.residual) vs \(residual)")
                let decodable = try #require(decode["decodable"]?.boolValue as Bool?)
                #expect(plan.isDecodable == decodable, "\(label): decodable")
                if decodable {
                    let decoded = try plan.combine { messages[$0] }
                    let expectedDecoded = try #require(decode["decoded"]?.vector, "\(label): decoded")
                    #expect(Self.firstMismatch(decoded, expectedDecoded, tolerance: decodedRel) == nil, "\(label): decoded \(decoded)")
                    #expect(Self.firstMismatch(decoded, sum, tolerance: decodedRel) == nil, "\(label): decoded ≠ Σ g")
                } else {
                    #expect(decode["decoded"]?.isNull == true, "\(label): fixture has a decoded vector")
                }
                if let rational = decode["a_rational"]?.arrayValue?.compactMap(\.stringValue) {
                    let values = rational.map(Self.rational)
                    #expect(Self.firstMismatch(plan.coefficients, values, tolerance: aRel) == nil, "\(label): a_rational")
                }
            }
            if let rational = expected["B_rational"]?.arrayValue {
                let values = rational.flatMap { ($0.arrayValue ?? []).compactMap(\.stringValue).map(Self.rational) }
                #expect(Self.firstMismatch(code.encoding, values, tolerance: bRel) == nil, "\(file): B_rational")
            }
            if let a = expected["A"]?.matrix {
                // Tandon's getA: one row per straggler set, in itertools.combinations order.
                let sets = Self.combinations(n, s)
                #expect(a.count == sets.count, "\(file): A rows")
                for (row, stragglers) in zip(a, sets) {
                    let alive = (0..<n).filter { !stragglers.contains($0) }
                    let plan = GradientDecoder.plan(scheme: .code(code), arrivalOrder: alive)
                    #expect(Self.firstMismatch(plan.fullCoefficients(n: n), row, tolerance: aRel) == nil, "\(file): A row \(stragglers)")
                }
                if let ab = expected["A_times_B"]?.matrix {
                    let product = a.map { row in (0..<n).map { j in (0..<n).reduce(0.0) { $0 + row[$1] * code.coefficient(worker: $1, partition: j) } } }
                    #expect(Self.firstMismatch(product.flatMap { $0 }, ab.flatMap { $0 }, tolerance: aRel) == nil, "\(file): A·B")
                }
            }
            if let rank = expected["rank_B"]?.intValue { #expect(rank == n - s, "\(file): rank_B \(rank) ≠ n − s") }
        }
    }

    static func rational(_ text: String) -> Double {
        let parts = text.split(separator: "/")
        let num = Double(parts[0]) ?? .nan
        return parts.count == 2 ? num / (Double(parts[1]) ?? .nan) : num
    }

    /// All k-subsets of 0..<n in lexicographic order (Python's itertools.combinations).
    static func combinations(_ n: Int, _ k: Int) -> [[Int]] {
        guard k > 0 else { return [[]] }
        guard k <= n else { return [] }
        var result: [[Int]] = []
        var current = Array(0..<k)
        while true {
            result.append(current)
            var i = k - 1
            while i >= 0 && current[i] == n - k + i { i -= 1 }
            if i < 0 { return result }
            current[i] += 1
            for j in (i + 1)..<k { current[j] = current[j - 1] + 1 }
        }
    }

    // MARK: - SGC

    @Test func everySGCFixture() throws {
        let cases = try Self.fixtures(kind: "sgc")
        #expect(cases.count >= 7, "expected sgc fixtures in \(Self.fixtureDirectory.path)")
        for (file, json) in cases {
            let p = try #require(json["params"], "\(file): params")
            let n = try #require(p["n"]?.intValue), jobs = try #require(p["n_jobs"]?.intValue)
            let mu = try #require(p["mu"]?.doubleValue)
            let schemeName = try #require(p["scheme"]?.stringValue)
            let scheme: SequentialScheme
            switch schemeName {
            case "gc": scheme = .gradientCoding(s: try #require(p["s"]?.intValue))
            case "sr_sgc":
                scheme = .selectiveRepeat(burst: try #require(p["B"]?.intValue), window: try #require(p["W"]?.intValue),
                                          lambda: try #require(p["lambda"]?.intValue))
            case "m_sgc":
                scheme = .multiplexed(burst: try #require(p["B"]?.intValue), window: try #require(p["W"]?.intValue),
                                      lambda: try #require(p["lambda"]?.intValue))
            default:
                Issue.record("\(file): unknown scheme \(schemeName)")
                continue
            }
            // Compatibility: the authors' GC baseline tolerates only "< s" stragglers (README, "Where the
            // reference code differs from the spec"); the spec's rule (default) is "≤ s".
            let parameters = try SequentialCodingParameters(n: n, scheme: scheme, jobs: jobs, strictGCRule: schemeName == "gc")
            let delays = try #require(json["inputs"]?["delays"]?.matrix, "\(file): delays")
            let e = try #require(json["expected"], "\(file): expected")
            #expect(parameters.load == e["load"]?.doubleValue, "\(file): load \(parameters.load)")
            #expect(parameters.delay == e["T"]?.intValue, "\(file): T")
            #expect(parameters.totalRounds == e["total_rounds"]?.intValue, "\(file): total_rounds")
            if let s = e["s"]?.intValue { #expect(parameters.s == s, "\(file): s") }
            if let m = e["minitasks"]?.intValue { #expect(parameters.slots == m, "\(file): minitasks") }

            let run = try SequentialCodingMachine.simulate(parameters: parameters, delays: delays, mu: mu)
            let maskList = e["is_straggler_by_round"]?.arrayValue?.map { $0.arrayValue?.compactMap { $0.boolValue } ?? [] }
            let mask = try #require(maskList, "\(file): is_straggler_by_round")
            #expect(run.isStraggler == mask, "\(file): is_straggler_by_round")
            let rawState = try #require(e["state_by_round"]?.arrayValue, "\(file): state_by_round")
            let state: [[[Int?]]] = rawState.map { round in
                (round.arrayValue ?? []).map { worker in
                    if let slots = worker.arrayValue { return slots.map(\.intValue) }
                    return [worker.intValue]
                }
            }
            #expect(run.state.count == state.count, "\(file): rounds")
            for (r, (actual, wanted)) in zip(run.state, state).enumerated() {
                #expect(actual == wanted, "\(file): state of round \(r): \(actual) vs \(wanted)")
            }
            let durations = try #require(e["durations"]?.vector)
            let durationTolerance = try #require(json["tolerance"]?["durations_abs"]?.doubleValue)
            #expect(run.durations.count == durations.count
                        && zip(run.durations, durations).allSatisfy { abs($0 - $1) <= durationTolerance },
                    "\(file): durations \(run.durations)")
            #expect(run.waits == e["num_waits"]?.intValue, "\(file): num_waits \(run.waits)")
            let decodableList = e["decodable"]?.arrayValue?.compactMap { $0.boolValue }
            let decodable = try #require(decodableList, "\(file): decodable")
            #expect(run.decodable == decodable, "\(file): decodable")
            #expect((run.error == nil) == (e["error"]?.isNull ?? true), "\(file): error \(String(describing: run.error))")
        }
    }
}
