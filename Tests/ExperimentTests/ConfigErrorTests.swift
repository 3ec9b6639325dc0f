import Testing

@testable import Experiment

/// Parses `toml` and returns the error it must throw.
func parseError(_ toml: String) -> ConfigError? {
    do {
        _ = try ExperimentConfig.parse(toml: toml)
        return nil
    } catch {
        return error
    }
}

@Suite struct ConfigErrorTests {
    @Test func unknownKeyNamesItAndSuggestsTheClosest() throws {
        let error = try #require(parseError("[local]\nlearning_rat = 0.1\nbatchsize = 3"))
        #expect(error == .unknownKey(key: "local.batchsize", suggestion: "local.batch_size"))
        #expect(error.description.contains("'local.batchsize'"))
        #expect(error.description.contains("did you mean 'local.batch_size'"))
    }

    @Test func unknownKeyInTheWrongSectionPointsToItsSection() {
        #expect(parseError("[local]\nclients_per_round = 3")
            == .unknownKey(key: "local.clients_per_round", suggestion: "participation.clients_per_round"))
        #expect(parseError("seed = 3") == .unknownKey(key: "seed", suggestion: "run.seed"))
        #expect(parseError("[local]\nzzzzqqq = 1") == .unknownKey(key: "local.zzzzqqq", suggestion: nil))
        #expect(parseError("[local]\nlearning_rate = 1") == .unknownKey(key: "local.learning_rate", suggestion: "local.lr"))
        #expect(parseError("[run]\nnum_clients = 1") == .unknownKey(key: "run.num_clients", suggestion: "partition.clients"))
    }

    @Test func unknownSectionSuggestsTheClosest() throws {
        let error = try #require(parseError("[partiton]\nclients = 4"))
        #expect(error == .unknownSection("partiton", suggestion: "partition"))
        #expect(error.description.contains("[partiton]") && error.description.contains("[partition]"))
    }

    @Test func wrongTypeNamesKeyAndTypes() throws {
        let error = try #require(parseError("[run]\nrounds = 10.5"))
        #expect(error == .wrongType(key: "run.rounds", expected: "an integer", found: "float (10.5)"))
        #expect(error.description.contains("'run.rounds' must be an integer"))
        #expect(parseError("[local]\nlr = \"fast\"") == .wrongType(key: "local.lr", expected: "a number", found: "string (\"fast\")"))
        #expect(parseError("[model]\nkind = \"mlp\"\nhidden = [64, \"x\"]")
            == .wrongType(key: "model.hidden", expected: "an array of integers", found: "array ([64, \"x\"])"))
        #expect(parseError("local = 3") == .wrongType(key: "local", expected: "a table ([local])", found: "integer (3)"))
        #expect(parseError("[[local]]\nlr = 1") == .wrongType(key: "local", expected: "a table ([local])", found: "array ([{ lr = 1 }])"))
    }

    @Test func outOfRangeValuesSayTheRange() throws {
        let error = try #require(parseError("[run]\nrounds = 0"))
        #expect(error == .invalidValue(key: "run.rounds", value: "0", reason: "it must be ≥ 1"))
        #expect(error.description.contains("'run.rounds'") && error.description.contains("≥ 1"))
        #expect(parseError("[data]\ntest_fraction = 1.0")
            == .invalidValue(key: "data.test_fraction", value: "1.0", reason: "it must be > 0 and < 1"))
        #expect(parseError("[local]\nmomentum = 1") != nil)
        #expect(parseError("[local]\nlr = -0.1") != nil)
        #expect(parseError("[local]\nlr = nan") != nil)
        #expect(parseError("[run]\nseed = -1") == .invalidValue(key: "run.seed", value: "-1", reason: "it must be ≥ 0"))
        #expect(parseError("[eval]\ntarget_accuracy = 0") != nil)
        #expect(parseError("[run]\nseeds = [1, 2, 1]") != nil)
        #expect(parseError("[run]\nname = \"a/b\"") != nil)
    }

    @Test func unknownChoiceSuggestsAValue() throws {
        let error = try #require(parseError("[partition]\nscheme = \"dirichlet-label\""))
        guard case .invalidValue(let key, _, let reason) = error else {
            Issue.record("expected invalidValue, got \(error)")
            return
        }
        #expect(key == "partition.scheme")
        #expect(reason.contains("did you mean \"dirichlet\""))
    }

    @Test func conflictsNameBothKeys() throws {
        let steps = try #require(parseError("[local]\nepochs = 2\nsteps = 5"))
        #expect(steps == .conflict(keys: ["local.epochs", "local.steps"], reason: "give only one of them; remove 'local.steps'"))
        #expect(steps.description.contains("'local.epochs' and 'local.steps'"))
        let k = try #require(parseError("[partition]\nclients = 5\n[participation]\nclients_per_round = 6"))
        guard case .conflict(let keys, _) = k else {
            Issue.record("expected conflict, got \(k)")
            return
        }
        #expect(keys == ["participation.clients_per_round", "partition.clients"])
        #expect(parseError("[byzantine]\ncount = 1\nfraction = 0.1") != nil)
        #expect(parseError("[model]\nhidden = [10]") == .conflict(
            keys: ["model.hidden", "model.kind"],
            reason: "logistic regression has no hidden layers; remove model.hidden or set model.kind = \"mlp\""))
        #expect(parseError("[partition]\nscheme = \"natural\"") != nil)
        #expect(parseError("[byzantine]\ncount = 100") != nil)
    }

    @Test func missingKeysForFileSources() throws {
        let error = try #require(parseError("[data]\nsource = \"csv\""))
        #expect(error == .missingKey(key: "data.path", reason: "data.source = \"csv\" reads its samples from a file"))
        #expect(parseError("[data]\nsource = \"idx\"\npath = \"/x\"")
            == .missingKey(key: "data.labels_path", reason: "data.source = \"idx\" needs the training label file"))
    }

    @Test func robustRulesAndAttacksAreReadWithTheirParameters() throws {
        let config = try ExperimentConfig.parse(toml: """
            [aggregation]
            rule = ["nnm", "centered-clipping"]
            parameters = { centered-clipping = { tau = 2.5, L = 3 } }
            [byzantine]
            fraction = 0.2
            attack = "alie"
            parameters = { z_formula = "baruch" }
            """)
        #expect(config.aggregation.rule == ["nnm", "centered-clipping"])
        #expect(config.aggregation.parameters["centered-clipping"]?["tau"]?.doubleValue == 2.5)
        #expect(config.byzantine.parameters["z_formula"]?.stringValue == "baruch")
        #expect(try ExperimentConfig.parse(toml: config.tomlText()) == config)
        #expect(parseError("[aggregation]\nrule = \"krumm\"")?.description.contains("did you mean \"krum\"") == true)
        #expect(parseError("[byzantine]\nattack = \"sorcery\"")?.description.contains("byzantine.attack") == true)
    }

    @Test func syntaxErrorsCarryTheLine() throws {
        let error = try #require(parseError("[run]\nrounds = 3\nname = \n"))
        guard case .syntax(let message) = error else {
            Issue.record("expected syntax, got \(error)")
            return
        }
        #expect(message.contains("line 3"))
    }

    @Test func comparisonsAreRejectedByTheSingleParser() {
        #expect(parseError("[[variant]]\nname = \"a\"") != nil)
    }
}
