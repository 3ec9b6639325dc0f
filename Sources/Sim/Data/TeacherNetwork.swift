/// The random teacher network of `TeacherData` and the one row generator every teacher sample
/// goes through — the full build (`TeacherData.generate`), the per-client rows of
/// `ClientDataStore` and its label-only pass all call `generate(count:stream:row:features:labels:)`,
/// so they cannot drift apart.
///
/// Row r of a stream is a pure function of (stream, r): features j = `normal(stream, r·d + j)`
/// rounded to Float32, label = argmax(relu(x W1 + b1) W2 + b2) in Double. Rows are processed in
/// blocks of 8 so that each pass over W1 serves several samples; every hidden unit is an
/// independent sum over the inputs in ascending order (separate multiply and add, no FMA), so a
/// row's label is bit for bit the same whichever rows share its block.
struct TeacherNetwork: Sendable {
    let d: Int, h: Int, k: Int
    /// W1 as d rows of `lanes` SIMD4 vectors (h padded with zeros to a multiple of 4).
    let w1: [SIMD4<Double>]
    let lanes: Int
    let b1: [Double], w2: [Double], b2: [Double]
    /// The streams of the training and the test features (100s + 10 and 100s + 11).
    let trainStream: UInt64, testStream: UInt64

    /// The teacher of `spec` with seed `seed` (T2: 7); `spec` must be valid.
    init(_ spec: TeacherSpec, seed: UInt64) {
        let base = seed &* 100
        d = spec.dimension
        h = spec.hidden
        k = spec.classes
        lanes = (h + 3) / 4
        trainStream = base &+ 10
        testStream = base &+ 11
        let sd = Double(d).squareRoot(), sh = Double(h).squareRoot()
        let w = PortableRandom.normals(seed: base &+ 1, count: d * h).map { $0 / sd }
        var packed = [SIMD4<Double>](repeating: .zero, count: d * lanes)
        for i in 0..<d {
            for j in 0..<h { packed[i * lanes + j / 4][j % 4] = w[i * h + j] }
        }
        w1 = packed
        b1 = PortableRandom.normals(seed: base &+ 2, count: h).map { $0 * 0.1 }
        w2 = PortableRandom.normals(seed: base &+ 3, count: h * k).map { $0 / sh }
        b2 = PortableRandom.normals(seed: base &+ 4, count: k).map { $0 * 0.1 }
    }

    /// Rows 0..<count of `stream` as a data set.
    func samples(count: Int, stream: UInt64) -> Dataset {
        samples(count: count, stream: stream) { $0 }
    }

    /// The rows `rows` of `stream`, in that order, as a data set.
    func samples(rows: [Int], stream: UInt64) -> Dataset {
        rows.withUnsafeBufferPointer { rows in samples(count: rows.count, stream: stream) { rows[$0] } }
    }

    /// The labels of rows 0..<count of `stream`; the features are generated and dropped block by
    /// block, so memory stays O(count).
    func labels(count: Int, stream: UInt64) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: count) { labels, initialized in
            generate(count: count, stream: stream, row: { $0 }, features: nil, labels: labels.baseAddress!)
            initialized = count
        }
    }

    private func samples(count: Int, stream: UInt64, row: (Int) -> Int) -> Dataset {
        var labels = [Int32](repeating: 0, count: count)
        let features = [Float](unsafeUninitializedCapacity: count * d) { out, initialized in
            labels.withUnsafeMutableBufferPointer { labels in
                generate(count: count, stream: stream, row: row, features: out.baseAddress, labels: labels.baseAddress!)
            }
            initialized = count * d
        }
        return Dataset(features: features, labels: labels, dimension: d, classes: k)
    }

    /// Generates `count` rows: output row r is row `row(r)` of `stream`. Its d features go to
    /// `features[r·d ..< (r+1)·d]` (skipped when `features` is nil) and its label to `labels[r]`.
    func generate(count n: Int, stream: UInt64, row: (Int) -> Int, features: UnsafeMutablePointer<Float>?,
                  labels: UnsafeMutablePointer<Int32>) {
        let block = 8
        let x = UnsafeMutablePointer<Double>.allocate(capacity: block * d)
        let acc = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: block * lanes)
        let z = UnsafeMutablePointer<Double>.allocate(capacity: k)
        defer {
            x.deallocate()
            acc.deallocate()
            z.deallocate()
        }
        w1.withUnsafeBufferPointer { w1 in
            var first = 0
            while first < n {
                let rows = min(block, n - first)
                for r in 0..<rows {
                    let counter = UInt64(row(first + r)) &* UInt64(d)
                    let xr = x + r * d
                    for j in 0..<d { xr[j] = PortableRandom.normal(seed: stream, index: counter &+ UInt64(j)) }
                    if let features {
                        let out = features + (first + r) * d
                        for j in 0..<d { out[j] = Float(xr[j]) }
                    }
                }
                acc.update(repeating: .zero, count: rows * lanes)
                for i in 0..<d {
                    let w = i * lanes
                    for r in 0..<rows {
                        let xi = SIMD4<Double>(repeating: x[r * d + i])
                        let a = r * lanes
                        for q in 0..<lanes { acc[a + q] = acc[a + q] + xi * w1[w + q] }
                    }
                }
                for r in 0..<rows { labels[first + r] = label(acc + r * lanes, scratch: z) }
                first += rows
            }
        }
    }

    /// argmax(relu(hidden + b1) W2 + b2), first maximum wins (numpy); `z` holds k Doubles.
    private func label(_ hidden: UnsafeMutablePointer<SIMD4<Double>>, scratch z: UnsafeMutablePointer<Double>) -> Int32 {
        z.update(repeating: 0, count: k)
        for j in 0..<h {
            let hj = max(hidden[j / 4][j % 4] + b1[j], 0)
            for c in 0..<k { z[c] += hj * w2[j * k + c] }
        }
        var best = 0
        var bestValue = z[0] + b2[0]
        for c in 1..<k where z[c] + b2[c] > bestValue {
            best = c
            bestValue = z[c] + b2[c]
        }
        return Int32(best)
    }
}
