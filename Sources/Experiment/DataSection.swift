/// `[data]`: where the samples come from.
///
/// Keys that only one source uses (`alpha` for synthetic, `labels_path` for idx, the `teacher_*`
/// sizes for teacher, ...) are ignored, with a warning, for the other sources. Relative paths are
/// resolved against the experiment file's directory and stored absolute.
public struct DataSection: ConfigSection {
    /// Data source.
    public enum Source: String, CaseIterable, Sendable, Hashable {
        /// scikit-learn's digits (1,797 images, 64 features, 10 classes), bundled with Sim.
        case digits
        /// FedProx Synthetic(α, β) (algorithms.md §9.1).
        case synthetic
        /// Gaussian inputs labelled by a fixed random ReLU teacher network (task T2).
        case teacher
        /// MNIST-format IDX image and label files.
        case idx
        /// LIBSVM text format.
        case libsvm
        /// CSV with one label column.
        case csv
    }

    /// Data source.
    public var source: Source = .digits
    /// Training file (idx images, libsvm, csv; digits: an optional replacement of the bundled copy). Absolute.
    public var path: String?
    /// IDX label file of the training set. Absolute.
    public var labelsPath: String?
    /// Separate test file (idx images, libsvm, csv); when set, `testFraction` is not used. Absolute.
    public var testPath: String?
    /// IDX label file of the test set (required with an idx `testPath`). Absolute.
    public var testLabelsPath: String?
    /// Fraction of the samples held out for testing when there is no separate test file.
    public var testFraction: Double = 0.2
    /// CSV label column, 0-based; -1 = the last column.
    public var labelColumn: Int = -1
    /// LIBSVM feature count; nil = the largest index found.
    public var dimension: Int?
    /// Synthetic(α, β): α (standard deviation of each device's model mean).
    public var alpha: Double = 1.0
    /// Synthetic(α, β): β (standard deviation of each device's input mean).
    public var beta: Double = 1.0
    /// Synthetic-IID: one shared model and input mean for all devices.
    public var iid: Bool = false
    /// Teacher: training samples.
    public var teacherTrainSamples: Int = 60000
    /// Teacher: test samples.
    public var teacherTestSamples: Int = 10000
    /// Teacher: input dimension.
    public var teacherDimension: Int = 784
    /// Teacher: hidden units of the teacher network.
    public var teacherHidden: Int = 64
    /// Teacher: classes.
    public var teacherClasses: Int = 10

    /// The defaults.
    public init() {}

    static let sectionName = "data"
    static let summary = "Where the samples come from: a bundled or generated set, or files."

    static var keys: [KeySpec<DataSection>] {
        [
            .choice("source", \.source, "Data source."),
            .path("path", \.path, "Training file: idx images, libsvm or csv (required for those); digits: optional replacement of the bundled copy.")
                .unused(when: { [.synthetic, .teacher].contains($0.source) ? "data.source is \"\($0.source.rawValue)\"" : nil }),
            .path("labels_path", \.labelsPath, "IDX label file of the training set (required for idx).")
                .unused(when: { $0.source != .idx ? "only data.source = \"idx\" uses it" : nil }),
            .path("test_path", \.testPath, "Separate test file (idx images, libsvm, csv); replaces test_fraction.")
                .unused(when: { [.idx, .libsvm, .csv].contains($0.source) ? nil : "only idx, libsvm and csv sources use it" }),
            .path("test_labels_path", \.testLabelsPath, "IDX label file of the test set (required with an idx test_path).")
                .unused(when: { $0.source != .idx ? "only data.source = \"idx\" uses it" : nil }),
            .float("test_fraction", \.testFraction, .unitOpen,
                   "Fraction held out for testing (test count = ceil(fraction · n)) when there is no test file.")
                .unused(when: { section in
                    if section.source == .teacher { return "the teacher source generates its own test set" }
                    if section.testPath != nil { return "data.test_path is set" }
                    return nil
                }),
            .integer("label_column", \.labelColumn, min: -1, "CSV label column, 0-based; -1 = the last column.")
                .unused(when: { $0.source != .csv ? "only data.source = \"csv\" uses it" : nil }),
            .optionalInteger("dimension", \.dimension, min: 1, "LIBSVM feature count; not set = the largest index in the file.")
                .unused(when: { $0.source != .libsvm ? "only data.source = \"libsvm\" uses it" : nil }),
            .float("alpha", \.alpha, .nonNegative, "Synthetic(α, β): α, how much the devices' models differ.")
                .unused(when: synthetic),
            .float("beta", \.beta, .nonNegative, "Synthetic(α, β): β, how much the devices' inputs differ.")
                .unused(when: synthetic),
            .boolean("iid", \.iid, "Synthetic-IID: one shared model, zero input means (alpha and beta unused).")
                .unused(when: synthetic),
            .integer("teacher_train_samples", \.teacherTrainSamples, min: 1, "Teacher: training samples.").unused(when: teacher),
            .integer("teacher_test_samples", \.teacherTestSamples, min: 1, "Teacher: test samples.").unused(when: teacher),
            .integer("teacher_dimension", \.teacherDimension, min: 1, "Teacher: input dimension.").unused(when: teacher),
            .integer("teacher_hidden", \.teacherHidden, min: 1, "Teacher: hidden units of the teacher network.").unused(when: teacher),
            .integer("teacher_classes", \.teacherClasses, min: 2, "Teacher: classes.").unused(when: teacher),
        ]
    }

    private static func synthetic(_ section: DataSection) -> String? {
        section.source != .synthetic ? "only data.source = \"synthetic\" uses it" : nil
    }

    private static func teacher(_ section: DataSection) -> String? {
        section.source != .teacher ? "only data.source = \"teacher\" uses it" : nil
    }

    mutating func finish(given: Set<String>, context: ReadContext) throws(ConfigError) {
        switch source {
        case .idx:
            if path == nil { throw .missingKey(key: "data.path", reason: "data.source = \"idx\" needs the training image file") }
            if labelsPath == nil {
                throw .missingKey(key: "data.labels_path", reason: "data.source = \"idx\" needs the training label file")
            }
            if testPath != nil, testLabelsPath == nil {
                throw .missingKey(key: "data.test_labels_path", reason: "an idx data.test_path needs its label file")
            }
            if testPath == nil, testLabelsPath != nil {
                throw .missingKey(key: "data.test_path", reason: "data.test_labels_path is set; give the test image file too")
            }
        case .libsvm, .csv:
            if path == nil {
                throw .missingKey(key: "data.path", reason: "data.source = \"\(source.rawValue)\" reads its samples from a file")
            }
        case .digits, .synthetic, .teacher:
            break
        }
    }
}
