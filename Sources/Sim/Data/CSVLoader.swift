/// Loader for delimited numeric text files (CSV, semicolon- or tab-separated, whitespace-aligned).
///
/// One sample per line: numeric features and one label column. The delimiter is taken from the
/// first non-blank line: `,` if it has one, else `;`, else tab, else runs of spaces. Surrounding
/// double quotes of a field are removed (quoted fields containing the delimiter are not
/// supported). Blank lines are skipped. A header is the first non-blank line when any of its
/// fields is not a number (`hasHeader == nil`), or as told. Labels that are all non-negative
/// integers are kept (classes = largest + 1); otherwise they are mapped to 0..<C in the sorted
/// order of their distinct values, as in `LIBSVMLoader` (e.g. −1/+1 → 0/1).
/// gzipped files are recognised by their magic number.
public enum CSVLoader {
    /// Loads one file. `labelColumn` counts from 0, negative values from the end (−1 = last).
    public static func load(path: String, labelColumn: Int = -1, hasHeader: Bool? = nil) throws(DataError) -> Dataset {
        let file = try parse(path, labelColumn: labelColumn, hasHeader: hasHeader, columns: nil)
        guard let mapped = DataFile.classLabels(file.labels, mapAlways: false) else {
            throw LIBSVMLoader.tooManyClasses(path)
        }
        return Dataset(features: file.features, labels: mapped.labels, dimension: file.dimension,
                       classes: mapped.classes)
    }

    /// Loads a train file and a test file with the same columns and one label mapping.
    public static func load(trainPath: String, testPath: String, labelColumn: Int = -1, hasHeader: Bool? = nil)
        throws(DataError) -> (train: Dataset, test: Dataset) {
        let train = try parse(trainPath, labelColumn: labelColumn, hasHeader: hasHeader, columns: nil)
        let test = try parse(testPath, labelColumn: labelColumn, hasHeader: hasHeader, columns: train.dimension + 1)
        guard let mapped = DataFile.classLabels(train.labels + test.labels, mapAlways: false) else {
            throw LIBSVMLoader.tooManyClasses(trainPath)
        }
        let n = train.labels.count
        return (Dataset(features: train.features, labels: Array(mapped.labels[..<n]), dimension: train.dimension,
                        classes: mapped.classes),
                Dataset(features: test.features, labels: Array(mapped.labels[n...]), dimension: test.dimension,
                        classes: mapped.classes))
    }

    // MARK: - Parsing

    struct DenseFile {
        var features: [Float] = []
        var labels: [Double] = []
        var dimension = 0
    }

    private enum Delimiter { case byte(UInt8), whitespace }

    static func parse(_ path: String, labelColumn: Int, hasHeader: Bool?, columns expected: Int?)
        throws(DataError) -> DenseFile {
        let bytes = try DataFile.read(path)
        var file = DenseFile()
        var delimiter: Delimiter?
        var columns = expected ?? 0
        var label = 0
        var fields: [UnsafeBufferPointer<UInt8>] = []
        try bytes.withUnsafeBufferPointer { (buffer) throws(DataError) in
            try DataFile.forEachLine(buffer) { (number, line) throws(DataError) in
                if DataFile.isBlank(line) { return }
                let first = delimiter == nil
                if first { delimiter = detect(line) }
                split(line, delimiter ?? .whitespace, into: &fields)
                if first {
                    let numeric = fields.allSatisfy { DataFile.parseDouble(unquoted($0)) != nil }
                    if columns == 0 { columns = fields.count }
                    guard columns >= 2 else {
                        throw .malformed(path: path, line: number, reason: "\(fields.count) column; need features "
                            + "and a label (is the delimiter one of , ; tab space?)")
                    }
                    label = labelColumn < 0 ? columns + labelColumn : labelColumn
                    guard label >= 0 && label < columns else {
                        throw .invalidParameter(name: "data.label_column", reason: "\(labelColumn) is outside the "
                            + "\(columns) columns of \(path); use 0…\(columns - 1) or −1 for the last")
                    }
                    file.dimension = columns - 1
                    if hasHeader ?? !numeric { return }
                }
                guard fields.count == columns else {
                    throw .malformed(path: path, line: number, reason: "\(fields.count) fields, expected \(columns)")
                }
                for (column, raw) in fields.enumerated() {
                    let text = unquoted(raw)
                    guard let value = DataFile.parseDouble(text) else {
                        throw .malformed(path: path, line: number, reason: "column \(column + 1) is "
                            + "\(DataFile.show(text)), not a finite number (header in the middle of the file?)")
                    }
                    if column == label { file.labels.append(value) } else { file.features.append(Float(value)) }
                }
            }
        }
        guard !file.labels.isEmpty else { throw .malformed(path: path, line: 0, reason: "no samples") }
        return file
    }

    private static func detect(_ line: UnsafeBufferPointer<UInt8>) -> Delimiter {
        for candidate: UInt8 in [0x2C, 0x3B, 0x09] where line.contains(candidate) { return .byte(candidate) }
        return .whitespace
    }

    private static func split(_ raw: UnsafeBufferPointer<UInt8>, _ delimiter: Delimiter,
                              into fields: inout [UnsafeBufferPointer<UInt8>]) {
        fields.removeAll(keepingCapacity: true)
        switch delimiter {
        case .byte(let byte):
            var start = 0
            for end in 0...raw.count where end == raw.count || raw[end] == byte {
                fields.append(UnsafeBufferPointer(rebasing: raw[start..<end]))
                start = end + 1
            }
        case .whitespace:
            let line = DataFile.trimmed(raw)
            var start = 0
            for end in 0...line.count where end == line.count || line[end] == 0x20 || line[end] == 0x09 {
                if end > start { fields.append(UnsafeBufferPointer(rebasing: line[start..<end])) }
                start = end + 1
            }
        }
    }

    private static func unquoted(_ field: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let text = DataFile.trimmed(field)
        if text.count >= 2 && text[0] == 0x22 && text[text.count - 1] == 0x22 {
            return UnsafeBufferPointer(rebasing: text[1..<(text.count - 1)])
        }
        return text
    }
}
