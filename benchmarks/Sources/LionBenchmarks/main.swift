// Throughput of Distributed Lion's kernels on 10^8 parameters, against a plain memory copy of the
// same bytes as the ceiling. Usage: `LionBenchmarks [parameters] [voters] [repetitions]`
// (defaults 100_000_000, 8, 5). Reports the best and median wall time and GB/s of input bytes.

import Foundation
import Protocol
import Sim

let arguments = CommandLine.arguments
let d = arguments.count > 1 ? Int(arguments[1]) ?? 100_000_000 : 100_000_000
let voters = arguments.count > 2 ? Int(arguments[2]) ?? 8 : 8
let repetitions = arguments.count > 3 ? Int(arguments[3]) ?? 5 : 5

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func report(_ name: String, bytes: Int, _ body: () -> Void) {
    var times: [Double] = []
    for _ in 0..<repetitions { times.append(seconds(body)) }
    times.sort()
    let best = times[0], median = times[times.count / 2]
    let gbs = Double(bytes) / best / 1e9
    print(String(format: "%-44@ best %8.4f s  median %8.4f s  %7.2f GB/s  %7.0f Mparam/s", name as NSString,
                 best, median, gbs, Double(d) / best / 1e6))
}

print("d = \(d) parameters, N = \(voters) voters, \(repetitions) repetitions")
var values = [Float](unsafeUninitializedCapacity: d) { buffer, count in
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for i in 0..<d {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        buffer[i] = Float(Int32(truncatingIfNeeded: state >> 32)) / 2_147_483_648
    }
    count = d
}
var copy = [Float](repeating: 0, count: d)

// Ceiling: copy the Float input (4 bytes per parameter).
report("memcpy of 4d bytes (Float input)", bytes: 4 * d) {
    copy.withUnsafeMutableBytes { destination in values.withUnsafeBytes { destination.copyMemory(from: $0) } }
}
var packed = SignPacking.pack(values)
report("sign packing (Float → 1 bit)", bytes: 4 * d) { packed = SignPacking.pack(values) }
var momentum = [Float](repeating: 0.01, count: d)
report("worker step (c, pack, momentum update)", bytes: 12 * d) {
    packed = momentum.withUnsafeMutableBufferPointer { m in
        values.withUnsafeBufferPointer { DistributedLion.workerStep(momentum: m, gradient: $0, beta1: 0.9, beta2: 0.99) }
    }
}

// Votes: N vectors of ⌈d/8⌉ bytes; the ceiling is a copy of all of them.
var votes: [PackedSigns] = (0..<voters).map { j in
    PackedSigns(count: d, bytes: packed.bytes.enumerated().map { i, b in
        i == packed.bytes.count - 1 ? b : b ^ UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> (j % 24)) })
}
let voteBytes = voters * packed.bytes.count
var sink = [UInt8](repeating: 0, count: voteBytes)
report("memcpy of N·d/8 bytes (votes)", bytes: voteBytes) {
    sink.withUnsafeMutableBytes { destination in
        var offset = 0
        for vote in votes {
            vote.bytes.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(rebasing: destination[offset..<(offset + source.count)]).copyMemory(from: source)
            }
            offset += vote.bytes.count
        }
    }
}
var batch = PackedSignBatch(votes)
report("vote batch (copy N votes into words)", bytes: voteBytes) { batch = PackedSignBatch(votes) }
var result = TensorPayload.packedSigns(packed)
report("majority vote on the batch (ties → 0)", bytes: voteBytes) { result = batch.majority(ties: .zero) }
report("majority vote, end to end (batch + vote)", bytes: voteBytes) {
    result = DistributedLion.aggregate(votes, rule: .majority(ties: .zero))
}
report("average: vote counts on the batch", bytes: voteBytes) { result = .voteCounts(batch.counts()) }
let delta = batch.majority(ties: .zero)
report("apply Δ (\(delta.codec)) to the model", bytes: 4 * d) {
    try? DistributedLion.apply(delta, to: &copy, LionParameters(learningRate: 1e-4))
}
print("checksum", result.byteCount, copy[d / 2], sink[voteBytes / 2])
