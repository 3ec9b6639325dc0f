// Vote counting over N packed sign vectors (Distributed Lion's server, spec §5.3).
//
// Layout. The N vectors are copied into one contiguous buffer of 64-bit words, row after row, each
// row padded with zero bits to W = ⌈d / 64⌉ words. Because packed signs are LSB first, word w of a
// row read little-endian holds coordinates 64w … 64w + 63 at bits 0 … 63.
//
// Counting is bit-sliced: for each word position w the per-coordinate counts of the 64 coordinates
// are held as P = ⌈log2(N + 1)⌉ bit planes (plane p = bit p of every count) in a small scratch
// buffer, and each vote is added with a ripple-carry of whole words (sum = plane ^ carry,
// carry = plane & carry). Vote j can only change the planes below bitWidth(j + 1), so the ripple
// stops there: about N·log2(N)/2 word operations per 64 coordinates, no per-bit work and no
// data-dependent branch. The results are produced from the planes of the same word while they are
// in cache:
//   majority  2c > N ⇔ c > ⌊N/2⌋, and for even N a tie is c = N/2 — both a bit-sliced comparison
//             with a constant, from the top plane down;
//   counts    transposed from planes to b-bit fields of the averaging downlink.

import Protocol

/// N packed sign vectors of the same dimension, stored for vote counting.
public struct PackedSignBatch: Sendable {
    /// Dimension d of every vector.
    public let count: Int
    /// Number of vectors N.
    public let rows: Int
    /// Words per row, ⌈d / 64⌉.
    let wordsPerRow: Int
    /// rows × wordsPerRow words.
    private var storage: [UInt64]

    /// Copies `votes` (at least one, all of the same count: precondition).
    public init(_ votes: [PackedSigns]) {
        precondition(!votes.isEmpty, "PackedSignBatch: no votes")
        let d = votes[0].count
        precondition(votes.allSatisfy { $0.count == d }, "PackedSignBatch: votes of different dimensions")
        count = d
        rows = votes.count
        wordsPerRow = d / 64 + (d % 64 == 0 ? 0 : 1)
        var words = [UInt64](repeating: 0, count: rows * wordsPerRow)
        let stride = wordsPerRow
        words.withUnsafeMutableBytes { raw in
            for (j, vote) in votes.enumerated() {
                vote.bytes.withUnsafeBytes { source in
                    guard source.count > 0 else { return }
                    UnsafeMutableRawBufferPointer(rebasing: raw[(8 * stride * j)..<(8 * stride * j + source.count)])
                        .copyMemory(from: source)
                }
            }
        }
        #if _endian(big)
            for i in words.indices { words[i] = UInt64(littleEndian: words[i]) }
        #endif
        storage = words
    }

    /// Bits per count, ⌈log2(N + 1)⌉.
    public var planeCount: Int { PackedCounts.bitsPerCount(voters: rows) }

    // MARK: - Results

    /// Majority vote: +1 where more than half the votes are +1, −1 where fewer, and on a tie (even
    /// N only) 0 (`.zero`, a `.ternary` payload) or −1 (`.minusOne`, the reference's `torch.mode`).
    /// Without possible ties (odd N, or `.minusOne`) the result is `.packedSigns`.
    public func majority(ties: TieRule) -> TensorPayload {
        let ternary = ties == .zero && rows % 2 == 0
        let threshold = UInt64(rows / 2)
        let d = count, words = wordsPerRow
        var positive = [UInt64](repeating: 0, count: words)
        var nonzero = ternary ? [UInt64](repeating: 0, count: words) : []
        positive.withUnsafeMutableBufferPointer { plus in
            nonzero.withUnsafeMutableBufferPointer { nz in
                tally { w, planes, p in
                    var greater: UInt64 = 0, equal: UInt64 = ~0
                    for q in stride(from: p - 1, through: 0, by: -1) {
                        let c = planes[q]
                        if (threshold >> UInt64(q)) & 1 == 1 {
                            equal &= c
                        } else {
                            greater |= equal & c
                            equal &= ~c
                        }
                    }
                    plus[w] = greater
                    if ternary { nz[w] = ~equal & Self.validMask(word: w, count: d) }
                }
            }
        }
        if !ternary {
            return .packedSigns(PackedSigns(count: d, bytes: Self.bytes(of: positive, count: PackedSigns.byteCount(forCount: d))))
        }
        var codes = [UInt64](repeating: 0, count: 2 * words)
        for w in 0..<words {
            let up = nonzero[w] & positive[w], down = nonzero[w] & ~positive[w]
            codes[2 * w] = Self.spread(up & 0xFFFF_FFFF) | Self.spread(down & 0xFFFF_FFFF) << 1
            codes[2 * w + 1] = Self.spread(up >> 32) | Self.spread(down >> 32) << 1
        }
        return .ternary(PackedTernary(count: d, bytes: Self.bytes(of: codes, count: PackedTernary.byteCount(forCount: d))))
    }

    /// The number of +1 votes of every coordinate, packed for the averaging downlink.
    public func counts() -> PackedCounts {
        let d = count
        let b = planeCount
        var out = [UInt8](repeating: 0, count: PackedCounts.byteCount(forCount: d, voters: rows))
        out.withUnsafeMutableBufferPointer { bytes in
            var accumulator: UInt64 = 0
            var pending = 0
            var next = 0
            tally { w, planes, p in
                for k in 0..<min(64, d - 64 * w) {
                    var value: UInt64 = 0
                    for q in 0..<p { value |= ((planes[q] >> UInt64(k)) & 1) << UInt64(q) }
                    accumulator |= value << UInt64(pending)
                    pending += b
                    while pending >= 8 {
                        bytes[next] = UInt8(truncatingIfNeeded: accumulator)
                        next += 1
                        accumulator >>= 8
                        pending -= 8
                    }
                }
            }
            if pending > 0 { bytes[next] = UInt8(truncatingIfNeeded: accumulator) }
        }
        return PackedCounts(count: d, voters: rows, bytes: out)
    }

    /// The number of +1 votes of every coordinate (unpacked; for tests and diagnostics).
    public func plusCounts() -> [UInt32] { counts().counts }

    // MARK: - Private

    /// Calls `body(w, planes, P)` for every word position w with the bit-sliced counts of its 64
    /// coordinates in `planes[0..<P]`.
    private func tally(_ body: (Int, UnsafeMutablePointer<UInt64>, Int) -> Void) {
        let p = planeCount, n = rows, words = wordsPerRow
        // Depth of the ripple for vote j: the planes a count ≤ j + 1 can occupy.
        let depth = (0..<n).map { PackedCounts.bitsPerCount(voters: $0 + 1) }
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: p) { planes in
            let planes = planes.baseAddress!
            storage.withUnsafeBufferPointer { votes in
                depth.withUnsafeBufferPointer { depth in
                    for w in 0..<words {
                        for q in 0..<p { planes[q] = 0 }
                        var index = w
                        for j in 0..<n {
                            var carry = votes[index]
                            index += words
                            for q in 0..<depth[j] {
                                let t = planes[q]
                                planes[q] = t ^ carry
                                carry = t & carry
                            }
                        }
                        body(w, planes, p)
                    }
                }
            }
        }
    }

    /// Bits of word `w` that hold real coordinates (the padding of the last word is masked).
    private static func validMask(word w: Int, count d: Int) -> UInt64 {
        let valid = d - 64 * w
        return valid >= 64 ? ~0 : (UInt64(1) << UInt64(valid)) - 1
    }

    /// Spreads the low 32 bits of `x` to the even bit positions of a word (bit k → bit 2k).
    private static func spread(_ value: UInt64) -> UInt64 {
        var x = value & 0xFFFF_FFFF
        x = (x | x << 16) & 0x0000_FFFF_0000_FFFF
        x = (x | x << 8) & 0x00FF_00FF_00FF_00FF
        x = (x | x << 4) & 0x0F0F_0F0F_0F0F_0F0F
        x = (x | x << 2) & 0x3333_3333_3333_3333
        x = (x | x << 1) & 0x5555_5555_5555_5555
        return x
    }

    /// The first `count` bytes of `words` read little-endian.
    private static func bytes(of words: [UInt64], count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            #if _endian(little)
                words.withUnsafeBytes { raw in
                    UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<count]))
                }
            #else
                for i in 0..<count { out[i] = UInt8(truncatingIfNeeded: words[i / 8] >> UInt64(8 * (i % 8))) }
            #endif
            initialized = count
        }
    }
}
