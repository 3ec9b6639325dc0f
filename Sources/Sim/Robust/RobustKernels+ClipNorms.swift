// Row norms for the clipping rules on Float batches (static clipping, ARC), third performance pass.
//
// A Double norm of Float inputs costs three two-lane SSE2 instructions per value (widen, multiply,
// add): on this project's baseline x86-64 target that alone is about the time of one memory pass,
// and the fused "norm, then add the clipped row" pass of static clipping + mean came out at 2.3× the
// memory-read ceiling, against 1.3× for the mean. Here the squares are formed and summed in Float,
// four lanes per instruction, over 64-column blocks (each of the eight lanes sums eight squares),
// and every block's lanes are widened and carried in Double. Each square is rounded once and each
// lane adds eight of them, so the squared norm is within a relative 9 · 2⁻²⁴ (≈ 5 · 10⁻⁷) of the
// Double one — the same order as the Float rounding of the clip factor itself (`clipFactor`). A
// block whose lanes overflow (|x| ≳ 2⁶⁰, e.g. a Byzantine 10³⁰) or may have underflowed (a lane
// below 2⁻¹⁰⁰) is redone in Double, so huge and tiny rows get their Double norm, never ∞ or 0.
// The result is a fixed function of the row (deterministic, order-independent of other rows), and
// both the fused and the materialising routes use it, so they stay bit-identical. Double batches
// (fixtures, `gradwire aggregate`) keep `rowNorms`.

extension RobustKernels {
    /// Whether w is exactly a value of S ≠ Double that is Float: then S(x · w) for a Float x is the
    /// Float product x ⊗ Float(w) (x · w is exact in Double, both round it once), so a kernel can
    /// multiply four Float lanes per instruction instead of widening, multiplying in Double and
    /// rounding back (`rounded8`), with the same bits.
    @inline(__always)
    static func floatExact<S: BinaryFloatingPoint>(_ w: Double?, as _: S.Type) -> Bool {
        guard S.self == Float.self, let w else { return false }
        return Double(Float(w)) == w
    }

    /// rounded8(wide8(p, k) · w) for Float p and a Float-exact w (see `floatExact`): one Float multiply.
    @inline(__always)
    static func scaledFloat8<S: BinaryFloatingPoint>(_ p: UnsafePointer<S>, _ k: Int, _ w: SIMD8<Float>) -> SIMD8<Double> {
        widen(UnsafeRawPointer(p + k).loadUnaligned(as: SIMD8<Float>.self) * w)
    }

    /// Columns per Float block of `clipSquaredNorm` (8 lanes × 8 steps).
    static let clipNormBlock = 64

    /// Squared norm of one Float row of length d: Float squares summed in eight lanes per 64-column
    /// block, the lanes carried in Double; blocks that overflow or may underflow redone in Double.
    @inline(__always)
    static func clipSquaredNorm(_ row: UnsafePointer<Float>, _ d: Int) -> Double {
        let blocksEnd = d & ~(clipNormBlock - 1)
        var carry = SIMD8<Double>()
        clipBlocks(row, from: 0, to: blocksEnd, carry: &carry)
        var total = lanesSum(carry)
        var k = blocksEnd
        while k < d {
            let t = Double(row[k])
            total += t * t
            k += 1
        }
        return total
    }

    /// Adds `clipSquaredNorm`'s 64-column blocks in from..<to (both multiples of 64) to the Double
    /// carry, one block after the other: consecutive ranges give the whole row's carry, same bits.
    @inline(__always)
    static func clipBlocks(_ row: UnsafePointer<Float>, from start: Int, to end: Int, carry: inout SIMD8<Double>) {
        let raw = UnsafeRawPointer(row)
        var k = start
        while k < end {
            var lanes = SIMD8<Float>()
            for j in stride(from: 0, to: clipNormBlock, by: 8) {
                let v = raw.loadUnaligned(fromByteOffset: 4 * (k + j), as: SIMD8<Float>.self)
                lanes += v * v
            }
            if any((lanes .> 0x1p100) .| (lanes .< 0x1p-100)) {
                // Out of Float's safe range (or an all-zero lane): the block in Double, same lanes.
                var exact = SIMD8<Double>()
                for j in stride(from: 0, to: clipNormBlock, by: 8) {
                    let v = widen(raw.loadUnaligned(fromByteOffset: 4 * (k + j), as: SIMD8<Float>.self))
                    exact += v * v
                }
                carry += exact
            } else {
                carry += widen(lanes)
            }
            k += clipNormBlock
        }
    }

    /// `clipSquaredNorm(row).squareRoot()` of every row for Float batches; `rowNorms` for other scalars.
    static func clipNorms<S>(_ batch: UpdateBatch<S>) -> [Double] {
        guard let floats = batch as? UpdateBatch<Float> else { return rowNorms(batch) }
        if let squares = LinearKernels.clipSquaredNorms(floats) { return squares.map { $0.squareRoot() } }
        let n = floats.rows, d = floats.dimension
        return floats.values.withUnsafeBufferPointer { xs in
            guard let x = xs.baseAddress, d > 0 else { return [Double](repeating: 0, count: n) }
            return (0..<n).map { clipSquaredNorm(x + $0 * d, d).squareRoot() }
        }
    }
}
