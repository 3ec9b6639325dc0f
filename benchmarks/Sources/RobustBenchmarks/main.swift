// Task T4 "robust rules": every robust aggregation rule and pre-aggregator of Sources/Sim/Robust (each
// pre-aggregator followed by mean) on Float32 inputs, timed beside a memory-read ceiling (one pass
// summing the n × d inputs). Sizes: n = 50, d = 10^6 and n = 200, d = 10^5 with f = ⌊0.2 n⌋; MDA and
// SMEA (subset searches, refused above n = 20) at n = 11, d = 10^5. Thread counts 1 and 2
// (`BLAS.setThreads` and `AggregationThreads.set`): only rules whose distances or Gram matrices go
// through OpenBLAS, and the column-parallel coordinate-wise rules, can use the second thread, so by
// default only those (and mean, as a check) are timed twice.
//
// A plain release executable (wall clock only), not an ordo-one/benchmark target: it prints the
// side-by-side markdown table of benchmarks/RESULTS.md and the machine load measured during each
// case. Usage (from the repository root):
//   swift run -c release --package-path benchmarks RobustBenchmarks [--sizes 50x1000000,200x100000,11x100000]
//       [--reps 5] [--budget 30] [--threads 1,2] [--all-threads] [--rules krum,nnm+mean] [--tsv FILE]
//       [--simd-level 0|2|3]
// `--simd-level` caps the rules' SIMD kernels (CKernels; 0: the Swift paths) after the ceilings were
// measured at the CPU's level, for before/after comparisons in one run.
// Input generation is outside the timed span; min and median over `reps` repetitions (fewer when a
// case exceeds `budget` seconds in total; at least one). Inputs: i.i.d. standard normals (like
// ../shared/benchmarks/peers/byzfl_rules.py), no Byzantine rows.

import Dispatch
import Foundation
import Sim

// MARK: - Options

struct Options {
    var sizes: [(n: Int, d: Int)] = [(50, 1_000_000), (200, 100_000), (11, 100_000)]
    var reps = 5
    var budget = 30.0
    var threads = [1, 2]
    var allThreads = false
    var rules: Set<String>? = nil
    var tsv: String? = nil
    var simdLevel: Int? = nil

    init(_ args: [String]) {
        var i = 0
        func value() -> String { i += 1; return i < args.count ? args[i] : "" }
        while i < args.count {
            switch args[i] {
            case "--sizes":
                sizes = value().split(separator: ",").compactMap { part in
                    let p = part.split(separator: "x").compactMap { Int($0) }
                    return p.count == 2 ? (p[0], p[1]) : nil
                }
            case "--reps": reps = max(1, Int(value()) ?? 5)
            case "--budget": budget = Double(value()) ?? 30
            case "--threads": threads = value().split(separator: ",").compactMap { Int($0) }
            case "--all-threads": allThreads = true
            case "--rules": rules = Set(value().split(separator: ",").map(String.init))
            case "--tsv": tsv = value()
            case "--simd-level": simdLevel = Int(value())
            default:
                FileHandle.standardError.write("unknown argument \(args[i]); see the comment at the top of main.swift\n".data(using: .utf8)!)
                exit(2)
            }
            i += 1
        }
    }
}

let options = Options(Array(CommandLine.arguments.dropFirst()))

// MARK: - Cases

/// One timed chain. `peer` is the rule's name in the ByzFL peer output; `blas` marks rules that call
/// OpenBLAS (pairwise distances / Gram matrices), the only ones a second thread can speed up.
struct Case {
    var label: String
    var chain: [String]
    var parameters: [String: RuleParameters] = [:]
    var peer: String?
    var blas = false
    /// Column-parallel over `AggregationThreads` (coordinate-wise rules).
    var columns = false
    var linear = false
    var smallOnly = false
}

let cases: [Case] = [
    Case(label: "mean", chain: ["mean"], peer: "mean", linear: true),
    Case(label: "median", chain: ["median"], peer: "median", columns: true),
    Case(label: "trimmed-mean", chain: ["trimmed-mean"], peer: "trimmed-mean", columns: true),
    Case(label: "meamed", chain: ["meamed"], peer: "meamed", columns: true),
    Case(label: "krum", chain: ["krum"], peer: "krum", blas: true),
    Case(label: "multi-krum", chain: ["multi-krum"], peer: "multi-krum", blas: true),
    Case(label: "bulyan", chain: ["bulyan"], blas: true, columns: true),
    Case(label: "geometric-median T=3", chain: ["geometric-median"],
         parameters: ["geometric-median": RuleParameters(["variant": .string("byzfl")])], peer: "geometric-median"),
    Case(label: "geometric-median exact", chain: ["geometric-median"]),
    Case(label: "centered-clipping", chain: ["centered-clipping"], peer: "centered-clipping", linear: true),
    Case(label: "caf", chain: ["caf"], peer: "caf", blas: true),
    Case(label: "monna idx=0", chain: ["monna"], parameters: ["monna": RuleParameters(["idx": .number(0)])], peer: "monna"),
    Case(label: "flag", chain: ["flag"], blas: true),
    Case(label: "fltrust", chain: ["fltrust"]),
    Case(label: "signguard", chain: ["signguard"]),
    Case(label: "dnc", chain: ["dnc"], blas: true),
    Case(label: "nnm+mean", chain: ["nnm", "mean"], peer: "nnm", blas: true),
    Case(label: "bucketing+mean", chain: ["bucketing", "mean"], peer: "bucketing"),
    Case(label: "clipping+mean", chain: ["clipping", "mean"], peer: "clipping", linear: true),
    Case(label: "arc+mean", chain: ["arc", "mean"], peer: "arc", linear: true),
    Case(label: "mda", chain: ["mda"], peer: "mda", blas: true, smallOnly: true),
    Case(label: "smea", chain: ["smea"], peer: "smea", blas: true, smallOnly: true),
]

// MARK: - Inputs, load and timing

/// n × d standard normals (splitmix64 counters, Box–Muller), deterministic for a seed.
func normals(count: Int, seed: UInt64) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        var i = 0
        while i < count {
            let a = PortableRandom.u64(seed: seed, index: UInt64(i)), b = PortableRandom.u64(seed: seed, index: UInt64(i + 1))
            let u1 = (Double(a >> 11) + 1) * 0x1p-53, u2 = Double(b >> 11) * 0x1p-53
            let r = (-2 * log(u1)).squareRoot()
            buffer[i] = Float(r * cos(2 * Double.pi * u2))
            if i + 1 < count { buffer[i + 1] = Float(r * sin(2 * Double.pi * u2)) }
            i += 2
        }
        initialized = count
    }
}

/// Busy CPU seconds of the whole machine (/proc/stat) and of this process (getrusage).
func cpuSeconds() -> (machine: Double, own: Double) {
    var machine = 0.0
    if let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let line = text.split(separator: "\n").first {
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        if fields.count >= 8 {
            // user nice system idle iowait irq softirq steal: busy = all but idle and iowait.
            machine = (fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]) / Double(sysconf(Int32(_SC_CLK_TCK)))
        }
    }
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let own = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return (machine, own)
}

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

struct Timing {
    var min: Double
    var median: Double
    var reps: Int
    /// Cores busy with other processes while the case ran.
    var otherLoad: Double
}

nonisolated(unsafe) var sink: Float = 0

/// Runs `body` up to `options.reps` times (stopping once `options.budget` seconds are spent).
func measure(_ body: () -> Float) -> Timing {
    var times: [Double] = []
    let cpu0 = cpuSeconds(), wall0 = now()
    while times.count < options.reps {
        let start = now()
        sink += body()
        times.append(now() - start)
        if times.reduce(0, +) > options.budget { break }
    }
    let cpu1 = cpuSeconds(), wall = now() - wall0
    times.sort()
    let other = max(0, (cpu1.machine - cpu0.machine) - (cpu1.own - cpu0.own)) / max(wall, 1e-9)
    return Timing(min: times[0] * 1e3, median: times[times.count / 2] * 1e3, reps: times.count, otherLoad: other)
}

// MARK: - Memory-read ceilings

/// A plain scalar loop: one Float accumulator (latency-bound on most CPUs, not memory-bound).
func plainSum(_ x: UnsafeBufferPointer<Float>) -> Float {
    var s: Float = 0
    for v in x { s += v }
    return s
}

/// The same pass with 4 × SIMD16 accumulators (SSE2 on baseline x86-64): the ceiling of runs 1–6.
func simdSum(_ x: UnsafeBufferPointer<Float>) -> Float {
    guard let base = x.baseAddress else { return 0 }
    let raw = UnsafeRawPointer(base)
    var a = SIMD16<Float>(), b = SIMD16<Float>(), c = SIMD16<Float>(), e = SIMD16<Float>()
    var i = 0
    let n = x.count
    while i + 64 <= n {
        a += raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
        b += raw.loadUnaligned(fromByteOffset: 4 * (i + 16), as: SIMD16<Float>.self)
        c += raw.loadUnaligned(fromByteOffset: 4 * (i + 32), as: SIMD16<Float>.self)
        e += raw.loadUnaligned(fromByteOffset: 4 * (i + 48), as: SIMD16<Float>.self)
        i += 64
    }
    var s = (a + b + c + e).sum()
    while i < n { s += x[i]; i += 1 }
    return s
}

/// The fastest one-pass read on this CPU: the C kernel `gw_sum_floats` (AVX-512 or AVX2 lanes, with
/// software prefetch). Swift's SIMD16 loop above runs on baseline x86-64 (SSE2) and is partly
/// compute-bound, so the linear rules are judged against this one (the others stay printed).
func vectorSum(_ x: UnsafeBufferPointer<Float>) -> Float { SIMDKernels.sum(x) }

/// The SIMD pass split over two threads (what a two-thread rule could reach).
func simdSumTwoThreads(_ x: UnsafeBufferPointer<Float>) -> Float {
    let half = x.count / 2
    nonisolated(unsafe) let x = x
    nonisolated(unsafe) let parts = UnsafeMutableBufferPointer<Float>.allocate(capacity: 2)
    defer { parts.deallocate() }
    DispatchQueue.concurrentPerform(iterations: 2) { t in
        let range = t == 0 ? 0..<half : half..<x.count
        parts[t] = simdSum(UnsafeBufferPointer(rebasing: x[range]))
    }
    return parts[0] + parts[1]
}

// MARK: - Run

func padded(_ s: String) -> String { s.padding(toLength: 34, withPad: " ", startingAt: 0) }

struct Row {
    var size: String
    var label: String
    var threads: Int
    var timing: Timing
    var peer: String?
    var linear: Bool
}

var rows: [Row] = []

let cpuLevel = SIMDKernels.setLevel(3)
let isaName = [3: "AVX-512", 2: "AVX2"][cpuLevel] ?? "scalar"
print("# Robust aggregation rules (T4), Float32 inputs, \(ProcessInfo.processInfo.activeProcessorCount) cores")
let ruleLevel = options.simdLevel.map { min($0, cpuLevel) } ?? cpuLevel
print("SIMD kernels: \(isaName) on this CPU; rules run at level \(ruleLevel)")
print("OpenBLAS core: \(BLAS.core.name)\(BLAS.core.switched ? " (switched from the generic Prescott kernels; see docs/architecture.md)" : "")")
print("load average at start: \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?")")
for (n, d) in options.sizes {
    let f = n / 5
    let small = n <= 20
    let selected = cases.filter { c in
        (c.smallOnly == small) && (options.rules.map { $0.contains(c.label) || $0.contains(c.chain.joined(separator: "+")) } ?? true)
    }
    let size = "n=\(n) d=\(d) f=\(f)"
    print("\n## \(size)  (\(String(format: "%.0f", Double(n * d * 4) / 1e6)) MB of Float32 input)")
    let generationStart = now()
    let values = normals(count: n * d, seed: 0x7417 &+ UInt64(n))
    let batch = UpdateBatch<Float>(rows: n, dimension: d, values: values)
    let context = AggregationContext<Float>(seed: 7, round: 1, trusted: normals(count: d, seed: 0x7A57))
    print(String(format: "inputs generated in %.1f s (not timed)", now() - generationStart))

    BLAS.setThreads(1)
    SIMDKernels.setLevel(3)
    var ceilings: [String: Timing] = [:]
    values.withUnsafeBufferPointer { x in
        ceilings["plain"] = measure { plainSum(x) }
        ceilings["simd"] = measure { simdSum(x) }
        ceilings["simd2"] = measure { simdSumTwoThreads(x) }
        ceilings["vector"] = measure { vectorSum(x) }
    }
    if let level = options.simdLevel { SIMDKernels.setLevel(level) }
    let gb = Double(n * d * 4) / 1e9
    for (key, title) in [("plain", "ceiling: plain scalar sum loop"), ("simd", "ceiling: SIMD sum, 1 thread"),
                         ("simd2", "ceiling: SIMD sum, 2 threads"),
                         ("vector", "ceiling: \(isaName) sum (C), 1 thread")] {
        let t = ceilings[key]!
        rows.append(Row(size: size, label: title, threads: key == "simd2" ? 2 : 1, timing: t, peer: nil, linear: false))
        print(String(format: "%@ min %9.2f ms  median %9.2f ms  %5.1f GB/s  (other load %.2f cores)",
                     padded(title) as NSString, t.min, t.median, gb / (t.min / 1e3), t.otherLoad))
    }
    // Linear rules are judged against the fastest one-pass read (the C kernel); the Swift SIMD
    // ceiling of runs 1–6 is printed beside it for continuity.
    let ceiling = ceilings["vector"]!.min
    let swiftCeiling = ceilings["simd"]!.min

    for c in selected {
        let chain: AggregationChain
        do {
            chain = try AggregationChain(names: c.chain, parameters: c.parameters, defaultF: f)
            try chain.validate(inputs: n)
        } catch {
            print("\(c.label): skipped (\(error))")
            continue
        }
        for t in options.threads where t == 1 || c.blas || c.columns || options.allThreads || c.label == "mean" {
            BLAS.setThreads(t)
            AggregationThreads.set(t)
            let timing = measure {
                do { return try chain.aggregate(batch, context: context).vector[0] } catch { fatalError("\(c.label): \(error)") }
            }
            rows.append(Row(size: size, label: c.label, threads: t, timing: timing, peer: c.peer, linear: c.linear))
            print(String(format: "%@ %d thr  min %9.2f ms  median %9.2f ms  (%d reps)  %6.2f× ceiling  "
                             + "%6.2f× Swift SIMD ceiling  (other load %.2f cores)",
                         padded(c.label) as NSString, t, timing.min, timing.median, timing.reps, timing.min / ceiling,
                         timing.min / swiftCeiling, timing.otherLoad))
        }
    }
    BLAS.setThreads(1)
}

if let path = options.tsv {
    var text = "size\trule\tpeer\tthreads\tmin_ms\tmedian_ms\treps\tother_load\tlinear\n"
    for r in rows {
        text += "\(r.size)\t\(r.label)\t\(r.peer ?? "-")\t\(r.threads)\t\(String(format: "%.3f", r.timing.min))\t"
        text += "\(String(format: "%.3f", r.timing.median))\t\(r.timing.reps)\t\(String(format: "%.2f", r.timing.otherLoad))\t\(r.linear)\n"
    }
    do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch { print("cannot write \(path): \(error)") }
    print("\nwrote \(path)")
}
print("(sink \(sink))")
