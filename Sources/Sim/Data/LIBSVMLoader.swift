/// Loader for LIBSVM / SVMlight sparse text files.
///
/// One sample per line: `label index:value index:value …`, indices 1-based (feature j of the
/// data set is index j + 1), absent features are 0. Blank lines and `#` comments (whole-line or
/// trailing) are skipped; indices may come in any order but not twice on one line.
/// Labels are mapped to classes 0..<C in the sorted order of their distinct values, e.g.
/// −1/+1 → 0/1 and 1…10 → 0…9 (a train/test pair shares one mapping, see
/// `load(trainPath:testPath:dimension:)`). The dimension is the largest index unless given.
public enum LIBSVMLoader {
    /// Loads one file. `dimension` (if given) must be ≥ every index in the file.
    public static func load(path: String, dimension: Int? = nil) throws(DataError) -> Dataset {
        let file = try parse(path)
        let d = try resolvedDimension(dimension, files: [file])
        guard let mapped = DataFile.classLabels(file.labels, mapAlways: true) else {
            throw tooManyClasses(path)
        }
        return file.dense(dimension: d, labels: mapped.labels, classes: mapped.classes)
    }

    /// Loads a train file and a test file with one label mapping (the sorted distinct labels of
    /// both) and one dimension (the largest index of both, unless given).
    public static func load(trainPath: String, testPath: String, dimension: Int? = nil)
        throws(DataError) -> (train: Dataset, test: Dataset) {
        let train = try parse(trainPath)
        let test = try parse(testPath)
        let d = try resolvedDimension(dimension, files: [train, test])
        guard let mapped = DataFile.classLabels(train.labels + test.labels, mapAlways: true) else {
            throw tooManyClasses(trainPath)
        }
        let n = train.labels.count
        return (train.dense(dimension: d, labels: Array(mapped.labels[..<n]), classes: mapped.classes),
                test.dense(dimension: d, labels: Array(mapped.labels[n...]), classes: mapped.classes))
    }

    // MARK: - Parsing

    /// A parsed file in compressed-row form.
    struct SparseFile {
        var path: String
        var labels: [Double] = []
        var rowStarts: [Int] = [0]
        var indices: [Int] = []   // 0-based
        var values: [Float] = []
        var maxIndex = 0          // largest 1-based index seen

        func dense(dimension: Int, labels classes: [Int32], classes count: Int) -> Dataset {
            let rows = classes.count
            var features = [Float](repeating: 0, count: rows * dimension)
            features.withUnsafeMutableBufferPointer { out in
                for r in 0..<rows {
                    for k in rowStarts[r]..<rowStarts[r + 1] { out[r * dimension + indices[k]] = values[k] }
                }
            }
            return Dataset(features: features, labels: classes, dimension: dimension, classes: count)
        }
    }

    static func parse(_ path: String) throws(DataError) -> SparseFile {
        let bytes = try DataFile.read(path)
        var file = SparseFile(path: path)
        var seen = [Int: Int]()   // index → line, reset per line
        try bytes.withUnsafeBufferPointer { (buffer) throws(DataError) in
            try DataFile.forEachLine(buffer) { (number, rawLine) throws(DataError) in
                var line = rawLine
                if let hash = line.firstIndex(of: 0x23) { line = UnsafeBufferPointer(rebasing: line[..<hash]) }
                line = DataFile.trimmed(line)
                if line.isEmpty { return }
                seen.removeAll(keepingCapacity: true)
                var tokenStart = 0
                var token = 0
                for end in 0...line.count where end == line.count || line[end] == 0x20 || line[end] == 0x09 {
                    defer { tokenStart = end + 1 }
                    if end == tokenStart { continue }
                    let text = UnsafeBufferPointer(rebasing: line[tokenStart..<end])
                    defer { token += 1 }
                    if token == 0 {
                        guard let label = DataFile.parseDouble(text) else {
                            throw .malformed(path: path, line: number, reason: "label \(DataFile.show(text)) is not "
                                + "a number (multi-label lines such as 1,3 are not supported)")
                        }
                        file.labels.append(label)
                        continue
                    }
                    guard let colon = text.firstIndex(of: 0x3A) else {
                        throw .malformed(path: path, line: number,
                                         reason: "\(DataFile.show(text)) is not index:value")
                    }
                    let indexText = UnsafeBufferPointer(rebasing: text[..<colon])
                    let valueText = UnsafeBufferPointer(rebasing: text[(colon + 1)...])
                    guard let indexValue = DataFile.parseDouble(indexText), indexValue == indexValue.rounded(),
                          indexValue >= 1, indexValue <= Double(1 << 24) else {
                        throw .malformed(path: path, line: number, reason: "index \(DataFile.show(indexText)) is not "
                            + "an integer in 1…16777216 (indices are 1-based; qid: fields are not supported)")
                    }
                    guard let value = DataFile.parseDouble(valueText) else {
                        throw .malformed(path: path, line: number,
                                         reason: "value \(DataFile.show(valueText)) is not a finite number")
                    }
                    let index = Int(indexValue)
                    if seen.updateValue(number, forKey: index) != nil {
                        throw .malformed(path: path, line: number, reason: "index \(index) appears twice")
                    }
                    file.maxIndex = max(file.maxIndex, index)
                    file.indices.append(index - 1)
                    file.values.append(Float(value))
                }
                file.rowStarts.append(file.indices.count)
            }
        }
        guard !file.labels.isEmpty else { throw .malformed(path: path, line: 0, reason: "no samples") }
        return file
    }

    static func resolvedDimension(_ requested: Int?, files: [SparseFile]) throws(DataError) -> Int {
        let largest = files.map(\.maxIndex).max() ?? 0
        guard let requested else {
            let rows = files.map { $0.labels.count }.reduce(0, +)
            guard largest > 0 else {
                throw .invalidParameter(name: "data.dimension", reason: "no file has a feature; set the dimension")
            }
            guard rows * largest <= 1 << 31 else {
                throw .invalidParameter(name: "data.dimension", reason: "\(rows) samples × \(largest) features "
                    + "is too large to hold densely; reduce the data")
            }
            return largest
        }
        guard requested >= 1 else {
            throw .invalidParameter(name: "data.dimension", reason: "\(requested) must be at least 1")
        }
        guard requested >= largest else {
            let path = files.first { $0.maxIndex == largest }?.path ?? ""
            throw .invalidParameter(name: "data.dimension", reason: "\(requested) is smaller than index \(largest) "
                + "used in \(path); raise it or leave it unset to infer it")
        }
        return requested
    }

    static func tooManyClasses(_ path: String) -> DataError {
        .malformed(path: path, line: 0, reason: "more than 65,536 distinct labels (a regression target?); "
            + "Gradwire trains classifiers")
    }
}
