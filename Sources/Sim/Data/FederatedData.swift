/// Where a run's data come from (the `[data]` section of an experiment).
public enum DataSource: Sendable, Equatable, Hashable {
    /// scikit-learn digits: the bundled file (`nil`) or a file in the same format.
    case digits(path: String?)
    /// FedProx Synthetic(α, β), or Synthetic-IID when `iid`; one device per client.
    case synthetic(alpha: Double, beta: Double, iid: Bool)
    /// The Gaussian teacher-network data of task T2.
    case teacher(TeacherSpec)
    /// MNIST-format IDX files; without test files the train files are split.
    case idx(images: String, labels: String, testImages: String?, testLabels: String?)
    /// A LIBSVM file (and optional test file); dimension inferred when nil.
    case libsvm(path: String, testPath: String?, dimension: Int?)
    /// A CSV file (and optional test file); `labelColumn` negative counts from the end.
    case csv(path: String, testPath: String?, labelColumn: Int)
}

/// Everything a run needs, built identically (bit for bit) in every process from the
/// configuration and seeds — no data cross the wire. The processes of a run build only their
/// part: the coordinator `buildTestSet(...)`, a worker a `ClientDataStore` (its clients' rows).
public struct FederatedData: Sendable, Equatable {
    /// The training samples; clients index into it.
    public var train: Dataset
    /// The held-out samples for centralized evaluation.
    public var test: Dataset
    /// Per client, indices into `train`, in training order.
    public var clientIndices: [[Int]]
    /// A 64-bit hash of train, test and the partition; equal in every process that built the same
    /// data (compare it in the worker/coordinator handshake).
    public var fingerprint: UInt64

    /// Bundles the parts and computes the fingerprint.
    public init(train: Dataset, test: Dataset, clientIndices: [[Int]]) {
        self.train = train
        self.test = test
        self.clientIndices = clientIndices
        self.fingerprint = Self.fingerprint(train: train, test: test, clientIndices: clientIndices)
    }

    /// Number of clients.
    public var clientCount: Int { clientIndices.count }

    /// The samples of `client`, in training order.
    public func clientData(_ client: Int) -> Dataset { train.subset(clientIndices[client]) }

    /// Per-client sample counts.
    public var clientSizes: [Int] { clientIndices.map(\.count) }
}

extension FederatedData {
    /// Loads or generates `source`, splits off a test set when the source has none, and partitions
    /// the training set.
    ///
    /// - Sources without their own test set (digits, and idx/libsvm/csv without test files) are
    ///   split by `TrainTestSplit` with `testFraction` (0 < f < 1) and seed `dataSeed`.
    /// - `.teacher` uses `dataSeed` as its seed (T2: 7) and has its own test set.
    /// - `.synthetic` generates `clients` devices with `dataSeed`; the test set is the union of
    ///   the devices' test parts; `.natural` makes client k = device k, other schemes
    ///   repartition the pooled training set.
    /// - The partition uses `scheme` with seed `partitionSeed` (T1: 43, T2: 8).
    ///
    /// T1 is `build(source: .digits(path: nil), testFraction: 0.2, clients: 100, scheme: .iid,
    /// dataSeed: 42, partitionSeed: 43)`.
    public static func build(source: DataSource, testFraction: Double, clients: Int, scheme: PartitionScheme,
                             dataSeed: UInt64, partitionSeed: UInt64) throws(DataError) -> FederatedData {
        guard clients >= 1 else {
            throw .invalidParameter(name: "partition.clients", reason: "\(clients) must be at least 1")
        }
        let train: Dataset, test: Dataset
        switch source {
        case .synthetic(let alpha, let beta, let iid):
            for (name, value) in [("alpha", alpha), ("beta", beta)] where !(value >= 0 && value.isFinite) {
                throw .invalidParameter(name: "data.\(name)", reason: "\(value) must be a finite number ≥ 0")
            }
            let data = SyntheticFedProx.generate(alpha: alpha, beta: beta, iid: iid, devices: clients, seed: dataSeed)
            if scheme == .natural {
                return FederatedData(train: data.train, test: data.test, clientIndices: data.trainDevice)
            }
            (train, test) = (data.train, data.test)
        case .teacher(let spec):
            try spec.validate()
            (train, test) = TeacherData.generate(spec, seed: dataSeed)
        case .digits, .idx, .libsvm, .csv:
            (train, test) = try loadFile(source, testFraction: testFraction, dataSeed: dataSeed)
        }
        guard train.count >= clients else {
            throw .tooFewSamples(what: "the training set for \(clients) clients", available: train.count,
                                 required: clients)
        }
        let parts = try Partitioner.partition(labels: train.labels, classes: train.classes, clients: clients,
                                              scheme: scheme, seed: partitionSeed)
        return FederatedData(train: train, test: test, clientIndices: parts)
    }

    /// The test set `build(...)` would produce with these settings, bit for bit, computing as
    /// little as possible: teacher data generate only their test rows (their own stream), file
    /// sources are loaded and split as usual, synthetic devices are generated (they are small).
    ///
    /// Throws what `build` throws for these settings except what only the partition's random
    /// draws can reveal (a Dirichlet minimum size not met within `Partitioner.maxAttempts`):
    /// `clients` and `scheme` are checked with `Partitioner.validate` against the training-set
    /// size, so a process that needs only the test set (the coordinator) still rejects an
    /// impossible configuration. `clients` also matters for the data: synthetic data have one
    /// device per client.
    public static func buildTestSet(source: DataSource, testFraction: Double, clients: Int, scheme: PartitionScheme,
                                    dataSeed: UInt64) throws(DataError) -> Dataset {
        guard clients >= 1 else {
            throw .invalidParameter(name: "partition.clients", reason: "\(clients) must be at least 1")
        }
        let trainCount: Int, test: Dataset
        switch source {
        case .synthetic(let alpha, let beta, let iid):
            for (name, value) in [("alpha", alpha), ("beta", beta)] where !(value >= 0 && value.isFinite) {
                throw .invalidParameter(name: "data.\(name)", reason: "\(value) must be a finite number ≥ 0")
            }
            // Device by device, keeping only the test parts (the pooled training set is never held).
            let generator = SyntheticFedProx.DeviceGenerator(alpha: alpha, beta: beta, iid: iid, seed: dataSeed)
            var features: [Float] = [], labels: [Int32] = []
            var count = 0
            for device in 0..<clients {
                let part = generator.device(device)
                count += part.train.count
                features.append(contentsOf: part.test.features)
                labels.append(contentsOf: part.test.labels)
            }
            let pooled = Dataset(features: features, labels: labels, dimension: SyntheticFedProx.dimension,
                                 classes: SyntheticFedProx.classes)
            if scheme == .natural { return pooled }
            (trainCount, test) = (count, pooled)
        case .teacher(let spec):
            try spec.validate()
            (trainCount, test) = (spec.trainSamples, TeacherData.generateTest(spec, seed: dataSeed))
        case .digits, .idx, .libsvm, .csv:
            let (train, held) = try loadFile(source, testFraction: testFraction, dataSeed: dataSeed)
            (trainCount, test) = (train.count, held)
        }
        try checkPartition(trainCount: trainCount, clients: clients, scheme: scheme)
        return test
    }

    /// `build`'s checks of the partition that need only the training-set size.
    static func checkPartition(trainCount: Int, clients: Int, scheme: PartitionScheme) throws(DataError) {
        guard trainCount >= clients else {
            throw .tooFewSamples(what: "the training set for \(clients) clients", available: trainCount,
                                 required: clients)
        }
        try Partitioner.validate(samples: trainCount, clients: clients, scheme: scheme)
    }

    /// Loads a file-based source (digits, idx, libsvm, csv) and splits off its test set when it
    /// has no test file. Generated sources are not files: they throw `.invalidParameter`.
    static func loadFile(_ source: DataSource, testFraction: Double,
                         dataSeed: UInt64) throws(DataError) -> (train: Dataset, test: Dataset) {
        switch source {
        case .digits(let path):
            return try split(DigitsData.load(path: path), testFraction, dataSeed)
        case .idx(let images, let labels, let testImages, let testLabels):
            let all = try IDXLoader.load(images: images, labels: labels)
            switch (testImages, testLabels) {
            case (nil, nil):
                return try split(all, testFraction, dataSeed)
            case (let testImages?, let testLabels?):
                var held = try IDXLoader.load(images: testImages, labels: testLabels)
                guard held.dimension == all.dimension else {
                    throw .invalidFormat(path: testImages, reason: "\(held.dimension) features per image, the "
                        + "training images (\(images)) have \(all.dimension)")
                }
                var trainSet = all
                let classes = max(all.classes, held.classes)
                trainSet.classes = classes
                held.classes = classes
                return (trainSet, held)
            default:
                throw .invalidParameter(name: "data.test_images", reason: "give both test images and test labels, "
                    + "or neither (then test_fraction of the training files is held out)")
            }
        case .libsvm(let path, let testPath, let dimension):
            if let testPath {
                return try LIBSVMLoader.load(trainPath: path, testPath: testPath, dimension: dimension)
            }
            return try split(LIBSVMLoader.load(path: path, dimension: dimension), testFraction, dataSeed)
        case .csv(let path, let testPath, let labelColumn):
            if let testPath {
                return try CSVLoader.load(trainPath: path, testPath: testPath, labelColumn: labelColumn)
            }
            return try split(CSVLoader.load(path: path, labelColumn: labelColumn), testFraction, dataSeed)
        case .synthetic, .teacher:
            throw .invalidParameter(name: "data.source", reason: "generated data are not loaded from files")
        }
    }

    private static func split(_ data: Dataset, _ testFraction: Double,
                              _ seed: UInt64) throws(DataError) -> (Dataset, Dataset) {
        guard testFraction > 0 && testFraction < 1 else {
            throw .invalidParameter(name: "data.test_fraction", reason: "\(testFraction) must be in (0, 1) for a "
                + "data set without a separate test file (0.2 is common)")
        }
        let nTest = TrainTestSplit.testCount(count: data.count, testFraction: testFraction)
        guard data.count - nTest >= 1 else {
            throw .tooFewSamples(what: "the data set after holding out \(nTest) test samples", available: data.count,
                                 required: nTest + 1)
        }
        let parts = TrainTestSplit.split(data, testFraction: testFraction, seed: seed)
        return (parts.train, parts.test)
    }

    // MARK: - Fingerprint

    /// SplitMix-chained hash of shapes, feature bits, labels and client lists.
    static func fingerprint(train: Dataset, test: Dataset, clientIndices: [[Int]]) -> UInt64 {
        var h: UInt64 = 0x6461_7461_2D66_7072   // "data-fpr"
        func absorb(_ word: UInt64) { h = PortableRandom.mix(h ^ word) &+ 0x9E37_79B9_7F4A_7C15 }
        for data in [train, test] {
            absorb(UInt64(data.count))
            absorb(UInt64(data.dimension))
            absorb(UInt64(data.classes))
            data.features.withUnsafeBufferPointer { f in
                var i = 0
                while i + 1 < f.count {
                    absorb(UInt64(f[i].bitPattern) | UInt64(f[i + 1].bitPattern) << 32)
                    i += 2
                }
                if i < f.count { absorb(UInt64(f[i].bitPattern)) }
            }
            for label in data.labels { absorb(UInt64(UInt32(bitPattern: label))) }
        }
        absorb(UInt64(clientIndices.count))
        for client in clientIndices {
            absorb(UInt64(client.count))
            for index in client { absorb(UInt64(index)) }
        }
        return h
    }
}
