/// FedAU's per-client weight estimator (Wang & Ji, ICLR 2024, "A Lightweight Method for Tackling
/// Unknown Participation Statistics in Federated Averaging"; `../shared/specs/algorithms.md` §3.2).
///
/// The server only sees who answered. Per client it keeps the open interval S_n (rounds since the
/// last record point), the number M_n and the integer sum of the recorded intervals. After each
/// round: S_n ← S_n + 1; if the client participated or S_n = K, record the interval S_n and reset
/// S_n ← 0. The weight ω̂_n is the mean of the recorded intervals (sum / count, which reproduces the
/// reference's `np.mean` exactly), or 1 before any interval is recorded. Under Bernoulli(p_n) the
/// intervals are min(Geometric(p_n), K), so ω̂_n → (1 − (1 − p_n)^K)/p_n, i.e. 1/p_n for K = ∞.
/// The weight applied in round t is read *before* round t is recorded (no look-ahead).
/// State: three integers per client (plus, optionally, the interval history for tests and logs).
public struct FedAUEstimator: Sendable, Equatable, Codable {
    /// The cutoff K; nil is K = ∞ (the reference's default 100000 behaves the same for shorter runs).
    public let cutoff: Int?
    /// S_n: the open interval of each client.
    public private(set) var openInterval: [Int]
    /// M_n: the number of recorded intervals.
    public private(set) var intervalCount: [Int]
    /// The integer sum of the recorded intervals.
    public private(set) var intervalSum: [Int]
    /// The recorded intervals in order, if the estimator was created with `keepHistory`.
    public private(set) var history: [[Int]]?

    /// A fresh estimator for `clients` clients.
    /// - Parameters:
    ///   - cutoff: K ≥ 1, or nil for K = ∞.
    ///   - keepHistory: also keep every recorded interval (O(rounds) memory; for tests and logs).
    public init(clients: Int, cutoff: Int?, keepHistory: Bool = false) throws(ParticipationError) {
        guard clients >= 1 else {
            throw .invalidParameter(name: "clients", value: "\(clients)", expected: "at least 1")
        }
        if let k = cutoff, k < 1 {
            throw .invalidParameter(name: "aggregation.fedau_cutoff", value: "\(k)", expected: "an integer ≥ 1 or \"infinity\"")
        }
        self.cutoff = cutoff
        openInterval = [Int](repeating: 0, count: clients)
        intervalCount = [Int](repeating: 0, count: clients)
        intervalSum = [Int](repeating: 0, count: clients)
        history = keepHistory ? [[Int]](repeating: [], count: clients) : nil
    }

    /// N.
    public var clients: Int { openInterval.count }

    /// ω̂_n: the mean recorded interval, or 1 if none is recorded.
    public func weight(client n: Int) -> Double {
        intervalCount[n] == 0 ? 1 : Double(intervalSum[n]) / Double(intervalCount[n])
    }

    /// ω̂ of every client (the weights to apply in the coming round).
    public var weights: [Double] { (0..<clients).map { weight(client: $0) } }

    /// Folds in one round's participation (`participated[n]`), after its weights were read.
    public mutating func record(participated: [Bool]) throws(ParticipationError) {
        guard participated.count == clients else {
            throw .wrongClientCount(what: "participation mask", expected: clients, actual: participated.count)
        }
        for n in 0..<clients {
            openInterval[n] += 1
            if participated[n] || openInterval[n] == cutoff {
                intervalSum[n] += openInterval[n]
                intervalCount[n] += 1
                history?[n].append(openInterval[n])
                openInterval[n] = 0
            }
        }
    }

    /// Folds in one round given the participants' ids.
    public mutating func record(participants: [Int]) throws(ParticipationError) {
        var mask = [Bool](repeating: false, count: clients)
        for n in participants {
            guard (0..<clients).contains(n) else {
                throw .invalidParameter(name: "participant", value: "\(n)", expected: "a client id in 0…\(clients - 1)")
            }
            mask[n] = true
        }
        try record(participated: mask)
    }
}
