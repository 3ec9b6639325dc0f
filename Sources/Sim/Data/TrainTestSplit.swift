/// A seeded train/test split of one data set, bit-exact with the benchmark reference.
///
/// `perm = PortableRandom.permutation(seed, n)`, `nTest = ⌈testFraction · n⌉` (as scikit-learn's
/// `train_test_split`), test = `perm[..<nTest]`, train = `perm[nTest...]`, both in permutation
/// order. Benchmark task T1 (digits, seed 42, fraction 0.2) gives 360 test and 1,437 train
/// samples exactly as `tasks.load_t1`.
public enum TrainTestSplit {
    /// The number of test samples for `count` samples: ⌈testFraction · count⌉.
    public static func testCount(count: Int, testFraction: Double) -> Int {
        Int((testFraction * Double(count)).rounded(.up))
    }

    /// The test and train indices (into `0..<count`), in permutation order.
    public static func indices(count: Int, testFraction: Double, seed: UInt64) -> (train: [Int], test: [Int]) {
        precondition(testFraction >= 0 && testFraction <= 1, "TrainTestSplit: testFraction \(testFraction) outside 0…1")
        let perm = PortableRandom.permutation(seed: seed, count: count)
        let nTest = min(count, testCount(count: count, testFraction: testFraction))
        return (Array(perm[nTest...]), Array(perm[..<nTest]))
    }

    /// Splits `data`; `testFraction` must be in 0…1 (callers validate user input first).
    public static func split(_ data: Dataset, testFraction: Double, seed: UInt64) -> (train: Dataset, test: Dataset) {
        let (train, test) = indices(count: data.count, testFraction: testFraction, seed: seed)
        return (data.subset(train), data.subset(test))
    }
}
