/// Σ_k w_k · u_k over equally long Float32 vectors, accumulated in Double in the order given,
/// rounded to Float32 once at the end.
///
/// The coordinator passes updates sorted by client id, so the sum — and therefore the model — is
/// bit-identical however the updates arrived and however many worker processes produced them.
/// - Complexity: O(n · d); one pass over each input.
public func weightedSum(_ vectors: [[Float]], weights: [Double]) -> [Float] {
    precondition(vectors.count == weights.count, "weightedSum: \(vectors.count) vectors, \(weights.count) weights")
    guard let first = vectors.first else { return [] }
    let d = first.count
    var acc = [Double](repeating: 0, count: d)
    acc.withUnsafeMutableBufferPointer { a in
        for (vector, weight) in zip(vectors, weights) {
            precondition(vector.count == d, "weightedSum: dimension \(vector.count) vs \(d)")
            vector.withUnsafeBufferPointer { v in
                for i in 0..<d { a[i] += weight * Double(v[i]) }
            }
        }
    }
    return acc.map { Float($0) }
}
