#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// FedProx's Synthetic(α, β) and Synthetic-IID data (Li et al., MLSys 2020; spec §9.1, from
/// litian96/FedProx `data/synthetic_*/generate_synthetic.py` and `synthetic_iid/generate_iid.py`).
///
/// 60 features, 10 classes, one device per client. Device k:
/// n_k = ⌊LogNormal(4, 2)⌋ + 50 samples; u_k ~ N(0, α), B_k ~ N(0, β) — α and β are standard
/// deviations, as in the code (the paper writes them as variances); W_k (60×10) and b_k have
/// N(u_k, 1) entries, v_k has N(B_k, 1) entries; x ~ N(v_k, diag(j^−1.2)) (so coordinate j has
/// standard deviation j^−0.6, j = 1…60); y = argmax(x W_k + b_k). Synthetic-IID: one W, b with
/// N(0, 1) entries shared by all devices and v_k = 0 (α and β unused). Each device's samples are
/// shuffled and the first ⌊0.9 n_k⌋ go to train, the rest to test.
///
/// Deviations: numpy's global RNG is replaced by keyed counter streams, so the numbers differ from
/// the Python script's while the distributions are the same. Device k draws everything from its
/// own streams — `RandomKey(seed, .dataGeneration, round: 1, client: k)` for n_k, u_k, B_k, v_k,
/// W_k, b_k and x in that order, and `round: 3` for the shuffle; the shared IID W, b come from
/// `round: 2, client: 0` — so the first devices are the same whatever the device count.
/// n_k is not capped (a draw above 10⁶ samples has probability ≈ 3·10⁻⁷ per device).
public enum SyntheticFedProx {
    /// Features per sample.
    public static let dimension = 60
    /// Number of classes.
    public static let classes = 10
    /// Minimum samples per device (the `+ 50` of the n_k rule).
    public static let minimumDeviceSamples = 50

    /// Generates `devices` devices. `alpha`, `beta` ≥ 0 (ignored when `iid`), `devices` ≥ 1.
    public static func generate(alpha: Double, beta: Double, iid: Bool, devices: Int, seed: UInt64) -> SyntheticData {
        precondition(devices >= 1 && alpha >= 0 && beta >= 0, "SyntheticFedProx: invalid parameters")
        let d = dimension, k = classes
        let generator = DeviceGenerator(alpha: alpha, beta: beta, iid: iid, seed: seed)
        var train = (features: [Float](), labels: [Int32]())
        var test = (features: [Float](), labels: [Int32]())
        var trainDevice = [[Int]](), testDevice = [[Int]]()
        for device in 0..<devices {
            let part = generator.device(device)
            trainDevice.append(Array(train.labels.count..<(train.labels.count + part.train.count)))
            testDevice.append(Array(test.labels.count..<(test.labels.count + part.test.count)))
            train.features.append(contentsOf: part.train.features); train.labels.append(contentsOf: part.train.labels)
            test.features.append(contentsOf: part.test.features); test.labels.append(contentsOf: part.test.labels)
        }
        return SyntheticData(
            train: Dataset(features: train.features, labels: train.labels, dimension: d, classes: k),
            test: Dataset(features: test.features, labels: test.labels, dimension: d, classes: k),
            trainDevice: trainDevice, testDevice: testDevice)
    }

    /// The number of training samples of `device` (⌊0.9·n_k⌋) — the stream's first draw, so a
    /// process can lay out every device without generating any of them.
    public static func trainCount(device: Int, seed: UInt64) -> Int {
        var random = RandomKey(seed: seed, purpose: .dataGeneration, round: 1, client: UInt64(device)).generator
        return trainShare(of: sampleCount(&random))
    }

    /// n_k = ⌊LogNormal(4, 2)⌋ + 50, the first draw of a device's stream.
    static func sampleCount(_ random: inout CounterRandom) -> Int {
        Int(Distributions.logNormal(mu: 4, sigma: 2, using: &random).rounded(.down)) + minimumDeviceSamples
    }

    /// ⌊0.9·n⌋: how many of a device's n samples go to training.
    static func trainShare(of n: Int) -> Int {
        Int((0.9 * Double(n)).rounded(.down))
    }

    /// Generates single devices; `generate` is the concatenation of `device(0)`, `device(1)`, …
    /// bit for bit, so a worker can build just the devices (clients) it hosts.
    public struct DeviceGenerator: Sendable {
        let alpha: Double, beta: Double, iid: Bool, seed: UInt64
        let std: [Double]
        let sharedW: [Double], sharedB: [Double]

        /// A generator of the devices of Synthetic(α, β) (or Synthetic-IID) with `seed`.
        public init(alpha: Double, beta: Double, iid: Bool, seed: UInt64) {
            (self.alpha, self.beta, self.iid, self.seed) = (alpha, beta, iid, seed)
            std = (1...dimension).map { pow(Double($0), -0.6) }          // √(j^−1.2)
            var shared = RandomKey(seed: seed, purpose: .dataGeneration, round: 2, client: 0).generator
            sharedW = (0..<(dimension * classes)).map { _ in shared.nextNormal() }
            sharedB = (0..<classes).map { _ in shared.nextNormal() }
        }

        /// Device `device`'s training and test samples, in their shuffled order.
        public func device(_ device: Int) -> (train: Dataset, test: Dataset) {
            let d = dimension, k = classes
            var random = RandomKey(seed: seed, purpose: .dataGeneration, round: 1, client: UInt64(device)).generator
            let n = sampleCount(&random)
            let u = alpha * random.nextNormal()
            let bMean = beta * random.nextNormal()
            let v = (0..<d).map { _ in iid ? 0 : bMean + random.nextNormal() }
            var w = (0..<(d * k)).map { _ in u + random.nextNormal() }
            var b = (0..<k).map { _ in u + random.nextNormal() }
            if iid { w = sharedW; b = sharedB }

            var x = [Double](repeating: 0, count: d)
            var features = [Float](repeating: 0, count: n * d)
            var labels = [Int32](repeating: 0, count: n)
            for s in 0..<n {
                for j in 0..<d {
                    x[j] = v[j] + std[j] * random.nextNormal()
                    features[s * d + j] = Float(x[j])
                }
                var best = 0
                var bestValue = -Double.infinity
                for c in 0..<k {
                    var z = b[c]
                    for j in 0..<d { z += x[j] * w[j * k + c] }
                    if z > bestValue { best = c; bestValue = z }
                }
                labels[s] = Int32(best)
            }
            let order = PortableRandom.permutation(
                seed: RandomKey(seed: seed, purpose: .dataGeneration, round: 3, client: UInt64(device)).streamSeed,
                count: n)
            let nTrain = trainShare(of: n)
            var train = (features: [Float](), labels: [Int32]())
            var test = (features: [Float](), labels: [Int32]())
            train.features.reserveCapacity(nTrain * d)
            test.features.reserveCapacity((n - nTrain) * d)
            for (position, sample) in order.enumerated() {
                let row = features[(sample * d)..<((sample + 1) * d)]
                if position < nTrain {
                    train.features.append(contentsOf: row); train.labels.append(labels[sample])
                } else {
                    test.features.append(contentsOf: row); test.labels.append(labels[sample])
                }
            }
            return (Dataset(features: train.features, labels: train.labels, dimension: d, classes: k),
                    Dataset(features: test.features, labels: test.labels, dimension: d, classes: k))
        }
    }
}

/// Synthetic data with its device membership.
public struct SyntheticData: Sendable, Equatable {
    /// All devices' training samples, device by device.
    public var train: Dataset
    /// All devices' test samples, device by device.
    public var test: Dataset
    /// Per device, its indices into `train` (contiguous, ascending).
    public var trainDevice: [[Int]]
    /// Per device, its indices into `test` (contiguous, ascending).
    public var testDevice: [[Int]]

    /// Bundles the parts (no checks).
    public init(train: Dataset, test: Dataset, trainDevice: [[Int]], testDevice: [[Int]]) {
        self.train = train
        self.test = test
        self.trainDevice = trainDevice
        self.testDevice = testDevice
    }
}
