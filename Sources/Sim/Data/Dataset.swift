/// A labelled data set held as one contiguous row-major Float32 matrix.
///
/// `features` has `count × dimension` elements (sample i occupies `i*dimension ..< (i+1)*dimension`);
/// `labels[i]` is the class of sample i, in `0 ..< classes`.
public struct Dataset: Sendable, Equatable {
    public var features: [Float]
    public var labels: [Int32]
    public var dimension: Int
    public var classes: Int

    /// Creates a data set; the caller guarantees `features.count == labels.count * dimension`
    /// and every label in `0 ..< classes` (checked).
    public init(features: [Float], labels: [Int32], dimension: Int, classes: Int) {
        precondition(dimension > 0 && features.count == labels.count * dimension,
                     "Dataset: \(features.count) features for \(labels.count) labels of dimension \(dimension)")
        precondition(labels.allSatisfy { $0 >= 0 && Int($0) < classes }, "Dataset: label outside 0..<\(classes)")
        self.features = features
        self.labels = labels
        self.dimension = dimension
        self.classes = classes
    }

    /// Number of samples.
    public var count: Int { labels.count }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        var out = [Float]()
        out.reserveCapacity(indices.count * dimension)
        features.withUnsafeBufferPointer { f in
            for i in indices { out.append(contentsOf: f[i * dimension ..< (i + 1) * dimension]) }
        }
        return Dataset(features: out, labels: indices.map { labels[$0] }, dimension: dimension, classes: classes)
    }

    /// Per-class sample counts.
    public var labelHistogram: [Int] {
        var h = [Int](repeating: 0, count: classes)
        for l in labels { h[Int(l)] += 1 }
        return h
    }
}
