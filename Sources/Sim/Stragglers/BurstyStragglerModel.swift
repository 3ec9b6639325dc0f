// Straggler-pattern generators for comparing the codes (spec §A.7.1–2):
// - fixed count: exactly s distinct stragglers per round, a uniform subset;
// - (B, W, λ)-bursty (§A.6.2): in every window of W consecutive rounds at most λ distinct workers
//   straggle (spatial), and a worker straggling in round r did not straggle in rounds
//   r−W+1 … r−B (temporal: within a window its straggling rounds form one burst of length ≤ B).
// The bursty generator is greedy: in round r each worker, in a seeded random order, proposes to
// straggle with probability p (a worker inside an unfinished burst continues with probability
// `continuation`), and the proposal is kept only if the pattern still satisfies both conditions.
// Every generated pattern satisfies the model (checked by `violation(in:)`), so SR-SGC and M-SGC must
// decode every job without waiting (§A.6.7).
// Randomness: RandomKey(seed, .straggler, round, client: 0) from counter 2⁴¹ (clear of
// `StragglerTimingModel`'s per-(round, client) sub-streams).

/// A seeded generator of per-round straggler masks.
public enum StragglerPattern: Sendable, Equatable {
    /// Exactly `count` stragglers per round, a uniform random subset.
    case fixedCount(Int)
    /// The (B, W, λ)-bursty model with proposal probability `probability` and burst continuation
    /// probability `continuation`.
    case bursty(burst: Int, window: Int, lambda: Int, probability: Double, continuation: Double)

    /// Validates the parameters for `n` workers.
    public func validate(workers n: Int) throws(StragglerModelError) {
        switch self {
        case .fixedCount(let c):
            guard c >= 0, c <= n else { throw .invalidModel(detail: "fixed count \(c) must be in 0...\(n)") }
        case let .bursty(b, w, lambda, p, q):
            guard b >= 1, w >= b else { throw .invalidModel(detail: "bursty: need B ≥ 1 and W ≥ B (got B = \(b), W = \(w))") }
            guard lambda >= 0, lambda <= n else { throw .invalidModel(detail: "bursty: lambda \(lambda) must be in 0...\(n)") }
            guard (0...1).contains(p), (0...1).contains(q) else {
                throw .invalidModel(detail: "bursty: probabilities must be in [0, 1] (got \(p), \(q))")
            }
        }
    }

    /// Masks for rounds 0..<rounds of `n` workers: pattern[r][w] = worker w straggles in round r.
    public func generate(rounds: Int, workers n: Int, seed: UInt64) -> [[Bool]] {
        var pattern: [[Bool]] = []
        for r in 0..<rounds {
            let key = RandomKey(seed: seed, purpose: .straggler, round: UInt64(r), client: 0)
            var random = CounterRandom(seed: key.streamSeed, counter: 1 << 41)
            var order = Array(0..<n)
            for i in stride(from: n - 1, to: 0, by: -1) {
                order.swapAt(i, Int(random.nextUniform() * Double(i + 1)))
            }
            var mask = [Bool](repeating: false, count: n)
            switch self {
            case .fixedCount(let c):
                for w in order.prefix(c) { mask[w] = true }
            case let .bursty(b, w, lambda, p, q):
                for worker in order {
                    let inBurst = r > 0 && pattern[r - 1][worker]
                    guard random.nextUniform() < (inBurst ? q : p) else { continue }
                    mask[worker] = true
                    if Self.violation(pattern + [mask], burst: b, window: w, lambda: lambda, onlyLast: true) != nil {
                        mask[worker] = false
                    }
                }
            }
            pattern.append(mask)
        }
        return pattern
    }

    /// The first round at which `pattern` breaks the (B, W, λ) model, with the reason; nil if it
    /// follows it. `onlyLast` checks just the windows ending at the last round.
    public static func violation(_ pattern: [[Bool]], burst b: Int, window w: Int, lambda: Int, onlyLast: Bool = false)
        -> (round: Int, reason: String)?
    {
        let first = onlyLast ? max(0, pattern.count - 1) : 0
        for r in first..<pattern.count {
            let n = pattern[r].count
            let lo = max(0, r + 1 - w)
            var distinct = 0
            for worker in 0..<n where (lo...r).contains(where: { pattern[$0][worker] }) { distinct += 1 }
            if distinct > lambda { return (r, "\(distinct) distinct stragglers in rounds \(lo)...\(r) > lambda = \(lambda)") }
            let hi = r + 1 - b  // exclusive end of the forbidden range r−W+1 … r−B
            for worker in 0..<n where pattern[r][worker] {
                if lo < hi, (lo..<hi).contains(where: { pattern[$0][worker] }) {
                    return (r, "worker \(worker) straggles in round \(r) and again within rounds \(lo)...\(hi - 1)")
                }
            }
        }
        return nil
    }
}
