// Reading the coding-and-compression fixtures (../shared/fixtures/coding-compression) and comparing
// vectors with the tolerances the fixtures state. Failures name the fixture file.

import Foundation
import Sim
import Testing

/// One fixture file.
struct CompressionFixture {
    let file: String
    let root: JSONNode

    var kind: String { root["kind"]?.stringValue ?? "" }
    var params: JSONNode { root["params"] ?? .null }
    var inputs: JSONNode { root["inputs"] ?? .null }
    var randomness: JSONNode { root["randomness"] ?? .null }
    var expected: JSONNode { root["expected"] ?? .null }
    var tolerance: JSONNode { root["tolerance"] ?? .null }

    static var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/fixtures/coding-compression").standardizedFileURL
    }

    /// Every `*.json` of the given kind, sorted by file name.
    static func all(kind: String) throws -> [CompressionFixture] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try names.compactMap { name in
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            let fixture = CompressionFixture(file: name, root: try JSONNode.parse(text))
            return fixture.kind == kind ? fixture : nil
        }
    }

    /// A number (tolerances), or a default.
    func number(_ node: JSONNode?, default value: Double) -> Double { node?.doubleValue ?? value }
}

/// Comparison failures collected per fixture.
struct FixtureCheck {
    let file: String
    var failures: [String] = []
    /// Comparisons made (a fixture that checks nothing fails).
    var comparisons = 0

    mutating func fail(_ message: String) { failures.append("\(file): \(message)") }

    mutating func require<T>(_ value: T?, _ what: String) -> T? {
        if value == nil { fail("missing or malformed \(what)") }
        return value
    }

    /// |a − b| ≤ abs + rel·|b| for every element; null (NaN in `expected`) means "non-finite".
    mutating func close(_ actual: [Float], _ expected: [Double]?, abs: Double = 0, rel: Double = 0, _ what: String) {
        guard let expected = require(expected, what) else { return }
        comparisons += 1
        guard actual.count == expected.count else { return fail("\(what): \(actual.count) values, expected \(expected.count)") }
        for (i, (a, b)) in zip(actual, expected).enumerated() {
            if b.isNaN {
                if a.isFinite { fail("\(what)[\(i)] = \(a), expected non-finite") }
                continue
            }
            if !(Swift.abs(Double(a) - b) <= abs + rel * Swift.abs(b)) {
                fail("\(what)[\(i)] = \(a), expected \(b) (abs \(abs), rel \(rel))")
                return
            }
        }
    }

    /// Exact integer sequences.
    mutating func equal(_ actual: [Int], _ expected: [Int]?, _ what: String) {
        guard let expected = require(expected, what) else { return }
        comparisons += 1
        if actual != expected { fail("\(what) = \(actual), expected \(expected)") }
    }

    mutating func scalar(_ actual: Double, _ expected: Double?, rel: Double, _ what: String) {
        guard let expected = require(expected, what) else { return }
        comparisons += 1
        if !(Swift.abs(actual - expected) <= rel * Swift.abs(expected) + 1e-30) { fail("\(what) = \(actual), expected \(expected)") }
    }

    func report() {
        if comparisons == 0 { Issue.record(Comment(rawValue: "\(file): nothing was compared")) }
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
    }
}

extension JSONNode {
    /// A numeric array where `null` becomes NaN (the fixtures' non-finite marker).
    var floats: [Double]? {
        guard let items = arrayValue else { return nil }
        var out: [Double] = []
        for item in items {
            if item.isNull { out.append(.nan) } else if let v = item.doubleValue { out.append(v) } else { return nil }
        }
        return out
    }

    /// A numeric array as Ints.
    var ints: [Int]? { floats?.map { Int($0) } }

    /// A matrix flattened row-major.
    var flattened: [Double]? {
        guard let rows = arrayValue else { return nil }
        var out: [Double] = []
        for row in rows {
            if let nested = row.arrayValue, nested.first?.arrayValue != nil {
                guard let inner = row.flattened else { return nil }
                out += inner
            } else {
                guard let values = row.floats else { return nil }
                out += values
            }
        }
        return out
    }
}

/// Float32 inputs from the fixtures' decimal values (exact float32 values written as decimals).
func float32(_ values: [Double]) -> [Float] { values.map { Float($0) } }

/// Bits of packed signs as 0/1 per element.
func signBits(_ tensor: CompressedTensor) -> [Int] {
    switch tensor.form {
    case .signs(let s), .scaledSigns(let s, _): return s.signs.map { $0 > 0 ? 1 : 0 }
    default: return []
    }
}

/// Indices and values of a sparse form.
func sparseParts(_ tensor: CompressedTensor) -> (indices: [Int], values: [Float]) {
    switch tensor.form {
    case .sparse(let i, let v), .sharedSparse(let i, let v): return (i.map { Int($0) }, v)
    default: return ([], [])
    }
}
