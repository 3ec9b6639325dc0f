/// `[participation]`: which clients take part in a round.
public struct ParticipationSection: ConfigSection {
    /// Participation process (seeded).
    public enum Process: String, CaseIterable, Sendable, Hashable {
        /// `clientsPerRound` clients drawn uniformly without replacement each round.
        case uniform
        /// Every client, every round.
        case full
        /// Independent Bernoulli(p_n) per client and round (every client invited, the draw decides who answers).
        case bernoulli
        /// Markov on/off chains with stationary probability p_n and inactive → active rate `markovRate`.
        case markov
        /// Deterministic on/off cycles of length `cyclePeriod`, active ≈ p_n of the time, random phase.
        case cyclic
        /// Availability read from a trace file (`trace`, `traceFormat`), repeated if the run is longer.
        case trace
    }

    /// Participation process.
    public var process: Process = .uniform
    /// Clients per round k (uniform); must not exceed `partition.clients`.
    public var clientsPerRound: Int = 10
    /// Explicit per-client probabilities p_n (bernoulli/markov/cyclic); empty = generated from the labels.
    public var probabilities: [Double] = []
    /// α_p of the label-correlated generator (spec §2).
    public var dirichletAlpha: Double = 0.1
    /// p̄, the mean probability of the generator.
    public var meanProbability: Double = 0.1
    /// p_min, the floor of the generator.
    public var minProbability: Double = 0.02
    /// a, the inactive → active rate of the Markov process.
    public var markovRate: Double = 0.05
    /// P, the period of the cyclic process.
    public var cyclePeriod: Int = 100
    /// The trace file (process = trace).
    public var trace: String?
    /// The trace file's format.
    public var traceFormat: TraceFormat = .pairs

    /// Layout of a participation trace file (docs/fedau.md).
    public enum TraceFormat: String, CaseIterable, Sendable, Hashable {
        /// One `round,client` line per participation (rounds 1-based, clients 0-based).
        case pairs
        /// Line k is round k: N values 0/1.
        case matrix
    }

    /// The defaults.
    public init() {}

    static let sectionName = "participation"
    static let summary = "Which clients take part in each round."

    static var keys: [KeySpec<ParticipationSection>] {
        [
            .choice("process", \.process,
                    "Participation process (docs/fedau.md): uniform k of N, all clients, or every client invited and "
                        + "a seeded bernoulli/markov/cyclic process or a trace deciding who answers."),
            .integer("clients_per_round", \.clientsPerRound, min: 1, "Clients per round k; at most partition.clients.")
                .unused(when: { $0.process != .uniform ? "participation.process is \"\($0.process.rawValue)\"" : nil }),
        ] + fedAUKeys
    }
}
