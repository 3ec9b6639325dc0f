import Protocol

/// The running state of a participation process, advanced one round at a time.
///
/// Markov and cyclic processes carry state from round to round (the on/off state and the cycle
/// counter), so the process is a value that the run owns and advances: `advance()` reports round
/// `round + 1` (1-based, the coordinator's `RoundID`). The state is `Equatable` and `Codable` so a
/// checkpoint can save it; restoring it and advancing gives the same rounds as an uninterrupted run.
/// Every draw is keyed by (seed, `.participation`, round, client): round 0 for the initial Markov
/// state and the cyclic phase, round t for round t's draws. The sequence is thus a pure function of
/// (pattern, N, seed), identical in every process.
public struct ParticipationState: Sendable, Equatable, Codable {
    /// The process.
    public let pattern: ParticipationPattern
    /// N, the number of clients.
    public let clients: Int
    /// The run's seed.
    public let seed: UInt64
    /// Rounds reported so far (the last reported round, 1-based; 0 before the first).
    public private(set) var round: Int
    /// Per client: active in the last reported round (for Markov: the chain state; before the
    /// first round, the initial state).
    public private(set) var active: [Bool]
    /// Per client: the cyclic counter (0 for other processes).
    public private(set) var counter: [Int]

    /// A fresh state; draws the Markov initial states and the cyclic phases.
    public init(pattern: ParticipationPattern, clients: Int, seed: UInt64) throws(ParticipationError) {
        try pattern.validate(clients: clients)
        self.pattern = pattern
        self.clients = clients
        self.seed = seed
        self.round = 0
        self.active = [Bool](repeating: false, count: clients)
        self.counter = [Int](repeating: 0, count: clients)
        switch pattern {
        case .markov(let p, _):
            for n in 0..<clients { active[n] = Self.uniform(seed: seed, round: 0, client: n) < p[n] }
        case .cyclic(let p, let period):
            for n in 0..<clients {
                let inactive = ParticipationPattern.cyclicLengths(probability: p[n], period: period).inactive
                var random = RandomKey(seed: seed, purpose: .participation, round: 0, client: UInt64(n)).generator
                counter[n] = Int(UInt64(inactive).multipliedFullWidth(by: random.next()).high)
            }
        case .full, .uniform, .bernoulli, .trace:
            break
        }
    }

    /// A cyclic process started from given phases (counters in [0, inactive_len − 1]), e.g. the
    /// reference's recorded phases.
    public init(cyclic probabilities: [Double], period: Int, initialCounters: [Int], seed: UInt64 = 0) throws(ParticipationError) {
        try self.init(pattern: .cyclic(probabilities: probabilities, period: period), clients: probabilities.count, seed: seed)
        guard initialCounters.count == clients else {
            throw .wrongClientCount(what: "initial cyclic counters", expected: clients, actual: initialCounters.count)
        }
        for n in 0..<clients {
            let inactive = ParticipationPattern.cyclicLengths(probability: probabilities[n], period: period).inactive
            guard (0..<inactive).contains(initialCounters[n]) else {
                throw .invalidParameter(name: "initial counter of client \(n)", value: "\(initialCounters[n])",
                                        expected: "0…\(inactive - 1)")
            }
        }
        counter = initialCounters
    }

    /// Reports the next round: per client, whether it is active.
    public mutating func advance() -> [Bool] {
        round += 1
        let t = round
        switch pattern {
        case .full:
            active = [Bool](repeating: true, count: clients)
        case .uniform:
            let chosen = ParticipationProcess.uniform(clientsPerRound: uniformCount).participants(
                round: RoundID(truncatingIfNeeded: t), clients: clients, seed: seed)
            active = [Bool](repeating: false, count: clients)
            for c in chosen { active[Int(c)] = true }
        case .bernoulli(let p):
            for n in 0..<clients { active[n] = Self.uniform(seed: seed, round: t, client: n) < p[n] }
        case .markov(let p, let a):
            for n in 0..<clients {
                let rates = ParticipationPattern.markovRates(probability: p[n], toActive: a)
                let u = Self.uniform(seed: seed, round: t, client: n)
                active[n] = active[n] ? !(u < rates.toInactive) : u < rates.toActive
            }
        case .cyclic(let p, let period):
            for n in 0..<clients {
                if counter[n] == 0 {
                    let lengths = ParticipationPattern.cyclicLengths(probability: p[n], period: period)
                    active[n].toggle()
                    counter[n] = active[n] ? lengths.active : lengths.inactive
                }
                counter[n] -= 1
            }
        case .trace(let trace):
            active = trace.mask(round: t)
        }
        return active
    }

    /// Reports the next round as the sorted ids of the active clients.
    public mutating func nextParticipants() -> [ClientID] {
        advance().enumerated().compactMap { $0.element ? ClientID($0.offset) : nil }
    }

    /// The next `rounds` rounds as a 0/1 matrix `[t][n]`.
    public mutating func simulate(rounds: Int) -> [[Bool]] {
        (0..<max(rounds, 0)).map { _ in advance() }
    }

    private var uniformCount: Int {
        if case .uniform(let k) = pattern { return k }
        return clients
    }

    private static func uniform(seed: UInt64, round: Int, client: Int) -> Double {
        var random = RandomKey(seed: seed, purpose: .participation, round: UInt64(round), client: UInt64(client)).generator
        return random.nextUniform()
    }
}
