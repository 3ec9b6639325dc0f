import Sim

/// An experiment config translated into the Sim types the coordinator and workers run with.
///
/// Both sides build it from the same resolved TOML, so they agree on every number. The seeds of
/// the portable benchmark conventions (TASKS.md) are fixed here: the train/test split draws
/// `permutation(run.seed, n)`, the partition uses seed `run.seed + 1`, the uniform schedule
/// `permutation(run.seed·1000 + round, N)`, and `model.init = "uniform"` draws tensor j from
/// stream `run.seed·100 + 21 + j` — so `run.seed = 42` reproduces T1 and `run.seed = 7` T2.
public struct RunSettings: Sendable {
    public var config: ExperimentConfig
    public var name: String { config.run.name }
    public var seed: UInt64 { config.run.seed }
    public var rounds: Int { config.run.rounds }
    public var clients: Int { config.partition.clients }
    public var blasThreads: Int { config.run.blasThreads }
    public var aggregationThreads: Int { config.run.aggregationThreads }
    public var heartbeatTimeout: Double { config.run.heartbeatTimeoutSeconds }
    public var joinTimeout: Double { config.run.joinTimeoutSeconds }
    public var evalEvery: Int { config.eval.every }
    public var targetAccuracy: Double? { config.eval.targetAccuracy }

    public let mode: TrainingMode
    public let dataSource: DataSource
    public let partitionScheme: PartitionScheme
    public let modelInit: ModelInit
    public let optimizer: LocalOptimizer
    public let trainingPlan: LocalTrainingPlan
    public let participation: ParticipationProcess
    public let weighting: Weighting
    /// The nominal virtual-time model (FLOP rate; the links' means).
    public let timeModel: VirtualTimeModel
    /// Per-(round, client) timing: speeds, slowdowns, links, delays and the trace (`[timing]`).
    public let timing: StragglerTimingModel
    /// The gradient code or sequential schedule of `[coding]` (RunSettings+Coding.swift); nil = none.
    public let coding: CodingPlan?
    /// The robust chain; nil for `aggregation.rule = "mean"` (the weighted mean of `weighting`).
    public let chain: AggregationChain?
    /// The attack of the Byzantine clients; nil for "none" or no Byzantine client.
    public let attack: ByzantineAttack?
    /// The Byzantine clients: the first ⌊fraction·N⌋ (or `count`) of a seeded permutation.
    public let byzantineClients: Set<UInt32>
    public var serverLearningRate: Double { config.aggregation.serverLR }
    public var serverMomentum: Double { config.aggregation.serverMomentum }
    /// Distributed Lion's vote (`aggregation.dlion_vote`, `aggregation.dlion_tie`).
    public let signVote: SignVote
    /// Lion at the server (`aggregation.server_optimizer = "lion"`, distributed-sgd), else nil.
    public let serverLion: LionParameters?
    /// Distributed Lion's hyperparameters (ε = local.lr, β1, β2, λ), nil unless the optimizer is Lion.
    public var lion: LionParameters? {
        if case let .lion(parameters) = optimizer { return parameters }
        return nil
    }

    /// Maps a validated config; throws for combinations this build cannot run.
    public init(_ config: ExperimentConfig) throws(ConfigError) {
        self.config = config
        switch config.run.mode {
        case .federated: mode = .federated
        case .distributedSGD: mode = .distributedSGD
        case .distributedLion: mode = .distributedLion
        }
        let a = config.aggregation
        switch a.dlionVote {
        case .majority: signVote = .majority(ties: a.dlionTie == .zero ? .zero : .minusOne)
        case .average: signVote = .average
        }
        serverLion = a.serverOptimizer == .lion
            ? LionParameters(learningRate: Float(a.serverLR), beta1: Float(a.serverBeta1), beta2: Float(a.serverBeta2),
                             weightDecay: Float(a.serverWeightDecay))
            : nil
        let d = config.data
        func required(_ value: String?, _ key: String) throws(ConfigError) -> String {
            guard let value else { throw .missingKey(key: key, reason: "data.source = \"\(d.source.rawValue)\" reads a file") }
            return value
        }
        switch d.source {
        case .digits: dataSource = .digits(path: d.path)
        case .synthetic: dataSource = .synthetic(alpha: d.alpha, beta: d.beta, iid: d.iid)
        case .teacher:
            dataSource = .teacher(TeacherSpec(trainSamples: d.teacherTrainSamples, testSamples: d.teacherTestSamples,
                                              dimension: d.teacherDimension, hidden: d.teacherHidden,
                                              classes: d.teacherClasses))
        case .idx:
            dataSource = .idx(images: try required(d.path, "data.path"), labels: try required(d.labelsPath, "data.labels_path"),
                              testImages: d.testPath, testLabels: d.testLabelsPath)
        case .libsvm: dataSource = .libsvm(path: try required(d.path, "data.path"), testPath: d.testPath, dimension: d.dimension)
        case .csv: dataSource = .csv(path: try required(d.path, "data.path"), testPath: d.testPath, labelColumn: d.labelColumn)
        }
        let p = config.partition
        switch p.scheme {
        case .iid: partitionScheme = .iid
        case .dirichlet:
            partitionScheme = .dirichlet(alpha: p.alpha, variant: p.dirichletVariant == .perClass ? .perClass : .perClient,
                                         minSize: p.minSize)
        case .shards: partitionScheme = .shards(perClient: p.shardsPerClient)
        case .quantity: partitionScheme = .quantity(alpha: p.alpha, minSize: p.minSize)
        case .natural: partitionScheme = .natural
        }
        switch config.model.initialization {
        case .zeros: modelInit = .zeros
        case .uniform: modelInit = .uniformFanIn(baseSeed: config.run.seed &* 100 &+ 20)
        }
        let l = config.local
        switch l.optimizer {
        case .sgd: optimizer = .sgd(learningRate: Float(l.lr), weightDecay: Float(l.weightDecay))
        case .momentum: optimizer = .momentum(learningRate: Float(l.lr), momentum: Float(l.momentum),
                                              weightDecay: Float(l.weightDecay))
        case .lion: optimizer = .lion(LionParameters(learningRate: Float(l.lr), beta1: Float(l.beta1),
                                                     beta2: Float(l.beta2), weightDecay: Float(l.weightDecay)))
        }
        trainingPlan = LocalTrainingPlan(batchSize: l.batchSize, epochs: l.epochs, steps: l.steps, shuffle: l.shuffle)
        switch config.participation.process {
        case .full: participation = .full
        case .uniform: participation = .uniform(clientsPerRound: config.participation.clientsPerRound)
        case .bernoulli, .markov, .cyclic, .trace:
            // Every client is invited; the seeded process decides who answers (RunSettings+FedAU.swift).
            participation = .full
        }
        switch config.aggregation.weighting {
        case .samples: weighting = .samples
        case .participants: weighting = .participants
        case .all: weighting = .all
        case .fedau, .knownProbability, .mifa, .fedvarp:
            // Participation-aware rules aggregate through ClientWeightingState (RunSettings+FedAU.swift).
            weighting = .all
        }
        let t = config.timing
        timeModel = VirtualTimeModel(computeFlopsPerSecond: t.computeFlopsPerSecond,
                                     uplinkBytesPerSecond: t.bandwidthUpBytesPerSecond.mean,
                                     downlinkBytesPerSecond: t.bandwidthDownBytesPerSecond.mean,
                                     latencySeconds: t.latencySeconds.mean)
        timing = try Self.timing(t, seed: config.run.seed)
        coding = try Self.coding(config)
        let rules = config.aggregation
        if rules.rule == ["mean"] {
            chain = nil
        } else {
            var parameters: [String: RuleParameters] = [:]
            for (rule, values) in rules.parameters.members { parameters[rule] = RuleParameters(values.members) }
            for rule in parameters.keys where !rules.rule.contains(rule) {
                throw .invalidValue(key: "aggregation.parameters.\(rule)", value: rule,
                                    reason: "\(rule) is not in aggregation.rule \(rules.rule); remove its parameters or add the rule")
            }
            do {
                chain = try AggregationChain(names: rules.rule, parameters: parameters, defaultF: rules.assumedF)
            } catch {
                throw .invalidValue(key: "aggregation.rule", value: "\(rules.rule)", reason: error.description)
            }
        }
        if let chain, chain.steps.contains(where: { $0.name == "fltrust" }) {
            throw .unavailable(key: "aggregation.rule", value: "fltrust",
                               reason: "FLTrust needs an update the server computes on its own clean root data, which "
                                   + "runs do not provide yet; it is available in `gradwire aggregate` (with a trusted vector)")
        }
        if let chain {
            // The rule must hold for the round as planned; fewer arrivals are checked each round.
            // Uniform: k per round. Full and the availability processes (bernoulli, markov, cyclic,
            // trace) invite every client, so at most N arrive; each round checks what did arrive.
            let planned = config.participation.process == .uniform
                ? min(config.participation.clientsPerRound, config.partition.clients) : config.partition.clients
            do {
                try chain.validate(inputs: planned)
            } catch {
                throw .conflict(keys: ["aggregation.rule", "aggregation.assumed_f", "participation.clients_per_round"],
                                reason: "with \(planned) updates per round: \(error.description)")
            }
        }
        let b = config.byzantine
        let count = b.fraction.map { ByzantineSelection.count(total: config.partition.clients, fraction: $0) } ?? b.count
        if b.attack == "none" || count == 0 {
            attack = nil
            byzantineClients = []
        } else {
            do {
                attack = try ByzantineAttack(name: b.attack, parameters: b.parameters.members)
            } catch {
                throw .invalidValue(key: "byzantine.attack", value: b.attack, reason: error.description)
            }
            byzantineClients = Set(ByzantineSelection.clients(total: config.partition.clients, count: count, seed: config.run.seed)
                .map { UInt32($0) })
        }
        try Self.checkLionAttack(attack, mode: mode)
        try validateFedAU()
    }

    /// Distributed Lion aggregates sign votes, not vectors: its Byzantine clients are voters that
    /// lie on their own worker (label flipping, or bit-flip = the opposite signs).
    private static func checkLionAttack(_ attack: ByzantineAttack?, mode: TrainingMode) throws(ConfigError) {
        guard mode == .distributedLion, let attack else { return }
        switch attack {
        case .client(.signFlip), .client(.labelFlip): return
        default:
            throw .conflict(keys: ["run.mode", "byzantine.attack"],
                            reason: "Distributed Lion counts sign votes, so its Byzantine clients can be voters that "
                                + "send the opposite signs (\"bit-flip\") or train on flipped labels (\"label-flip\"); "
                                + "\"\(attack.name)\" needs vector updates")
        }
    }

    /// The server's aggregation step for this run (the adversary, the shuffle and the rule).
    public var serverAggregation: ServerAggregation {
        var omniscient: OmniscientAttack?
        if case .omniscient(let o) = attack { omniscient = o }
        return ServerAggregation(weighting: weighting, population: clients, chain: chain, attack: omniscient,
                                 byzantineClients: byzantineClients, seed: seed)
    }

    /// The worker-side behaviour of `client`, if it is Byzantine and its attack runs on the worker.
    public func behaviour(of client: UInt32) -> ClientBehaviour? {
        guard byzantineClients.contains(client), case .client(let behaviour) = attack else { return nil }
        return behaviour
    }

    /// Builds the run's data exactly as every other process of the run does.
    public func loadData() throws(DataError) -> FederatedData {
        try FederatedData.build(source: dataSource, testFraction: config.data.testFraction, clients: clients,
                                scheme: partitionScheme, dataSeed: seed, partitionSeed: seed &+ 1)
    }

    /// The run's test set alone (what the coordinator evaluates on), bit for bit `loadData().test`
    /// without the training data where the source allows; also rejects an impossible partition.
    public func loadTestSet() throws(DataError) -> Dataset {
        try FederatedData.buildTestSet(source: dataSource, testFraction: config.data.testFraction, clients: clients,
                                       scheme: partitionScheme, dataSeed: seed)
    }

    /// The run's training data, materialised per client on first use (what a worker trains on):
    /// `clientStore().clientData(c)` is bit for bit `loadData().clientData(c)`.
    public func clientStore() throws(DataError) -> ClientDataStore {
        try ClientDataStore(source: dataSource, testFraction: config.data.testFraction, clients: clients,
                            scheme: partitionScheme, dataSeed: seed, partitionSeed: seed &+ 1)
    }

    /// The model for data of this shape.
    public func modelSpec(for data: FederatedData) -> ModelSpec {
        modelSpec(dimension: data.train.dimension, classes: data.train.classes)
    }

    /// The model for samples of `dimension` features in `classes` classes.
    public func modelSpec(dimension: Int, classes: Int) -> ModelSpec {
        ModelSpec(inputs: dimension, hidden: config.model.kind == .logreg ? [] : config.model.hidden, classes: classes)
    }
}
