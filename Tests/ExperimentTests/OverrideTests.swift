import Testing

@testable import Experiment

@Suite struct OverrideTests {
    private func run(_ toml: String, _ overrides: [String]) throws(ConfigError) -> ExperimentConfig {
        let runs = try ExperimentFile.parse(toml: toml, baseDirectory: "/b", defaultName: "o").plannedRuns(overrides: overrides)
        #expect(runs.count == 1)
        return runs[0].config
    }

    @Test func overridesSetIntegersFloatsArraysAndStrings() throws {
        let config = try run("[run]\nrounds = 3", [
            "run.rounds=50", "local.lr = 0.05", "model.kind=mlp", "model.hidden=[64, 32]", "run.name=my-run",
            "local.shuffle=true", "aggregation.rule=[\"mean\"]", "data.label_column=2",
        ])
        #expect(config.run.rounds == 50)
        #expect(config.local.lr == 0.05)
        #expect(config.model.kind == .mlp && config.model.hidden == [64, 32])
        #expect(config.run.name == "my-run")
        #expect(config.local.shuffle)
        #expect(config.aggregation.rule == ["mean"])
    }

    @Test func laterOverridesWinAndIntegersAreFloats() throws {
        let config = try run("", ["local.lr=0.5", "local.lr=1"])
        #expect(config.local.lr == 1.0)
    }

    @Test func overrideReplacesItsExclusivePartner() throws {
        let config = try run("[local]\nepochs = 5", ["local.steps=3"])
        #expect(config.local.steps == 3 && config.local.epochs == 1)
        let byzantine = try run("[byzantine]\ncount = 2", ["byzantine.fraction=0.1"])
        #expect(byzantine.byzantine.fraction == 0.1 && byzantine.byzantine.count == 0)
    }

    @Test func overrideValuesAreValidated() {
        #expect(throws: ConfigError.invalidValue(key: "run.rounds", value: "0", reason: "it must be ≥ 1")) {
            try run("", ["run.rounds=0"])
        }
        #expect(throws: ConfigError.wrongType(key: "run.rounds", expected: "an integer", found: "string (\"many\")")) {
            try run("", ["run.rounds=many"])
        }
    }

    @Test func unknownAndMalformedOverridesAreRejected() throws {
        #expect(throws: ConfigError.unknownKey(key: "local.lrr", suggestion: "local.lr")) { try run("", ["local.lrr=1"]) }
        #expect(throws: ConfigError.unknownSection("locl", suggestion: "local")) { try run("", ["locl.lr=1"]) }
        let nested = "local.lr.max=1"
        #expect(throws: ConfigError.badOverride(nested, reason: "'local.lr.max' is not of the form section.key (one dot)")) {
            try run("", [nested])
        }
        #expect(throws: ConfigError.badOverride("local.lr", reason: "there is no '='")) { try run("", ["local.lr"]) }
        #expect(throws: ConfigError.badOverride("local.lr=", reason: "there is no value after '='")) { try run("", ["local.lr="]) }
        do {
            _ = try run("", ["aggregation.rule=[nnm, cc]"])
            Issue.record("a malformed array must be rejected")
        } catch {
            guard case .badOverride(_, let reason) = error else {
                Issue.record("expected badOverride, got \(error)")
                return
            }
            #expect(reason.contains("not a valid TOML value"))
            #expect(error.description.contains("--set section.key=value"))
        }
        #expect(throws: ConfigError.self) { try run("", ["faults.kind=x"]) }
    }

    @Test func overridesApplyBeforeVariants() throws {
        let file = try ExperimentFile.parse(toml: """
            [[variant]]
            name = "fast"
            "local.lr" = 0.5
            [[variant]]
            name = "default"
            """, baseDirectory: nil, defaultName: "v")
        let runs = try file.plannedRuns(overrides: ["local.lr=0.01", "run.rounds=7"])
        #expect(runs.map(\.config.local.lr) == [0.5, 0.01])
        #expect(runs.map(\.config.run.rounds) == [7, 7])
    }
}
