/// The Gaussian teacher-network data of benchmark task T2, bit-exact with `tasks.load_t2`.
///
/// With s = seed (7 for T2), d = dimension, h = hidden, k = classes, all streams of
/// `PortableRandom.normal` (wrapping UInt64 arithmetic on the stream numbers):
///
///     train X = normal(100s + 10, n_train·d) as (n_train, d);  test X = normal(100s + 11, n_test·d)
///     W1 = normal(100s + 1, d·h) as (d, h) / √d      b1 = 0.1 · normal(100s + 2, h)
///     W2 = normal(100s + 3, h·k) as (h, k) / √h      b2 = 0.1 · normal(100s + 4, k)
///     label = argmax(relu(x W1 + b1) W2 + b2)   (Double; first maximum wins, as numpy)
///
/// Features are stored as Float32 (rounded from the Double draws). The products are summed in
/// index order; numpy's BLAS sums in another order, so a sample whose two best logits agree to
/// the last bits could in principle get another label (TASKS.md's caveat) — compare histograms.
/// Generation is one pass over the rows (no n×d Double matrix is held); 60,000 × 784 takes a
/// few seconds in a release build.
public enum TeacherData {
    /// Generates the train and test sets of `spec` (validate it with `TeacherSpec.validate()`).
    public static func generate(_ spec: TeacherSpec, seed: UInt64) -> (train: Dataset, test: Dataset) {
        precondition((try? spec.validate()) != nil, "TeacherData: invalid spec \(spec)")
        let base = seed &* 100
        let teacher = Teacher(spec, base: base)
        return (teacher.samples(count: spec.trainSamples, stream: base &+ 10),
                teacher.samples(count: spec.testSamples, stream: base &+ 11))
    }

    private struct Teacher {
        let d: Int, h: Int, k: Int
        /// W1 as d rows of `lanes` SIMD4 vectors (h padded with zeros to a multiple of 4).
        let w1: [SIMD4<Double>]
        let lanes: Int
        let b1: [Double], w2: [Double], b2: [Double]

        init(_ spec: TeacherSpec, base: UInt64) {
            d = spec.dimension
            h = spec.hidden
            k = spec.classes
            lanes = (h + 3) / 4
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

        /// Rows are generated and labelled in blocks of 8 so that each pass over W1 serves several
        /// samples. Each SIMD4 lane is an independent sum over i in ascending order (separate
        /// multiply and add, no FMA), so every hidden unit equals the scalar loop bit for bit.
        func samples(count n: Int, stream: UInt64) -> Dataset {
            let block = 8
            var features = [Float](repeating: 0, count: n * d)
            var labels = [Int32](repeating: 0, count: n)
            var x = [Double](repeating: 0, count: block * d)
            var hidden = [SIMD4<Double>](repeating: .zero, count: block * lanes)
            features.withUnsafeMutableBufferPointer { out in
                x.withUnsafeMutableBufferPointer { x in
                    hidden.withUnsafeMutableBufferPointer { acc in
                        w1.withUnsafeBufferPointer { w1 in
                            var first = 0
                            while first < n {
                                let rows = min(block, n - first)
                                for r in 0..<rows {
                                    let offset = (first + r) * d
                                    for j in 0..<d {
                                        let value = PortableRandom.normal(seed: stream, index: UInt64(offset + j))
                                        x[r * d + j] = value
                                        out[offset + j] = Float(value)
                                    }
                                }
                                for q in 0..<(rows * lanes) { acc[q] = .zero }
                                for i in 0..<d {
                                    let w = i * lanes
                                    for r in 0..<rows {
                                        let xi = SIMD4<Double>(repeating: x[r * d + i])
                                        let a = r * lanes
                                        for q in 0..<lanes { acc[a + q] = acc[a + q] + xi * w1[w + q] }
                                    }
                                }
                                for r in 0..<rows { labels[first + r] = label(acc, row: r) }
                                first += rows
                            }
                        }
                    }
                }
            }
            return Dataset(features: features, labels: labels, dimension: d, classes: k)
        }

        /// argmax(relu(acc[row] + b1) W2 + b2), first maximum wins (numpy).
        private func label(_ acc: UnsafeMutableBufferPointer<SIMD4<Double>>, row: Int) -> Int32 {
            var z = [Double](repeating: 0, count: k)
            for j in 0..<h {
                let hj = max(acc[row * lanes + j / 4][j % 4] + b1[j], 0)
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
}

/// The sizes of the teacher-network data (defaults: benchmark task T2).
public struct TeacherSpec: Sendable, Equatable, Hashable {
    /// Training samples (T2: 60,000).
    public var trainSamples: Int
    /// Test samples (T2: 10,000).
    public var testSamples: Int
    /// Input dimension (T2: 784).
    public var dimension: Int
    /// Teacher hidden width (T2: 64).
    public var hidden: Int
    /// Classes = teacher outputs (T2: 10).
    public var classes: Int

    /// A spec; the defaults are T2's.
    public init(trainSamples: Int = 60_000, testSamples: Int = 10_000, dimension: Int = 784, hidden: Int = 64,
                classes: Int = 10) {
        self.trainSamples = trainSamples
        self.testSamples = testSamples
        self.dimension = dimension
        self.hidden = hidden
        self.classes = classes
    }

    /// Throws `.invalidParameter` unless every size is positive, classes ≥ 2 and the data fit in memory.
    public func validate() throws(DataError) {
        for (name, value) in [("train_samples", trainSamples), ("test_samples", testSamples),
                              ("dimension", dimension), ("hidden", hidden)] where value < 1 {
            throw .invalidParameter(name: "data.\(name)", reason: "\(value) must be at least 1")
        }
        guard classes >= 2 else { throw .invalidParameter(name: "data.classes", reason: "\(classes) must be at least 2") }
        let (cells, overflow) = (trainSamples + testSamples).multipliedReportingOverflow(by: dimension)
        guard !overflow, cells <= 1 << 31 else {
            throw .invalidParameter(name: "data.train_samples",
                                    reason: "\(trainSamples + testSamples) × \(dimension) features do not fit in memory")
        }
    }
}
