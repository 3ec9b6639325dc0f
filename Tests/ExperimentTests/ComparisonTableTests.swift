import Testing

@testable import Experiment

@Suite struct ComparisonTableTests {
    @Test func meanAndSampleStandardDeviationPerVariant() {
        var table = ComparisonTable(fields: ["final_test_accuracy", "bytes_up", "time_to_target_s"])
        table.add(variant: "mean", seed: 1, values: ["final_test_accuracy": 0.25, "bytes_up": 2, "time_to_target_s": 12.5])
        table.add(variant: "nnm+cc", seed: 1, values: ["final_test_accuracy": 0.5, "bytes_up": 100, "time_to_target_s": nil])
        table.add(variant: "mean", seed: 2, values: ["final_test_accuracy": 0.5, "bytes_up": 4, "time_to_target_s": nil])
        table.add(variant: "mean", seed: 3, values: ["final_test_accuracy": 0.75, "bytes_up": 6])
        table.add(variant: "nnm+cc", seed: 2, values: ["final_test_accuracy": 0.75, "bytes_up": 300])
        // mean: accuracy (0.25, 0.5, 0.75) → mean 0.5, sample variance (0.0625 + 0 + 0.0625) / 2 → std 0.25;
        // bytes (2, 4, 6) → mean 4, std 2; time (12.5, null, missing) → mean 12.5, std empty (one value).
        // nnm+cc: accuracy (0.5, 0.75) → 0.625, variance 0.03125 / 1 → std 0.1767766952966369;
        // bytes (100, 300) → 200, std sqrt(20000) = 141.4213562373095; time: no values → both empty.
        let expected = """
            variant,seed,final_test_accuracy,bytes_up,time_to_target_s
            mean,1,0.25,2,12.5
            mean,2,0.5,4,
            mean,3,0.75,6,
            mean,mean,0.5,4,12.5
            mean,std,0.25,2,
            nnm+cc,1,0.5,100,
            nnm+cc,2,0.75,300,
            nnm+cc,mean,0.625,200,
            nnm+cc,std,0.1767766952966369,141.4213562373095,

            """
        #expect(table.csv() == expected)
        let std = table.standardDeviation(variant: "nnm+cc")
        #expect(abs(std[0]! - 0.1767766953) < 1e-9)
        #expect(abs(std[1]! - 141.421356237) < 1e-6)
        #expect(std[2] == nil)
        #expect(table.mean(variant: "nnm+cc")[2] == nil)
    }

    @Test func singleSeedHasEmptyStdAndLabelsWithCommasAreQuoted() {
        var table = ComparisonTable(fields: ["rounds"])
        table.add(variant: "attack=alie,rule=nnm", seed: 7, values: ["rounds": 50])
        #expect(table.csv() == """
            variant,seed,rounds
            "attack=alie,rule=nnm",7,50
            "attack=alie,rule=nnm",mean,50
            "attack=alie,rule=nnm",std,

            """)
        #expect(ComparisonTable.cell("a\"b") == "\"a\"\"b\"")
    }
}
