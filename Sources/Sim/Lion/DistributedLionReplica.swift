import Protocol

/// What a worker process keeps for Distributed Lion: its copy of the model and the momentum of
/// every client it has run (spec §5.1: momenta stay on the worker, never travel).
///
/// Model copy. A task carries either the dense model (first round, or a worker process that missed
/// a version) or the previous round's broadcast Δ; the replica applies Δ with the same function
/// and the same Float operations as the coordinator (`DistributedLion.apply`), so every copy stays
/// bit-identical to the coordinator's. A Δ is accepted only on top of the version just before it.
///
/// Momenta. A client's momentum lives as long as this worker process hosts it. A client seen for
/// the first time (round 1, or reassigned here after its worker died) starts from zeros; `takeMomentum`
/// says so, and the worker records it.
public struct DistributedLionReplica: Sendable {
    /// Why a task's model cannot be used.
    public enum ReplicaError: Error, Equatable, CustomStringConvertible {
        /// A Δ for `version` arrived but the replica holds `held` (nil: no model yet).
        case versionGap(held: UInt64?, version: UInt64)
        /// The Δ itself is unusable.
        case update(DistributedLionError)

        /// One line naming the problem and the fix.
        public var description: String {
            switch self {
            case let .versionGap(held, version):
                "a Distributed Lion update to model version \(version) arrived, but this worker holds "
                    + (held.map { "version \($0)" } ?? "no model") + "; the coordinator must send the dense model"
            case .update(let error): error.description
            }
        }
    }

    /// ε, β1, β2, λ.
    public let parameters: LionParameters
    /// The model copy (nil until the first dense model arrives).
    public private(set) var model: [Float]?
    /// The version of `model` (the task's `modelVersion` it was built for).
    public private(set) var version: UInt64 = 0
    private var momenta: [ClientID: [Float]] = [:]

    /// An empty replica.
    public init(parameters: LionParameters) {
        self.parameters = parameters
    }

    /// Takes a task's model payload: a dense model replaces the copy; a compact Δ for `version` is
    /// applied to the copy of `version − 1`. Returns the model the task's clients compute at.
    public mutating func receive(_ payload: TensorPayload, version: UInt64) throws(ReplicaError) -> [Float] {
        if case .dense(let values) = payload {
            model = values
            self.version = version
            return values
        }
        guard var current = model, version > 0, self.version == version - 1 else {
            throw .versionGap(held: model == nil ? nil : self.version, version: version)
        }
        do {
            try DistributedLion.apply(payload, to: &current, parameters)
        } catch {
            throw .update(error)
        }
        model = current
        self.version = version
        return current
    }

    /// The client's momentum (removed from the store until `storeMomentum`), and whether it is fresh
    /// (empty: the client has not run on this worker before).
    public mutating func takeMomentum(client: ClientID) -> (momentum: [Float], fresh: Bool) {
        if let stored = momenta.removeValue(forKey: client) { return (stored, false) }
        return ([], true)
    }

    /// Keeps the client's momentum for its next round.
    public mutating func storeMomentum(_ momentum: [Float], client: ClientID) {
        momenta[client] = momentum
    }

    /// Number of clients whose momentum is held.
    public var clientCount: Int { momenta.count }
}
