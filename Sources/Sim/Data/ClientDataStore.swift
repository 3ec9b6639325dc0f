import Foundation

/// The training data of a run, materialised per client on first use: bit-identical to
/// `FederatedData.build(...).clientData(c)` (the train rows `clientIndices[c]`, in that order),
/// but a process pays time and memory only for the clients it actually runs.
///
/// How the rows are obtained depends on the source:
///
/// - **Teacher** (T2): the partition is computed without the features. `.iid` and `.quantity`
///   ignore labels, so they get `Partitioner.partition` over placeholder labels (for `.iid` that is
///   `PortableRandom.splitPermutation(partitionSeed, n, N)`); `.dirichlet` and `.shards` need every
///   training label, which one streaming pass computes (each row generated, labelled and dropped:
///   memory O(n) labels, time as the full generation). A client's rows are then generated from
///   their own counters (row i, feature j is `normal(100·seed + 10, i·d + j)`) and labelled by the
///   teacher — by the same `TeacherNetwork.generate` as the full build, so bits and labels agree.
///   Generated clients are cached (`release` drops one).
/// - **Synthetic data with natural devices** (client k = device k): every device is generated from
///   its own streams, so the layout needs only each device's first draw (its sample count) and a
///   client's rows are its device, generated on first use (`SyntheticFedProx.DeviceGenerator`,
///   bit for bit the full build's). Cached like teacher clients.
/// - **Files, and synthetic data repartitioned** (small, or loaded whole anyway):
///   `FederatedData.build` once; `clientData` slices a client out of it on every call (a copy of
///   its rows; no cache).
///
/// Errors are those of `FederatedData.build` for the same settings, thrown by `init`.
///
/// Thread safety: every method may be called from any thread; a lock serialises them (a client
/// is generated while holding it). The worker uses the store from one thread.
public final class ClientDataStore: @unchecked Sendable {
    private enum Backing {
        case teacher(TeacherNetwork)
        case syntheticDevices(SyntheticFedProx.DeviceGenerator)
        case built(FederatedData)
    }

    private let backing: Backing
    /// Per client, its row indices into the training set, in training order.
    public let clientIndices: [[Int]]
    /// Features per sample.
    public let dimension: Int
    /// Number of classes.
    public let classes: Int
    private let lock = NSLock()
    private var cache: [Int: Dataset] = [:]

    /// Prepares the training data of a run with `FederatedData.build`'s settings (same meaning,
    /// same errors); generates no teacher rows yet (except the label pass of dirichlet/shards).
    public init(source: DataSource, testFraction: Double, clients: Int, scheme: PartitionScheme, dataSeed: UInt64,
                partitionSeed: UInt64) throws(DataError) {
        switch source {
        case .teacher(let spec):
            guard clients >= 1 else {
                throw .invalidParameter(name: "partition.clients", reason: "\(clients) must be at least 1")
            }
            try spec.validate()
            try FederatedData.checkPartition(trainCount: spec.trainSamples, clients: clients, scheme: scheme)
            let teacher = TeacherNetwork(spec, seed: dataSeed)
            let labels = Partitioner.needsLabels(scheme)
                ? teacher.labels(count: spec.trainSamples, stream: teacher.trainStream)
                : [Int32](repeating: 0, count: spec.trainSamples)
            clientIndices = try Partitioner.partition(labels: labels, classes: spec.classes, clients: clients,
                                                      scheme: scheme, seed: partitionSeed)
            backing = .teacher(teacher)
            (dimension, classes) = (spec.dimension, spec.classes)
        case let .synthetic(alpha, beta, iid) where scheme == .natural:
            guard clients >= 1 else {
                throw .invalidParameter(name: "partition.clients", reason: "\(clients) must be at least 1")
            }
            for (name, value) in [("alpha", alpha), ("beta", beta)] where !(value >= 0 && value.isFinite) {
                throw .invalidParameter(name: "data.\(name)", reason: "\(value) must be a finite number ≥ 0")
            }
            var indices: [[Int]] = []
            var offset = 0
            for device in 0..<clients {
                let count = SyntheticFedProx.trainCount(device: device, seed: dataSeed)
                indices.append(Array(offset..<(offset + count)))
                offset += count
            }
            clientIndices = indices
            backing = .syntheticDevices(SyntheticFedProx.DeviceGenerator(alpha: alpha, beta: beta, iid: iid, seed: dataSeed))
            (dimension, classes) = (SyntheticFedProx.dimension, SyntheticFedProx.classes)
        case .synthetic, .digits, .idx, .libsvm, .csv:
            let data = try FederatedData.build(source: source, testFraction: testFraction, clients: clients,
                                               scheme: scheme, dataSeed: dataSeed, partitionSeed: partitionSeed)
            clientIndices = data.clientIndices
            backing = .built(data)
            (dimension, classes) = (data.train.dimension, data.train.classes)
        }
    }

    /// Number of clients.
    public var clientCount: Int { clientIndices.count }

    /// The number of training samples of `client`; 0 for a client that does not exist.
    public func clientSize(_ client: Int) -> Int {
        clientIndices.indices.contains(client) ? clientIndices[client].count : 0
    }

    /// The client's training samples, in partition order, as their own data set (row i is the
    /// i-th index of the client's partition list). Throws `.invalidParameter` for a client
    /// outside `0..<clientCount`.
    public func clientData(_ client: Int) throws(DataError) -> Dataset {
        guard clientIndices.indices.contains(client) else {
            throw .invalidParameter(name: "client", reason: "client \(client) does not exist; this run has "
                + "\(clientCount) clients (0..<\(clientCount))")
        }
        switch backing {
        case .built(let data):
            return data.clientData(client)
        case .teacher(let teacher):
            lock.lock()
            defer { lock.unlock() }
            if let cached = cache[client] { return cached }
            let data = teacher.samples(rows: clientIndices[client], stream: teacher.trainStream)
            cache[client] = data
            return data
        case .syntheticDevices(let generator):
            lock.lock()
            defer { lock.unlock() }
            if let cached = cache[client] { return cached }
            let data = generator.device(client).train
            cache[client] = data
            return data
        }
    }

    /// Generates and caches `clients` in order (teacher data and synthetic devices; other sources need no preparation),
    /// stopping early when `shouldStop` returns true. Meant for a background thread: the worker
    /// prepares the clients it will host while it serves tasks.
    public func prefetch(_ clients: [Int], shouldStop: () -> Bool) {
        if case .built = backing { return }
        for client in clients where clientIndices.indices.contains(client) {
            if shouldStop() { return }
            _ = try? clientData(client)
        }
    }

    /// Drops the cached samples of `client` (a later `clientData` generates them again). No
    /// effect for a client that is not cached or does not exist.
    public func release(_ client: Int) {
        lock.lock()
        defer { lock.unlock() }
        cache[client] = nil
    }

    /// The number of clients whose samples are cached.
    public var cachedClientCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return cache.count
    }
}
