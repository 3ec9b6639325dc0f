/// "Did you mean" suggestions: the closest candidate by edit distance, when it is close enough.
enum Suggestion {
    /// The candidate closest to `word` (Levenshtein distance, ties broken by candidate order),
    /// if its distance is at most max(1, word length / 3) or one is a prefix of the other.
    static func closest(to word: String, among candidates: [String]) -> String? {
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(word.lowercased(), candidate.lowercased())
            if best == nil || distance < best!.distance { best = (candidate, distance) }
        }
        guard let best else { return nil }
        let limit = max(1, word.count / 3)
        let lower = word.lowercased(), target = best.candidate.lowercased()
        let prefix = word.count >= 3 && (target.hasPrefix(lower) || lower.hasPrefix(target))
        return best.distance <= limit || prefix ? best.candidate : nil
    }

    /// Levenshtein distance between two strings (unit costs), over Unicode scalars.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                let substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
