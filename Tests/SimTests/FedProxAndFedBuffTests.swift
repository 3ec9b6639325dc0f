import Foundation
import Testing
@testable import Sim

/// FedProx's proximal term (spec algorithms.md §7.4) in `LocalTrainer`.
@Suite struct FedProxTests {
    private let key = RandomKey(seed: 3, purpose: .localShuffle, round: 2, client: 5)

    private var data: Dataset {
        Dataset(features: ModelFixtures.floats(seed: 31, count: 40 * 6).map { ($0 + 1) / 2 },
                labels: (0..<40).map { Int32($0 % 3) }, dimension: 6, classes: 3)
    }

    private func train(mu: Float, epochs: Int = 5, start: [Float]? = nil) -> (start: [Float], end: [Float]) {
        let network = Network(spec: ModelSpec(inputs: 6, hidden: [8], classes: 3))
        let initial = start ?? network.initialParameters(.uniformFanIn(baseSeed: 9))
        var parameters = initial
        let trainer = LocalTrainer(network: network, optimizer: .sgd(learningRate: 0.2),
                                   plan: LocalTrainingPlan(batchSize: 4, epochs: epochs, shuffle: true), proxMu: mu)
        _ = trainer.train(parameters: &parameters, data: data, indices: Array(0..<40), shuffleKey: key)
        return (initial, parameters)
    }

    private func distance(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
    }

    @Test func muZeroIsFedAvgBitForBit() {
        let network = Network(spec: ModelSpec(inputs: 6, hidden: [8], classes: 3))
        var plain = network.initialParameters(.uniformFanIn(baseSeed: 9))
        _ = LocalTrainer(network: network, optimizer: .sgd(learningRate: 0.2),
                         plan: LocalTrainingPlan(batchSize: 4, epochs: 5, shuffle: true))
            .train(parameters: &plain, data: data, indices: Array(0..<40), shuffleKey: key)
        let prox = train(mu: 0).end
        #expect(plain.map(\.bitPattern) == prox.map(\.bitPattern))
    }

    @Test func largerMuMovesLessFromTheGlobalModel() {
        // η·μ < 1 keeps the proximal step stable.
        let moves = [Float(0), 0.1, 0.5, 2].map { mu -> Double in
            let run = train(mu: mu)
            return distance(run.start, run.end)
        }
        #expect(moves[0] > 0)
        for k in 1..<moves.count { #expect(moves[k] < moves[k - 1], "μ step \(k): \(moves)") }
    }

    @Test func oneStepIsUnchangedBecauseTheTermIsZeroAtTheGlobalModel() {
        // §7.4: w¹ = w^t − η∇F(w^t); one batch of all 40 samples is one step.
        let network = Network(spec: ModelSpec(inputs: 6, hidden: [], classes: 3))
        func oneStep(_ mu: Float) -> [Float] {
            var p = network.initialParameters(.uniformFanIn(baseSeed: 4))
            _ = LocalTrainer(network: network, optimizer: .sgd(learningRate: 0.3),
                             plan: LocalTrainingPlan(batchSize: 40), proxMu: mu)
                .train(parameters: &p, data: data, indices: Array(0..<40), shuffleKey: key)
            return p
        }
        #expect(oneStep(0).map(\.bitPattern) == oneStep(5).map(\.bitPattern))
    }
}

/// FedBuff's schedule on the virtual clock and its weights (spec algorithms.md §8.1).
@Suite struct FedBuffSchedulerTests {
    @Test func concurrencyEqualToTheBufferStartsTheUniformCohortWithoutStaleness() {
        var scheduler = FedBuffScheduler(clients: 30, concurrency: 6, buffer: 6, seed: 5)
        for step in 1...10 {
            let started = scheduler.startClients(step: step)
            #expect(started == ParticipationProcess.uniform(clientsPerRound: 6).participants(round: .init(step), clients: 30, seed: 5))
            for client in started { scheduler.finished(client, seconds: 1 + Double(client) * 0.01) }
            let (taken, dropped) = scheduler.takeBuffer(maxStaleness: nil)
            #expect(taken.map(\.client) == started && dropped.isEmpty)
            #expect(taken.allSatisfy { $0.staleness == 0 })
            #expect(scheduler.version == step && scheduler.flights.isEmpty)
        }
    }

    @Test func theEarliestArrivalsMakeAStepAndTheSlowOnesGrowStale() {
        var scheduler = FedBuffScheduler(clients: 10, concurrency: 4, buffer: 2, seed: 1)
        let first = scheduler.startClients(step: 1)
        #expect(first.count == 4)
        // Client first[3] is very slow; the others take 1, 2, 3 s.
        for (k, client) in first.enumerated() { scheduler.finished(client, seconds: k == 3 ? 100 : Double(k + 1)) }
        let step1 = scheduler.takeBuffer(maxStaleness: nil).taken
        #expect(step1.map(\.client) == [first[0], first[1]].sorted())
        #expect(scheduler.now == 2)
        let second = scheduler.startClients(step: 2)
        #expect(second.count == 2 && Set(second).isDisjoint(with: first))
        for client in second { scheduler.finished(client, seconds: 0.5) }
        // Arrivals now: first[2] at 3 (version 0, staleness 1), second at 2.5 (staleness 0).
        let step2 = scheduler.takeBuffer(maxStaleness: nil).taken
        #expect(step2.map(\.client) == second.sorted() && step2.allSatisfy { $0.staleness == 0 })
        #expect(scheduler.now == 2.5)
        _ = scheduler.startClients(step: 3)
        for flight in scheduler.flights where flight.finish == nil { scheduler.finished(flight.client, seconds: 50) }
        let step3 = scheduler.takeBuffer(maxStaleness: nil).taken
        #expect(step3.first { $0.client == first[2] }?.staleness == 2)
        #expect(step3.contains { $0.client == first[2] })
    }

    @Test func updatesStalerThanTheMaximumAreDroppedAndDoNotCount() {
        var scheduler = FedBuffScheduler(clients: 6, concurrency: 3, buffer: 1, seed: 2)
        let first = scheduler.startClients(step: 1)
        for (k, client) in first.enumerated() { scheduler.finished(client, seconds: Double(k + 1) * 10) }
        _ = scheduler.takeBuffer(maxStaleness: 0)            // first[0], fresh
        let refill = scheduler.startClients(step: 2)
        for client in refill { scheduler.finished(client, seconds: 100) }
        // first[1] (t = 20) and first[2] (t = 30) trained on version 0: staleness 1 > 0, dropped;
        // the fresh refill (t = 110) fills the buffer.
        let (taken, dropped) = scheduler.takeBuffer(maxStaleness: 0)
        #expect(dropped.map(\.client) == [first[1], first[2]] && dropped.allSatisfy { $0.staleness == 1 })
        #expect(taken.map(\.client) == refill && taken[0].staleness == 0)
        #expect(scheduler.now == 110 && scheduler.flights.isEmpty)
    }

    @Test func theWorkedExampleWeights() {
        // §8.1: staleness 0, 2, 1 with 1/sqrt(1+s), deltas 0.3, 0.6, −0.2: Σ w·D = 0.504989, /K = 0.168330.
        let w = FedBuffScheduler.weights(staleness: [0, 2, 1], sampleCounts: [5, 5, 5], weighting: .participants, exponent: 0.5)
        let step = zip(w, [0.3, 0.6, -0.2]).reduce(0.0) { $0 + $1.0 * $1.1 }
        #expect(abs(step * 3 - 0.504989) < 1e-6)
        #expect(abs(step - 0.168330) < 1e-6)
        #expect(FedBuffScheduler.weights(staleness: [0, 4], sampleCounts: [1, 3], weighting: .samples, exponent: 0) == [0.25, 0.75])
    }
}
