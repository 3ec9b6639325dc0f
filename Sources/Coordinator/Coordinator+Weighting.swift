import Experiment
import Protocol
import Sim

/// The run's participation and aggregation state of the FedAU work (docs/fedau.md).
///
/// One value holds everything that carries over from round to round besides the model: the seeded
/// participation process (Markov states, cycle counters), the participation-aware weighting
/// (FedAU's interval estimator, MIFA/FedVARP memory), the FedOpt server optimizer (moments) and
/// FedBuff's clients in flight. Every part is `Codable`, so a checkpoint saves this struct and a
/// resumed run continues it; `Coordinator.train` owns it as `federated`.
struct FederatedState: Sendable, Equatable, Codable {
    /// Who answers each round (every process, including uniform and full).
    var participation: ParticipationState
    /// fedau, known-probability, mifa, fedvarp; nil = the foundation's weighting / robust chain.
    var weighting: ClientWeightingState?
    /// fedavgm, fedadam, fedyogi, fedadagrad; nil = `ServerOptimizer` (sgd) or server Lion.
    var optimizer: FedOptimizer?
    /// FedBuff's pending work; nil for synchronous runs.
    var buffered: FedBuffState?
    /// Per client: rounds in which its update entered aggregation.
    var participations: [Int]
    /// The plain server step (server_lr, server_momentum) with its momentum buffer.
    var server: ServerOptimizer
    /// Server Lion's momentum (`aggregation.server_optimizer = "lion"`; empty until its first step).
    var serverLionMomentum: [Float] = []
}

extension Coordinator {
    /// The state of a fresh run; loads the clients' label histograms when the settings need them.
    func makeFederatedState(dimension: Int) throws(CoordinatorError) -> (FederatedState, labelCounts: [[Int]]?) {
        do {
            return try buildFederatedState(dimension: dimension)
        } catch let error as ConfigError {
            throw .config(error)
        } catch let error as DataError {
            throw .data(error)
        } catch {
            throw .config(.invalidValue(key: "participation.process", value: "", reason: "\(error)"))
        }
    }

    private func buildFederatedState(dimension: Int) throws -> (FederatedState, labelCounts: [[Int]]?) {
        var labelCounts: [[Int]]?
        if settings.needsLabelCounts {
            let data = try settings.loadData()
            labelCounts = data.clientIndices.map { indices in
                var counts = [Int](repeating: 0, count: data.train.classes)
                for i in indices { counts[Int(data.train.labels[i])] += 1 }
                return counts
            }
        }
        let probabilities = try settings.participationProbabilities(labelCounts: labelCounts)
        let participation = try settings.participationState(probabilities: probabilities)
        var weighting: ClientWeightingState?
        if let rule = try settings.clientWeighting(probabilities: probabilities) {
            do {
                weighting = try ClientWeightingState(weighting: rule, clients: settings.clients, dimension: dimension)
            } catch {
                throw ConfigError.invalidValue(key: "aggregation.weighting", value: "\"\(settings.config.aggregation.weighting.rawValue)\"",
                                               reason: error.description)
            }
        }
        let state = FederatedState(participation: participation, weighting: weighting, optimizer: try settings.fedOptimizer(),
                                   buffered: settings.fedBuff.map { b in
                                       FedBuffState(scheduler: FedBuffScheduler(clients: settings.clients, concurrency: b.concurrency,
                                                                                buffer: b.buffer, seed: settings.seed))
                                   },
                                   participations: [Int](repeating: 0, count: settings.clients),
                                   server: ServerOptimizer(learningRate: settings.serverLearningRate,
                                                           momentum: settings.serverMomentum,
                                                           direction: settings.mode == .distributedSGD ? .gradient : .delta))
        if let probabilities, settings.usesAvailabilityProcess {
            let mean = probabilities.reduce(0, +) / Double(probabilities.count)
            log("participation: \(settings.config.participation.process.rawValue), mean p_n \(mean), "
                + "min \(probabilities.min() ?? 0), max \(probabilities.max() ?? 0)")
        }
        return (state, labelCounts)
    }

    /// Aggregates a round's accepted updates with the participation-aware weighting and applies the
    /// step x ← x + η·v (or the FedOpt optimizer with Δ = v). Returns each update's weight factor
    /// for clients.csv (FedAU: ω_n/N; MIFA: 1/N; FedVARP: 1/|S|), read before the state advances.
    func applyClientWeighting(_ accepted: [Update], state: inout FederatedState) throws -> [Double] {
        guard var weighting = state.weighting else { return [] }
        var participants: [Int] = []
        var deltas: [[Double]] = []
        for update in accepted {
            guard case .dense(let values) = update.payload else { continue }
            participants.append(Int(update.client))
            deltas.append(values.map(Double.init))
        }
        let logged: [Double]
        if let linear = weighting.factors(participants: participants) {
            logged = linear.factors.map { $0 / linear.divisor }
        } else if case .mifa = weighting.weighting {
            logged = participants.map { _ in 1 / Double(settings.clients) }
        } else {
            logged = participants.map { _ in 1 / Double(max(participants.count, 1)) }
        }
        let step: [Double]
        do {
            step = try weighting.aggregate(participants: participants, deltas: deltas)
        } catch {
            throw CoordinatorError.aggregation(round: currentRound, detail: error.description)
        }
        state.weighting = weighting
        try applyStep(step, state: &state)
        var weightOf: [ClientID: Double] = [:]
        for (client, weight) in zip(participants, logged) { weightOf[ClientID(client)] = weight }
        return accepted.map { weightOf[$0.client] ?? 0 }
    }

    /// x ← x + η·v with η = aggregation.server_lr, or the FedOpt optimizer's step with Δ = v.
    func applyStep(_ step: [Double], state: inout FederatedState) throws {
        guard step.allSatisfy(\.isFinite) else {
            try record("round_skipped", detail: "the aggregate of round \(currentRound) is not finite; the model is unchanged")
            return
        }
        if var optimizer = state.optimizer {
            var x = model.map(Double.init)
            do {
                try optimizer.step(model: &x, delta: step)
            } catch {
                throw CoordinatorError.aggregation(round: currentRound, detail: error.description)
            }
            state.optimizer = optimizer
            for i in 0..<model.count { model[i] = Float(x[i]) }
        } else {
            let eta = settings.serverLearningRate
            for i in 0..<model.count { model[i] = Float(Double(model[i]) + eta * step[i]) }
        }
    }

    /// The FedOpt step on the aggregate of the foundation's path (samples/participants/all, robust chains).
    func applyServerOptimizer(_ aggregate: [Float], state: inout FederatedState) throws {
        try applyStep(aggregate.map(Double.init), state: &state)
    }

    /// Counts the clients whose update entered aggregation.
    func noteParticipation(_ accepted: [Update], state: inout FederatedState) {
        for update in accepted where Int(update.client) < state.participations.count {
            state.participations[Int(update.client)] += 1
        }
    }
}
