import Protocol

/// The deterministic rule that pins logical clients to worker processes.
///
/// Live workers are kept in a stable order (by their join name); client `c` goes to the worker at
/// position `c mod liveCount`. The rule only decides *where* a client runs, never *what* it
/// computes: every draw a client makes is keyed by (seed, purpose, round, client), so results are
/// identical for any number of workers. When a worker is lost, the rule is re-applied over the
/// survivors from the next round on; the coordinator records the reassignment.
public struct ClientAssignment: Sendable, Equatable {
    /// Names of the live workers, in assignment order.
    public private(set) var workers: [String]

    public init(workers: [String]) {
        self.workers = workers.sorted()
    }

    /// The worker hosting `client`. Precondition: at least one live worker.
    public func worker(for client: ClientID) -> String {
        precondition(!workers.isEmpty, "ClientAssignment: no live worker")
        return workers[Int(client) % workers.count]
    }

    /// Groups `clients` by hosting worker; every list keeps the clients' order.
    public func group(_ clients: [ClientID]) -> [(worker: String, clients: [ClientID])] {
        var byWorker: [String: [ClientID]] = [:]
        for c in clients { byWorker[worker(for: c), default: []].append(c) }
        return workers.compactMap { w in byWorker[w].map { (w, $0) } }
    }

    /// Adds a worker (or keeps it if present).
    public mutating func add(_ worker: String) {
        if !workers.contains(worker) { workers.append(worker); workers.sort() }
    }

    /// Removes a worker; its clients move to the survivors on the next `worker(for:)` call.
    public mutating func remove(_ worker: String) {
        workers.removeAll { $0 == worker }
    }
}
