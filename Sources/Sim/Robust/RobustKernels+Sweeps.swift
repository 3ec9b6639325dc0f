// Explicit-SIMD inner loops of the row kernels (second performance pass).
//
// The first pass wrote these loops element by element and relied on the auto-vectoriser; for the
// per-row reductions it filled the eight Double lanes one value at a time, which never vectorised.
// Here every loop works on SIMD8 vectors: eight Float (or Double) inputs are loaded at once through
// an unaligned raw-pointer load and widened with one conversion (cvtps2pd on x86-64), so a sweep is
// loads, conversions and adds only, with no bounds checks.
//
// Nothing here reorders a sum. Accumulating sweeps still form every output coordinate as
// `((acc + t_0) + t_1) + …` with the rows in the given order (the SIMD lanes are eight independent
// coordinates), and the per-row reductions keep the first pass's lane structure (lane j of a
// 2048-column block sums the columns ≡ j mod 8, lanes combined by `lanesSum`, blocks added in order),
// so the results are bit-for-bit those of the scalar loops they replace. Only the traversal changed:
// reductions now walk each row from start to end (one sequential stream per row; the column-blocked
// walk jumped between n rows every 8 KB and defeated the hardware prefetchers), and accumulation
// sweeps add eight rows per pass over a 64K-column (512 KB, L2-resident) accumulator block.

extension RobustKernels {
    /// Columns per accumulator block of the accumulating sweeps (512 KB of Double accumulator).
    static let sweepBlock = 65_536

    /// Eight values from p[k...] widened to Double (one SIMD load and conversion for Float and Double).
    @inline(__always)
    static func wide8<S: BinaryFloatingPoint>(_ p: UnsafePointer<S>, _ k: Int) -> SIMD8<Double> {
        if S.self == Float.self {
            return widen(UnsafeRawPointer(p + k).loadUnaligned(as: SIMD8<Float>.self))
        }
        if S.self == Double.self {
            return UnsafeRawPointer(p + k).loadUnaligned(as: SIMD8<Double>.self)
        }
        var v = SIMD8<Double>()
        for l in 0..<8 { v[l] = Double(p[k + l]) }
        return v
    }

    /// Float lanes widened to Double, spelled lane by lane: the optimiser turns this into vector
    /// conversions (cvtps2pd), while the stdlib's generic `SIMD8<Double>(_: SIMD8<Float>)` was left as
    /// an out-of-line call in the larger kernels (12 % of a geometric-median profile).
    @inline(__always)
    static func widen(_ f: SIMD8<Float>) -> SIMD8<Double> {
        SIMD8<Double>(Double(f[0]), Double(f[1]), Double(f[2]), Double(f[3]), Double(f[4]), Double(f[5]), Double(f[6]), Double(f[7]))
    }

    /// Every lane rounded to S and back to Double (what storing it in an `UpdateBatch<S>` does).
    @inline(__always)
    static func rounded8<S: BinaryFloatingPoint>(_ v: SIMD8<Double>, as _: S.Type) -> SIMD8<Double> {
        if S.self == Float.self {
            return widen(SIMD8<Float>(Float(v[0]), Float(v[1]), Float(v[2]), Float(v[3]),
                                      Float(v[4]), Float(v[5]), Float(v[6]), Float(v[7])))
        }
        if S.self == Double.self { return v }
        var r = SIMD8<Double>()
        for l in 0..<8 { r[l] = Double(S(v[l])) }
        return r
    }

    /// One term (x_k − c_k) · w of eight columns; `hasC` / `hasW` are literal constants at every call.
    @inline(__always)
    private static func term8<S: BinaryFloatingPoint>(_ p: UnsafePointer<S>, _ k: Int, _ c: UnsafePointer<Double>?, _ hasC: Bool,
                                                      _ w: Double, _ hasW: Bool) -> SIMD8<Double> {
        var t = wide8(p, k)
        if hasC { t = t - load8(c!, k) }
        if hasW { t = t * SIMD8<Double>(repeating: w) }
        return t
    }

    /// acc[k] = (((acc[k] + t_{r0}) + t_{r1}) + …) for k in 0..<width, rows in order, eight rows per pass.
    @inline(__always)
    private static func sweep<S: BinaryFloatingPoint>(_ x: UnsafePointer<S>, d: Int, k0: Int, width: Int, rows: UnsafeBufferPointer<Int>,
                                                      weights: UnsafeBufferPointer<Double>?, hasW: Bool,
                                                      center c: UnsafePointer<Double>?, hasC: Bool, acc: UnsafeMutablePointer<Double>) {
        let a = UnsafeMutableRawPointer(acc)
        let vectorEnd = width & ~7
        var r = 0
        @inline(__always) func w(_ i: Int) -> Double { hasW ? weights![i] : 1 }
        @inline(__always) func scalarTail(_ count: Int) {
            for k in vectorEnd..<width {
                var s = acc[k]
                for q in r..<(r + count) {
                    var t = Double(x[rows[q] * d + k0 + k])
                    if hasC { t -= c![k] }
                    if hasW { t *= weights![q] }
                    s += t
                }
                acc[k] = s
            }
        }
        while r + 8 <= rows.count {
            let p0 = x + rows[r] * d + k0, p1 = x + rows[r + 1] * d + k0, p2 = x + rows[r + 2] * d + k0
            let p3 = x + rows[r + 3] * d + k0, p4 = x + rows[r + 4] * d + k0, p5 = x + rows[r + 5] * d + k0
            let p6 = x + rows[r + 6] * d + k0, p7 = x + rows[r + 7] * d + k0
            let w0 = w(r), w1 = w(r + 1), w2 = w(r + 2), w3 = w(r + 3), w4 = w(r + 4), w5 = w(r + 5), w6 = w(r + 6), w7 = w(r + 7)
            var k = 0
            while k < vectorEnd {
                var s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self)
                s = s + term8(p0, k, c, hasC, w0, hasW)
                s = s + term8(p1, k, c, hasC, w1, hasW)
                s = s + term8(p2, k, c, hasC, w2, hasW)
                s = s + term8(p3, k, c, hasC, w3, hasW)
                s = s + term8(p4, k, c, hasC, w4, hasW)
                s = s + term8(p5, k, c, hasC, w5, hasW)
                s = s + term8(p6, k, c, hasC, w6, hasW)
                s = s + term8(p7, k, c, hasC, w7, hasW)
                a.storeBytes(of: s, toByteOffset: 8 * k, as: SIMD8<Double>.self)
                k += 8
            }
            scalarTail(8)
            r += 8
        }
        if r < rows.count {
            // The last 1–7 rows in one pass (one more read-modify-write of the block, not one per row).
            let m = rows.count - r
            withUnsafeTemporaryAllocation(of: UnsafePointer<S>.self, capacity: 8) { ptrs in
                withUnsafeTemporaryAllocation(of: Double.self, capacity: 8) { ws in
                    for q in 0..<m {
                        ptrs[q] = x + rows[r + q] * d + k0
                        ws[q] = w(r + q)
                    }
                    var k = 0
                    while k < vectorEnd {
                        var s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self)
                        for q in 0..<m { s = s + term8(ptrs[q], k, c, hasC, ws[q], hasW) }
                        a.storeBytes(of: s, toByteOffset: 8 * k, as: SIMD8<Double>.self)
                        k += 8
                    }
                }
            }
            scalarTail(m)
        }
    }

    /// acc[k] += Σ_r (x_{rows[r], k0 + k} − c_k) · w_r for k in 0..<width, rows in order (see `sweep`).
    static func accumulateBlock<S: BinaryFloatingPoint>(_ x: UnsafePointer<S>, d: Int, k0: Int, width: Int, rows: [Int],
                                                        weights: [Double]?, center c: UnsafePointer<Double>?,
                                                        acc: UnsafeMutablePointer<Double>) {
        rows.withUnsafeBufferPointer { rp in
            if let weights {
                weights.withUnsafeBufferPointer { wp in
                    if c != nil {
                        sweep(x, d: d, k0: k0, width: width, rows: rp, weights: wp, hasW: true, center: c, hasC: true, acc: acc)
                    } else {
                        sweep(x, d: d, k0: k0, width: width, rows: rp, weights: wp, hasW: true, center: nil, hasC: false, acc: acc)
                    }
                }
            } else if c != nil {
                sweep(x, d: d, k0: k0, width: width, rows: rp, weights: nil, hasW: false, center: c, hasC: true, acc: acc)
            } else {
                sweep(x, d: d, k0: k0, width: width, rows: rp, weights: nil, hasW: false, center: nil, hasC: false, acc: acc)
            }
        }
    }

    /// For every row i: Σ over 2048-column blocks (in order) of `lanesSum` of eight lanes of
    /// (x_ik − c_k)² (`squares`) or x_ik · c_k (dot products). Rows are walked from start to end, four
    /// at a time (four sequential streams sharing each load of c); every row keeps its own lanes.
    static func rowReduce<S>(_ batch: UpdateBatch<S>, _ vector: [Double]?, squares: Bool) -> [Double] {
        if let fast = vectorRowReduce(batch, vector, squares: squares) { return fast }
        let n = batch.rows, d = batch.dimension
        var out = [Double](repeating: 0, count: n)
        guard d > 0 else { return out }
        batch.values.withUnsafeBufferPointer { xs in
            guard let x = xs.baseAddress else { return }
            @inline(__always) func run(_ c: UnsafePointer<Double>?, _ hasC: Bool) {
                var i = 0
                while i + 4 <= n {
                    let r0 = x + i * d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d
                    var t0 = 0.0, t1 = 0.0, t2 = 0.0, t3 = 0.0
                    var k0 = 0
                    while k0 < d {
                        let width = min(columnBlock, d - k0)
                        let vectorEnd = width & ~7
                        var a0 = SIMD8<Double>(), a1 = SIMD8<Double>(), a2 = SIMD8<Double>(), a3 = SIMD8<Double>()
                        var k = 0
                        if squares {
                            while k < vectorEnd {
                                var u0 = wide8(r0 + k0, k), u1 = wide8(r1 + k0, k), u2 = wide8(r2 + k0, k), u3 = wide8(r3 + k0, k)
                                if hasC {
                                    let cv = load8(c! + k0, k)
                                    u0 = u0 - cv; u1 = u1 - cv; u2 = u2 - cv; u3 = u3 - cv
                                }
                                a0 += u0 * u0; a1 += u1 * u1; a2 += u2 * u2; a3 += u3 * u3
                                k += 8
                            }
                        } else {
                            while k < vectorEnd {
                                let cv = load8(c! + k0, k)
                                a0 += wide8(r0 + k0, k) * cv; a1 += wide8(r1 + k0, k) * cv
                                a2 += wide8(r2 + k0, k) * cv; a3 += wide8(r3 + k0, k) * cv
                                k += 8
                            }
                        }
                        t0 += blockTail(r0 + k0, c.map { $0 + k0 }, hasC, lanesSum(a0), from: vectorEnd, to: width)
                        t1 += blockTail(r1 + k0, c.map { $0 + k0 }, hasC, lanesSum(a1), from: vectorEnd, to: width)
                        t2 += blockTail(r2 + k0, c.map { $0 + k0 }, hasC, lanesSum(a2), from: vectorEnd, to: width)
                        t3 += blockTail(r3 + k0, c.map { $0 + k0 }, hasC, lanesSum(a3), from: vectorEnd, to: width)
                        k0 += width
                    }
                    out[i] = t0; out[i + 1] = t1; out[i + 2] = t2; out[i + 3] = t3
                    i += 4
                }
                while i < n {
                    let row = x + i * d
                    var total = 0.0
                    var k0 = 0
                    while k0 < d {
                        let width = min(columnBlock, d - k0)
                        let vectorEnd = width & ~7
                        let p = row + k0
                        var a = SIMD8<Double>()
                        var k = 0
                        if squares {
                            while k < vectorEnd {
                                var t = wide8(p, k)
                                if hasC { t = t - load8(c! + k0, k) }
                                a += t * t
                                k += 8
                            }
                        } else {
                            while k < vectorEnd {
                                a += wide8(p, k) * load8(c! + k0, k)
                                k += 8
                            }
                        }
                        total += blockTail(p, c.map { $0 + k0 }, hasC, lanesSum(a), from: vectorEnd, to: width)
                        k0 += width
                    }
                    out[i] = total
                    i += 1
                }
            }
            @inline(__always) func blockTail(_ p: UnsafePointer<S>, _ c: UnsafePointer<Double>?, _ hasC: Bool, _ lanes: Double,
                                             from start: Int, to width: Int) -> Double {
                var s = lanes
                for k in start..<width {
                    if squares {
                        let t: Double = Double(p[k]) - (hasC ? c![k] : 0)
                        s += t * t
                    } else {
                        s += Double(p[k]) * c![k]
                    }
                }
                return s
            }
            if let vector { vector.withUnsafeBufferPointer { run($0.baseAddress, true) } } else { run(nil, false) }
        }
        return out
    }

    /// Σ_r S(scale_r · Σ_{m ∈ members_r, in order} x_m) over the output rows r in order, in Double,
    /// for output rows whose members are disjoint (clipping, ARC, bucketing). Bit-identical to
    /// summing the materialised pre-aggregated batch row by row: each output value is formed from 0,
    /// scaled, rounded to S and added in row order.
    static func sumOfDisjointRows<S>(_ batch: UpdateBatch<S>, members: [[Int]], scales: [Double?]) -> [Double] {
        if let fast = vectorSumOfDisjointRows(batch, members: members, scales: scales) { return fast }
        let d = batch.dimension
        var out = [Double](repeating: 0, count: d)
        guard d > 0, !members.isEmpty else { return out }
        let vectorEnd = d & ~7
        // Flattened member pointers: row r's members are bases[starts[r]..<starts[r + 1]].
        var starts = [0]
        for m in members { starts.append(starts[starts.count - 1] + m.count) }
        let factors = scales.map { $0 ?? 1 }
        let scaled = scales.map { $0 != nil }
        // One-member rows whose factor is a Float value (clipping / ARC on Float batches): Float multiply.
        let exact = zip(members, scales).map { $0.count == 1 && floatExact($1, as: S.self) }
        batch.values.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { op in
                guard let x = xs.baseAddress, let o = op.baseAddress else { return }
                let bases = members.flatMap { $0 }.map { x + $0 * d }
                let a = UnsafeMutableRawPointer(o)
                bases.withUnsafeBufferPointer { bp in
                    starts.withUnsafeBufferPointer { sp in
                        factors.withUnsafeBufferPointer { fp in
                            scaled.withUnsafeBufferPointer { flag in
                              exact.withUnsafeBufferPointer { fast in
                                // Output row r at columns k..<k+8, as the materialised batch holds it.
                                @inline(__always) func value(_ r: Int, _ k: Int) -> SIMD8<Double> {
                                    let first = sp[r], end = sp[r + 1]
                                    if fast[r] { return scaledFloat8(bp[first], k, SIMD8<Float>(repeating: Float(fp[r]))) }
                                    var t = wide8(bp[first], k)
                                    var q = first + 1
                                    while q < end { t = t + wide8(bp[q], k); q += 1 }
                                    if flag[r] { return rounded8(t * SIMD8<Double>(repeating: fp[r]), as: S.self) }
                                    return end - first > 1 ? rounded8(t, as: S.self) : t
                                }
                                var k0 = 0
                                while k0 < vectorEnd {
                                    let end = min(vectorEnd, k0 + sweepBlock)
                                    var r = 0
                                    // Four one-member rows (clipping, ARC): pointers, flags and factors in
                                    // locals (the accumulator stores would otherwise force reloads).
                                    while r + 4 <= members.count && sp[r + 4] - sp[r] == 4 {
                                        let q0 = bp[sp[r]], q1 = bp[sp[r + 1]], q2 = bp[sp[r + 2]], q3 = bp[sp[r + 3]]
                                        let s0 = flag[r], s1 = flag[r + 1], s2 = flag[r + 2], s3 = flag[r + 3]
                                        let f0 = SIMD8<Double>(repeating: fp[r]), f1 = SIMD8<Double>(repeating: fp[r + 1])
                                        let f2 = SIMD8<Double>(repeating: fp[r + 2]), f3 = SIMD8<Double>(repeating: fp[r + 3])
                                        // Rows scaled by a Float value (ARC's clipped rows among unclipped ones): Float multiply.
                                        let e0 = fast[r], e1 = fast[r + 1], e2 = fast[r + 2], e3 = fast[r + 3]
                                        let h0 = SIMD8<Float>(repeating: Float(fp[r])), h1 = SIMD8<Float>(repeating: Float(fp[r + 1]))
                                        let h2 = SIMD8<Float>(repeating: Float(fp[r + 2])), h3 = SIMD8<Float>(repeating: Float(fp[r + 3]))
                                        @inline(__always) func one(_ p: UnsafePointer<S>, _ k: Int, _ scaled: Bool, _ f: SIMD8<Double>,
                                                                   _ exact: Bool, _ h: SIMD8<Float>) -> SIMD8<Double> {
                                            if exact { return scaledFloat8(p, k, h) }
                                            return scaled ? rounded8(wide8(p, k) * f, as: S.self) : wide8(p, k)
                                        }
                                        if fast[r] && fast[r + 1] && fast[r + 2] && fast[r + 3] {
                                            // Four scaled Float rows, Float-exact factors: Float multiplies.
                                            let g0 = SIMD8<Float>(repeating: Float(fp[r])), g1 = SIMD8<Float>(repeating: Float(fp[r + 1]))
                                            let g2 = SIMD8<Float>(repeating: Float(fp[r + 2])), g3 = SIMD8<Float>(repeating: Float(fp[r + 3]))
                                            var k = k0
                                            while k < end {
                                                var s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self)
                                                s = s + scaledFloat8(q0, k, g0)
                                                s = s + scaledFloat8(q1, k, g1)
                                                s = s + scaledFloat8(q2, k, g2)
                                                s = s + scaledFloat8(q3, k, g3)
                                                a.storeBytes(of: s, toByteOffset: 8 * k, as: SIMD8<Double>.self)
                                                k += 8
                                            }
                                            r += 4
                                            continue
                                        }
                                        var k = k0
                                        while k < end {
                                            var s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self)
                                            s = s + one(q0, k, s0, f0, e0, h0)
                                            s = s + one(q1, k, s1, f1, e1, h1)
                                            s = s + one(q2, k, s2, f2, e2, h2)
                                            s = s + one(q3, k, s3, f3, e3, h3)
                                            a.storeBytes(of: s, toByteOffset: 8 * k, as: SIMD8<Double>.self)
                                            k += 8
                                        }
                                        r += 4
                                    }
                                    // Four two-member rows (bucketing with s = 2).
                                    while r + 4 <= members.count && sp[r + 4] - sp[r] == 8 && sp[r + 1] - sp[r] == 2
                                            && sp[r + 2] - sp[r + 1] == 2 && sp[r + 3] - sp[r + 2] == 2 {
                                        let b = sp[r]
                                        let q0 = bp[b], q1 = bp[b + 1], q2 = bp[b + 2], q3 = bp[b + 3]
                                        let q4 = bp[b + 4], q5 = bp[b + 5], q6 = bp[b + 6], q7 = bp[b + 7]
                                        let s0 = flag[r], s1 = flag[r + 1], s2 = flag[r + 2], s3 = flag[r + 3]
                                        let f0 = SIMD8<Double>(repeating: fp[r]), f1 = SIMD8<Double>(repeating: fp[r + 1])
                                        let f2 = SIMD8<Double>(repeating: fp[r + 2]), f3 = SIMD8<Double>(repeating: fp[r + 3])
                                        @inline(__always) func two(_ p: UnsafePointer<S>, _ q: UnsafePointer<S>, _ k: Int, _ scaled: Bool,
                                                                   _ f: SIMD8<Double>) -> SIMD8<Double> {
                                            let t = wide8(p, k) + wide8(q, k)
                                            return rounded8(scaled ? t * f : t, as: S.self)
                                        }
                                        var k = k0
                                        while k < end {
                                            var s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self)
                                            s = s + two(q0, q1, k, s0, f0)
                                            s = s + two(q2, q3, k, s1, f1)
                                            s = s + two(q4, q5, k, s2, f2)
                                            s = s + two(q6, q7, k, s3, f3)
                                            a.storeBytes(of: s, toByteOffset: 8 * k, as: SIMD8<Double>.self)
                                            k += 8
                                        }
                                        r += 4
                                    }
                                    while r + 4 <= members.count {
                                        var k = k0
                                        while k < end {
                                            var s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self)
                                            s = s + value(r, k)
                                            s = s + value(r + 1, k)
                                            s = s + value(r + 2, k)
                                            s = s + value(r + 3, k)
                                            a.storeBytes(of: s, toByteOffset: 8 * k, as: SIMD8<Double>.self)
                                            k += 8
                                        }
                                        r += 4
                                    }
                                    while r < members.count {
                                        var k = k0
                                        while k < end {
                                            let s = a.loadUnaligned(fromByteOffset: 8 * k, as: SIMD8<Double>.self) + value(r, k)
                                            a.storeBytes(of: s, toByteOffset: 8 * k, as: SIMD8<Double>.self)
                                            k += 8
                                        }
                                        r += 1
                                    }
                                    k0 = end
                                }
                              }
                            }
                        }
                    }
                }
                for k in vectorEnd..<d {
                    var s = 0.0
                    for (r, m) in members.enumerated() {
                        var t = 0.0
                        for i in m { t += Double(x[i * d + k]) }
                        if let scale = scales[r] { t *= scale }
                        s += Double(S(t))
                    }
                    o[k] = s
                }
            }
        }
        return out
    }
}
