import Foundation
@testable import Sim

/// A temporary directory for one test's files, removed when the value is dropped.
final class DataTestDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("gradwire-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `bytes` to `name` and returns its path.
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = url.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Writes UTF-8 `text` to `name` and returns its path.
    func write(_ name: String, text: String) throws -> String { try write(name, Array(text.utf8)) }

    /// A path in the directory that does not exist.
    func missing(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Shannon entropy (nats) of a client's label histogram.
func labelEntropy(_ indices: [Int], labels: [Int32], classes: Int) -> Double {
    var counts = [Int](repeating: 0, count: classes)
    for i in indices { counts[Int(labels[i])] += 1 }
    let total = Double(indices.count)
    guard total > 0 else { return 0 }
    return counts.filter { $0 > 0 }.map { c -> Double in let p = Double(c) / total; return -p * log(p) }.reduce(0, +)
}

/// An IDX file: magic 00 00 08 (ndims), big-endian sizes, bytes.
func idxBytes(shape: [Int], values: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
    for size in shape { out += [UInt8(size >> 24 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] }
    return out + values
}
