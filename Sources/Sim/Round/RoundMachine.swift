import Protocol

/// The synchronous round as a pure state machine: the coordinator's event loop feeds it events
/// (an update arrived, a message was rejected, a worker was lost) and performs the actions it
/// returns (send a task, close the round, record an event). No sockets, no clocks.
///
/// Bookkeeping rule: every worker answers a task with exactly one message per client it was given
/// (an `update`, or an `error` report for that client). A message from a worker that cannot be
/// decoded still counts toward that worker's answers; once a worker has answered as many times as
/// it has clients, any of its clients still unresolved are marked `rejected` — so one corrupt
/// message can never stall a round. A lost worker's unresolved clients are marked `crashed`.
/// A worker's end-of-task marker resolves its clients that got no answer as `dropped`; a cut-off
/// (wall-mode deadline, first k arrived) resolves every pending client as `straggler`.
/// The round closes when every client is resolved. Results are reported sorted by client id.
public struct RoundMachine: Sendable {
    /// One resolved client of the round.
    public struct ClientResult: Sendable, Equatable {
        public var client: ClientID
        public var worker: String
        public var status: ClientStatus
        /// The update, for `ok` clients.
        public var update: Update?
        /// Why the client is not `ok`, in words.
        public var reason: String?
        /// Logical bytes of the update message (0 when nothing valid arrived).
        public var bytesUp: Int
    }

    public enum Event: Sendable, Equatable {
        /// A decoded update from `worker`, with the size of its encoded message.
        case updateReceived(worker: String, update: Update, bytes: Int)
        /// A worker reported that it could not train `client` in `round`.
        case clientFailed(worker: String, round: RoundID, client: ClientID, reason: String)
        /// A message from `worker` that failed validation (client and round unknown: it counts as
        /// one of the worker's answers in the current round).
        case messageRejected(worker: String, reason: String)
        /// `worker` stopped answering or died.
        case workerLost(worker: String)
        /// `worker` says it has sent everything it will send for `round`'s task (its end-of-task
        /// marker): its clients still unresolved gave no answer and are marked `dropped`.
        case taskFinished(worker: String, round: RoundID)
        /// The round is cut off (a wall-mode deadline, or the k-th arrival of first-k): every
        /// unresolved client is marked `straggler` and the round closes.
        case cutOff(reason: String)
    }

    public enum Action: Sendable, Equatable {
        case sendTask(worker: String, clients: [ClientID])
        /// Something worth a line in events.jsonl.
        case record(kind: String, worker: String?, client: ClientID?, detail: String)
        case closeRound
    }

    public let round: RoundID
    public private(set) var isClosed = false
    private var assignment: [ClientID: String]
    private var groups: [(worker: String, clients: [ClientID])]
    private var answers: [String: Int] = [:]
    private var resolved: [ClientID: ClientResult] = [:]

    /// A round over `clients` placed on workers by `assignment`.
    public init(round: RoundID, clients: [ClientID], assignment: ClientAssignment) {
        self.round = round
        self.groups = assignment.group(clients)
        var map: [ClientID: String] = [:]
        for g in groups { for c in g.clients { map[c] = g.worker } }
        self.assignment = map
    }

    /// The tasks to send at the start of the round (closes at once if no client was selected).
    public mutating func start() -> [Action] {
        var actions = groups.map { Action.sendTask(worker: $0.worker, clients: $0.clients) }
        if let close = closeIfDone() { actions.append(close) }
        return actions
    }

    public mutating func handle(_ event: Event) -> [Action] {
        guard !isClosed else { return [] }
        var actions: [Action] = []
        switch event {
        case let .updateReceived(worker, update, bytes):
            // A late answer to an earlier round's task is not an answer to this round's.
            guard update.round == round else {
                return [.record(kind: "update_ignored", worker: worker, client: update.client,
                                detail: "update for round \(update.round) arrived in round \(round)")]
            }
            countAnswer(worker)
            if assignment[update.client] != worker {
                actions.append(.record(kind: "update_ignored", worker: worker, client: update.client,
                                       detail: "client \(update.client) was not assigned to \(worker) in round \(round)"))
            } else if resolved[update.client] != nil {
                actions.append(.record(kind: "update_ignored", worker: worker, client: update.client,
                                       detail: "duplicate update for client \(update.client)"))
            } else {
                resolved[update.client] = ClientResult(client: update.client, worker: worker, status: .ok,
                                                       update: update, reason: nil, bytesUp: bytes)
            }
            actions += settle(worker)
        case let .clientFailed(worker, failedRound, client, reason):
            guard failedRound == round else {
                return [.record(kind: "client_failed", worker: worker, client: client,
                                detail: "report for round \(failedRound) arrived in round \(round): \(reason)")]
            }
            countAnswer(worker)
            if assignment[client] == worker, resolved[client] == nil {
                resolved[client] = ClientResult(client: client, worker: worker, status: .rejected,
                                                update: nil, reason: reason, bytesUp: 0)
                actions.append(.record(kind: "client_failed", worker: worker, client: client, detail: reason))
            }
            actions += settle(worker)
        case let .messageRejected(worker, reason):
            countAnswer(worker)
            actions.append(.record(kind: "message_rejected", worker: worker, client: nil, detail: reason))
            actions += settle(worker)
        case let .workerLost(worker):
            for (client, w) in assignment where w == worker && resolved[client] == nil {
                resolved[client] = ClientResult(client: client, worker: worker, status: .crashed, update: nil,
                                                reason: "worker \(worker) lost during round \(round)", bytesUp: 0)
            }
        case let .taskFinished(worker, finishedRound):
            guard finishedRound == round else { return [] }
            for (client, w) in assignment.sorted(by: { $0.key < $1.key }) where w == worker && resolved[client] == nil {
                let reason = "\(worker) finished round \(round) without an answer for client \(client)"
                resolved[client] = ClientResult(client: client, worker: worker, status: .dropped, update: nil,
                                                reason: reason, bytesUp: 0)
                actions.append(.record(kind: "client_dropped", worker: worker, client: client, detail: reason))
            }
        case let .cutOff(reason):
            for (client, w) in assignment.sorted(by: { $0.key < $1.key }) where resolved[client] == nil {
                resolved[client] = ClientResult(client: client, worker: w, status: .straggler, update: nil,
                                                reason: reason, bytesUp: 0)
                actions.append(.record(kind: "client_straggler", worker: w, client: client, detail: reason))
            }
        }
        if let close = closeIfDone() { actions.append(close) }
        return actions
    }

    /// Every selected client's outcome, sorted by client id (complete once closed).
    public var results: [ClientResult] {
        resolved.values.sorted { $0.client < $1.client }
    }

    /// Clients still waiting for an answer.
    public var pendingClients: [ClientID] {
        assignment.keys.filter { resolved[$0] == nil }.sorted()
    }

    // MARK: - Private

    private mutating func countAnswer(_ worker: String) {
        answers[worker, default: 0] += 1
    }

    /// Marks a worker's unresolved clients rejected once it has answered for all of them.
    private mutating func settle(_ worker: String) -> [Action] {
        let mine = assignment.filter { $0.value == worker }.map(\.key)
        guard answers[worker, default: 0] >= mine.count else { return [] }
        var actions: [Action] = []
        for client in mine.sorted() where resolved[client] == nil {
            let reason = "no valid update from \(worker) for client \(client) in round \(round)"
            resolved[client] = ClientResult(client: client, worker: worker, status: .rejected, update: nil,
                                            reason: reason, bytesUp: 0)
            actions.append(.record(kind: "client_rejected", worker: worker, client: client, detail: reason))
        }
        return actions
    }

    private mutating func closeIfDone() -> Action? {
        guard !isClosed, resolved.count == assignment.count else { return nil }
        isClosed = true
        return .closeRound
    }
}
