import Protocol

/// Which clients answer in a round: the participation processes of the FedAU experiments.
///
/// Source: `../shared/specs/algorithms.md` §2, pinned to the FedAU authors' code (IBM/fedau
/// `util/util.py`, `WorkerSampler`). Every client is independent and has a target probability p_n:
///
/// - `bernoulli`: q_n^t ~ Bernoulli(p_n), independent across rounds and clients.
/// - `markov(toActive: a)` ("markov-a", default a = 0.05): a two-state chain with stationary
///   P(active) = p_n. b = P(active → inactive) = a·(1/p_n − 1); if b > 1 then a ← a/b, b ← 1.
///   Initial state active with probability p_n; each round first one transition, then report.
/// - `cyclic(period: P)` ("cyclic-P", default P = 100): active_len = max(1, round(P·p_n)) with
///   round-half-to-even (numpy), inactive_len = max(1, P − active_len); start inactive with a
///   uniform counter in [0, inactive_len − 1]; each round: if counter == 0 toggle and reload the
///   counter with the new state's length; then counter −= 1; report.
/// - `trace`: a recorded availability trace (`ParticipationTrace`), repeated cyclically.
/// - `full` and `uniform(k)` delegate to the foundation's `ParticipationProcess`, so every process
///   of an experiment goes through one type.
///
/// Deviation: the reference draws from numpy's global MT19937 interleaved over clients; ours draw
/// from `RandomKey(seed, .participation, round, client)` streams (round 0 = initial state/phase,
/// round t ≥ 1 = the t-th reported round), so the sequences differ but their statistics agree
/// (fixtures `participation-stats-*`), and a client's draws never depend on N or on other clients.
public enum ParticipationPattern: Sendable, Equatable, Codable {
    /// Every client, every round.
    case full
    /// k of N uniformly without replacement (the foundation's benchmark schedule).
    case uniform(clientsPerRound: Int)
    /// Independent Bernoulli(p_n) per client and round.
    case bernoulli(probabilities: [Double])
    /// Markov on/off chain with stationary probability p_n and inactive → active rate `toActive`.
    case markov(probabilities: [Double], toActive: Double)
    /// Deterministic on/off cycle of length `period` with a random phase.
    case cyclic(probabilities: [Double], period: Int)
    /// A recorded trace.
    case trace(ParticipationTrace)

    /// The default inactive → active rate of the Markov process ("markov-0.05").
    public static let defaultMarkovRate = 0.05
    /// The default cycle length of the cyclic process ("cyclic-100").
    public static let defaultCyclePeriod = 100

    /// Parses the reference's names: "bernoulli", "markov" / "markov-<a>", "cyclic" / "cyclic-<P>".
    public static func named(_ name: String, probabilities: [Double]) throws(ParticipationError) -> ParticipationPattern {
        if name == "bernoulli" { return .bernoulli(probabilities: probabilities) }
        if name == "markov" { return .markov(probabilities: probabilities, toActive: defaultMarkovRate) }
        if name == "cyclic" { return .cyclic(probabilities: probabilities, period: defaultCyclePeriod) }
        if name.hasPrefix("markov-"), let a = Double(name.dropFirst("markov-".count)) {
            return .markov(probabilities: probabilities, toActive: a)
        }
        if name.hasPrefix("cyclic-"), let period = Int(name.dropFirst("cyclic-".count)) {
            return .cyclic(probabilities: probabilities, period: period)
        }
        throw .invalidParameter(name: "participation.process", value: name,
                                expected: "bernoulli, markov, markov-<rate>, cyclic or cyclic-<period>")
    }

    /// The per-client target probabilities p_n, if the process has them (for known-probability
    /// weighting). `full` gives nil (every p_n = 1 is implied), as do `uniform` and `trace`.
    public var probabilities: [Double]? {
        switch self {
        case .bernoulli(let p), .markov(let p, _), .cyclic(let p, _): return p
        case .full, .uniform, .trace: return nil
        }
    }

    /// The Markov rates (a, b) = (inactive → active, active → inactive) for target probability p,
    /// after the reference's b > 1 rule.
    public static func markovRates(probability p: Double, toActive a: Double) -> (toActive: Double, toInactive: Double) {
        var a = a
        var b = a * (1 / p - 1)
        if b > 1 {
            a = a / b
            b = 1
        }
        return (a, b)
    }

    /// The cyclic lengths (active, inactive) for target probability p and period P.
    public static func cyclicLengths(probability p: Double, period: Int) -> (active: Int, inactive: Int) {
        let activeLength = max(1, Int((Double(period) * p).rounded(.toNearestOrEven)))
        return (activeLength, max(1, period - activeLength))
    }

    /// Checks the parameters against N clients.
    public func validate(clients: Int) throws(ParticipationError) {
        guard clients > 0 else {
            throw .invalidParameter(name: "clients", value: "\(clients)", expected: "at least 1")
        }
        switch self {
        case .full:
            return
        case .uniform(let k):
            guard k >= 1 && k <= clients else {
                throw .invalidParameter(name: "participation.clients_per_round", value: "\(k)", expected: "1…\(clients)")
            }
        case .bernoulli(let p):
            try Self.check(p, clients: clients)
        case .markov(let p, let a):
            try Self.check(p, clients: clients)
            guard a > 0 && a <= 1 else {
                throw .invalidParameter(name: "participation.markov_rate", value: "\(a)", expected: "a rate in (0, 1]")
            }
        case .cyclic(let p, let period):
            try Self.check(p, clients: clients)
            guard period >= 2 else {
                throw .invalidParameter(name: "participation.cycle_period", value: "\(period)", expected: "an integer ≥ 2")
            }
        case .trace(let trace):
            guard trace.clients == clients else {
                throw .wrongClientCount(what: "participation trace", expected: clients, actual: trace.clients)
            }
        }
    }

    private static func check(_ p: [Double], clients: Int) throws(ParticipationError) {
        guard p.count == clients else {
            throw .wrongClientCount(what: "participation.probabilities", expected: clients, actual: p.count)
        }
        for (n, value) in p.enumerated() where !(value > 0 && value <= 1) {
            throw .probabilityOutOfRange(client: n, value: value)
        }
    }
}
