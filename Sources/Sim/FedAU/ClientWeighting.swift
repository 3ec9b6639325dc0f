/// Participation-aware aggregation: FedAU and the baselines of its paper
/// (`../shared/specs/algorithms.md` §3.3–3.4, formulas from the authors' code IBM/fedau `main.py`).
///
/// Every rule turns the deltas Δ_n of the participants S_t (descent directions, x_local − x_global)
/// into one step v with x_{t+1} = x_t + η·v:
///
/// | rule | v |
/// |---|---|
/// | `fedau(K)` | (Σ_{S_t} ω_n^t Δ_n) / N, ω from the estimator *before* round t (`FedAUEstimator`) |
/// | `participants` | (Σ_{S_t} Δ_n) / |S_t|, 0 if S_t = ∅ |
/// | `all` | (Σ_{S_t} Δ_n) / N |
/// | `knownProbability(p)` | (Σ_{S_t} Δ_n / p_n) / N |
/// | `mifa` | y_n ← Δ_n for n ∈ S_t (y starts at 0); v = (Σ_all y_n) / N |
/// | `fedvarp` | v = (Σ_all y_n^old)/N + (Σ_{S_t} (Δ_n − y_n^old)) / |S_t| (0 if S_t = ∅); then y_n ← Δ_n |
///
/// The divisor of FedAU is N, not |S_t|; non-participants count in it and never move x. With K = 1
/// FedAU equals `all` bit for bit. Operation order follows the reference (accumulate over n in id
/// order, then divide). Arithmetic is Double; MIFA and FedVARP keep N·d Doubles of memory.
public enum ClientWeighting: Sendable, Equatable, Codable {
    /// FedAU with cutoff K (nil = ∞).
    case fedau(cutoff: Int?)
    /// Average over the participants (usual FedAvg with equal weights).
    case participants
    /// Sum over the participants divided by N.
    case all
    /// Oracle weights 1/p_n, divided by N.
    case knownProbability([Double])
    /// MIFA: average of every client's latest update.
    case mifa
    /// FedVARP: SAGA-style variance-reduced average.
    case fedvarp
}

/// The running state of a `ClientWeighting` (FedAU estimator or MIFA/FedVARP memory); part of the
/// run's state, `Codable` for checkpoints.
public struct ClientWeightingState: Sendable, Equatable, Codable {
    /// The rule.
    public let weighting: ClientWeighting
    /// N.
    public let clients: Int
    /// d, the model dimension.
    public let dimension: Int
    /// FedAU's estimator (nil for other rules).
    public private(set) var estimator: FedAUEstimator?
    /// MIFA/FedVARP: y_n stored row-major (`memory[n·d + i]`); empty for other rules.
    public private(set) var memory: [Double]

    /// A fresh state for N clients and a d-dimensional model.
    public init(weighting: ClientWeighting, clients: Int, dimension: Int) throws(ParticipationError) {
        guard clients >= 1 else {
            throw .invalidParameter(name: "clients", value: "\(clients)", expected: "at least 1")
        }
        guard dimension >= 0 else {
            throw .invalidParameter(name: "dimension", value: "\(dimension)", expected: "at least 0")
        }
        self.weighting = weighting
        self.clients = clients
        self.dimension = dimension
        self.estimator = nil
        self.memory = []
        switch weighting {
        case .fedau(let cutoff):
            estimator = try FedAUEstimator(clients: clients, cutoff: cutoff)
        case .knownProbability(let p):
            guard p.count == clients else {
                throw .wrongClientCount(what: "known participation probabilities", expected: clients, actual: p.count)
            }
            for (n, value) in p.enumerated() where !(value > 0 && value <= 1) {
                throw .probabilityOutOfRange(client: n, value: value)
            }
        case .mifa, .fedvarp:
            memory = [Double](repeating: 0, count: clients * dimension)
        case .participants, .all:
            break
        }
    }

    /// For the linear rules, v = (Σ_{n∈S} factor_n·Δ_n) / divisor; nil for MIFA and FedVARP.
    /// Reads the FedAU weights without advancing the state.
    public func factors(participants: [Int]) -> (factors: [Double], divisor: Double)? {
        let n = Double(clients)
        switch weighting {
        case .fedau:
            guard let estimator else { return nil }
            return (participants.map { estimator.weight(client: $0) }, n)
        case .participants:
            return ([Double](repeating: 1, count: participants.count), Double(participants.count))
        case .all:
            return ([Double](repeating: 1, count: participants.count), n)
        case .knownProbability(let p):
            return (participants.map { 1 / p[$0] }, n)
        case .mifa, .fedvarp:
            return nil
        }
    }

    /// The step v of one round (x ← x + η·v), advancing the state (FedAU intervals, MIFA/FedVARP
    /// memory). `participants` are distinct client ids; `deltas[k]` belongs to `participants[k]`.
    public mutating func aggregate(participants: [Int], deltas: [[Double]]) throws(ParticipationError) -> [Double] {
        guard participants.count == deltas.count else {
            throw .wrongClientCount(what: "deltas", expected: participants.count, actual: deltas.count)
        }
        var seen = [Bool](repeating: false, count: clients)
        for (k, n) in participants.enumerated() {
            guard (0..<clients).contains(n), !seen[n] else {
                throw .invalidParameter(name: "participant", value: "\(n)", expected: "distinct client ids in 0…\(clients - 1)")
            }
            seen[n] = true
            guard deltas[k].count == dimension else {
                throw .dimensionMismatch(what: "delta of client \(n)", expected: dimension, actual: deltas[k].count)
            }
        }
        // Accumulate in client-id order, as the reference does.
        let order = participants.indices.sorted { participants[$0] < participants[$1] }
        let d = dimension
        var step = [Double](repeating: 0, count: d)
        if let linear = factors(participants: participants) {
            if !participants.isEmpty {
                for k in order {
                    let f = linear.factors[k]
                    for i in 0..<d { step[i] += f * deltas[k][i] }
                }
                for i in 0..<d { step[i] /= linear.divisor }
            }
            if estimator != nil { try estimator?.record(participated: seen) }
            return step
        }
        let n = Double(clients)
        switch weighting {
        case .mifa:
            for k in order { replaceMemory(client: participants[k], with: deltas[k]) }
            for c in 0..<clients { for i in 0..<d { step[i] += memory[c * d + i] } }
            for i in 0..<d { step[i] /= n }
        case .fedvarp:
            guard !participants.isEmpty else { return step }
            var mean = [Double](repeating: 0, count: d)
            for c in 0..<clients { for i in 0..<d { mean[i] += memory[c * d + i] } }
            var correction = [Double](repeating: 0, count: d)
            for k in order {
                let base = participants[k] * d
                for i in 0..<d { correction[i] += deltas[k][i] - memory[base + i] }
            }
            let s = Double(participants.count)
            for i in 0..<d { step[i] = mean[i] / n + correction[i] / s }
            for k in order { replaceMemory(client: participants[k], with: deltas[k]) }
        default:
            break
        }
        return step
    }

    private mutating func replaceMemory(client: Int, with delta: [Double]) {
        let base = client * dimension
        for i in 0..<dimension { memory[base + i] = delta[i] }
    }
}
