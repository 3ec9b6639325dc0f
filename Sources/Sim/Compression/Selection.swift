// Selection of the k largest magnitudes without a full sort (introselect on a copy of |x|), with
// the spec's tie rule (§B.2): larger |x| first, then lower index. The k-th largest magnitude T is
// found by quickselect (median-of-three pivots, falling back to a sort of the remaining range when
// the partitions stop shrinking, so the worst case is O(d log d)); then one pass keeps every
// |x_i| > T and the lowest-indexed |x_i| = T until k are kept. Output indices ascend.
// Inputs must be finite (NaN has no order).

/// Magnitude selection kernels shared by top-k, DGC and tests.
public enum MagnitudeSelection {
    /// Indices (ascending) of the k largest |x_i|, ties to the lower index. k is clamped to 0...d.
    /// - Complexity: O(d) expected, O(d log d) worst case; one d-element scratch array.
    public static func topK(_ x: [Float], k: Int) -> [UInt32] {
        let d = x.count
        let k = max(0, min(k, d))
        if k == 0 { return [] }
        if k == d { return (0..<d).map { UInt32($0) } }
        var magnitudes = x.map { abs($0) }
        let threshold = kthLargest(&magnitudes, k: k)
        var greater = 0
        for value in x where abs(value) > threshold { greater += 1 }
        var equalAllowed = k - greater
        var result: [UInt32] = []
        result.reserveCapacity(k)
        for (i, value) in x.enumerated() {
            let m = abs(value)
            if m > threshold {
                result.append(UInt32(i))
            } else if m == threshold, equalAllowed > 0 {
                result.append(UInt32(i))
                equalAllowed -= 1
            }
        }
        return result
    }

    /// The k-th largest value (1-based) of `values`, reordering them. Requires 1 ≤ k ≤ count.
    public static func kthLargest(_ values: inout [Float], k: Int) -> Float {
        precondition(k >= 1 && k <= values.count, "kthLargest: k = \(k) of \(values.count)")
        let target = k - 1  // position in descending order
        var low = 0, high = values.count - 1
        var budget = 2 * (Int.bitWidth - values.count.leadingZeroBitCount) + 8
        return values.withUnsafeMutableBufferPointer { v in
            while low < high {
                if budget == 0 {
                    let sorted = v[low...high].sorted(by: >)
                    return sorted[target - low]
                }
                budget -= 1
                let mid = low + (high - low) / 2
                // Median of three as the pivot value.
                let a = v[low], b = v[mid], c = v[high]
                let pivot = max(min(a, b), min(max(a, b), c))
                // Three-way partition (descending): [> pivot][== pivot][< pivot].
                var lt = low, i = low, gt = high
                while i <= gt {
                    if v[i] > pivot {
                        v.swapAt(lt, i); lt += 1; i += 1
                    } else if v[i] < pivot {
                        v.swapAt(i, gt); gt -= 1
                    } else {
                        i += 1
                    }
                }
                if target < lt {
                    high = lt - 1
                } else if target > gt {
                    low = gt + 1
                } else {
                    return pivot
                }
            }
            return v[target]
        }
    }

    /// k = max(1, ⌊ρ·d⌋) with the Double product truncated toward zero (GRACE), clamped to d; 0 for d = 0.
    public static func keptCount(ratio: Double, count d: Int) -> Int {
        guard d > 0 else { return 0 }
        let product = (Double(d) * ratio).rounded(.towardZero)
        let k = product >= Double(d) ? d : max(1, Int(product))
        return min(k, d)
    }
}
