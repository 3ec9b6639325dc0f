/// Which clients are Byzantine: a seeded draw made once per experiment, the same in every process.
public enum ByzantineSelection {
    /// The Byzantine clients among 0..<total: the first `count` entries of the permutation
    /// `PortableRandom.permutation(RandomKey(seed, .byzantineSelection).streamSeed, total)`.
    /// `count` is clamped to 0...total. Deterministic; a larger count keeps the smaller
    /// count's clients (the draws are nested).
    public static func clients(total: Int, count: Int, seed: UInt64) -> Set<Int> {
        guard total > 0 else { return [] }
        let chosen = min(max(count, 0), total)
        let key = RandomKey(seed: seed, purpose: .byzantineSelection)
        return Set(PortableRandom.permutation(seed: key.streamSeed, count: total).prefix(chosen))
    }

    /// The Byzantine count for `[byzantine] fraction`: ⌊fraction · total⌋, with a 1e-9 allowance
    /// so that decimal fractions such as 0.29 · 100 (28.999999999999996 in binary) give 29.
    /// `fraction` is clamped to [0, 1].
    public static func count(total: Int, fraction: Double) -> Int {
        guard total > 0, fraction.isFinite else { return 0 }
        let clamped = min(max(fraction, 0), 1)
        return min(total, Int((clamped * Double(total) + 1e-9).rounded(.down)))
    }
}
