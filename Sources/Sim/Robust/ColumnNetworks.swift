// Float fast path of the coordinate-wise rules (median, trimmed mean, Meamed, Bulyan's coordinate
// step): sorting networks run lane-parallel across 16 adjacent columns.
//
// Row-major storage holds 16 adjacent coordinates of a row in one 64-byte line, so a block of 16
// columns is n SIMD16<Float> loads. A Batcher odd–even merge sorting network (on the next power of
// two, padded with +∞) then sorts all 16 columns at once with SIMD min/max — exact on Float, no
// widening, no branches. The network is pruned twice when it is built: comparators that only ever
// meet padding are dropped (forward), and comparators at the end that only reorder values inside
// one "group" of sorted positions the rule does not distinguish (e.g. the kept middle of a trimmed
// mean) are dropped (backward; a kept comparator makes its two positions exact). The rule then reads
// the groups and sums in Double, in position order: deterministic, the same on every machine.
//
// Exactness: the median is bit-identical to the scalar Double path (same two middle values, same
// (a + b)/2 in Double). Trimmed mean and Meamed sum the same multiset of values in another order
// (last-bit differences). Meamed's tie rule (equal distances to the median at the boundary: keep the
// lower row index) needs the rows, which the network discards: such columns, and any 16-column block
// holding a NaN, are recomputed by the scalar path. Only Float batches take this path; Double
// batches (fixtures, `gradwire aggregate`) keep the scalar path.

import CKernels
import Dispatch

enum ColumnNetworks {
    /// Columns handled together (SIMD lanes).
    static let lanes = 16

    /// A pruned sorting network for `n` values: flattened (i, j) pairs, i < j, min to i.
    /// `groups` are the ends of consecutive groups of sorted positions the caller needs as sets
    /// (a group of one position is needed exactly); positions from the last end to the padded size
    /// form a final group.
    static func network(n: Int, groupEnds: [Int]) -> [Int32] {
        var size = 1
        while size < n { size *= 2 }
        let live = forwardPruned(n: n, size: size)
        // Backward: drop trailing comparators inside one group; a kept one makes its positions exact.
        var label = [Int](repeating: 0, count: size)
        var start = 0, group = 0
        for end in groupEnds + [size] {
            for q in start..<max(start, end) { label[q] = group }
            start = max(start, end)
            group += 1
        }
        var next = group
        var kept: [(Int, Int)] = []
        for (i, j) in live.reversed() {
            if label[i] == label[j] { continue }
            kept.append((i, j))
            label[i] = next; label[j] = next + 1
            next += 2
        }
        return kept.reversed().flatMap { [Int32($0.0), Int32($0.1)] }
    }

    /// Batcher's odd–even merge sort on `size` positions less the comparators whose upper input is
    /// +∞ padding (positions ≥ n start as +∞; such a comparator is a no-op).
    static func forwardPruned(n: Int, size: Int) -> [(Int, Int)] {
        var pairs: [(Int, Int)] = []
        var p = 1
        while p < size {
            var k = p
            while k >= 1 {
                var j = k % p
                while j + k < size {
                    for i in 0..<min(k, size - j - k) where (i + j) / (2 * p) == (i + j + k) / (2 * p) {
                        pairs.append((i + j, i + j + k))
                    }
                    j += 2 * k
                }
                k /= 2
            }
            p *= 2
        }
        // Forward: positions ≥ n start as +∞; a comparator whose upper input is +∞ is a no-op.
        var infinite = (0..<size).map { $0 >= n }
        var live: [(Int, Int)] = []
        for (i, j) in pairs {
            if infinite[j] { continue }
            if infinite[i] { infinite[i] = false; infinite[j] = true }
            live.append((i, j))
        }
        return live
    }

    /// How many leading comparators of `net` (a `network(n:groupEnds:)`) are exactly Batcher's first
    /// four stages less the padding no-ops, i.e. sort each aligned group of 16 positions: the AVX-512
    /// kernel runs those in registers with the full 16-position network (the dropped comparators met
    /// +∞ and change nothing, so the values are the same). 0 when the backward pruning removed one
    /// of them, or below 16 positions.
    static func registerPrefix(n: Int, size: Int, network net: [Int32]) -> Int {
        guard size >= 16 else { return 0 }
        let live = forwardPruned(n: n, size: size)
        let m = live.prefix { $0.0 / 16 == $0.1 / 16 }.count
        guard net.count >= 2 * m else { return 0 }
        for t in 0..<m where Int(net[2 * t]) != live[t].0 || Int(net[2 * t + 1]) != live[t].1 { return 0 }
        return m
    }

    /// Sorts (per the pruned network) the 16 columns k..<k+16 of `rows` into `scratch` (padded to the
    /// network's size with +∞). Returns false when a value is NaN (the caller falls back).
    @inline(__always)
    static func load(_ x: UnsafePointer<Float>, d: Int, k: Int, rows: [Int], lanes count: Int,
                     size: Int, scratch: UnsafeMutablePointer<SIMD16<Float>>, network: UnsafeBufferPointer<Int32>) -> Bool {
        var nan = SIMDMask<SIMD16<Int32>>()
        for (r, row) in rows.enumerated() {
            let v: SIMD16<Float>
            if count == lanes {
                v = UnsafeRawPointer(x + row * d + k).loadUnaligned(as: SIMD16<Float>.self)
            } else {
                var t = SIMD16<Float>(repeating: 0)
                for l in 0..<count { t[l] = x[row * d + k + l] }
                v = t
            }
            nan = nan .| (v .!= v)
            scratch[r] = v
        }
        if any(nan) { return false }
        for r in rows.count..<size { scratch[r] = SIMD16<Float>(repeating: .infinity) }
        var t = 0
        while t < network.count {
            let i = Int(network[t]), j = Int(network[t + 1])
            let a = scratch[i], b = scratch[j]
            let less = a .< b
            scratch[i] = a.replacing(with: b, where: .!less)
            scratch[j] = b.replacing(with: a, where: .!less)
            t += 2
        }
        return true
    }

    /// Runs `body(scratch, k, lanes)` on every 16-column block of the rows `rows` after sorting it with
    /// a network for `groupEnds`; `fallback(k)` for the columns of blocks holding a NaN.
    ///
    /// With `AggregationThreads.count` > 1 the columns are split into contiguous ranges sorted
    /// concurrently, so `body` and `fallback` must only write to their own columns.
    static func forEachBlock(_ batch: UpdateBatch<Float>, rows: [Int], groupEnds: [Int],
                             _ body: (UnsafeMutablePointer<SIMD16<Float>>, Int, Int) -> Void,
                             fallback: (Int) -> Void) {
        let d = batch.dimension, n = rows.count
        guard d > 0, n > 0 else { return }
        let net = network(n: n, groupEnds: groupEnds)
        var size = 1
        while size < n { size *= 2 }
        let ranges = AggregationThreads.ranges(columns: d)
        if ranges.count == 1 {
            sortBlocks(batch, rows: rows, size: size, network: net, columns: 0..<d, body, fallback: fallback)
            return
        }
        let padded = size
        withoutActuallyEscaping(body) { body in
            withoutActuallyEscaping(fallback) { fallback in
                let work = ColumnWork(body: body, fallback: fallback)
                DispatchQueue.concurrentPerform(iterations: ranges.count) { t in
                    sortBlocks(batch, rows: rows, size: padded, network: net, columns: ranges[t], work.body, fallback: work.fallback)
                }
            }
        }
    }

    /// The per-block closures of one `forEachBlock` call, carried into its column threads.
    /// `@unchecked Sendable`: each thread calls them for its own column range only (the callers
    /// write disjoint columns), and `forEachBlock` returns only after every thread has finished.
    private struct ColumnWork: @unchecked Sendable {
        let body: (UnsafeMutablePointer<SIMD16<Float>>, Int, Int) -> Void
        let fallback: (Int) -> Void
    }

    /// `forEachBlock` on the columns `columns` (whole 16-column blocks but for the batch's last).
    private static func sortBlocks(_ batch: UpdateBatch<Float>, rows: [Int], size: Int, network net: [Int32], columns: Range<Int>,
                                   _ body: (UnsafeMutablePointer<SIMD16<Float>>, Int, Int) -> Void,
                                   fallback: (Int) -> Void) {
        let d = columns.upperBound, n = rows.count
        // The kernel's columns, then the Swift path's (all of them when no kernel applies; the rest
        // if the level was lowered meanwhile: the same bits either way).
        let done = gw_simd_level() >= 2
            ? vectorBlocks(batch, rows: rows, size: size, network: net, columns: columns, body, fallback: fallback)
            : columns.lowerBound
        guard done < d else { return }
        let scratch = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: size)
        defer { scratch.deallocate() }
        // Column tiles: the rows' segments of `tileWidth` columns are first copied, one row after the
        // other, into a contiguous n × width tile (sequential reads the prefetchers follow), and the
        // network reads its 16-column blocks from the L2-resident tile instead of striding across n
        // rows of the whole batch (n concurrent streams, ~35 % of the time at n = 50, d = 10^6).
        // Same values, same network, same order: the same bits.
        let stride = batch.dimension
        let width = min(d - done, tileWidth(rows: n))
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: n * width)
        defer { tile.deallocate() }
        let local = Array(0..<n)
        batch.values.withUnsafeBufferPointer { xs in
            net.withUnsafeBufferPointer { np in
                guard let x = xs.baseAddress else { return }
                var k0 = done
                while k0 < d {
                    let w = min(width, d - k0)
                    for (r, row) in rows.enumerated() { (tile + r * w).update(from: x + row * stride + k0, count: w) }
                    var k = 0
                    while k < w {
                        let count = min(lanes, w - k)
                        if load(tile, d: w, k: k, rows: local, lanes: count, size: size, scratch: scratch, network: np) {
                            body(scratch, k0 + k, count)
                        } else {
                            for l in 0..<count { fallback(k0 + k + l) }
                        }
                        k += count
                    }
                    k0 += w
                }
            }
        }
    }

    /// `forEachBlock` through the AVX-512 / AVX2 kernel (CKernels' `gw_network_sort`): the same
    /// network on the same values, so the same bits as the Swift path below. The kernel reads the
    /// rows in place with software prefetch instead of copying tiles, and sorts up to four blocks
    /// per pass over the comparator list.
    /// Returns the number of leading columns done (all unless the kernel stopped applying).
    private static func vectorBlocks(_ batch: UpdateBatch<Float>, rows: [Int], size: Int, network net: [Int32],
                                     columns range: Range<Int>,
                                     _ body: (UnsafeMutablePointer<SIMD16<Float>>, Int, Int) -> Void,
                                     fallback: (Int) -> Void) -> Int {
        let d = range.upperBound, stride = batch.dimension, n = rows.count
        let blocks = Int(gw_network_blocks(Int32(size)))
        // 64-byte aligned: a zmm load or store across two cache lines costs two.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: blocks * (size + 1) * 64, alignment: 64)
        defer { raw.deallocate() }
        let scratch = raw.bindMemory(to: SIMD16<Float>.self, capacity: blocks * (size + 1))
        let offsets = rows.map { Int64($0 * stride) }
        let ahead = Int32(4 * blocks * lanes)
        let prefix = Int32(registerPrefix(n: n, size: size, network: net))
        return batch.values.withUnsafeBufferPointer { xs in
            guard let x = xs.baseAddress else { return range.lowerBound }
            return scratch.withMemoryRebound(to: Float.self, capacity: blocks * (size + 1) * lanes) { sp in
                var k = range.lowerBound
                while k < d {
                    let columns = min(blocks * lanes, d - k)
                    let nan = gw_network_sort(x, offsets, Int32(n), Int32(size), Int64(k), Int32(columns),
                                              net, Int32(net.count / 2), sp, columns < blocks * lanes ? 0 : ahead, prefix)
                    if nan < 0 { return k }
                    var b = 0
                    while b * lanes < columns {
                        let count = min(lanes, columns - b * lanes)
                        if nan & (1 << b) != 0 {
                            for l in 0..<count { fallback(k + b * lanes + l) }
                        } else {
                            body(scratch + b * (size + 1), k + b * lanes, count)
                        }
                        b += 1
                    }
                    k += columns
                }
                return k
            }
        }
    }

    /// Columns per tile of `forEachBlock` (a multiple of 16): about 800 KB of Float rows (in L2), at
    /// least 1024 columns (n = 50: 4000 columns; n = 200: 1024).
    static func tileWidth(rows n: Int) -> Int {
        max(1024, (200_000 / max(1, n)) & ~15)
    }

    /// Σ over sorted positions lo..<hi of every lane, in Double, position by position.
    @inline(__always)
    static func laneSums(_ scratch: UnsafeMutablePointer<SIMD16<Float>>, _ lo: Int, _ hi: Int) -> SIMD16<Double> {
        var acc = SIMD16<Double>()
        let done = withUnsafeMutablePointer(to: &acc) { out in
            out.withMemoryRebound(to: Double.self, capacity: lanes) { o in
                scratch.withMemoryRebound(to: Float.self, capacity: hi * lanes) { gw_lane_sums($0, Int32(lo), Int32(hi), o) }
            }
        }
        if done { return acc }
        for p in lo..<hi {  // lane-wise: the same order per lane
            let v = scratch[p]
            acc += SIMD16<Double>(lowHalf: RobustKernels.widen(v.lowHalf), highHalf: RobustKernels.widen(v.highHalf))
        }
        return acc
    }
}
