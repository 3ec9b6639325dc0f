import Foundation
import Testing
@testable import Sim

/// Reference values from `benchmarks/peers/tasks.py` (numpy), computed when these tests were written.
@Suite struct DataBenchmarkTaskTests {
    @Test func bundledDigitsMatchTheFile() throws {
        let digits = try DigitsData.load()
        #expect(digits.count == 1797 && digits.dimension == 64 && digits.classes == 10)
        #expect(digits.features.allSatisfy { $0 >= 0 && $0 <= 1 })
        // python3: numpy.bincount of the last column of digits.csv.gz
        #expect(digits.labelHistogram == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
        // first row: 0,0,5,13,9,1,0,0,... label 0
        let firstRow: [Float] = [0, 0, 5.0 / 16, 13.0 / 16, 9.0 / 16, 1.0 / 16]
        #expect(Array(digits.features[0..<6]) == firstRow)
        #expect(Array(digits.labels.prefix(3)) == [0, 1, 2])
    }

    @Test func t1SplitAndPartitionAreBitExact() throws {
        let (train, test) = TrainTestSplit.indices(count: 1797, testFraction: 0.2, seed: 42)
        #expect(test.count == 360 && train.count == 1437)
        #expect(Array(test.prefix(5)) == [171, 1747, 1376, 1214, 1411])     // tasks.permutation(42,1797)[:5]
        #expect(Array(train.prefix(5)) == [114, 10, 770, 1460, 1240])       // [360:365]
        let labels = [Int32](repeating: 0, count: 1437)
        let parts = try Partitioner.partition(labels: labels, classes: 1, clients: 100, scheme: .iid, seed: 43)
        #expect(Array(parts[0].prefix(5)) == [1107, 613, 4, 726, 91])     // tasks.iid_partition(1437,100,43)
        #expect(Array(parts[1].prefix(3)) == [72, 891, 108])
        #expect(Array(parts[99].suffix(3)) == [305, 537, 935])
        #expect(parts.map(\.count) == [Int](repeating: 15, count: 37) + [Int](repeating: 14, count: 63))
    }

    @Test func t1FederatedDataIsTheReferenceTask() throws {
        let built = try FederatedData.build(source: .digits(path: nil), testFraction: 0.2, clients: 100, scheme: .iid,
                                            dataSeed: 42, partitionSeed: 43)
        let digits = try DigitsData.load()
        #expect(built.train.count == 1437 && built.test.count == 360 && built.clientCount == 100)
        let perm = PortableRandom.permutation(seed: 42, count: 1797)
        #expect(built.test.subset([0]) == digits.subset([171]))
        #expect(built.clientData(0).subset([0]) == digits.subset([perm[360 + 1107]]))
        let again = try FederatedData.build(source: .digits(path: nil), testFraction: 0.2, clients: 100, scheme: .iid,
                                            dataSeed: 42, partitionSeed: 43)
        #expect(again.fingerprint == built.fingerprint)
        let other = try FederatedData.build(source: .digits(path: nil), testFraction: 0.2, clients: 100, scheme: .iid,
                                            dataSeed: 42, partitionSeed: 44)
        #expect(other.fingerprint != built.fingerprint)
    }

    /// numpy reference with tasks.normal and the _t2_teacher recipe at seed 7, 200 train / 50 test.
    @Test func t2TeacherDataMatchesNumpy() {
        let (train, test) = TeacherData.generate(TeacherSpec(trainSamples: 200, testSamples: 50), seed: 7)
        #expect(train.count == 200 && test.count == 50 && train.dimension == 784 && train.classes == 10)
        #expect(Array(train.features[0..<4]) == [0.13389699161052704, 0.641631543636322, -0.3504413664340973,
                                                 0.32543423771858215])
        #expect(Array(train.features.suffix(2)) == [1.007972240447998, -1.9179219007492065])
        #expect(Array(test.features[0..<3]) == [-2.2924273014068604, 1.4030061960220337, 0.604553759098053])
        #expect(Array(train.labels.prefix(20)) == [7, 3, 2, 3, 3, 1, 3, 9, 4, 4, 9, 3, 4, 7, 2, 1, 3, 4, 2, 4])
        #expect(train.labelHistogram == [4, 9, 32, 40, 59, 0, 3, 41, 0, 12])
        #expect(test.labelHistogram == [2, 3, 6, 12, 16, 1, 1, 7, 0, 2])
    }
}

@Suite struct SyntheticFedProxTests {
    @Test func devicesLabelsAndSplit() {
        let data = SyntheticFedProx.generate(alpha: 1, beta: 1, iid: false, devices: 12, seed: 5)
        #expect(data.trainDevice.count == 12 && data.testDevice.count == 12)
        #expect(data.train.dimension == 60 && data.train.classes == 10)
        #expect(data.train.labels.allSatisfy { (0..<10).contains($0) })
        for k in 0..<12 {
            let n = data.trainDevice[k].count + data.testDevice[k].count
            #expect(n >= 50)
            #expect(data.trainDevice[k].count == Int(0.9 * Double(n)))
        }
        #expect(data.trainDevice.flatMap { $0 } == Array(0..<data.train.count))
        #expect(data.testDevice.flatMap { $0 } == Array(0..<data.test.count))
    }

    @Test func deterministicPerSeedAndParametersMatter() {
        let a = SyntheticFedProx.generate(alpha: 0, beta: 0, iid: false, devices: 4, seed: 1)
        #expect(a == SyntheticFedProx.generate(alpha: 0, beta: 0, iid: false, devices: 4, seed: 1))
        #expect(a.train != SyntheticFedProx.generate(alpha: 0, beta: 0, iid: false, devices: 4, seed: 2).train)
        let b = SyntheticFedProx.generate(alpha: 1, beta: 1, iid: false, devices: 4, seed: 1)
        #expect(a.train.count == b.train.count)           // n_k is drawn first, so sizes agree
        #expect(a.train.features != b.train.features)
        let iid = SyntheticFedProx.generate(alpha: 0, beta: 0, iid: true, devices: 4, seed: 1)
        #expect(iid.train.features != a.train.features)
        // Device k's data do not depend on how many devices there are.
        let more = SyntheticFedProx.generate(alpha: 0, beta: 0, iid: false, devices: 6, seed: 1)
        #expect(Array(more.train.labels.prefix(a.train.count)) == a.train.labels)
    }

    @Test func inputsSpreadAroundTheDeviceMeanWithDecayingVariance() {
        // With iid, v = 0: coordinate j has variance j^-1.2 (checked for j = 1 and j = 60).
        let data = SyntheticFedProx.generate(alpha: 0, beta: 0, iid: true, devices: 30, seed: 3)
        let rows = data.train.count
        for j in [0, 59] {
            var sum = 0.0, squares = 0.0
            for r in 0..<rows { let x = Double(data.train.features[r * 60 + j]); sum += x; squares += x * x }
            let mean = sum / Double(rows), variance = squares / Double(rows) - mean * mean
            let expected = pow(Double(j + 1), -1.2)
            #expect(abs(variance / expected - 1) < 0.15, "j=\(j) var \(variance) expected \(expected), n=\(rows)")
        }
    }
}

@Suite struct DataDistributionTests {
    @Test(arguments: [0.1, 0.5, 1.0, 2.5])
    func gammaMeanAndVariance(shape: Double) {
        var random = RandomKey(seed: 9, purpose: .partition).generator
        let n = 20_000
        var sum = 0.0, squares = 0.0
        for _ in 0..<n { let g = Distributions.gamma(shape: shape, using: &random); sum += g; squares += g * g }
        let mean = sum / Double(n), variance = squares / Double(n) - mean * mean
        #expect(abs(mean - shape) < 0.05 * shape + 0.01, "mean \(mean)")
        #expect(abs(variance - shape) < 0.15 * shape + 0.01, "variance \(variance)")
    }

    @Test func dirichletIsNormalisedEvenForTinyAlpha() {
        var random = RandomKey(seed: 1, purpose: .partition).generator
        for alpha in [0.0001, 0.01, 1, 100] {
            let p = Distributions.dirichlet(alpha: alpha, count: 50, using: &random)
            #expect(p.allSatisfy { $0 >= 0 && $0.isFinite })
            #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        }
    }
}
