/// `[run]`: what the experiment is called, its seed(s), its length and how it runs.
public struct RunSection: ConfigSection {
    /// Training mode (DESIGN §5).
    public enum Mode: String, CaseIterable, Sendable, Hashable {
        /// Clients train locally and send model deltas (FedAvg and relatives).
        case federated
        /// One minibatch gradient per client per round; the server steps with SGD (optional momentum).
        case distributedSGD = "distributed-sgd"
        /// Distributed Lion: clients keep Lion momentum and send packed signs; the server votes.
        case distributedLion = "distributed-lion"
    }

    /// Time model (DESIGN §3).
    public enum Time: String, CaseIterable, Sendable, Hashable {
        /// Deterministic simulated time; the coordinator never sleeps.
        case virtual
        /// Real delays in the workers and real deadlines in the coordinator (docs/stragglers.md).
        case wall
    }

    /// Name of the run (run directory prefix). Default: the experiment file's name without extension.
    public var name: String = "experiment"
    /// Master seed of every random stream (RandomKey's seed).
    public var seed: UInt64 = 1
    /// Seeds to repeat the experiment over; empty = just `seed`. In a planned run it is always empty
    /// and `seed` holds that run's seed.
    public var seeds: [UInt64] = []
    /// Number of rounds (federated) or steps (distributed modes).
    public var rounds: Int = 10
    /// Training mode.
    public var mode: Mode = .federated
    /// Time model.
    public var time: Time = .virtual
    /// OpenBLAS threads per process.
    public var blasThreads: Int = 1
    public var aggregationThreads: Int = 1
    /// Seconds without a heartbeat after which a worker is considered lost.
    public var heartbeatTimeoutSeconds: Double = 5
    /// Seconds the coordinator waits for the expected workers to join.
    public var joinTimeoutSeconds: Double = 60

    /// The defaults.
    public init() {}

    static let sectionName = "run"
    static let summary = "What the experiment is called, its seed(s), its length, its mode and time model."

    static var keys: [KeySpec<RunSection>] {
        [
            .make("name", \.name, type: "string", allowed: "non-empty, no '/'",
                  meaning: "Name of the run; the run directory is `runs/<name>-<timestamp>/`.",
                  decode: { node, key, _ throws(ConfigError) in
                      let value = try NodeReader.string(node, key)
                      if value.isEmpty || value.contains("/") || value.contains("\0") {
                          throw .invalidValue(key: key, value: node.tomlText, reason: "use a non-empty name without '/'")
                      }
                      return value
                  },
                  encode: { .string($0) })
                .documentedDefault("the file name without `.toml`"),
            .seed("seed", \.seed, "Master seed: data generation, split, partition, schedule, initial weights."),
            .seedList("seeds", \.seeds, "Repeat every run once per seed (comparison.csv gets mean and std); empty = just `seed`."),
            .integer("rounds", \.rounds, min: 1, "Number of rounds (steps in the distributed modes)."),
            .choice("mode", \.mode,
                    "Training mode: local epochs and deltas, one gradient per client per round, or Distributed Lion "
                        + "(one packed sign vector per client per round; needs local.optimizer = \"lion\")."),
            .choice("time", \.time,
                    "Time model: simulated (deterministic) or real delays and deadlines scaled by timing.wall_scale."),
            .integer("blas_threads", \.blasThreads, min: 1,
                     "OpenBLAS threads in each process; the coordinator's Gram-based robust rules (Krum, NNM, MDA, CAF, ...) "
                        + "also spread their column blocks over this many threads, with the same numbers."),
            .integer("aggregation_threads", \.aggregationThreads, min: 1,
                     "Coordinator threads for the coordinate-wise robust rules (median, trimmed mean, Meamed, Bulyan); "
                        + "any count gives the same numbers."),
            .float("heartbeat_timeout_s", \.heartbeatTimeoutSeconds, .positive,
                   "Seconds without a heartbeat after which a worker is lost and its clients marked crashed."),
            .float("join_timeout_s", \.joinTimeoutSeconds, .positive,
                   "Seconds to wait for the workers to join (a worker that cannot reach the coordinator gives up after this)."),
        ]
    }

    mutating func finish(given: Set<String>, context: ReadContext) throws(ConfigError) {
        if !given.contains("name") { name = context.defaultName }
    }
}
