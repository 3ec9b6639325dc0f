/// Loader for MNIST-format IDX files (Fashion-MNIST, EMNIST, KMNIST use the same format).
///
/// An IDX file is: two zero bytes, an element type (0x08 = unsigned byte), the number of
/// dimensions, then each dimension as a big-endian UInt32, then the elements row-major. Images
/// are a ubyte array of shape (count, d1, d2, …) — each image is flattened to d1·d2·… features
/// scaled by 1/255; labels are a ubyte array of shape (count). Either file may be gzipped
/// (detected by its magic number, e.g. `train-images-idx3-ubyte.gz`). Classes = largest label + 1.
public enum IDXLoader {
    /// Loads an images file and its labels file. Throws `.invalidFormat` for a bad magic number,
    /// element type, dimension list, a size that does not match the header, or different
    /// sample counts in the two files.
    public static func load(images: String, labels: String) throws(DataError) -> Dataset {
        let imageBytes = try DataFile.read(images)
        let labelBytes = try DataFile.read(labels)
        let (imageShape, imageStart) = try header(imageBytes, path: images)
        let (labelShape, labelStart) = try header(labelBytes, path: labels)
        guard imageShape.count >= 2 else {
            throw .invalidFormat(path: images, reason: "an images file needs at least 2 dimensions "
                + "(count, features…), found \(imageShape.count); did you swap the images and labels files?")
        }
        guard labelShape.count == 1 else {
            throw .invalidFormat(path: labels, reason: "a labels file has 1 dimension, found \(labelShape.count); "
                + "did you swap the images and labels files?")
        }
        let count = imageShape[0]
        guard labelShape[0] == count else {
            throw .invalidFormat(path: labels, reason: "\(labelShape[0]) labels for \(count) images in \(images)")
        }
        var dimension = 1
        for size in imageShape.dropFirst() {
            let (product, overflow) = dimension.multipliedReportingOverflow(by: size)
            guard !overflow, product <= 1 << 28 else {
                throw .invalidFormat(path: images, reason: "image shape \(imageShape) is too large")
            }
            dimension = product
        }
        guard dimension > 0, count > 0 else {
            throw .invalidFormat(path: images, reason: "image shape \(imageShape) holds no samples")
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: dimension)
        guard !overflow, imageBytes.count - imageStart == total else {
            throw .invalidFormat(path: images, reason: "header announces \(count)×\(dimension) bytes of pixels, "
                + "the file holds \(imageBytes.count - imageStart) (truncated download?)")
        }
        guard labelBytes.count - labelStart == count else {
            throw .invalidFormat(path: labels, reason: "header announces \(count) labels, "
                + "the file holds \(labelBytes.count - labelStart) (truncated download?)")
        }
        let features = [Float](unsafeUninitializedCapacity: total) { out, initialized in
            imageBytes.withUnsafeBufferPointer { src in
                for i in 0..<total { out[i] = Float(src[imageStart + i]) / 255 }
            }
            initialized = total
        }
        let labelValues = labelBytes[labelStart...].map { Int32($0) }
        let classes = Int(labelValues.max() ?? 0) + 1
        return Dataset(features: features, labels: labelValues, dimension: dimension, classes: classes)
    }

    /// Parses the magic number and dimension list; returns the shape and the offset of the data.
    static func header(_ bytes: [UInt8], path: String) throws(DataError) -> (shape: [Int], start: Int) {
        guard bytes.count >= 4 else {
            throw .invalidFormat(path: path, reason: "\(bytes.count) bytes, too short for an IDX header")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw .invalidFormat(path: path, reason: "magic number starts with 0x\(String(bytes[0], radix: 16)) "
                + "0x\(String(bytes[1], radix: 16)); an IDX file starts with 00 00 (is this an IDX file?)")
        }
        guard bytes[2] == 0x08 else {
            throw .invalidFormat(path: path, reason: "element type 0x\(String(bytes[2], radix: 16)) is not supported; "
                + "only unsigned bytes (0x08) are")
        }
        let dimensions = Int(bytes[3])
        guard dimensions >= 1 else { throw .invalidFormat(path: path, reason: "zero dimensions in the header") }
        let start = 4 + 4 * dimensions
        guard bytes.count >= start else {
            throw .invalidFormat(path: path, reason: "header announces \(dimensions) dimensions but the file ends")
        }
        var shape = [Int]()
        for d in 0..<dimensions {
            let o = 4 + 4 * d
            shape.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        return (shape, start)
    }
}
