import Foundation
import Testing
@testable import Sim

/// `ClientDataStore` and `FederatedData.buildTestSet` against the full `FederatedData.build`.
@Suite struct ClientDataStoreTests {
    /// Small teacher data: h = 10 is not a multiple of the SIMD width 4 (padding lanes are used).
    static let spec = TeacherSpec(trainSamples: 600, testSamples: 100, dimension: 30, hidden: 10, classes: 5)

    static let teacherSchemes: [PartitionScheme] = [
        .iid, .dirichlet(alpha: 1, variant: .perClass, minSize: 5), .dirichlet(alpha: 0.3, variant: .perClient, minSize: 0),
        .shards(perClient: 2), .quantity(alpha: 1, minSize: 5),
    ]

    /// Equal feature bits (not just `==`, which calls −0 and 0 equal), labels and shape.
    static func identical(_ a: Dataset, _ b: Dataset) -> Bool {
        a.dimension == b.dimension && a.classes == b.classes && a.labels == b.labels
            && a.features.map(\.bitPattern) == b.features.map(\.bitPattern)
    }

    @Test(arguments: teacherSchemes)
    func teacherClientsEqualTheFullBuild(scheme: PartitionScheme) throws {
        let source = DataSource.teacher(Self.spec)
        let full = try FederatedData.build(source: source, testFraction: 0.2, clients: 20, scheme: scheme,
                                           dataSeed: 7, partitionSeed: 8)
        let store = try ClientDataStore(source: source, testFraction: 0.2, clients: 20, scheme: scheme, dataSeed: 7,
                                        partitionSeed: 8)
        #expect(store.clientCount == 20 && store.dimension == 30 && store.classes == 5)
        #expect(store.clientIndices == full.clientIndices)
        #expect(store.cachedClientCount == 0)
        for client in 0..<20 {
            let data = try store.clientData(client)
            #expect(Self.identical(data, full.clientData(client)), "client \(client)")
            #expect(store.clientSize(client) == full.clientIndices[client].count)
        }
        #expect(store.cachedClientCount == 20)
        // The label-skewed schemes really depend on the labels (so the label pass is exercised).
        if scheme != .iid, Partitioner.needsLabels(scheme) {
            let blind = try Partitioner.partition(labels: [Int32](repeating: 0, count: 600), classes: 5, clients: 20,
                                                  scheme: scheme, seed: 8)
            #expect(blind != full.clientIndices)
        }
    }

    @Test func teacherTestSetIsTheFullBuildsWithoutTrainingRows() throws {
        let source = DataSource.teacher(Self.spec)
        let full = try FederatedData.build(source: source, testFraction: 0.2, clients: 20, scheme: .iid,
                                           dataSeed: 7, partitionSeed: 8)
        let test = try FederatedData.buildTestSet(source: source, testFraction: 0.2, clients: 20, scheme: .iid,
                                                  dataSeed: 7)
        #expect(Self.identical(test, full.test) && test.count == 100)
        #expect(Self.identical(TeacherData.generateTest(Self.spec, seed: 7), full.test))
        // Another seed gives other data (the seed is used).
        let other = try FederatedData.buildTestSet(source: source, testFraction: 0.2, clients: 20, scheme: .iid,
                                                   dataSeed: 8)
        #expect(!Self.identical(other, test))
    }

    /// The T2 shape (784 features, 64 hidden, 10 classes) on a few rows: the numpy reference labels.
    @Test func t2ShapedRowsMatchTheNumpyReference() throws {
        let spec = TeacherSpec(trainSamples: 200, testSamples: 50)
        let store = try ClientDataStore(source: .teacher(spec), testFraction: 0.2, clients: 10, scheme: .iid,
                                        dataSeed: 7, partitionSeed: 8)
        let reference: [Int32] = [7, 3, 2, 3, 3, 1, 3, 9, 4, 4, 9, 3, 4, 7, 2, 1, 3, 4, 2, 4]  // tasks.load_t2 rows 0..<20
        for client in 0..<10 {
            let data = try store.clientData(client)
            for (position, row) in store.clientIndices[client].enumerated() where row < 20 {
                #expect(data.labels[position] == reference[row], "row \(row)")
                if row == 0 {
                    let first = Array(data.features[(position * 784)..<(position * 784 + 2)])
                    #expect(first == [0.13389699161052704, 0.641631543636322])
                }
            }
        }
    }

    @Test func digitsClientsAndTestSetEqualTheFullBuild() throws {
        let full = try FederatedData.build(source: .digits(path: nil), testFraction: 0.2, clients: 100, scheme: .iid,
                                           dataSeed: 42, partitionSeed: 43)
        let store = try ClientDataStore(source: .digits(path: nil), testFraction: 0.2, clients: 100, scheme: .iid,
                                        dataSeed: 42, partitionSeed: 43)
        #expect(store.clientCount == 100 && store.dimension == 64 && store.classes == 10)
        for client in 0..<100 {
            #expect(Self.identical(try store.clientData(client), full.clientData(client)), "client \(client)")
        }
        #expect(store.clientSize(0) == 15 && store.clientSize(99) == 14)
        let test = try FederatedData.buildTestSet(source: .digits(path: nil), testFraction: 0.2, clients: 100,
                                                  scheme: .iid, dataSeed: 42)
        #expect(Self.identical(test, full.test) && test.count == 360)
    }

    @Test(arguments: [PartitionScheme.natural, .iid])
    func syntheticTestSetEqualsTheFullBuild(scheme: PartitionScheme) throws {
        let source = DataSource.synthetic(alpha: 0.5, beta: 0.5, iid: false)
        let full = try FederatedData.build(source: source, testFraction: 0.2, clients: 8, scheme: scheme, dataSeed: 3,
                                           partitionSeed: 4)
        let test = try FederatedData.buildTestSet(source: source, testFraction: 0.2, clients: 8, scheme: scheme,
                                                  dataSeed: 3)
        #expect(Self.identical(test, full.test))
        let store = try ClientDataStore(source: source, testFraction: 0.2, clients: 8, scheme: scheme, dataSeed: 3,
                                        partitionSeed: 4)
        if scheme == .natural { #expect(store.cachedClientCount == 0) }   // natural devices: nothing generated yet
        for client in 0..<8 { #expect(Self.identical(try store.clientData(client), full.clientData(client))) }
        #expect(store.clientIndices == full.clientIndices)
    }

    @Test func csvWithoutTestFileIsSplitAsTheFullBuild() throws {
        let directory = try DataTestDirectory()
        let rows = (0..<40).map { i in "\(Double(i) / 8),\(Double(i % 7) - 3),\(i % 3)" }
        let path = try directory.write("data.csv", text: rows.joined(separator: "\n") + "\n")
        let source = DataSource.csv(path: path, testPath: nil, labelColumn: -1)
        let full = try FederatedData.build(source: source, testFraction: 0.25, clients: 4, scheme: .iid, dataSeed: 5,
                                           partitionSeed: 6)
        let test = try FederatedData.buildTestSet(source: source, testFraction: 0.25, clients: 4, scheme: .iid,
                                                  dataSeed: 5)
        #expect(Self.identical(test, full.test) && test.count == 10)
    }

    @Test func cachingReturnsTheSameDataAndReleaseRegeneratesIt() throws {
        let store = try ClientDataStore(source: .teacher(Self.spec), testFraction: 0.2, clients: 20, scheme: .iid,
                                        dataSeed: 7, partitionSeed: 8)
        let first = try store.clientData(3)
        #expect(store.cachedClientCount == 1 && first.count == 30)
        let second = try store.clientData(3)
        #expect(Self.identical(first, second))
        second.features.withUnsafeBufferPointer { b in
            first.features.withUnsafeBufferPointer { a in #expect(a.baseAddress == b.baseAddress) }  // the cached copy
        }
        store.release(3)
        store.release(17)   // not cached: no effect
        #expect(store.cachedClientCount == 0)
        #expect(Self.identical(try store.clientData(3), first))
    }

    @Test func invalidClientThrowsInsteadOfCrashing() throws {
        for source in [DataSource.teacher(Self.spec), .digits(path: nil)] {
            let store = try ClientDataStore(source: source, testFraction: 0.2, clients: 20, scheme: .iid, dataSeed: 7,
                                            partitionSeed: 8)
            for client in [-1, 20, Int.max] {
                #expect(throws: DataError.self) { try store.clientData(client) }
                #expect(store.clientSize(client) == 0)
            }
            store.release(-1)
        }
    }

    /// Impossible settings fail in `init` and `buildTestSet` with the very error of `build`.
    @Test func errorsAreThoseOfTheFullBuild() {
        let teacher = DataSource.teacher(Self.spec)
        let cases: [(DataSource, Int, PartitionScheme)] = [
            (teacher, 0, .iid), (teacher, 601, .iid), (teacher, 20, .natural), (teacher, 20, .dirichlet(alpha: 0)),
            (teacher, 20, .shards(perClient: 40)), (teacher, 20, .quantity(alpha: 1, minSize: 31)),
            (.teacher(TeacherSpec(trainSamples: 600, testSamples: 0)), 20, .iid),
            (.digits(path: nil), 2000, .iid), (.digits(path: nil), 10, .shards(perClient: 0)),
            (.digits(path: "/nonexistent/digits.csv"), 10, .iid),
        ]
        for (source, clients, scheme) in cases {
            let expected = #expect(throws: DataError.self) {
                try FederatedData.build(source: source, testFraction: 0.2, clients: clients, scheme: scheme,
                                        dataSeed: 7, partitionSeed: 8)
            }
            let fromStore = #expect(throws: DataError.self) {
                try ClientDataStore(source: source, testFraction: 0.2, clients: clients, scheme: scheme, dataSeed: 7,
                                    partitionSeed: 8)
            }
            let fromTestSet = #expect(throws: DataError.self) {
                try FederatedData.buildTestSet(source: source, testFraction: 0.2, clients: clients, scheme: scheme,
                                               dataSeed: 7)
            }
            #expect(fromStore == expected && fromTestSet == expected, "\(source) \(clients) \(scheme)")
        }
    }
}
