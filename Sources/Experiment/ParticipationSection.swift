/// `[participation]`: which clients take part in a round.
public struct ParticipationSection: ConfigSection {
    /// Participation process (seeded).
    public enum Process: String, CaseIterable, Sendable, Hashable {
        /// `clientsPerRound` clients drawn uniformly without replacement each round.
        case uniform
        /// Every client, every round.
        case full
        /// Independent Bernoulli per client (arrives later).
        case bernoulli
        /// Markov on/off chains (arrives later).
        case markov
        /// Cyclic availability (arrives later).
        case cyclic
        /// Availability from a trace file (arrives later).
        case trace
    }

    /// Participation process.
    public var process: Process = .uniform
    /// Clients per round k (uniform); must not exceed `partition.clients`.
    public var clientsPerRound: Int = 10

    /// The defaults.
    public init() {}

    static let sectionName = "participation"
    static let summary = "Which clients take part in each round."

    static var keys: [KeySpec<ParticipationSection>] {
        let later = "participation processes other than uniform and full arrive with the FedAU work; use \"uniform\""
        return [
            .choice("process", \.process, later: [.bernoulli: later, .markov: later, .cyclic: later, .trace: later],
                    "Participation process: uniform k of N, or all clients."),
            .integer("clients_per_round", \.clientsPerRound, min: 1, "Clients per round k; at most partition.clients.")
                .unused(when: { $0.process == .full ? "participation.process is \"full\"" : nil }),
        ]
    }
}
