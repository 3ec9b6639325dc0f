// Validation and decoding of compressed forms. `decompressed(expectedCount:)` is the receiver's
// entry point: it treats the form as hostile (lengths, index ranges and order, parameter ranges,
// finiteness of every scalar and of every decoded value) and throws `CompressionError`.
// `decode()` is the trusted path compressors use on their own output (error feedback).

import Protocol

extension CompressedTensor {
    /// Checks structure and parameters; `expectedCount` is the dimension the receiver requires.
    public func validate(expectedCount: Int) throws(CompressionError) {
        guard count == expectedCount else { throw .countMismatch(expected: expectedCount, found: count) }
        switch form {
        case .dense(let values):
            try Self.requireLength("values", values.count, count)
            try Self.requireFinite("values", values)
        case .float16(let bits):
            try Self.requireLength("float16 bits", bits.count, count)
            if let i = bits.firstIndex(where: { $0 & 0x7C00 == 0x7C00 }) { throw .nonFinite(part: "float16 bits", position: i) }
        case .sparse(let indices, let values), .sharedSparse(let indices, let values):
            try Self.requireLength("values", values.count, indices.count)
            guard indices.count <= count else { throw .lengthMismatch(part: "indices", expected: count, found: indices.count) }
            for (position, index) in indices.enumerated() {
                guard Int(index) < count else { throw .indexOutOfRange(index: index, count: count) }
                if position > 0, indices[position - 1] >= index { throw .indicesNotAscending(position: position) }
            }
            try Self.requireFinite("values", values)
        case .signs(let signs):
            try Self.requireLength("signs", signs.count, count)
        case .scaledSigns(let signs, let scale):
            try Self.requireLength("signs", signs.count, count)
            try Self.requireFinite("scale", [scale])
        case .ternary(let ternary, let scale):
            try Self.requireLength("ternary", ternary.count, count)
            try Self.requireFinite("scale", [scale])
        case .quantized(let q):
            guard q.levelCount >= 1, q.levelCount <= Int(Int16.max) else {
                throw .invalidParameter(name: "levels", value: q.levelCount, reason: "must be in 1...\(Int16.max)")
            }
            guard q.bucketSize >= 1 else { throw .invalidParameter(name: "bucket_size", value: q.bucketSize, reason: "must be ≥ 1") }
            try Self.requireLength("levels", q.levels.count, count)
            try Self.requireLength("norms", q.norms.count, (count + q.bucketSize - 1) / q.bucketSize)
            try Self.requireFinite("norms", q.norms)
            if let i = q.norms.firstIndex(where: { $0 < 0 }) { throw .invalidParameter(name: "norm[\(i)]", value: -1, reason: "norms are ≥ 0") }
            if let i = q.levels.firstIndex(where: { Int($0.magnitude) > q.levelCount }) {
                throw .invalidParameter(name: "level[\(i)]", value: Int(q.levels[i]), reason: "|level| must be ≤ \(q.levelCount)")
            }
        case .powersOfTwo(let codes):
            try Self.requireLength("codes", codes.count, count)
        case .lowRank(let f):
            guard f.rows >= 1, f.columns >= 1, f.rows.multipliedReportingOverflow(by: f.columns) == (count, false) else {
                throw .countMismatch(expected: count, found: f.rows &* f.columns)
            }
            guard f.rank >= 1, f.rank <= min(f.rows, f.columns) else {
                throw .invalidParameter(name: "rank", value: f.rank, reason: "must be in 1...min(rows, columns)")
            }
            try Self.requireLength("P", f.p.count, f.rows * f.rank)
            try Self.requireLength("Q", f.q.count, f.columns * f.rank)
            try Self.requireFinite("P", f.p)
            try Self.requireFinite("Q", f.q)
        case .lowRankBlocks(let blocks):
            guard !blocks.isEmpty else { throw .lengthMismatch(part: "blocks", expected: 1, found: 0) }
            var covered = 0
            for block in blocks {
                switch block {
                case .factors(let f):
                    guard f.rows >= 1, f.columns >= 1, f.rows.multipliedReportingOverflow(by: f.columns).overflow == false else {
                        throw .invalidParameter(name: "block rows", value: f.rows, reason: "a block needs rows, columns ≥ 1")
                    }
                    try CompressedTensor(count: f.rows * f.columns, form: .lowRank(f)).validate(expectedCount: f.rows * f.columns)
                    covered += f.rows * f.columns
                case .dense(let values):
                    guard !values.isEmpty else { throw .invalidParameter(name: "block size", value: 0, reason: "blocks are non-empty") }
                    try Self.requireFinite("values", values)
                    covered += values.count
                }
                guard covered <= count else { throw .countMismatch(expected: count, found: covered) }
            }
            guard covered == count else { throw .countMismatch(expected: count, found: covered) }
        }
    }

    /// Validates, decodes, and checks that every decoded value is finite (a product of finite
    /// factors can still overflow). The receiver's entry point.
    public func decompressed(expectedCount: Int) throws(CompressionError) -> [Float] {
        try validate(expectedCount: expectedCount)
        let values = decode()
        try Self.requireFinite("decoded", values)
        return values
    }

    /// Decodes a form this process produced (no checks beyond preconditions).
    public func decode() -> [Float] {
        switch form {
        case .dense(let values):
            return values
        case .float16(let bits):
            return bits.map { Float(Float16(bitPattern: $0)) }
        case .sparse(let indices, let values), .sharedSparse(let indices, let values):
            var out = [Float](repeating: 0, count: count)
            for (index, value) in zip(indices, values) { out[Int(index)] = value }
            return out
        case .signs(let signs):
            return SignPacking.unpack(signs)
        case .scaledSigns(let signs, let scale):
            var out = SignPacking.unpack(signs)
            for i in out.indices { out[i] *= scale }
            return out
        case .ternary(let ternary, let scale):
            return ternary.values.map { Float($0) * scale }
        case .quantized(let q):
            var out = [Float](repeating: 0, count: count)
            for i in 0..<count {
                out[i] = (q.norms[i / q.bucketSize] / Float(q.levelCount)) * Float(q.levels[i])
            }
            return out
        case .powersOfTwo(let codes):
            return codes.map(NaturalCompression.value(ofCode:))
        case .lowRank(let f):
            return LowRank.product(f)
        case .lowRankBlocks(let blocks):
            var out: [Float] = []
            out.reserveCapacity(count)
            for block in blocks {
                switch block {
                case .factors(let f): out += LowRank.product(f)
                case .dense(let values): out += values
                }
            }
            return out
        }
    }

    private static func requireLength(_ part: String, _ found: Int, _ expected: Int) throws(CompressionError) {
        guard found == expected else { throw .lengthMismatch(part: part, expected: expected, found: found) }
    }

    private static func requireFinite(_ part: String, _ values: [Float]) throws(CompressionError) {
        if let i = values.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(part: part, position: i) }
    }
}
