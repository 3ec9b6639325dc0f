// Trace-driven runs of the sequential schedule, as the authors' simulators do (spec §A.6.2): the
// stragglers of round r are the workers with delay > (1+μ)·min delay; a round that follows the
// model lasts min((1+μ)·min delay, max delay), a round that waits for all lasts max delay, an idle
// tail round lasts 0.

/// The record of a whole trace-driven run.
public struct SequentialCodingRun: Sendable, Equatable {
    /// The threshold rule's raw straggler mask per round (also for rounds that waited or were idle).
    public var isStraggler: [[Bool]]
    /// state[r][w][m] (see `SequentialCodingMachine`).
    public var state: [[[Int?]]]
    /// Virtual seconds per round.
    public var durations: [Double]
    /// Rounds that waited for all workers.
    public var waits: Int
    /// Per job: decoded by its deadline.
    public var decodable: [Bool]
    /// The first failure, if a job could not be decoded (the run stops there, as the authors' does).
    public var error: CodingError?

    /// Total virtual time.
    public var totalSeconds: Double { durations.reduce(0, +) }
}

extension SequentialCodingMachine {
    /// Runs every round against `delays[w][r]` (n rows, at least `totalRounds` columns) with the
    /// threshold rule of slack `mu`.
    /// - Throws: `roundInputMismatch` when the delay matrix is too small.
    public static func simulate(parameters: SequentialCodingParameters, delays: [[Double]], mu: Double) throws(CodingError)
        -> SequentialCodingRun
    {
        let n = parameters.n, rounds = parameters.totalRounds
        guard delays.count >= n else { throw .roundInputMismatch(round: 0, expected: n, found: delays.count) }
        for w in 0..<n where delays[w].count < rounds {
            throw .shapeMismatch(what: "delays row \(w)", expected: "≥ \(rounds) rounds", found: "\(delays[w].count)")
        }
        var machine = SequentialCodingMachine(parameters: parameters)
        var run = SequentialCodingRun(isStraggler: [], state: [], durations: [], waits: 0,
                                      decodable: [Bool](repeating: false, count: parameters.jobs), error: nil)
        roundLoop: for r in 0..<rounds {
            let column = (0..<n).map { delays[$0][r] }
            let rule = ThresholdStragglerRule(mu: mu)
            let mask = rule.stragglers(delays: column)
            run.isStraggler.append(mask)
            let outcome = try machine.completeRound(stragglers: mask)
            run.durations.append(outcome.isIdle ? 0 : rule.roundDuration(delays: column, waitForAll: outcome.waitedForAll))
            if let job = outcome.dueJob {
                guard outcome.dueJobDecodable else {
                    run.error = .jobNotDecodable(job: job, round: r)
                    break roundLoop
                }
                if job < parameters.jobs { run.decodable[job] = true }
            }
        }
        run.state = machine.state
        run.waits = machine.waits
        return run
    }
}
