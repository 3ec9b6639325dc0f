import Foundation
import Protocol
import Testing

@testable import Sim

/// The algorithm fixtures of `../shared/fixtures/algorithms/` (README: sections lion, dlion,
/// sign-pack, tolerance). Each test reads every `*.json` of the directory and runs those of its
/// kind, so a new fixture file is picked up without touching this file.
@Suite struct LionFixtureTests {
    @Test func everyLionFixture() throws {
        let cases = try AlgorithmFixture.all(kind: "lion")
        #expect(!cases.isEmpty)
        for fixture in cases { try runLion(fixture) }
    }

    @Test func everyDistributedLionFixture() throws {
        let cases = try AlgorithmFixture.all(kind: "dlion")
        #expect(!cases.isEmpty)
        for fixture in cases { try runDistributedLion(fixture) }
    }

    @Test func everySignPackFixture() throws {
        let cases = try AlgorithmFixture.all(kind: "sign-pack")
        #expect(!cases.isEmpty)
        for fixture in cases {
            let rows = try fixture.matrix(fixture.inputs, "signs")
            let bytes = try fixture.matrix(fixture.expected, "bytes")
            let decoded = try fixture.matrix(fixture.expected, "decoded")
            let byteCounts = try fixture.vector(fixture.expected, "byte_count")
            for (k, row) in rows.enumerated() {
                let packed = row.withUnsafeBufferPointer { SignPacking.pack($0) }
                fixture.exact("bytes[\(k)]", packed.bytes.map(Double.init), bytes[k])
                fixture.exact("byte_count[\(k)]", [Double(packed.bytes.count)], [byteCounts[k]])
                // The Protocol's reference packer agrees with the fast one.
                #expect(PackedSigns(signs: row.map { Int8($0) }) == packed, "\(fixture.name): row \(k)")
                let signs = try PackedSigns.validated(count: row.count, bytes: bytes[k].map { UInt8($0) }, field: "fixture")
                fixture.exact("decoded[\(k)]", SignPacking.unpack(signs).map(Double.init), decoded[k])
            }
        }
    }

    // MARK: - Runners

    private func runLion(_ fixture: AlgorithmFixture) throws {
        let p = fixture.params
        let lr = try fixture.number(p, "lr"), beta1 = try fixture.number(p, "beta1")
        let beta2 = try fixture.number(p, "beta2"), weightDecay = try fixture.number(p, "weight_decay")
        var x = try fixture.vector(fixture.inputs, "x0")
        let grads = try fixture.matrix(fixture.inputs, "grads")
        let signs = try fixture.matrix(fixture.expected, "update_sign")
        let xs = try fixture.matrix(fixture.expected, "x"), ms = try fixture.matrix(fixture.expected, "m")
        var m = [Double](repeating: 0, count: x.count)
        for (t, g) in grads.enumerated() {
            var s = [Int8](repeating: 0, count: x.count)
            x.withUnsafeMutableBufferPointer { xb in
                m.withUnsafeMutableBufferPointer { mb in
                    g.withUnsafeBufferPointer { gb in
                        s.withUnsafeMutableBufferPointer { sb in
                            Lion.step(parameters: xb, momentum: mb, gradient: gb, learningRate: lr, beta1: beta1,
                                      beta2: beta2, weightDecay: weightDecay, updateSigns: sb)
                        }
                    }
                }
            }
            fixture.exact("update_sign[\(t)]", s.map(Double.init), signs[t])
            fixture.close("x[\(t)]", x, xs[t])
            fixture.close("m[\(t)]", m, ms[t])
        }
    }

    private func runDistributedLion(_ fixture: AlgorithmFixture) throws {
        let p = fixture.params
        let lr = try fixture.number(p, "lr"), beta1 = try fixture.number(p, "beta1")
        let beta2 = try fixture.number(p, "beta2"), weightDecay = try fixture.number(p, "weight_decay")
        let x0 = try fixture.vector(fixture.inputs, "x0")
        let grads = try fixture.tensor3(fixture.inputs, "grads")  // [w][t][i]
        let e = fixture.expected
        let bits = try fixture.tensor3(e, "sign_bits"), packed = try fixture.tensor3(e, "packed")
        let momenta = try fixture.tensor3(e, "momentum"), plus = try fixture.matrix(e, "plus_count")
        let deltaMaVo = try fixture.matrix(e, "delta_mavo"), xMaVo = try fixture.matrix(e, "x_mavo")
        let deltaAvg = try fixture.matrix(e, "delta_avg"), xAvg = try fixture.matrix(e, "x_avg")
        let deltaRef = try fixture.matrix(e, "delta_mavo_reference"), xRef = try fixture.matrix(e, "x_mavo_reference")
        let workers = grads.count, d = x0.count
        var m = [[Double]](repeating: [Double](repeating: 0, count: d), count: workers)
        var models: [(rule: SignVote, x: [Double], delta: [[Double]], expected: [[Double]], label: String)] = [
            (.majority(ties: .zero), x0, deltaMaVo, xMaVo, "mavo"),
            (.average, x0, deltaAvg, xAvg, "avg"),
            (.majority(ties: .minusOne), x0, deltaRef, xRef, "mavo_reference"),
        ]
        for t in 0..<grads[0].count {
            var votes: [PackedSigns] = []
            for w in 0..<workers {
                let signs = m[w].withUnsafeMutableBufferPointer { mb in
                    grads[w][t].withUnsafeBufferPointer { gb in
                        DistributedLion.workerStep(momentum: mb, gradient: gb, beta1: beta1, beta2: beta2)
                    }
                }
                fixture.exact("sign_bits[\(t)][\(w)]", signs.signs.map { $0 > 0 ? 1.0 : 0.0 }, bits[t][w])
                fixture.exact("packed[\(t)][\(w)]", signs.bytes.map(Double.init), packed[t][w])
                fixture.close("momentum[\(t)][\(w)]", m[w], momenta[t][w])
                votes.append(signs)
            }
            fixture.exact("plus_count[\(t)]", PackedSignBatch(votes).plusCounts().map(Double.init), plus[t])
            for k in models.indices {
                let delta = DistributedLion.aggregate(votes, rule: models[k].rule)
                fixture.exact("delta_\(models[k].label)[\(t)]", DistributedLion.deltaValues(delta) ?? [],
                              models[k].delta[t])
                try models[k].x.withUnsafeMutableBufferPointer { xb in
                    try DistributedLion.apply(delta, to: xb, learningRate: lr, weightDecay: weightDecay)
                }
                fixture.close("x_\(models[k].label)[\(t)]", models[k].x, models[k].expected[t])
            }
        }
    }
}

/// One fixture file of `../shared/fixtures/algorithms/`, read with the exact JSON reader.
struct AlgorithmFixture {
    let name: String
    let root: JSONNode
    let relative: Double
    let absolute: Double

    var params: JSONNode { root["params"] ?? .null }
    var inputs: JSONNode { root["inputs"] ?? .null }
    var expected: JSONNode { root["expected"] ?? .null }

    /// The fixture directory, from this file's path: Tests/SimTests/ → package root → ../shared/.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/fixtures/algorithms")

    /// Every `*.json` of the directory whose `kind` is `kind`, in file-name order.
    static func all(kind: String) throws -> [AlgorithmFixture] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try names.compactMap { file in
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let root = try JSONNode.parse(text)
            guard root["kind"]?.stringValue == kind else { return nil }
            let tolerance = root["tolerance"]
            return AlgorithmFixture(name: file, root: root, relative: tolerance?["rel"]?.doubleValue ?? 0,
                                    absolute: tolerance?["abs"]?.doubleValue ?? 0)
        }
    }

    /// Arrays named in `tolerance.exact` must match exactly; `close` enforces that too.
    var exactNames: [String] { root["tolerance"]?["exact"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    func number(_ node: JSONNode, _ key: String) throws -> Double {
        try #require(node[key]?.doubleValue, "\(name): missing number \(key)")
    }

    func vector(_ node: JSONNode, _ key: String) throws -> [Double] {
        try #require(node[key]?.vector, "\(name): missing vector \(key)")
    }

    func matrix(_ node: JSONNode, _ key: String) throws -> [[Double]] {
        try #require(node[key]?.matrix, "\(name): missing matrix \(key)")
    }

    func tensor3(_ node: JSONNode, _ key: String) throws -> [[[Double]]] {
        let items = try #require(node[key]?.arrayValue, "\(name): missing array \(key)")
        return try items.map { try #require($0.matrix, "\(name): \(key) is not 3-dimensional") }
    }

    /// Element-wise equality.
    func exact(_ label: String, _ actual: [Double], _ expected: [Double]) {
        #expect(actual == expected, "\(name): \(label) is \(actual), expected \(expected)")
    }

    /// |actual − expected| ≤ abs + rel·|expected| element-wise (the README's tolerance rule), or
    /// exact equality if the array's name is in `tolerance.exact`.
    func close(_ label: String, _ actual: [Double], _ expected: [Double]) {
        let base = String(label.prefix { $0 != "[" })
        if exactNames.contains(base) { return exact(label, actual, expected) }
        #expect(actual.count == expected.count, "\(name): \(label) has \(actual.count) values, expected \(expected.count)")
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            #expect(abs(a - e) <= absolute + relative * abs(e),
                    "\(name): \(label)[\(i)] = \(a), expected \(e) (difference \(abs(a - e)))")
        }
    }
}
