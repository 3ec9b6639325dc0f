import Sim

extension ExperimentConfig {
    /// Round policies and `[[faults]]` checked against the other sections.
    func checkStragglers() throws(ConfigError) {
        let selected = participation.process == .full ? partition.clients : min(participation.clientsPerRound, partition.clients)
        switch timing.policy {
        case .firstK:
            if let k = timing.firstK, k > selected {
                throw .conflict(keys: ["timing.first_k", participation.process == .full ? "partition.clients" : "participation.clients_per_round"],
                                reason: "first_k = \(k) but only \(selected) clients are selected per round; lower timing.first_k")
            }
        case .overcommit:
            guard participation.process == .uniform else {
                throw .conflict(keys: ["timing.policy", "participation.process"],
                                reason: "over-commitment samples ⌈c·k⌉ clients with the uniform process; "
                                    + "use participation.process = \"uniform\" (or timing.policy = \"first-k\")")
            }
            if let c = timing.overcommit {
                let sampled = RoundPolicy.ceilProduct(c, participation.clientsPerRound)
                if sampled > partition.clients {
                    throw .conflict(keys: ["timing.overcommit", "participation.clients_per_round", "partition.clients"],
                                    reason: "⌈\(c)·\(participation.clientsPerRound)⌉ = \(sampled) clients to sample out of "
                                        + "\(partition.clients); lower timing.overcommit or participation.clients_per_round")
                }
            }
        case .waitAll, .deadline:
            break
        }
        try checkFaults()
    }

    private func checkFaults() throws(ConfigError) {
        for (index, fault) in faults.enumerated() {
            let key = "faults[\(index)]"
            if fault.round > run.rounds {
                throw .conflict(keys: ["\(key).round", "run.rounds"],
                                reason: "the fault is in round \(fault.round) but the run has \(run.rounds) rounds; lower the round")
            }
            if let client = fault.client, client >= partition.clients {
                throw .conflict(keys: ["\(key).client", "partition.clients"],
                                reason: "client \(client) does not exist (clients are 0 … \(partition.clients - 1))")
            }
            guard fault.kind == .rejoin else { continue }
            let earlier = faults[..<index]
            if let worker = fault.worker {
                let crashed = earlier.contains { $0.kind == .crash && $0.worker == worker && $0.round < fault.round }
                if !crashed {
                    throw .conflict(keys: ["\(key).worker", "\(key).round"],
                                    reason: "worker \(worker) rejoins in round \(fault.round) but no earlier [[faults]] entry crashes it "
                                        + "before that round; add { kind = \"crash\", worker = \(worker), round = r } with r < \(fault.round)")
                }
            } else if let client = fault.client {
                let gone = earlier.contains { $0.kind == .drop && $0.client == client && $0.rounds == 0 && $0.round < fault.round }
                if !gone {
                    throw .conflict(keys: ["\(key).client", "\(key).round"],
                                    reason: "client \(client) rejoins in round \(fault.round) but no earlier entry drops it until a rejoin; "
                                        + "add { kind = \"drop\", client = \(client), round = r, rounds = 0 } with r < \(fault.round)")
                }
            }
        }
    }
}
