import Foundation
import Testing
@testable import Sim

@Suite struct PartitionerTests {
    /// 1,000 samples, 10 balanced classes in a scrambled order.
    static let labels: [Int32] = (0..<1000).map { Int32(($0 * 7 + $0 / 10) % 10) }

    static let schemes: [PartitionScheme] = [
        .iid, .dirichlet(alpha: 0.5), .dirichlet(alpha: 0.3, variant: .perClient, minSize: 0),
        .shards(perClient: 2), .quantity(alpha: 1, minSize: 5),
    ]

    @Test(arguments: schemes)
    func everySampleExactlyOnceAndSeeded(scheme: PartitionScheme) throws {
        let parts = try Partitioner.partition(labels: Self.labels, classes: 10, clients: 20, scheme: scheme, seed: 11)
        #expect(parts.count == 20)
        #expect(parts.flatMap { $0 }.sorted() == Array(0..<1000))
        let again = try Partitioner.partition(labels: Self.labels, classes: 10, clients: 20, scheme: scheme, seed: 11)
        #expect(again == parts)
        let other = try Partitioner.partition(labels: Self.labels, classes: 10, clients: 20, scheme: scheme, seed: 12)
        #expect(other != parts)
    }

    @Test(arguments: [DirichletVariant.perClass, .perClient])
    func dirichletSkewGrowsAsAlphaShrinks(variant: DirichletVariant) throws {
        func meanEntropy(_ alpha: Double) throws -> Double {
            let parts = try Partitioner.partition(labels: Self.labels, classes: 10, clients: 20,
                                                  scheme: .dirichlet(alpha: alpha, variant: variant, minSize: 2),
                                                  seed: 3)
            let nonEmpty = parts.filter { !$0.isEmpty }
            return nonEmpty.map { labelEntropy($0, labels: Self.labels, classes: 10) }.reduce(0, +)
                / Double(nonEmpty.count)
        }
        let skewed = try meanEntropy(0.1), mild = try meanEntropy(10)
        #expect(skewed < mild - 0.5, "entropy α=0.1: \(skewed), α=10: \(mild)")
        #expect(mild > 2.0)                  // ln 10 ≈ 2.30 for perfectly balanced clients
    }

    @Test func perClassRespectsMinimumSize() throws {
        let parts = try Partitioner.partition(labels: Self.labels, classes: 10, clients: 20,
                                              scheme: .dirichlet(alpha: 0.2, variant: .perClass, minSize: 10), seed: 8)
        #expect(parts.allSatisfy { $0.count >= 10 })
    }

    @Test func specWorkedExamples() {
        // §9.2 A: floor of cumulative shares.
        #expect(Partitioner.cutPoints(proportions: [0.5, 0.3, 0.2], count: 10) == [5, 8])
        #expect(Partitioner.sizes(cuts: [5, 8], count: 10) == [5, 3, 2])
        let cuts = Partitioner.cutPoints(proportions: [0.42, 0.33, 0.25], count: 10)
        #expect(Partitioner.sizes(cuts: cuts, count: 10) == [4, 3, 3])
        // §9.2 B: π = [(0.9,0.1), (0.5,0.5), (0.1,0.9)], class sizes (10, 6).
        let class0 = Partitioner.roundedEnds(weights: [0.9, 0.5, 0.1], count: 10)
        let class1 = Partitioner.roundedEnds(weights: [0.1, 0.5, 0.9], count: 6)
        #expect(Partitioner.sizes(cuts: Array(class0.dropLast()), count: 10) == [6, 3, 1])
        #expect(Partitioner.sizes(cuts: Array(class1.dropLast()), count: 6) == [0, 2, 4])
        // Half-to-even: 2.5 → 2, 3.5 → 4.
        #expect(Partitioner.roundedEnds(weights: [1, 1], count: 5) == [2, 5])
        #expect(Partitioner.roundedEnds(weights: [1, 1], count: 7) == [4, 7])
    }

    @Test func perClientKeepsDatasetOrderWithinAClass() throws {
        let parts = try Partitioner.partition(labels: Self.labels, classes: 10, clients: 5,
                                              scheme: .dirichlet(alpha: 1, variant: .perClient, minSize: 0), seed: 2)
        for part in parts {
            for c in 0..<10 {
                let mine = part.filter { Self.labels[$0] == c }
                #expect(mine == mine.sorted())
            }
        }
    }

    @Test func shardsBoundLabelsPerClient() throws {
        // 100 shards of 10 samples; each shard holds one label, so a client sees at most 2 labels.
        let parts = try Partitioner.partition(labels: Self.labels, classes: 10, clients: 50,
                                              scheme: .shards(perClient: 2), seed: 4)
        #expect(parts.allSatisfy { $0.count == 20 })
        #expect(parts.allSatisfy { Set($0.map { Self.labels[$0] }).count <= 2 })
        // Shards straddling two labels (7 samples each): at most 2 shards × 2 labels.
        let odd = try Partitioner.partition(labels: Self.labels, classes: 10, clients: 71,
                                            scheme: .shards(perClient: 2), seed: 4)
        #expect(odd.allSatisfy { Set($0.map { Self.labels[$0] }).count <= 4 })
    }

    @Test func quantitySkewVariesSizesNotLabels() throws {
        let parts = try Partitioner.partition(labels: Self.labels, classes: 10, clients: 10,
                                              scheme: .quantity(alpha: 0.5, minSize: 10), seed: 6)
        let sizes = parts.map(\.count)
        #expect(sizes.allSatisfy { $0 >= 10 } && sizes.reduce(0, +) == 1000)
        #expect((sizes.max() ?? 0) > 2 * (sizes.min() ?? 0))
    }

    @Test func impossibleSettingsThrow() {
        let small: [Int32] = [0, 1, 0, 1, 2]
        func fails(_ scheme: PartitionScheme, clients: Int = 2) -> String? {
            do {
                _ = try Partitioner.partition(labels: small, classes: 3, clients: clients, scheme: scheme, seed: 1)
                return nil
            } catch {
                guard case .invalidParameter(let name, _) = error else { return "wrong error \(error)" }
                return name
            }
        }
        #expect(fails(.iid, clients: 6) == "partition.clients")
        #expect(fails(.iid, clients: 0) == "partition.clients")
        #expect(fails(.dirichlet(alpha: 0)) == "partition.alpha")
        #expect(fails(.quantity(alpha: -1, minSize: 1)) == "partition.alpha")
        #expect(fails(.dirichlet(alpha: 1, variant: .perClass, minSize: 3)) == "partition.min_size")
        #expect(fails(.shards(perClient: 3)) == "partition.shards_per_client")
        #expect(fails(.natural) == "partition.scheme")
        #expect(throws: DataError.self) {
            try Partitioner.partition(labels: [0, 5], classes: 3, clients: 1, scheme: .iid, seed: 1)
        }
        // Reachable in principle but not with this skew: every attempt leaves a client short.
        let many = [Int32](repeating: 0, count: 40)
        #expect(throws: DataError.self) {
            try Partitioner.partition(labels: many, classes: 1, clients: 4,
                                      scheme: .dirichlet(alpha: 0.001, variant: .perClass, minSize: 10), seed: 1)
        }
    }
}

@Suite struct DataFederatedBuildTests {
    @Test func syntheticNaturalUsesDevices() throws {
        let data = try FederatedData.build(source: .synthetic(alpha: 0.5, beta: 0.5, iid: false), testFraction: 0.2,
                                           clients: 5, scheme: .natural, dataSeed: 1, partitionSeed: 2)
        let direct = SyntheticFedProx.generate(alpha: 0.5, beta: 0.5, iid: false, devices: 5, seed: 1)
        #expect(data.clientIndices == direct.trainDevice && data.test == direct.test)
        let pooled = try FederatedData.build(source: .synthetic(alpha: 0.5, beta: 0.5, iid: false), testFraction: 0.2,
                                             clients: 5, scheme: .iid, dataSeed: 1, partitionSeed: 2)
        #expect(pooled.train == data.train && pooled.clientIndices != data.clientIndices)
        #expect(pooled.fingerprint != data.fingerprint)
    }

    @Test func loadersSplitOrUseTheirTestFiles() throws {
        let dir = try DataTestDirectory()
        let rows = (0..<30).map { "\($0 % 3),\($0),\(2 * $0)" }.joined(separator: "\n")
        let csv = try dir.write("d.csv", text: "label,a,b\n" + rows + "\n")
        let split = try FederatedData.build(source: .csv(path: csv, testPath: nil, labelColumn: 0), testFraction: 0.2,
                                            clients: 3, scheme: .iid, dataSeed: 5, partitionSeed: 6)
        #expect(split.train.count == 24 && split.test.count == 6 && split.train.classes == 3)
        let svm = try dir.write("t.svm", text: "-1 1:1\n+1 2:1\n-1 1:2\n+1 2:2\n")
        let svmTest = try dir.write("e.svm", text: "+1 1:3 3:1\n")
        let pair = try FederatedData.build(source: .libsvm(path: svm, testPath: svmTest, dimension: nil),
                                           testFraction: 0.2, clients: 2, scheme: .iid, dataSeed: 5, partitionSeed: 6)
        #expect(pair.train.count == 4 && pair.test.count == 1 && pair.test.dimension == 3 && pair.test.labels == [1])
        #expect(throws: DataError.self) {
            try FederatedData.build(source: .csv(path: csv, testPath: nil, labelColumn: 0), testFraction: 1,
                                    clients: 3, scheme: .iid, dataSeed: 5, partitionSeed: 6)
        }
        #expect(throws: DataError.self) {
            try FederatedData.build(source: .idx(images: csv, labels: csv, testImages: csv, testLabels: nil),
                                    testFraction: 0.2, clients: 3, scheme: .iid, dataSeed: 5, partitionSeed: 6)
        }
        #expect(throws: DataError.tooFewSamples(what: "the training set for 25 clients", available: 24, required: 25)) {
            try FederatedData.build(source: .csv(path: csv, testPath: nil, labelColumn: 0), testFraction: 0.2,
                                    clients: 25, scheme: .iid, dataSeed: 5, partitionSeed: 6)
        }
    }

    @Test func everyErrorDescriptionSaysWhatToDo() {
        let errors: [DataError] = [
            .fileNotFound(path: "a"), .unreadable(path: "a", reason: "r"), .malformed(path: "a", line: 3, reason: "r"),
            .invalidFormat(path: "a", reason: "r"), .gzip(reason: "r"), .tooFewSamples(what: "w", available: 1, required: 2),
        ]
        for error in errors { #expect(error.description.contains(" — "), "\(error)") }
        #expect(DataError.malformed(path: "f.csv", line: 3, reason: "x").description.contains("f.csv:3"))
    }
}
