// The sequential gradient coding schedule as a pure state machine (spec §A.6; the authors'
// simulators GradientCoding, SelectiveRepeatSGC, MultiplexedSGC re-expressed round by round).
//
// Each round the coordinator asks `assignments()` what every worker computes, learns who straggled
// (in virtual time: the threshold rule delay > (1+μ)·fastest, `ThresholdStragglerRule`), and calls
// `completeRound(stragglers:)`. The machine first checks the pattern against the scheme's model
// (GC: at most s stragglers; SR-SGC/M-SGC: the (B, W, λ) window conditions, SR-SGC exempting
// rounds that were plain GC rounds with ≤ s stragglers). If the pattern breaks the model the
// coordinator must wait for everybody that round (`waitedForAll`, counted in `waits`; nobody
// straggles); otherwise the stragglers' results are lost. Then job r − T is due: the machine checks
// it is decodable and reports it (`decodedJob`). An undecodable job is reported (`dueJobDecodable`);
// `simulate` then stops with `jobNotDecodable`, as the authors' simulators raise — with the
// wait-for-all fallback it cannot happen.
//
// Delayed-gradient semantics (§A.6.1), explicit: job t is the gradient at the model broadcast at the
// start of round t (w_t) on job t's minibatch (keyed by (seed, t, partition)); every task of job t,
// whenever it runs (SR-SGC repeats in round t + B; M-SGC slots up to round t + T), uses w_t and the
// same minibatch. Job t is decoded at the end of round t + T. Single-model training applies it
// then: w_{r+1} = w_r − η·g_{r−T}(w_{r−T}) for r ≥ T, and w_{r+1} = w_r for r < T (no gradient
// yet) — SGD with a fixed staleness T; workers keep the last T + 1 model versions. GC (T = 0) is
// ordinary synchronous SGD. Rounds jobs ..< jobs + T only finish earlier jobs (SR-SGC tail rounds
// whose job is already decodable are idle: nobody computes, zero duration).
//
// State encoding (identical to the fixtures' `state_by_round`): state[r][w][m] is, for GC/SR-SGC
// (one slot), the job worker w returned in round r; for M-SGC slot m (job r − m), 0 = a D1 piece,
// b ≥ 1 = the coded D2 task of group b; −1 = straggled (result lost); nil = idle / unused slot.

/// What one worker computes in one slot of a round.
public enum SlotAssignment: Sendable, Equatable {
    /// Nothing (an SR-SGC tail round whose job is already decodable, or an M-SGC slot whose job < 0).
    case idle
    /// GC / SR-SGC: the worker's row of the (n, s) gradient code, for `job`.
    case codedTask(job: Int)
    /// M-SGC: piece `piece` (0..<W−1) of the worker's uncoded D1 chunk of `job`.
    case uncodedPiece(job: Int, piece: Int)
    /// M-SGC: the worker's row of the (n, λ) code on D2 group `group` (0..<B) of `job`.
    case codedGroup(job: Int, group: Int)
}

/// What happened in one completed round.
public struct SequentialRoundOutcome: Sendable, Equatable {
    public var round: Int
    /// True for an idle tail round: no tasks, zero duration.
    public var isIdle: Bool
    /// The pattern broke the scheme's straggler model: the round waited for every worker.
    public var waitedForAll: Bool
    /// state[w][m] as recorded (see the file comment).
    public var state: [[Int?]]
    /// The job due at the end of this round (r − T), nil while r < T.
    public var dueJob: Int?
    /// Whether the due job is decodable (false means the scheme's guarantee failed: the authors'
    /// simulators raise; `simulate` stops with `jobNotDecodable`). True when no job is due.
    public var dueJobDecodable: Bool
    /// The job decoded at the end of this round: `dueJob` when decodable.
    public var decodedJob: Int? { dueJobDecodable ? dueJob : nil }
}

/// The round-by-round schedule of GC, SR-SGC or M-SGC for n workers and a number of jobs.
public struct SequentialCodingMachine: Sendable, Equatable {
    public let parameters: SequentialCodingParameters
    /// state[r][w][m] of every completed round.
    public private(set) var state: [[[Int?]]] = []
    /// Rounds that fell back to waiting for all workers.
    public private(set) var waits = 0

    public init(parameters: SequentialCodingParameters) {
        self.parameters = parameters
    }

    /// The current (next to run) round.
    public var round: Int { state.count }
    /// True after the last round (jobs + T).
    public var isFinished: Bool { round >= parameters.totalRounds }

    // MARK: - Public API

    /// The current round's plan in the state encoding (before stragglers), n × slots.
    public func plannedState() -> [[Int?]] {
        switch parameters.scheme {
        case .gradientCoding: return (0..<parameters.n).map { _ in [round] }
        case .selectiveRepeat(let b, _, _): return plannedSelectiveRepeat(burst: b)
        case .multiplexed(let b, let w, _): return plannedMultiplexed(burst: b, window: w)
        }
    }

    /// True when the current round is an idle SR-SGC tail round.
    public var currentRoundIsIdle: Bool { plannedState().allSatisfy { $0.allSatisfy { $0 == nil } } }

    /// What every worker computes in the current round: assignments[w][m].
    public func assignments() -> [[SlotAssignment]] {
        let plan = plannedState()
        let r = round
        return plan.enumerated().map { w, slots in
            slots.enumerated().map { m, value -> SlotAssignment in
                guard let value else { return .idle }
                switch parameters.scheme {
                case .gradientCoding, .selectiveRepeat: return .codedTask(job: value)
                case .multiplexed:
                    let job = r - m
                    return value == 0 ? .uncodedPiece(job: job, piece: deliveredPieces(job: job, worker: w))
                                      : .codedGroup(job: job, group: value - 1)
                }
            }
        }
    }

    /// Whether the straggler pattern `stragglers` (one flag per worker) in the current round fits
    /// the scheme's model given the history; if not, the round must wait for every worker.
    public func followsModel(stragglers: [Bool]) -> Bool {
        let count = stragglers.filter { $0 }.count
        switch parameters.scheme {
        case .gradientCoding(let s): return parameters.strictGCRule ? count < s : count <= s
        case let .selectiveRepeat(b, w, lambda): return followsBursty(stragglers, burst: b, window: w, lambda: lambda, exempt: true)
        case let .multiplexed(b, w, lambda): return followsBursty(stragglers, burst: b, window: w, lambda: lambda, exempt: false)
        }
    }

    /// Completes the current round with the observed straggler pattern and decodes the job due.
    /// An undecodable due job is reported in the outcome (`dueJobDecodable`), not thrown.
    /// - Throws: `roundInputMismatch` for a mask of the wrong length.
    @discardableResult
    public mutating func completeRound(stragglers: [Bool]) throws(CodingError) -> SequentialRoundOutcome {
        let n = parameters.n, r = round
        guard stragglers.count == n else { throw .roundInputMismatch(round: r, expected: n, found: stragglers.count) }
        var plan = plannedState()
        let idle = plan.allSatisfy { $0.allSatisfy { $0 == nil } }
        var waited = false
        if !idle {
            if followsModel(stragglers: stragglers) {
                for w in 0..<n where stragglers[w] { plan[w] = plan[w].map { _ in -1 } }
            } else {
                waited = true
                waits += 1
            }
        }
        state.append(plan)
        let due = r - parameters.delay
        return SequentialRoundOutcome(round: r, isIdle: idle, waitedForAll: waited, state: plan,
                                      dueJob: due >= 0 ? due : nil, dueJobDecodable: due < 0 || isDecodable(job: due))
    }

    /// Whether job `job` is decodable from the results recorded so far.
    public func isDecodable(job: Int) -> Bool {
        let n = parameters.n
        switch parameters.scheme {
        case .gradientCoding(let s):
            guard job < state.count else { return false }
            let lost = state[job].filter { $0[0] == -1 }.count
            return parameters.strictGCRule ? lost < s : lost <= s
        case .selectiveRepeat(let b, _, _):
            guard job >= 0 else { return false }
            var got = 0
            for r in [job, job + b] where r < state.count { got += state[r].filter { $0[0] == job }.count }
            return got >= n - parameters.s
        case let .multiplexed(b, w, lambda):
            guard job >= 0 else { return false }
            var groupCounts = [Int](repeating: 0, count: b + 1)
            for worker in 0..<n {
                var d1 = 0
                for m in 0..<parameters.slots where job + m < state.count {
                    guard let v = state[job + m][worker][m] else { continue }
                    if v == 0 { d1 += 1 } else if v >= 1, v <= b { groupCounts[v] += 1 }
                }
                if d1 < w - 1 { return false }
            }
            return groupCounts[1...].allSatisfy { $0 >= n - lambda }
        }
    }

    // MARK: - Private

    private func plannedSelectiveRepeat(burst b: Int) -> [[Int?]] {
        let n = parameters.n, r = round, s = parameters.s
        let decodeJob = r - b
        if r >= parameters.jobs, decodeJob >= 0, isDecodable(job: decodeJob) {
            return (0..<n).map { _ in [nil] }
        }
        var plan: [[Int?]] = (0..<n).map { _ in [r] }
        if decodeJob >= 0 {
            let missing = (0..<n).filter { state[decodeJob][$0][0] != decodeJob }
            if missing.count > s { for w in missing.prefix(missing.count - s) { plan[w] = [decodeJob] } }
        }
        return plan
    }

    private func plannedMultiplexed(burst b: Int, window w: Int) -> [[Int?]] {
        let n = parameters.n, r = round, slots = parameters.slots
        var plan: [[Int?]] = (0..<n).map { _ in [Int?](repeating: nil, count: slots) }
        for m in 0..<slots {
            let job = r - m
            if job < 0 { break }
            for worker in 0..<n {
                if m < w - 1 {
                    plan[worker][m] = 0
                } else {
                    plan[worker][m] = deliveredPieces(job: job, worker: worker) >= w - 1 ? m - (w - 1) + 1 : 0
                }
            }
        }
        return plan
    }

    /// D1 pieces of `job` that `worker` delivered in completed rounds.
    private func deliveredPieces(job: Int, worker: Int) -> Int {
        var count = 0
        for m in 0..<parameters.slots where job + m >= 0 && job + m < state.count {
            if state[job + m][worker][m] == 0 { count += 1 }
        }
        return count
    }

    /// The (B, W, λ) window conditions over the last W rounds (authors' `follows_straggler_model`).
    private func followsBursty(_ stragglers: [Bool], burst b: Int, window w: Int, lambda: Int, exempt: Bool) -> Bool {
        let r = round
        let spatial = pastStragglers(from: max(0, r + 1 - w), to: r, exempt: exempt)
        if zip(spatial, stragglers).filter({ $0 || $1 }).count > lambda { return false }
        let temporal = pastStragglers(from: max(0, r + 1 - w), to: max(0, r + 1 - b), exempt: exempt)
        return !zip(temporal, stragglers).contains { $0 && $1 }
    }

    /// Per worker: straggled in some round of from..<to. With `exempt` (SR-SGC), rounds in which every
    /// worker worked on that round's own job or straggled, with at most s stragglers, do not count.
    private func pastStragglers(from: Int, to: Int, exempt: Bool) -> [Bool] {
        var been = [Bool](repeating: false, count: parameters.n)
        guard from < to else { return been }
        for c in from..<to {
            let column = state[c].map { $0[0] }
            if exempt {
                let plain = column.allSatisfy { $0 == c || $0 == -1 }
                if plain && column.filter({ $0 == -1 }).count <= parameters.s { continue }
            }
            for (w, v) in column.enumerated() where v == -1 { been[w] = true }
        }
        return been
    }
}
