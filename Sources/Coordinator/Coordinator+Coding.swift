import Experiment
import Foundation
import Messaging
import Protocol
import Sim

/// What a coded run carries from round to round: the sequential schedule, its bursty straggler
/// masks (generated once for the whole run) and the gradients of jobs not yet decoded.
struct CodingRunState {
    var machine: SequentialCodingMachine?
    var masks: [[Bool]] = []
    /// Job t's gradient (the mean of the n partition gradients at w_t), until it is applied.
    var pending: [Int: [Float]] = [:]

    init(plan: CodingPlan, settings: RunSettings) {
        guard case .sequential(let sequential) = plan else { return }
        machine = SequentialCodingMachine(parameters: sequential.parameters)
        if case .bursty(let pattern, _) = sequential.stragglers {
            masks = pattern.generate(rounds: sequential.parameters.totalRounds, workers: settings.clients,
                                     seed: settings.seed)
        }
    }
}

extension Coordinator {
    /// Closes a round of a coded run (docs/gradient-coding.md, "Coordinator"): orders the round's
    /// valid messages by virtual arrival, decides when the round closed and who straggled, decodes
    /// and steps (one-shot schemes) or runs the sequential schedule and applies the job it decodes
    /// (T rounds late), then writes clients.csv rows and the rounds.jsonl line. The round's virtual
    /// duration is the close time, not the slowest client's.
    func closeCodedRound(_ closed: RoundMachine, round: RoundID, selected: Int, roundStart: Double,
                         metrics: inout RunMetrics, server: inout ServerOptimizer) throws {
        guard let plan = settings.coding else { return }
        var state = codingState ?? CodingRunState(plan: plan, settings: settings)
        let aggregationStart = MonotonicClock.seconds()
        let n = settings.clients
        let bytesDown = downlinkBytesPerClient(roundDownlink, round: round)
        let results = closed.results
        var rows = results.map { r in
            var row = ClientRow(round: round, result: r, bytesDown: bytesDown, weight: 0,
                                timing: settings.clientTiming(round: round, client: r.client))
            noteTransport(&row)
            return row
        }
        var messages: [Int: [Float]] = [:]
        for r in results where r.status == .ok {
            if let update = r.update, case .dense(let values) = update.payload { messages[Int(r.client)] = values }
        }
        var fields: [(String, JSONValue)] = [("coding_scheme", .string(settings.config.coding.scheme.rawValue))]
        let duration: Double
        switch plan {
        case .oneShot(let oneShot):
            let arrivals = rows.compactMap { row -> (client: Int, seconds: Double)? in
                guard row.status == .ok, messages[Int(row.client)] != nil, let t = row.virtualSeconds else { return nil }
                return (Int(row.client), t)
            }
            let close = try OneShotRoundClose.resolve(scheme: oneShot.scheme, residualTolerance: oneShot.residualTolerance,
                                                      arrivals: arrivals)
            duration = close.seconds
            let late = Set(close.stragglers)
            var weightOf: [Int: Double] = [:]
            if close.plan.isDecodable {
                for (w, a) in zip(close.plan.usedWorkers, close.plan.coefficients) { weightOf[w] = a / Double(n) }
                let sum = try close.plan.combine(floatMessages: { messages[$0] })
                try step(sum.map { $0 / Float(n) }, server: &server, what: "the decoded gradient of round \(round)")
            } else {
                try record("round_skipped", detail: "round \(round) is not decodable from \(close.consumed) arrivals "
                           + "(residual \(close.plan.residual)); the model is unchanged")
            }
            for i in rows.indices {
                let c = Int(rows[i].client)
                if late.contains(c) { rows[i].status = .straggler }
                rows[i].weight = weightOf[c] ?? 0
            }
            fields += [
                ("decoded", .bool(close.plan.isDecodable)),
                ("residual", .number(close.plan.residual)),
                ("used_clients", .array(close.plan.usedWorkers.map { .int($0) })),
                ("straggler_clients", .array(close.stragglers.map { .int($0) })),
            ]
        case .sequential(let sequential):
            guard var machine = state.machine else { return }
            let job = machine.round
            let units = sequential.parameters.load * Double(n)
            var mask: [Bool]?
            var slowdown = 1.0
            if case .bursty(_, let factor) = sequential.stragglers, job < state.masks.count {
                mask = state.masks[job]
                slowdown = factor
            }
            var times = [Double?](repeating: nil, count: n)
            for i in rows.indices {
                let c = Int(rows[i].client)
                guard rows[i].status == .ok, c < n, let update = results[i].update else { continue }
                let timing = settings.clientTiming(round: round, client: rows[i].client)
                let factor = mask?[c] == true ? slowdown : 1
                rows[i].computeSeconds = timing.computeSeconds(nominalSeconds: update.virtualComputeSeconds * units * factor)
                    + timing.extraDelaySeconds
                times[c] = rows[i].virtualSeconds
            }
            var rule: ThresholdStragglerRule?
            if case .threshold(let r) = sequential.stragglers { rule = r }
            let close = try SequentialRoundClose.complete(&machine, times: times, mask: mask, rule: rule)
            state.machine = machine
            duration = close.seconds
            if job < sequential.parameters.jobs {
                if messages.count == n {
                    state.pending[job] = Self.mean((0..<n).map { messages[$0]! })
                } else {
                    try record("job_incomplete", detail: "job \(job) lacks \(n - messages.count) partition gradients "
                               + "(crashed or rejected clients); it will not be applied")
                }
            }
            var applied: Int?
            if let due = close.outcome.dueJob {
                if close.outcome.dueJobDecodable, let gradient = state.pending.removeValue(forKey: due) {
                    try step(gradient, server: &server, what: "job \(due)'s gradient")
                    applied = due
                } else {
                    try record("round_skipped",
                               detail: "job \(due) (due in round \(round)) cannot be decoded; the model is unchanged")
                }
                state.pending = state.pending.filter { $0.key > due }
            }
            let lost = close.lost
            for i in rows.indices where Int(rows[i].client) < n {
                let c = Int(rows[i].client)
                if lost[c], rows[i].status == .ok { rows[i].status = .straggler }
                rows[i].weight = rows[i].status == .ok && applied != nil ? 1 / Double(n) : 0
            }
            fields += [
                ("waited_for_all", .bool(close.outcome.waitedForAll)),
                ("idle", .bool(close.outcome.isIdle)),
                ("decoded_job", close.outcome.decodedJob.map { .int($0) } ?? .null),
                ("applied_job", applied.map { .int($0) } ?? .null),
                ("straggler_clients", .array((0..<n).filter { close.stragglers[$0] }.map { .int($0) })),
            ]
        }
        codingState = state
        let wallAggregation = MonotonicClock.seconds() - aggregationStart
        let evaluate = Int(round) % settings.evalEvery == 0 || Int(round) == settings.rounds
        let evaluation = evaluate ? network.evaluate(parameters: model, on: testSet) : nil
        for row in rows { try directory.append("clients.csv", line: row.csv) }
        let now = MonotonicClock.seconds()
        var line = metrics.closeRound(round: round, selected: selected, rows: rows, evaluation: evaluation,
                                      wallTime: now - startTime, wallRound: now - roundStart,
                                      wallAggregation: wallAggregation, transportUp: transportBytesUp,
                                      transportDown: transportBytesDown, virtualDuration: duration)
        if case .object(let base) = line { line = .object(base + fields) }
        try directory.append("rounds.jsonl", line: line.rendered())
        progress.update(round: round, metrics: metrics, wallElapsed: now - startTime)
    }

    /// One server step on `gradient` (a mean gradient), unless it is not finite.
    private func step(_ gradient: [Float], server: inout ServerOptimizer, what: String) throws {
        guard gradient.allSatisfy(\.isFinite) else {
            try record("round_skipped", detail: "\(what) is not finite; the model is unchanged")
            return
        }
        server.step(model: &model, aggregate: gradient)
    }

    /// The mean of equal-length vectors, accumulated in Double in the given order, rounded once.
    static func mean(_ vectors: [[Float]]) -> [Float] {
        guard let first = vectors.first else { return [] }
        var sum = [Double](repeating: 0, count: first.count)
        for v in vectors where v.count == sum.count { for k in 0..<v.count { sum[k] += Double(v[k]) } }
        return sum.map { Float($0 / Double(vectors.count)) }
    }
}
