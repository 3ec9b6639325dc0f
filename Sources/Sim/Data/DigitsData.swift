import CDigits
import Foundation

/// The scikit-learn digits data set (Alpaydin & Kaynak 1998, UCI, CC BY 4.0), compiled into the binary.
///
/// File format (scikit-learn's `digits.csv.gz`): one sample per line, 64 comma-separated pixel
/// values (integers 0–16, an 8×8 image, row-major) then the label 0–9; no header; gzip optional.
/// Pixels are scaled to [0, 1] as pixel / 16 (exact in Float32). Row order is the file order,
/// which is `sklearn.datasets.load_digits()` order, so `TrainTestSplit` with seed 42 reproduces
/// benchmark task T1 bit for bit.
public enum DigitsData {
    /// Pixels per image.
    public static let dimension = 64
    /// Number of classes (digits 0–9).
    public static let classes = 10

    /// Loads the bundled digits (`path == nil`) or a file in the same CSV(.gz) format.
    /// Throws `.malformed` with the line number for a row without 65 fields, a pixel outside
    /// 0…16 or a label outside 0…9.
    public static func load(path: String? = nil) throws(DataError) -> Dataset {
        let file = path ?? "bundled digits.csv.gz"
        let bytes: [UInt8]
        if let path { bytes = try DataFile.read(path) } else { bytes = try bundledBytes() }
        var features = [Float]()
        var labels = [Int32]()
        features.reserveCapacity(1797 * dimension)
        labels.reserveCapacity(1797)
        try bytes.withUnsafeBufferPointer { (buffer) throws(DataError) in
            try DataFile.forEachLine(buffer) { (number, line) throws(DataError) in
                if DataFile.isBlank(line) { return }
                let fields = line.reduce(1) { $0 + ($1 == 0x2C ? 1 : 0) }
                guard fields == dimension + 1 else {
                    throw .malformed(path: file, line: number,
                                     reason: "\(fields) fields, expected 65 (64 pixels and the label)")
                }
                var field = 0
                var start = 0
                for end in 0...line.count where end == line.count || line[end] == 0x2C {
                    let text = UnsafeBufferPointer(rebasing: line[start..<end])
                    start = end + 1
                    guard let value = DataFile.parseDouble(text), value == value.rounded() else {
                        throw .malformed(path: file, line: number,
                                         reason: "field \(field + 1) is \(DataFile.show(text)), not an integer")
                    }
                    if field < dimension {
                        guard value >= 0 && value <= 16 else {
                            throw .malformed(path: file, line: number,
                                             reason: "pixel \(field + 1) is \(value), outside 0…16")
                        }
                        features.append(Float(value / 16))
                    } else {
                        guard value >= 0 && value < Double(classes) else {
                            throw .malformed(path: file, line: number, reason: "label \(value) outside 0…9")
                        }
                        labels.append(Int32(value))
                    }
                    field += 1
                }
            }
        }
        guard !labels.isEmpty else { throw .malformed(path: file, line: 0, reason: "no samples") }
        return Dataset(features: features, labels: labels, dimension: dimension, classes: classes)
    }

    /// The bundled `digits.csv.gz`, compiled into the binary (target CDigits), decompressed.
    static func bundledBytes() throws(DataError) -> [UInt8] {
        let compressed = [UInt8](UnsafeBufferPointer(start: gradwire_digits_csv_gz(),
                                                     count: Int(gradwire_digits_csv_gz_size())))
        return try Gzip.decompress(compressed)
    }
}
