import Experiment
import Foundation
import Messaging
import Protocol
import Sim
import ZeroMQ

/// Round policies, wall-mode deadlines and fault bookkeeping in the coordinator (docs/stragglers.md).
///
/// Virtual mode: every asked client's update is collected (real messages); afterwards each gets its
/// virtual arrival (compute + link both ways + injected delay, exactly the row's `compute_s + link_s`)
/// and `RoundPolicy.decide` keeps the ones the policy admits; the others become `straggler` (their
/// update is not used, weight 0) and the round lasts the policy's close time.
/// Wall mode: the same, but the loop also cuts the round off at the real deadline
/// (`deadline_s × wall_scale` after the tasks went out) or at the k-th real arrival; clients still
/// out are `straggler` and their updates, when they come, are ignored and recorded.
extension Coordinator {
    /// The selected clients that can be asked this round: a trace that marks a client unavailable
    /// keeps it out (it gets no task and is reported `dropped`, event `client_unavailable`).
    /// Also records this round's injected faults (`fault_injected`).
    func askableClients(_ selected: [ClientID], round: RoundID) throws -> [ClientID] {
        for fault in settings.faults(round: round) {
            let target = fault.workerName.map { "worker \($0)" } ?? fault.client.map { "client \($0)" } ?? ""
            var detail = "\(fault.kind.rawValue) of \(target) in round \(round) ([[faults]])"
            if let delay = fault.delaySeconds { detail += ", reply delayed by \(delay) virtual s" }
            if fault.kind == .drop { detail += fault.rounds == 0 ? ", until it rejoins" : " for \(fault.rounds) round(s)" }
            try record("fault_injected", worker: fault.workerName, client: fault.client.map { ClientID($0) }, detail: detail)
        }
        guard settings.timing.trace != nil else { return selected }
        var asked: [ClientID] = []
        for client in selected {
            if settings.clientTiming(round: round, client: client).available {
                asked.append(client)
            } else {
                try record("client_unavailable", client: client,
                           detail: "the timing trace marks client \(client) unavailable in round \(round); it is not asked")
            }
        }
        return asked
    }

    /// A `rejoin` fault of a worker process: before the round starts, waits (up to
    /// `run.join_timeout_s`) for the launcher's restarted `w<n>` to join again, so that the round is
    /// laid out with it; records `rejoin_missing` and goes on without it if it does not come.
    func awaitRejoins(round: RoundID, _ socket: borrowing Socket) throws {
        let names = settings.faults(round: round).filter { $0.kind == .rejoin }.compactMap(\.workerName)
        guard !names.isEmpty else { return }
        let deadline = MonotonicClock.seconds() + settings.joinTimeout
        while names.contains(where: { workers[$0] == nil }), MonotonicClock.seconds() < deadline {
            if try socket.waitReadable(timeoutMilliseconds: 50) { try drain(socket) }
            try checkLiveness(socket)
        }
        for name in names where workers[name] == nil {
            try record("rejoin_missing", worker: name,
                       detail: "worker \(name) did not join again within \(settings.joinTimeout) s (run.join_timeout_s); "
                           + "round \(round) goes on without it (only `gradwire launch` restarts crashed workers)")
        }
    }

    /// The per-client instructions of a task: the client's injected delay (timing.delay_s plus a
    /// `late` fault), virtual seconds; a wall-mode worker holds the update accordingly.
    func clientTask(for client: ClientID) -> ClientTask {
        ClientTask(client: client, extraDelaySeconds: settings.clientTiming(round: currentRound, client: client).extraDelaySeconds,
                   flags: 0)
    }

    /// Wall mode: cuts the round off at the real deadline, or once the policy's k updates arrived.
    func enforceWallPolicy(_ socket: borrowing Socket, roundStart: Double) throws {
        guard settings.isWallTime, let current = machine, !current.isClosed else { return }
        let policy = settings.roundPolicy
        if let deadline = policy.deadlineSeconds {
            let limit = deadline * settings.wallScale
            if MonotonicClock.seconds() - roundStart >= limit {
                try handle(.cutOff(reason: String(format: "no update before the wall-clock deadline (%.3f s = deadline_s %g × wall_scale %g)",
                                                  limit, deadline, settings.wallScale)), socket)
            }
        } else if policy.closesEarly(arrived: current.results.filter { $0.status == .ok }.count) {
            try handle(.cutOff(reason: "the first \(policy.keepLimit ?? 0) updates arrived first (\(policy.name))"), socket)
        }
    }

    /// A worker's end-of-task marker (a heartbeat on its task socket whose sequence is the round):
    /// clients of that task it never answered gave no answer at all.
    func noteTaskFinished(_ worker: String, _ beat: Heartbeat, _ socket: borrowing Socket) throws {
        guard machine != nil, workers[worker] != nil, beat.sequence <= UInt64(UInt32.max) else { return }
        try handle(.taskFinished(worker: worker, round: RoundID(beat.sequence)), socket)
    }

    /// Applies the round policy to a closed round: late `ok` updates become `straggler`; returns every
    /// selected client's result (unavailable ones `dropped`), sorted by client, and the round's
    /// virtual duration (nil for wait-all, whose duration is the slowest row's as before).
    func applyRoundPolicy(_ results: [RoundMachine.ClientResult], selected: [ClientID], round: RoundID,
                          downlink: TensorPayload) throws -> ([RoundMachine.ClientResult], Double?) {
        var all = results
        let asked = Set(results.map(\.client))
        for client in selected where !asked.contains(client) {
            all.append(.notAsked(client: client, reason: "unavailable in the timing trace"))
        }
        all.sort { $0.client < $1.client }
        let policy = settings.roundPolicy
        guard policy != .waitAll || settings.isWallTime else { return (all, nil) }
        let bytesDown = downlinkBytesPerClient(downlink, round: round)
        var arrivals: [RoundArrival] = []
        var arrivalOf: [ClientID: Double] = [:]
        for r in all {
            if r.status == .ok, let update = r.update {
                let t = settings.clientTiming(round: round, client: r.client)
                let seconds = (t.computeSeconds(nominalSeconds: update.virtualComputeSeconds) + t.extraDelaySeconds)
                    + t.linkSeconds(bytesDown: bytesDown, bytesUp: r.bytesUp)
                arrivals.append(RoundArrival(client: r.client, seconds: seconds))
                arrivalOf[r.client] = seconds
            } else if r.status == .straggler {
                arrivals.append(RoundArrival(client: r.client, seconds: .infinity))
            }
        }
        let decision = policy.decide(arrivals)
        let late = Set(decision.late)
        for index in all.indices where all[index].status == .ok && late.contains(all[index].client) {
            all[index].status = .straggler
            let client = all[index].client
            let detail = String(format: "virtual arrival %.3f s after the round started; %@ closed the round at %.3f s",
                                arrivalOf[client] ?? 0, policy.name, decision.closeSeconds)
            all[index].reason = detail
            try record("client_straggler", worker: all[index].worker, client: client, detail: detail)
        }
        return (all, policy == .waitAll ? nil : decision.closeSeconds)
    }

    /// Completes a clients.csv row: a client that was never asked got no task (no downlink bytes);
    /// a straggler whose update did arrive keeps its link seconds.
    func completeRow(_ row: inout ClientRow, _ result: RoundMachine.ClientResult, timing: ClientTiming) {
        if result.worker.isEmpty { row.bytesDown = 0 }
        if result.status == .straggler, result.update != nil {
            row.linkSeconds = timing.linkSeconds(bytesDown: row.bytesDown, bytesUp: row.bytesUp)
        }
    }
}
