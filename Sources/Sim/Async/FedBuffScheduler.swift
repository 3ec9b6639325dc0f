#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Protocol

// FedBuffScheduler — asynchronous buffered aggregation on the virtual clock.
//
// What. FedBuff (Nguyen et al., AISTATS 2022; spec algorithms.md §8.1, reference FLSim's
// FedBuffAggregator): C clients train at the same time, each on the model version it downloaded;
// the server takes a step every K received updates, weighting an update of staleness
// s = (server version now) − (version it trained on) by 1/(1 + s)^a (a = 0.5 in the paper; a = 0
// gives constant weights), and dropping updates staler than a maximum.
//
// Virtual clock. Every client in flight has a start time and, once its work has been computed,
// a finish time = start + its virtual round time (compute + links, from the run's time model).
// Server step t (a "round", 1-based) takes the K in-flight updates that finish first (ties by client
// id), so the step happens at the K-th finish time; the clients freed are replaced by idle clients
// started at that moment on the new model. The first step starts C clients at time 0. Because a
// client's work depends only on (model, data, seed, round, client), it is computed when the client
// starts; the scheduler only orders the finishes, so the result is independent of wall time.
//
// Which clients start. Step t starts the first idle clients in the order of
// `permutation(seed·1000 + t, N)` — the uniform k-of-N schedule's permutation, so with C = K every
// step starts exactly the clients that synchronous uniform participation with k = K would pick.
// With C = K there is never any staleness, and with equal weights (1/K) a FedBuff run equals
// synchronous FedAvg with `participants` weights bit for bit.
//
// State. Version, clock and the clients in flight are plain values (`Codable`): a checkpoint can
// save them (the in-flight clients' computed updates live with the caller).

/// The schedule of FedBuff's clients on the virtual clock (see the essay above).
public struct FedBuffScheduler: Sendable, Equatable, Codable {
    /// A client in flight.
    public struct Flight: Sendable, Equatable, Codable {
        /// The client.
        public var client: ClientID
        /// The server version (steps taken) of the model it trained on.
        public var version: Int
        /// Virtual time at which it started.
        public var start: Double
        /// Virtual time at which its update arrives; nil until its work is known.
        public var finish: Double?
    }

    /// An update taken out of flight by a server step.
    public struct Arrival: Sendable, Equatable {
        /// The client.
        public var client: ClientID
        /// Server versions between its model and this step.
        public var staleness: Int
        /// When it arrived (virtual seconds).
        public var finish: Double
    }

    /// N.
    public let clients: Int
    /// C, clients training at once.
    public let concurrency: Int
    /// K, updates per server step.
    public let buffer: Int
    /// The run's seed.
    public let seed: UInt64
    /// Server steps taken.
    public private(set) var version = 0
    /// The virtual time of the last server step.
    public private(set) var now = 0.0
    /// Clients in flight, by client id.
    public private(set) var flights: [Flight] = []

    /// A scheduler with nobody in flight. Requires 1 ≤ K ≤ C ≤ N (checked).
    public init(clients: Int, concurrency: Int, buffer: Int, seed: UInt64) {
        precondition(buffer >= 1 && buffer <= concurrency && concurrency <= clients,
                     "FedBuffScheduler: need 1 ≤ buffer (\(buffer)) ≤ concurrency (\(concurrency)) ≤ clients (\(clients))")
        self.clients = clients
        self.concurrency = concurrency
        self.buffer = buffer
        self.seed = seed
    }

    /// Starts idle clients at the current time on the current version until C are in flight;
    /// `step` is the coming server step (1-based). Returns the started clients, sorted.
    public mutating func startClients(step: Int) -> [ClientID] {
        let busy = Set(flights.map(\.client))
        let free = concurrency - flights.count
        guard free > 0 else { return [] }
        let order = PortableRandom.permutation(seed: seed &* 1000 &+ UInt64(step), count: clients)
        var started: [ClientID] = []
        for n in order where started.count < free && !busy.contains(ClientID(n)) { started.append(ClientID(n)) }
        started.sort()
        for client in started { flights.append(Flight(client: client, version: version, start: now, finish: nil)) }
        flights.sort { $0.client < $1.client }
        return started
    }

    /// Records the virtual duration of a started client's work (its update arrives at start + seconds).
    public mutating func finished(_ client: ClientID, seconds: Double) {
        guard let i = flights.firstIndex(where: { $0.client == client }) else { return }
        flights[i].finish = flights[i].start + max(0, seconds)
    }

    /// Removes a client whose work failed (crashed, rejected, …): its slot becomes free.
    public mutating func abandon(_ client: ClientID) {
        flights.removeAll { $0.client == client }
    }

    /// The next server step: the K earliest arrivals (ties by client id), after discarding arrivals
    /// staler than `maxStaleness` (returned separately; they do not count toward K). Advances the
    /// clock to the K-th arrival and the version by one. Fewer than K only when fewer are in flight.
    public mutating func takeBuffer(maxStaleness: Int?) -> (taken: [Arrival], dropped: [Arrival]) {
        let ready = flights.filter { $0.finish != nil }
            .sorted { ($0.finish!, $0.client) < ($1.finish!, $1.client) }
        var taken: [Arrival] = []
        var dropped: [Arrival] = []
        for flight in ready where taken.count < buffer {
            let arrival = Arrival(client: flight.client, staleness: version - flight.version, finish: flight.finish!)
            if let maxStaleness, arrival.staleness > maxStaleness { dropped.append(arrival) } else { taken.append(arrival) }
        }
        let gone = Set((taken + dropped).map(\.client))
        flights.removeAll { gone.contains($0.client) }
        now = max(now, (taken + dropped).map(\.finish).max() ?? now)
        version += 1
        return (taken.sorted { $0.client < $1.client }, dropped.sorted { $0.client < $1.client })
    }

    /// The weights of a buffer: base_j · 1/(1 + s_j)^a, base from `weighting` over the buffer's
    /// sample counts (`participants`: 1/K; `samples`: n_j / Σ n).
    public static func weights(staleness: [Int], sampleCounts: [Int], weighting: Weighting, exponent: Double) -> [Double] {
        let base = weighting.weights(sampleCounts: sampleCounts, population: sampleCounts.count)
        guard exponent != 0 else { return base }
        return zip(base, staleness).map { b, s in s == 0 ? b : b / pow(1 + Double(s), exponent) }
    }
}
