import Foundation
import Testing

@testable import Experiment

@Suite struct ExperimentFileTests {
    @Test func aFileWithoutComparisonsIsOneRunWithAnEmptyLabel() throws {
        let file = try ExperimentFile.parse(toml: "[run]\nseed = 4", baseDirectory: nil, defaultName: "one")
        #expect(!file.isComparison)
        let runs = try file.plannedRuns(overrides: [])
        #expect(runs.count == 1)
        #expect(runs[0].variant == "" && runs[0].seed == 4 && runs[0].directoryName == "s4")
        #expect(runs[0].config == file.base)
    }

    @Test func twoVariantsTimesTwoSeedsGiveFourRuns() throws {
        let file = try ExperimentFile.parse(toml: """
            [run]
            seeds = [1, 2]
            [local]
            optimizer = "momentum"

            [[variant]]
            name = "slow"
            "local.lr" = 0.01

            [[variant]]
            name = "fast momentum"
            local.lr = 0.5
            local.momentum = 0.5
            """, baseDirectory: nil, defaultName: "cmp")
        #expect(file.isComparison)
        #expect(file.variantNames == ["slow", "fast momentum"])
        let runs = try file.plannedRuns(overrides: [])
        #expect(runs.map(\.variant) == ["slow", "slow", "fast momentum", "fast momentum"])
        #expect(runs.map(\.seed) == [1, 2, 1, 2])
        #expect(runs.map(\.directoryName) == ["slow-s1", "slow-s2", "fast_momentum-s1", "fast_momentum-s2"])
        #expect(runs.map(\.config.local.lr) == [0.01, 0.01, 0.5, 0.5])
        #expect(runs.map(\.config.local.momentum) == [0.9, 0.9, 0.5, 0.5])
        for run in runs {
            #expect(run.config.run.seed == run.seed && run.config.run.seeds.isEmpty)
            #expect(try ExperimentConfig.parse(toml: run.config.tomlText()) == run.config)
        }
    }

    @Test func gridCrossesAlternativesWithShortNames() throws {
        let file = try ExperimentFile.parse(toml: """
            [grid]
            "local.batch_size" = [10, 32]
            "aggregation.rule" = ["mean", ["mean", "mean"]]
            "participation.process" = ["uniform", "full"]
            """, baseDirectory: nil, defaultName: "g")
        #expect(file.gridKeys == ["aggregation.rule", "local.batch_size", "participation.process"])
        let runs = try file.plannedRuns(overrides: [])
        #expect(runs.count == 8)
        #expect(runs[0].variant == "rule=mean,batch_size=10,process=uniform")
        #expect(runs[1].variant == "rule=mean,batch_size=10,process=full")
        #expect(runs[7].variant == "rule=mean+mean,batch_size=32,process=full")
        #expect(runs[7].config.aggregation.rule == ["mean", "mean"])
        #expect(runs[7].config.local.batchSize == 32 && runs[7].config.participation.process == .full)
        #expect(Set(runs.map(\.directoryName)).count == 8)
        #expect(runs[0].directoryName == "rule=mean,batch_size=10,process=uniform-s1")
    }

    @Test func chainLabelsAbbreviateHyphenatedNames() {
        #expect(GridAxis.label(.array([.string("nnm"), .string("centered-clipping")]), abbreviate: true) == "nnm+cc")
        #expect(GridAxis.label(.string("centered-clipping"), abbreviate: true) == "centered-clipping")
        #expect(GridAxis.label(.float(0.5), abbreviate: true) == "0.5")
    }

    @Test func variantsTimesGridTimesSeeds() throws {
        let file = try ExperimentFile.parse(toml: """
            [run]
            seeds = [1, 2, 3]
            [[variant]]
            name = "a"
            "local.lr" = 0.2
            [[variant]]
            name = "b"
            [grid]
            "partition.clients" = [20, 40]
            """, baseDirectory: nil, defaultName: "vg")
        let runs = try file.plannedRuns(overrides: [])
        #expect(runs.count == 2 * 2 * 3)
        #expect(runs[0].variant == "a,clients=20" && runs[0].directoryName == "a,clients=20-s1")
        #expect(runs.last?.variant == "b,clients=40" && runs.last?.seed == 3)
        #expect(runs.filter { $0.config.partition.clients == 40 }.count == 6)
    }

    @Test func unknownKeyInAVariantNamesTheVariantAndKey() throws {
        do {
            _ = try ExperimentFile.parse(toml: """
                [[variant]]
                name = "ok"
                [[variant]]
                name = "typo"
                "aggregation.rul" = "mean"
                """, baseDirectory: nil, defaultName: "x")
            Issue.record("expected an error")
        } catch {
            #expect(error == .inVariant(label: "typo", error: .unknownKey(key: "aggregation.rul", suggestion: "aggregation.rule")))
            #expect(error.description.contains("\"typo\"") && error.description.contains("'aggregation.rul'"))
        }
    }

    @Test func invalidValueInAVariantIsFoundEagerly() throws {
        #expect(throws: ConfigError.inVariant(label: "bad", error: .invalidValue(key: "local.lr", value: "-1.0", reason: "it must be > 0"))) {
            try ExperimentFile.parse(toml: "[[variant]]\nname = \"bad\"\n\"local.lr\" = -1", baseDirectory: nil, defaultName: "x")
        }
        // A rule spanning sections (Distributed Lion needs the Lion optimizer) is checked per variant too.
        do {
            _ = try ExperimentFile.parse(toml: "[[variant]]\nname = \"dlion\"\n\"run.mode\" = \"distributed-lion\"",
                                         baseDirectory: nil, defaultName: "x")
            Issue.record("a distributed-lion variant without local.optimizer = \"lion\" was accepted")
        } catch {
            guard case .inVariant("dlion", .conflict(let keys, _)) = error else {
                Issue.record("expected a conflict in variant dlion, got \(error)")
                return
            }
            #expect(keys == ["run.mode", "local.optimizer"])
        }
    }

    @Test func malformedComparisonsAreRejected() {
        #expect(throws: ConfigError.missingKey(key: "variant.name", reason: "[[variant]] number 1 needs a name, e.g. name = \"mean\"")) {
            try ExperimentFile.parse(toml: "[[variant]]\n\"local.lr\" = 1", baseDirectory: nil, defaultName: "x")
        }
        #expect(throws: ConfigError.self) {
            try ExperimentFile.parse(toml: "[[variant]]\nname = \"a\"\n[[variant]]\nname = \"a\"", baseDirectory: nil, defaultName: "x")
        }
        #expect(throws: ConfigError.self) {
            try ExperimentFile.parse(toml: "[grid]\n\"local.lr\" = 0.1", baseDirectory: nil, defaultName: "x")
        }
        #expect(throws: ConfigError.self) {
            try ExperimentFile.parse(toml: "[grid]\n\"local.lr\" = [0.1, 0.1]", baseDirectory: nil, defaultName: "x")
        }
        #expect(throws: ConfigError.inVariant(label: "a", error: .unknownKey(key: "lr", suggestion: "local.lr"))) {
            try ExperimentFile.parse(toml: "[[variant]]\nname = \"a\"\nlr = 0.1", baseDirectory: nil, defaultName: "x")
        }
        #expect(throws: ConfigError.inVariant(label: "a,lr=0.2", error: .conflict(
            keys: ["local.lr"], reason: "both the variant and [grid] set it; set it in one place"))) {
            try ExperimentFile.parse(toml: "[[variant]]\nname = \"a\"\n\"local.lr\" = 0.1\n[grid]\n\"local.lr\" = [0.2]",
                                     baseDirectory: nil, defaultName: "x")
        }
    }

    @Test func loadReadsTheFileAndResolvesPathsAgainstItsDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gradwire-exp-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("my exp.toml").path
        try "[data]\nsource = \"csv\"\npath = \"data/train.csv\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        let file = try ExperimentFile.load(path: path)
        #expect(file.base.data.path == directory.appendingPathComponent("data/train.csv").standardizedFileURL.path)
        #expect(file.base.run.name == "my_exp")
        #expect(throws: ConfigError.fileNotFound(path: path + ".missing")) { try ExperimentFile.load(path: path + ".missing") }
    }
}
