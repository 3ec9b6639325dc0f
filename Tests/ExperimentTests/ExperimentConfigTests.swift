import Testing

@testable import Experiment

/// A file that sets every key of a federated MLP run on CSV data to a value that is not its default.
let everyKeyTOML = """
    [run]
    name = "full"
    seed = 7
    seeds = [3, 5]
    rounds = 42
    mode = "distributed-sgd"
    time = "virtual"
    blas_threads = 2
    heartbeat_timeout_s = 2.5
    join_timeout_s = 30

    [data]
    source = "csv"
    path = "/data/train.csv"
    test_path = "/data/test.csv"
    label_column = 0

    [partition]
    scheme = "dirichlet"
    clients = 50
    alpha = 0.1
    dirichlet_variant = "per-client"

    [model]
    kind = "mlp"
    hidden = [64, 32]
    init = "uniform"

    [local]
    optimizer = "momentum"
    lr = 0.05
    momentum = 0.5
    weight_decay = 0.0001
    batch_size = 32
    steps = 7
    shuffle = true
    prox_mu = 0

    [participation]
    process = "uniform"
    clients_per_round = 20

    [aggregation]
    weighting = "participants"
    rule = "mean"
    assumed_f = 2
    server_optimizer = "sgd"
    server_lr = 0.5
    server_momentum = 0.9

    [byzantine]
    fraction = 0.2
    attack = "none"

    [compression]
    uplink = "none"
    downlink = "none"
    error_feedback = false

    [timing]
    compute_flops_per_s = 2e9
    bandwidth_up_bytes_per_s = 1e6
    bandwidth_down_bytes_per_s = 5e6
    latency_s = 0.01
    policy = "wait-all"

    [coding]
    scheme = "none"

    [eval]
    every = 5
    target_accuracy = 0.9
    """

@Suite struct ExperimentConfigTests {
    @Test func emptyFileGivesEveryDefault() throws {
        let config = try ExperimentConfig.parse(toml: "", defaultName: "quick")
        #expect(config.run.name == "quick")
        #expect(config.run.seed == 1)
        #expect(config.run.seeds == [])
        #expect(config.run.rounds == 10)
        #expect(config.run.mode == .federated)
        #expect(config.run.time == .virtual)
        #expect(config.run.blasThreads == 1)
        #expect(config.run.heartbeatTimeoutSeconds == 5)
        #expect(config.run.joinTimeoutSeconds == 60)
        #expect(config.data.source == .digits)
        #expect(config.data.path == nil)
        #expect(config.data.testFraction == 0.2)
        #expect(config.data.labelColumn == -1)
        #expect(config.data.alpha == 1 && config.data.beta == 1 && !config.data.iid)
        #expect(config.data.teacherTrainSamples == 60000 && config.data.teacherTestSamples == 10000)
        #expect(config.data.teacherDimension == 784 && config.data.teacherHidden == 64 && config.data.teacherClasses == 10)
        #expect(config.partition.scheme == .iid)
        #expect(config.partition.clients == 100)
        #expect(config.partition.alpha == 0.5)
        #expect(config.partition.dirichletVariant == .perClass)
        #expect(config.partition.shardsPerClient == 2)
        #expect(config.partition.minSize == 10)
        #expect(config.model.kind == .logreg)
        #expect(config.model.hidden == [])
        #expect(config.model.initialization == .zeros)
        #expect(config.local.optimizer == .sgd)
        #expect(config.local.lr == 0.1)
        #expect(config.local.momentum == 0.9)
        #expect(config.local.weightDecay == 0)
        #expect(config.local.batchSize == 10)
        #expect(config.local.epochs == 1)
        #expect(config.local.steps == nil)
        #expect(config.local.shuffle == false)
        #expect(config.local.proxMu == 0)
        #expect(config.participation.process == .uniform)
        #expect(config.participation.clientsPerRound == 10)
        #expect(config.aggregation.weighting == .samples)
        #expect(config.aggregation.rule == ["mean"])
        #expect(config.aggregation.assumedF == 0)
        #expect(config.aggregation.serverOptimizer == .sgd)
        #expect(config.aggregation.serverLR == 1)
        #expect(config.aggregation.serverMomentum == 0)
        #expect(config.byzantine.count == 0 && config.byzantine.fraction == nil && config.byzantine.attack == "none")
        #expect(config.compression.uplink == .none && config.compression.downlink == .none)
        #expect(config.compression.errorFeedback == false)
        #expect(config.timing.computeFlopsPerSecond == 1e9)
        #expect(config.timing.bandwidthUpBytesPerSecond == .constant(1.25e6))
        #expect(config.timing.bandwidthDownBytesPerSecond == .constant(1.25e7))
        #expect(config.timing.latencySeconds == .constant(0.05))
        #expect(config.timing.policy == .waitAll)
        #expect(config.coding.scheme == .none)
        #expect(config.faults.isEmpty)
        #expect(config.eval.every == 1 && config.eval.targetAccuracy == nil)
        var expected = ExperimentConfig()
        expected.run.name = "quick"
        #expect(config == expected)
    }

    @Test func everyKeyIsParsed() throws {
        let config = try ExperimentConfig.parse(toml: everyKeyTOML)
        #expect(config.run.name == "full")
        #expect(config.run.seed == 7 && config.run.seeds == [3, 5] && config.run.rounds == 42)
        #expect(config.run.mode == .distributedSGD && config.run.blasThreads == 2)
        #expect(config.run.heartbeatTimeoutSeconds == 2.5 && config.run.joinTimeoutSeconds == 30)
        #expect(config.data.source == .csv && config.data.path == "/data/train.csv")
        #expect(config.data.testPath == "/data/test.csv" && config.data.labelColumn == 0)
        #expect(config.partition.scheme == .dirichlet && config.partition.clients == 50)
        #expect(config.partition.alpha == 0.1 && config.partition.dirichletVariant == .perClient)
        #expect(config.model.kind == .mlp && config.model.hidden == [64, 32] && config.model.initialization == .uniform)
        #expect(config.local.optimizer == .momentum && config.local.lr == 0.05 && config.local.momentum == 0.5)
        #expect(config.local.weightDecay == 0.0001 && config.local.batchSize == 32)
        #expect(config.local.steps == 7 && config.local.shuffle)
        #expect(config.participation.clientsPerRound == 20)
        #expect(config.aggregation.weighting == .participants && config.aggregation.assumedF == 2)
        #expect(config.aggregation.serverLR == 0.5 && config.aggregation.serverMomentum == 0.9)
        #expect(config.byzantine.fraction == 0.2 && config.byzantine.byzantineCount(clients: 50) == 10)
        #expect(config.timing.computeFlopsPerSecond == 2e9 && config.timing.bandwidthUpBytesPerSecond == .constant(1e6))
        #expect(config.timing.bandwidthDownBytesPerSecond == .constant(5e6) && config.timing.latencySeconds == .constant(0.01))
        #expect(config.eval.every == 5 && config.eval.targetAccuracy == 0.9)
    }

    @Test func sourceSpecificKeysAreParsed() throws {
        let idx = try ExperimentConfig.parse(toml: """
            [data]
            source = "idx"
            path = "/d/train-images"
            labels_path = "/d/train-labels"
            test_path = "/d/test-images"
            test_labels_path = "/d/test-labels"
            """)
        #expect(idx.data.labelsPath == "/d/train-labels" && idx.data.testLabelsPath == "/d/test-labels")
        let libsvm = try ExperimentConfig.parse(toml: "[data]\nsource = \"libsvm\"\npath = \"/a.svm\"\ndimension = 123\ntest_fraction = 0.25")
        #expect(libsvm.data.dimension == 123 && libsvm.data.testFraction == 0.25)
        let synthetic = try ExperimentConfig.parse(toml: """
            [data]
            source = "synthetic"
            alpha = 0.5
            beta = 0
            iid = true
            [partition]
            scheme = "natural"
            clients = 30
            """)
        #expect(synthetic.data.alpha == 0.5 && synthetic.data.beta == 0 && synthetic.data.iid)
        #expect(synthetic.partition.scheme == .natural)
        let teacher = try ExperimentConfig.parse(toml: """
            [data]
            source = "teacher"
            teacher_train_samples = 600
            teacher_test_samples = 100
            teacher_dimension = 20
            teacher_hidden = 8
            teacher_classes = 3
            [partition]
            scheme = "shards"
            shards_per_client = 3
            [byzantine]
            count = 4
            """)
        #expect(teacher.data.teacherTrainSamples == 600 && teacher.data.teacherTestSamples == 100)
        #expect(teacher.data.teacherDimension == 20 && teacher.data.teacherHidden == 8 && teacher.data.teacherClasses == 3)
        #expect(teacher.partition.shardsPerClient == 3 && teacher.byzantine.count == 4)
        let quantity = try ExperimentConfig.parse(toml: "[partition]\nscheme = \"quantity\"\nalpha = 2\nmin_size = 0\n[participation]\nprocess = \"full\"")
        #expect(quantity.partition.alpha == 2 && quantity.partition.minSize == 0 && quantity.participation.process == .full)
    }

    @Test func modelDefaultsDependOnKind() throws {
        let mlp = try ExperimentConfig.parse(toml: "[model]\nkind = \"mlp\"")
        #expect(mlp.model.hidden == [128] && mlp.model.initialization == .uniform)
        let logreg = try ExperimentConfig.parse(toml: "[model]\nkind = \"logreg\"\ninit = \"uniform\"")
        #expect(logreg.model.hidden == [] && logreg.model.initialization == .uniform)
    }

    @Test(arguments: [
        "",
        everyKeyTOML,
        "[local]\noptimizer = \"momentum\"\nepochs = 5\n[byzantine]\ncount = 3\n[model]\nkind = \"mlp\"",
        "[data]\nsource = \"idx\"\npath = \"a/b\"\nlabels_path = \"../c\"\n[run]\nname = \"quote \\\" and \\\\ back\"",
        "[data]\nsource = \"synthetic\"\nalpha = 0.3\n[partition]\nscheme = \"quantity\"\nalpha = 1e-3\n[eval]\ntarget_accuracy = 1",
        "[local]\nmomentum = 0.3\nsteps = 4\n[participation]\nprocess = \"full\"\nclients_per_round = 1000\n[timing]\nlatency_s = 0",
    ])
    func tomlTextRoundTrips(toml: String) throws {
        let config = try ExperimentConfig.parse(toml: toml, baseDirectory: "/base/dir", defaultName: "rt")
        let text = config.tomlText()
        let again = try ExperimentConfig.parse(toml: text)
        #expect(again == config, "\(text)")
        #expect(again.hash == config.hash)
        #expect(again.tomlText() == text)
    }

    @Test(arguments: [0.0, 0.05, 1.0, 1e-5, 1.25e6, 1e9, 12_345_678.0, -2.5e7, 1e300, 0.1 + 0.2, 2e-308])
    func floatTextReadsBackExactly(value: Double) {
        let text = TOMLNode.floatText(value)
        #expect(TOMLReader.parseValue(text) == .float(value), "\(text)")
    }

    @Test func largeFloatsUseExponents() {
        #expect(TOMLNode.floatText(1.25e6) == "1.25e6")
        #expect(TOMLNode.floatText(1e9) == "1e9")
        #expect(TOMLNode.floatText(-2.5e7) == "-2.5e7")
        #expect(TOMLNode.floatText(60) == "60.0")
    }

    @Test func unusedKeysAreCommentedOutSoReadingBackWarnsOfNothing() throws {
        let config = try ExperimentConfig.parse(toml: "")
        let text = config.tomlText()
        #expect(text.contains("\n# alpha = 0.5  (unused: "))
        #expect(!text.contains("\nalpha = "))
        let file = try ExperimentFile.parse(toml: text, baseDirectory: nil, defaultName: "x")
        #expect(file.warnings.isEmpty, "\(file.warnings)")
        #expect(try ExperimentConfig.parse(toml: text) == config)
    }

    @Test func tomlTextListsEveryKey() throws {
        let text = try ExperimentConfig.parse(toml: "").tomlText()
        for section in ExperimentConfig.reference {
            #expect(text.contains("[\(section.name)]") || section.name == "faults")
            // [[faults]] entries are written only when there are some (FaultSection.tomlLines).
            for key in section.keys where section.name != "faults" {
                // A key is written as `key = value`, commented out when it has no effect (`# key = value  (unused: …)`),
                // or as `# key: not set`.
                #expect(text.contains("\n\(key.name) = ") || text.contains("\n# \(key.name) = ")
                        || text.contains("\n# \(key.name): not set"), "\(key.path)")
            }
        }
    }

    @Test func hashIsStableAndSensitive() throws {
        let a = try ExperimentConfig.parse(toml: "[local]\nlr = 0.05")
        let b = try ExperimentConfig.parse(toml: "[local]\nlr = 0.05\n")
        let c = try ExperimentConfig.parse(toml: "[local]\nlr = 0.06")
        #expect(a.hash == b.hash)
        #expect(a.hash != c.hash)
        // FNV-1a 64 reference values.
        #expect(FNV1a64.hash("") == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a64.hash("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a64.hash("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func unusedKeysAreResetAndDoNotChangeTheConfig() throws {
        let plain = try ExperimentConfig.parse(toml: "")
        let noisy = try ExperimentConfig.parse(toml: "[local]\nmomentum = 0.3\n[partition]\nalpha = 9\n[data]\nlabel_column = 3")
        #expect(noisy == plain)
        let file = try ExperimentFile.parse(toml: "[local]\nmomentum = 0.3", baseDirectory: nil, defaultName: "x")
        #expect(file.warnings.count == 1)
        #expect(file.warnings.first?.contains("local.momentum") == true)
    }

    @Test func relativeDataPathsResolveAgainstTheBaseDirectory() throws {
        let config = try ExperimentConfig.parse(
            toml: "[data]\nsource = \"idx\"\npath = \"data/train.idx\"\nlabels_path = \"../labels.idx\"\ntest_path = \"/abs/test.idx\"\ntest_labels_path = \"./t.idx\"",
            baseDirectory: "/experiments/mnist")
        #expect(config.data.path == "/experiments/mnist/data/train.idx")
        #expect(config.data.labelsPath == "/experiments/labels.idx")
        #expect(config.data.testPath == "/abs/test.idx")
        #expect(config.data.testLabelsPath == "/experiments/mnist/t.idx")
    }
}
