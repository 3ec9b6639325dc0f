// When a coded round closes in virtual time, and with which messages (docs/gradient-coding.md,
// "Coordinator"). Pure: the coordinator gives the virtual arrival time of every client whose
// message arrived valid, and applies the result.
//
// One-shot schemes (`OneShotRoundClose`): arrivals are sorted by virtual time (ties by client id)
// and fed to a `GradientDecoder`; the round closes at the arrival that completes it — its time is
// the round's virtual duration — and later arrivals are stragglers (not used). If the decoder never
// completes (crashes or rejected messages left too few), the round lasted until the last arrival and
// the plan is not decodable: the coordinator skips the step.
//
// Sequential schemes (`SequentialRoundClose`): the straggler mask comes from the bursty model (given)
// or the threshold rule on the times; `SequentialCodingMachine.completeRound` decides whether the
// pattern fits the scheme's model. A fitting round lasts until the last non-straggler (bursty) or
// min((1+μ)·fastest, slowest) (threshold); a round that breaks the model waits for everyone, whose
// stragglers then count as on time; an idle tail round lasts 0. A client with no valid message is a
// straggler with no time.

/// The close of a one-shot coded round.
public struct OneShotRoundClose: Sendable, Equatable {
    /// Clients in virtual-arrival order (time, then id).
    public var order: [Int]
    /// Arrivals fed to the decoder before it completed (all of them when it never did).
    public var consumed: Int
    /// The decoding plan (used clients ⊆ the first `consumed` arrivals).
    public var plan: DecodingPlan
    /// The round's virtual duration: the completing arrival's time (or the last arrival's).
    public var seconds: Double
    /// True when the decoder completed.
    public var isComplete: Bool

    /// Clients that arrived after the round closed.
    public var stragglers: [Int] { Array(order.dropFirst(consumed)).sorted() }

    /// Closes a round of `scheme` given `arrivals` (client, virtual seconds) of the valid messages.
    /// - Throws: `invalidWorker` for a client outside 0..<n or listed twice.
    public static func resolve(scheme: DecodingScheme, residualTolerance: Double,
                               arrivals: [(client: Int, seconds: Double)]) throws(CodingError) -> OneShotRoundClose {
        let sorted = arrivals.sorted { $0.seconds != $1.seconds ? $0.seconds < $1.seconds : $0.client < $1.client }
        var decoder = GradientDecoder(scheme: scheme, residualTolerance: residualTolerance)
        var consumed = 0
        var seconds = 0.0
        for arrival in sorted {
            consumed += 1
            seconds = arrival.seconds
            if try decoder.receive(worker: arrival.client) { break }
        }
        return OneShotRoundClose(order: sorted.map(\.client), consumed: consumed, plan: decoder.plan, seconds: seconds,
                                 isComplete: decoder.isComplete)
    }
}

/// The close of one round of a sequential scheme.
public struct SequentialRoundClose: Sendable, Equatable {
    /// The machine's record of the round (job due, decodability, whether it waited for all).
    public var outcome: SequentialRoundOutcome
    /// The observed straggler mask (before the machine's wait-for-all decision).
    public var stragglers: [Bool]
    /// The round's virtual duration.
    public var seconds: Double

    /// True for clients whose result the round did not wait for.
    public var lost: [Bool] { outcome.waitedForAll || outcome.isIdle ? stragglers.map { _ in false } : stragglers }

    /// Completes the machine's current round. `times[i]` is client i's virtual round time (nil: no
    /// valid message). `mask` is the bursty model's mask; nil = the threshold rule `rule` decides.
    /// - Throws: `roundInputMismatch` for inputs of the wrong length.
    public static func complete(_ machine: inout SequentialCodingMachine, times: [Double?], mask: [Bool]?,
                                rule: ThresholdStragglerRule?) throws(CodingError) -> SequentialRoundClose {
        let n = machine.parameters.n
        guard times.count == n else { throw .roundInputMismatch(round: machine.round, expected: n, found: times.count) }
        let present = times.compactMap { $0 }
        var stragglers = times.map { $0 == nil }
        if let mask {
            guard mask.count == n else { throw .roundInputMismatch(round: machine.round, expected: n, found: mask.count) }
            for i in 0..<n where mask[i] { stragglers[i] = true }
        } else if let rule {
            let cut = (present.min() ?? 0) * (1 + rule.mu)
            for i in 0..<n { if let t = times[i], t > cut { stragglers[i] = true } }
        }
        let outcome = try machine.completeRound(stragglers: stragglers)
        let seconds: Double
        if outcome.isIdle {
            seconds = 0
        } else if outcome.waitedForAll {
            seconds = present.max() ?? 0
        } else if let rule, mask == nil {
            seconds = rule.roundDuration(delays: present, waitForAll: false)
        } else {
            seconds = zip(times, stragglers).compactMap { $1 ? nil : $0 }.max() ?? 0
        }
        return SequentialRoundClose(outcome: outcome, stragglers: stragglers, seconds: seconds)
    }
}
