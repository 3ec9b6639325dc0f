// Distributed Lion — "Communication Efficient Distributed Training with Distributed Lion" (Liu et
// al., NeurIPS 2024), spec §5.1: the worker's sign step, the server's vote and the update every
// copy of the model applies.
//
// Worker i (momentum m_i kept across rounds, never communicated), with its minibatch gradient g:
//     δ_i = sign(β1·m_i + (1 − β1)·g)      sent packed, 1 bit per coordinate (exact 0 → −1, DESIGN §2)
//     m_i ← β2·m_i + (1 − β2)·g
// Server over the N votes that arrived, c = #{i : δ_i = +1} per coordinate:
//     majority  Δ = sign(2c − N) ∈ {−1, 0, +1}   (tie → 0 by default; −1 = the reference's torch.mode)
//     average   Δ = (2c − N) / N                  (the mean of the ±1 votes)
// Every copy of the model: x ← x − ε·(Δ + λ·x), computed as x ← x·(1 − ελ), then x ← x − ε·Δ (the
// reference's order, the same as `Lion.step`, so N = 1 reproduces Lion bit for bit wherever c ≠ 0).
//
// Deviation: the reference breaks majority ties with `torch.mode` (−1 on CPU); we follow the spec
// (0, no move) and keep −1 as `TieRule.minusOne`. The broadcast Δ travels compactly: packed signs
// (no tie possible), ternary codes (2 bits, ties possible) or vote counts (⌈log2(N+1)⌉ bits).

import Protocol

/// How majority-vote ties (2c = N, even N only) are broken.
public enum TieRule: String, Sendable, Equatable, CaseIterable {
    /// Δ = 0: the coordinate moves only by weight decay (the paper's sign(0) = 0; default).
    case zero
    /// Δ = −1, what the reference implementation's `torch.mode` returns on CPU.
    case minusOne = "minus-one"
}

/// How the server combines the workers' sign votes.
public enum SignVote: Sendable, Equatable {
    /// Δ = sign of the vote sum, with the given tie rule (D-Lion-MaVo).
    case majority(ties: TieRule)
    /// Δ = mean of the ±1 votes (D-Lion-Avg).
    case average
}

/// Why a broadcast Δ cannot be applied.
public enum DistributedLionError: Error, Equatable, CustomStringConvertible {
    /// The payload is not one of the compact Δ forms (packed signs, ternary, vote counts).
    case notAnUpdate(PayloadCodec)
    /// The payload has `found` coordinates for a model of `expected`.
    case dimensionMismatch(expected: Int, found: Int)

    /// One line naming the problem and the fix.
    public var description: String {
        switch self {
        case .notAnUpdate(let codec):
            "a \(codec) payload is not a Distributed Lion update; the coordinator must send packed signs, "
                + "ternary values or vote counts (run the same gradwire build everywhere)"
        case let .dimensionMismatch(expected, found):
            "Distributed Lion update of \(found) coordinates for a model of \(expected); coordinator and worker "
                + "disagree on the model (check the configuration)"
        }
    }
}

/// The three steps of Distributed Lion.
public enum DistributedLion {
    /// The worker's step: packs sign(β1·m + (1 − β1)·g) (bit 1 iff > 0), then m ← β2·m + (1 − β2)·g.
    /// `momentum` and `gradient` have the same count (precondition).
    /// - Complexity: O(d), one pass.
    @inlinable
    public static func workerStep<T: BinaryFloatingPoint>(
        momentum m: UnsafeMutableBufferPointer<T>, gradient g: UnsafeBufferPointer<T>, beta1: T, beta2: T
    ) -> PackedSigns {
        precondition(m.count == g.count, "workerStep: momentum \(m.count) vs gradient \(g.count)")
        let n = g.count
        let byteCount = PackedSigns.byteCount(forCount: n)
        let oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2
        let bytes = [UInt8](unsafeUninitializedCapacity: byteCount) { out, initialized in
            for j in 0..<byteCount {
                let base = 8 * j
                var byte: UInt8 = 0
                for k in 0..<min(8, n - base) {
                    let i = base + k
                    let gi = g[i], mi = m[i]
                    let c = beta1 * mi + oneMinusBeta1 * gi
                    byte |= (c > 0 ? 1 : 0) << UInt8(k)
                    m[i] = beta2 * mi + oneMinusBeta2 * gi
                }
                out[j] = byte
            }
            initialized = byteCount
        }
        return PackedSigns(count: n, bytes: bytes)
    }

    /// The server's vote over the signs that arrived (at least one; all of one dimension): the
    /// compact Δ to broadcast — `.packedSigns` (majority without possible ties), `.ternary` (majority
    /// with ties → 0 and even N) or `.voteCounts` (average).
    public static func aggregate(_ votes: [PackedSigns], rule: SignVote) -> TensorPayload {
        let batch = PackedSignBatch(votes)
        switch rule {
        case .majority(let ties): return batch.majority(ties: ties)
        case .average: return .voteCounts(batch.counts())
        }
    }

    /// x ← x·(1 − ε·λ), then x ← x − ε·Δ, with Δ decoded from the broadcast `delta`.
    /// - Throws: `DistributedLionError` for a dense payload or a dimension other than `x.count`.
    @inlinable
    public static func apply<T: BinaryFloatingPoint>(
        _ delta: TensorPayload, to x: UnsafeMutableBufferPointer<T>, learningRate lr: T, weightDecay: T
    ) throws(DistributedLionError) {
        guard delta.elementCount == x.count else {
            throw .dimensionMismatch(expected: x.count, found: delta.elementCount)
        }
        let decay = 1 - lr * weightDecay
        let n = x.count
        switch delta {
        case .dense, .float16, .sparse, .quantized, .sharedSparse, .scaledSigns, .powersOfTwo, .lowRank, .scaledTernary, .lowRankBlocks:
            throw .notAnUpdate(delta.codec)
        case .packedSigns(let signs):
            signs.bytes.withUnsafeBufferPointer { bytes in
                for j in 0..<bytes.count {
                    let byte = bytes[j], base = 8 * j
                    for k in 0..<min(8, n - base) {
                        let step: T = (byte >> UInt8(k)) & 1 == 1 ? lr : -lr
                        x[base + k] = x[base + k] * decay
                        x[base + k] = x[base + k] - step
                    }
                }
            }
        case .ternary(let values):
            values.bytes.withUnsafeBufferPointer { bytes in
                for j in 0..<bytes.count {
                    let byte = bytes[j], base = 4 * j
                    for k in 0..<min(4, n - base) {
                        let code = (byte >> UInt8(2 * k)) & 3
                        let step: T = code == 1 ? lr : (code == 2 ? -lr : 0)
                        x[base + k] = x[base + k] * decay
                        x[base + k] = x[base + k] - step
                    }
                }
            }
        case .voteCounts(let packed):
            let counts = packed.counts
            let voters = T(packed.voters)
            let total = packed.voters
            for i in 0..<n {
                let value = T(2 * Int(counts[i]) - total) / voters
                x[i] = x[i] * decay
                x[i] = x[i] - lr * value
            }
        }
    }

    /// Applies `delta` to an array model (see `apply(_:to:learningRate:weightDecay:)`).
    public static func apply(
        _ delta: TensorPayload, to model: inout [Float], _ p: LionParameters
    ) throws(DistributedLionError) {
        let result = model.withUnsafeMutableBufferPointer { x in
            Result { () throws(DistributedLionError) in
                try apply(delta, to: x, learningRate: p.learningRate, weightDecay: p.weightDecay)
            }
        }
        try result.get()
    }

    /// Δ of every coordinate as a Double (for tests and reports): ±1 for packed signs, −1/0/+1 for
    /// ternary, (2c − N)/N for counts; nil for dense.
    public static func deltaValues(_ delta: TensorPayload) -> [Double]? {
        switch delta {
        case .dense, .float16, .sparse, .quantized, .sharedSparse, .scaledSigns, .powersOfTwo, .lowRank, .scaledTernary, .lowRankBlocks: nil
        case .packedSigns(let signs): signs.signs.map(Double.init)
        case .ternary(let values): values.values.map(Double.init)
        case .voteCounts(let packed): packed.counts.map { Double(2 * Int($0) - packed.voters) / Double(packed.voters) }
        }
    }
}
