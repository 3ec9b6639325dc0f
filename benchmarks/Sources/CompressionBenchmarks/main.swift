// Throughput of every compressor on 10^7 Float32 values, against a plain memory copy of the same
// bytes as the ceiling. Usage: `CompressionBenchmarks [elements] [repetitions]` (defaults
// 10_000_000, 3). For each compressor: compress (in: GB/s of Float32 input read) and decompress
// (out: GB/s of Float32 output written; the receiver's validated path `decompressed(expectedCount:)`),
// best of the repetitions, and the bytes on the wire. Top-k is also timed against a full sort of
// the magnitudes, to show that it selects (introselect) rather than sorts.

import Foundation
import Protocol
import Sim

let arguments = CommandLine.arguments
let d = arguments.count > 1 ? Int(arguments[1]) ?? 10_000_000 : 10_000_000
let repetitions = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func best(_ body: () -> Void) -> Double {
    (0..<repetitions).map { _ in seconds(body) }.min()!
}

var values = [Float](unsafeUninitializedCapacity: d) { buffer, count in
    var g = RandomKey(seed: 7, purpose: .compression).generator
    for i in 0..<d { buffer[i] = Float(g.nextNormal()) * 0.01 }
    count = d
}
let inputBytes = 4 * d
print("d = \(d) Float32 (\(inputBytes / 1_000_000) MB), best of \(repetitions); GB/s of Float32 in (compress) and out (decompress)")
print("")
print("| compressor | compress s | in GB/s | decompress s | out GB/s | wire bytes | ratio |")
print("|---|---:|---:|---:|---:|---:|---:|")

var copy = [Float](repeating: 0, count: d)
let memcpy = best { copy.withUnsafeMutableBytes { destination in values.withUnsafeBytes { destination.copyMemory(from: $0) } } }
print(String(format: "| memcpy (ceiling) | %.4f | %.2f | %.4f | %.2f | %d | 1.0 |", memcpy, Double(inputBytes) / memcpy / 1e9,
             memcpy, Double(inputBytes) / memcpy / 1e9, inputBytes))

let shape = (rows: 3125, columns: d / 3125)
let compressors: [(String, any Compressor)] = [
    ("none", NoCompression()),
    ("fp16", Float16Compression()),
    ("topk ρ=0.01", TopK(ratio: 0.01)),
    ("topk ρ=0.01 + EF", ErrorFeedback(TopK(ratio: 0.01))),
    ("randomk ρ=0.01", RandomK(ratio: 0.01, scaled: true)),
    ("threshold τ=0.025", ThresholdSparsifier(threshold: 0.025)),
    ("dgc ρ=0.001 (sampled)", DeepGradientCompression(ratio: 0.001)),
    ("qsgd s=4, b=512", QSGD(levels: 4, bucketSize: 512)),
    ("terngrad", TernGrad()),
    ("signsgd", SignSGD()),
    ("scaled-sign", ScaledSign()),
    ("natural", NaturalCompression()),
    ("powersgd r=2 (\(shape.rows)×\(shape.columns))", PowerSGD(rows: shape.rows, columns: d / shape.rows, rank: 2)),
]
for (name, compressor) in compressors {
    if name.hasPrefix("powersgd"), d % shape.rows != 0 { continue }
    var out = CompressedTensor(count: 0, form: .dense([]))
    let key = RandomKey(seed: 1, purpose: .compression, round: 1, client: 0)
    let compress = best {
        var memory = CompressionMemory()
        var random = CompressionRandom(key: key)
        out = compressor.compress(values, memory: &memory, random: &random)
    }
    var decoded: [Float] = []
    let decompress = best { decoded = (try? out.decompressed(expectedCount: d)) ?? [] }
    precondition(decoded.count == d, "\(name) did not decode")
    print(String(format: "| %@ | %.4f | %.2f | %.4f | %.2f | %d | %.1f |", name as NSString, compress,
                 Double(inputBytes) / compress / 1e9, decompress, Double(inputBytes) / decompress / 1e9,
                 out.wireByteCount, Double(inputBytes) / Double(out.wireByteCount)))
}

// Selection, not a sort: top-k against a full sort of the magnitudes.
var magnitudes: [Float] = []
let fullSort = best { magnitudes = values.map { abs($0) }; magnitudes.sort(by: >) }
let selection = best { _ = MagnitudeSelection.topK(values, k: d / 100) }
print("")
print(String(format: "top-k (k = d/100) selection %.4f s; full sort of |x| %.4f s (%.1f× slower)", selection, fullSort,
             fullSort / selection))
