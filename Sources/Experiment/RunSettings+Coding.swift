import Protocol
import Sim

/// What a run's `[coding]` section becomes (nil in `RunSettings.coding` for `scheme = "none"`).
public enum CodingPlan: Sendable, Equatable {
    /// frc, crc or ignore-stragglers: every round is decoded from its first arrivals in virtual time.
    case oneShot(OneShotCoding)
    /// gc, sr-sgc or m-sgc: the sequential schedule of spec §A.6 under a straggler model.
    case sequential(SequentialCoding)
}

/// A one-shot scheme: the decoder's scheme and tolerance.
public struct OneShotCoding: Sendable, Equatable {
    /// `.code(…)` for frc/crc, `.ignoreStragglers` for the baseline.
    public let scheme: DecodingScheme
    /// Largest accepted residual (crc).
    public let residualTolerance: Double

    /// The gradient code (nil for ignore-stragglers, whose clients send their own gradient).
    public var code: GradientCode? {
        if case .code(let code) = scheme { return code }
        return nil
    }
}

/// How the stragglers of a sequential scheme are decided each round.
public enum SequentialStragglerModel: Sendable, Equatable {
    /// Seeded (B, W, λ)-bursty masks; a straggler's compute time is multiplied by `slowdown`.
    case bursty(StragglerPattern, slowdown: Double)
    /// The authors' trace rule on the clients' virtual times.
    case threshold(ThresholdStragglerRule)
}

/// A sequential scheme: its parameters (jobs = run.rounds − T) and straggler model.
public struct SequentialCoding: Sendable, Equatable {
    public let parameters: SequentialCodingParameters
    public let stragglers: SequentialStragglerModel
}

extension RunSettings {
    /// Maps and validates `[coding]` against the rest of the experiment (spec Part A, DESIGN §5).
    static func coding(_ config: ExperimentConfig) throws(ConfigError) -> CodingPlan? {
        let c = config.coding
        guard c.scheme != .none else { return nil }
        let scheme = "coding.scheme"
        let value = "\"\(c.scheme.rawValue)\""
        guard config.run.mode == .distributedSGD else {
            throw .conflict(keys: [scheme, "run.mode"],
                            reason: "gradient codes combine minibatch gradients; set run.mode = \"distributed-sgd\" "
                                + "or coding.scheme = \"none\"")
        }
        guard config.participation.process == .full else {
            throw .conflict(keys: [scheme, "participation.process"],
                            reason: "the code's n workers are all n logical clients every round; set "
                                + "participation.process = \"full\"")
        }
        let byzantine = config.byzantine.attack != "none"
            && config.byzantine.byzantineCount(clients: config.partition.clients) > 0
        guard config.aggregation.rule == ["mean"], !byzantine else {
            throw .conflict(keys: [scheme, config.aggregation.rule == ["mean"] ? "byzantine.attack" : "aggregation.rule"],
                            reason: "decoding recovers the exact gradient sum and has no robust rule or Byzantine "
                                + "clients; use aggregation.rule = \"mean\" and no Byzantine clients")
        }
        guard config.aggregation.serverOptimizer == .sgd else {
            throw .conflict(keys: [scheme, "aggregation.server_optimizer"],
                            reason: "coded runs step with SGD (server_lr, server_momentum); "
                                + "remove aggregation.server_optimizer")
        }
        try requireVirtualWaitAll(config, key: scheme, what: "a coded round closes when its arrivals decode")
        // Compressors that break linear decoding are refused in RunSettings+Compression (spec §A.8).
        let n = config.partition.clients
        do {
            switch c.scheme {
            case .none:
                return nil
            case .frc, .crc, .ignoreStragglers:
                guard c.s < n else {
                    throw ConfigError.invalidValue(key: "coding.s", value: "\(c.s)",
                                                   reason: "s must be below the number of clients n = \(n)")
                }
                let decoding: DecodingScheme
                switch c.scheme {
                case .frc: decoding = .code(try GradientCode.fractionalRepetition(n: n, s: c.s))
                case .crc:
                    var random = CounterRandom(seed: RandomKey(seed: config.run.seed, purpose: .coding).streamSeed)
                    decoding = .code(try GradientCode.cyclicRepetition(n: n, s: c.s, random: &random))
                default: decoding = .ignoreStragglers(n: n, s: c.s)
                }
                return .oneShot(OneShotCoding(scheme: decoding, residualTolerance: c.residualTolerance))
            case .gc, .srSGC, .mSGC:
                let sequential: SequentialScheme = c.scheme == .gc ? .gradientCoding(s: c.s)
                    : c.scheme == .srSGC ? .selectiveRepeat(burst: c.burst, window: c.window, lambda: c.lambda)
                    : .multiplexed(burst: c.burst, window: c.window, lambda: c.lambda)
                let delay = try SequentialCodingParameters(n: n, scheme: sequential, jobs: 0).delay
                guard config.run.rounds > delay else {
                    throw ConfigError.invalidValue(key: "run.rounds", value: "\(config.run.rounds)",
                                                   reason: "\(c.scheme.rawValue) decodes job t at the end of round t + \(delay); "
                                                       + "run at least \(delay + 1) rounds")
                }
                let parameters = try SequentialCodingParameters(n: n, scheme: sequential, jobs: config.run.rounds - delay,
                                                                strictGCRule: c.referenceGCRule)
                let model: SequentialStragglerModel
                switch c.stragglerModel {
                case .bursty:
                    let pattern = StragglerPattern.bursty(burst: c.burst, window: c.window, lambda: c.lambda,
                                                          probability: c.burstProbability, continuation: c.burstContinuation)
                    do { try pattern.validate(workers: n) } catch {
                        throw ConfigError.invalidValue(key: "coding.lambda", value: "\(c.lambda)", reason: error.description)
                    }
                    model = .bursty(pattern, slowdown: c.stragglerSlowdown)
                case .threshold:
                    model = .threshold(ThresholdStragglerRule(mu: c.mu))
                }
                return .sequential(SequentialCoding(parameters: parameters, stragglers: model))
            }
        } catch let error as ConfigError {
            throw error
        } catch let error as CodingError {
            let key = c.scheme.isSequential && c.scheme != .gc ? "coding.B" : "coding.s"
            throw .invalidValue(key: key, value: c.scheme == .gc || !c.scheme.isSequential ? "\(c.s)" : "\(c.burst)",
                                reason: "\(value) with \(n) clients: \(error.description)")
        } catch {
            throw .invalidValue(key: scheme, value: value, reason: "\(error)")
        }
    }

    /// Client `client`'s row of the run's gradient code — the partitions it computes and their
    /// coefficients — derived from the settings alone (the same on every process); nil unless the
    /// scheme is frc or crc.
    public func codedTask(client: ClientID) -> [(partition: Int, coefficient: Double)]? {
        guard case .oneShot(let plan) = coding, let code = plan.code, Int(client) < code.n else { return nil }
        return code.task(worker: Int(client))
    }
}
