// Probe for RESULTS.md note 19 (not part of any package target): the cost of the main pass of a
// bracket-based trimmed mean — per 8-column block, two compares against given per-column thresholds,
// two counts and a masked Double sum over the n rows — on Swift's baseline x86-64 target.
// Build and run: swiftc -O benchmarks/robust/trimmed_probe.swift -o /tmp/tp && /tmp/tp 50 1000000
import Foundation
let args = CommandLine.arguments
let n = Int(args[1])!, d = Int(args[2])!
var x = [Float](repeating: 0, count: n * d)
var s: UInt64 = 0x9E3779B97F4A7C15
for i in 0..<(n * d) { s = s &* 6364136223846793005 &+ 1442695040888963407; x[i] = Float(Int64(bitPattern: s >> 11) % 2000) / 1000 - 1 }
var out = [Double](repeating: 0, count: d)
func now() -> Double { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return Double(t.tv_sec) * 1e3 + Double(t.tv_nsec) / 1e6 }
var best = 1e9
for _ in 0..<7 {
    let t0 = now()
    x.withUnsafeBufferPointer { xs in
        out.withUnsafeMutableBufferPointer { op in
            let base = UnsafeRawPointer(xs.baseAddress!)
            var k = 0
            let lo = SIMD8<Float>(repeating: -0.6), hi = SIMD8<Float>(repeating: 0.6)
            while k + 8 <= d {
                var cl = SIMD8<Int32>(), ch = SIMD8<Int32>()
                var a0 = SIMD4<Double>(), a1 = SIMD4<Double>()
                for i in 0..<n {
                    let v = base.loadUnaligned(fromByteOffset: 4 * (i * d + k), as: SIMD8<Float>.self)
                    let below = v .<= lo, above = v .>= hi
                    cl &-= below._storage
                    ch &-= above._storage
                    let m = v.replacing(with: 0, where: below .| above)
                    a0 += SIMD4<Double>(Double(m[0]), Double(m[1]), Double(m[2]), Double(m[3]))
                    a1 += SIMD4<Double>(Double(m[4]), Double(m[5]), Double(m[6]), Double(m[7]))
                }
                for l in 0..<4 { op[k + l] = a0[l] + Double(cl[l] &+ ch[l]); op[k + 4 + l] = a1[l] }
                k += 8
            }
        }
    }
    best = min(best, now() - t0)
}
print("n=\(n) d=\(d) counting pass min \(String(format: "%.1f", best)) ms (sink \(out[7]))")
