/// Draws minibatches of distinct samples for distributed SGD.
///
/// A partial Fisher–Yates shuffle of a copy of the pool driven by `key.generator` (the portable
/// counter generator): for position i = 0, 1, …, size − 1, draw j uniformly in i ..< n and swap
/// positions i and j; the result is the first `size` positions. The bounded draw is
/// `j = i + ⌊u64 · (n − i) / 2⁶⁴⌋` (the high word of a 64×64-bit product), portable to any language and
/// biased by less than (n − i) / 2⁶⁴. The result depends only on the pool, the size and the key.
public enum MinibatchSampler {
    /// Picks `size` distinct positions of `pool` and returns their values, in draw order;
    /// `size ≥ pool.count` returns the whole pool in order, `size ≤ 0` returns nothing.
    /// - Complexity: O(pool.count) for the copy plus O(size) draws.
    public static func sample(from pool: [Int], size: Int, key: RandomKey) -> [Int] {
        let n = pool.count
        if size >= n { return pool }
        if size <= 0 { return [] }
        var values = pool
        var generator = key.generator
        for i in 0..<size {
            let range = UInt64(n - i)
            let j = i + Int(range.multipliedFullWidth(by: generator.next()).high)
            values.swapAt(i, j)
        }
        return Array(values[0..<size])
    }
}
