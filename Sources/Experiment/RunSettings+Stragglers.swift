import Protocol
import Sim

/// Round policies, wall mode and injected faults as the coordinator and the workers see them
/// (docs/stragglers.md). Every answer depends only on the config, so all processes agree.
extension RunSettings {
    /// `timing.policy` with its parameter.
    public var roundPolicy: RoundPolicy {
        let t = config.timing
        switch t.policy {
        case .waitAll: return .waitAll
        case .deadline: return .deadline(seconds: t.deadlineSeconds ?? .infinity)
        case .firstK: return .firstK(t.firstK ?? clients)
        case .overcommit: return .overcommit(factor: t.overcommit ?? 1, keep: config.participation.clientsPerRound)
        }
    }

    /// True when `run.time = "wall"`: workers really wait and the coordinator keeps real deadlines.
    public var isWallTime: Bool { config.run.time == .wall }

    /// Real seconds per virtual second in wall mode (`timing.wall_scale`).
    public var wallScale: Double { config.timing.wallScale }

    /// Refuses a round policy or wall mode for a run that closes its rounds itself in virtual time
    /// (`key` names the setting that does, `what` says how): either would be silently ignored.
    static func requireVirtualWaitAll(_ config: ExperimentConfig, key: String, what: String) throws(ConfigError) {
        if config.timing.policy != .waitAll {
            throw .conflict(keys: [key, "timing.policy"],
                            reason: what + ", not by a round policy; remove timing.policy (or use \"wait-all\")")
        }
        if config.run.time == .wall {
            throw .conflict(keys: [key, "run.time"],
                            reason: what + " on the virtual clock; wall mode does not apply, use run.time = \"virtual\"")
        }
    }

    /// The clients sampled in `round`: the participation process's choice, or ⌈c·k⌉ uniform clients
    /// under over-commitment (same seeded permutation, longer prefix).
    public func roundParticipants(round: RoundID) -> [ClientID] {
        let policy = roundPolicy
        if case .overcommit = policy {
            let k = policy.selectionCount(nominal: config.participation.clientsPerRound)
            return ParticipationProcess.uniform(clientsPerRound: k).participants(round: round, clients: clients, seed: seed)
        }
        return participation.participants(round: round, clients: clients, seed: seed)
    }

    /// The faults that take effect in `round`, in file order.
    public func faults(round: RoundID) -> [FaultSection] {
        config.faults.filter { $0.round == Int(round) }
    }

    /// Virtual seconds a `late` fault adds to `client`'s reply in `round` (0 if none).
    public func lateFaultSeconds(round: RoundID, client: ClientID) -> Double {
        config.faults.reduce(0) { sum, f in
            f.kind == .late && f.round == Int(round) && f.client == Int(client) ? sum + (f.delaySeconds ?? 0) : sum
        }
    }

    /// Whether a `drop` fault silences `client` in `round` (an open-ended drop lasts until the
    /// client's `rejoin`).
    public func isDropped(client: ClientID, round: RoundID) -> Bool {
        let r = Int(round), c = Int(client)
        for f in config.faults where f.kind == .drop && f.client == c && f.round <= r {
            if f.rounds > 0 {
                if r < f.round + f.rounds { return true }
            } else {
                let back = config.faults.filter { $0.kind == .rejoin && $0.client == c && $0.round > f.round }.map(\.round).min()
                if back.map({ r < $0 }) ?? true { return true }
            }
        }
        return false
    }

    /// Whether a `corrupt` fault replaces `client`'s update in `round` with a malformed message.
    public func isCorrupted(client: ClientID, round: RoundID) -> Bool {
        config.faults.contains { $0.kind == .corrupt && $0.round == Int(round) && $0.client == Int(client) }
    }

    /// Whether the worker process `name` must exit on receiving `round`'s task (a `crash` fault).
    public func crashes(worker name: String, round: RoundID) -> Bool {
        config.faults.contains { $0.kind == .crash && $0.round == Int(round) && $0.workerName == name }
    }
}
