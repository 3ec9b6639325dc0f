@testable import Coordinator
import Experiment
import Foundation
import Protocol
import Sim
import Testing

// A coded round's metrics: its virtual duration is the decodable arrival's time (passed in), not the
// slowest client's, and straggler rows count as stragglers without entering completed or the loss.

@Suite struct CodingMetricsTests {
    @Test func aCodedRoundLastsUntilItsClosingArrival() throws {
        let settings = try RunSettings(ExperimentConfig.parse(toml: """
            [run]
            rounds = 3
            mode = "distributed-sgd"
            [partition]
            clients = 4
            [participation]
            process = "full"
            [coding]
            scheme = "crc"
            s = 1
            """))
        var machine = RoundMachine(round: 1, clients: [0, 1, 2, 3], assignment: ClientAssignment(workers: ["a"]))
        _ = machine.start()
        for client: ClientID in 0..<4 {
            let update = Update(round: 1, client: client, sampleCount: 64, trainLoss: Double(client),
                                wallComputeSeconds: 0.1, virtualComputeSeconds: Double(client + 1), payload: .dense([0]))
            _ = machine.handle(.updateReceived(worker: "a", update: update, bytes: 100))
        }
        var rows = machine.results.map {
            ClientRow(round: 1, result: $0, bytesDown: 100, weight: 0, timing: settings.clientTiming(round: 1, client: $0.client))
        }
        // Client 3 (the slowest) arrived after the decodable third arrival.
        rows[3].status = .straggler
        let closing = try #require(rows[2].virtualSeconds)
        #expect(closing < (try #require(rows[3].virtualSeconds)))
        var metrics = RunMetrics(settings: settings, initial: Evaluation(loss: 2, accuracy: 0.1, correct: 36, count: 360))
        let line = metrics.closeRound(round: 1, selected: 4, rows: rows, evaluation: nil, wallTime: 1, wallRound: 1,
                                      wallAggregation: 0, transportUp: 0, transportDown: 0, virtualDuration: closing)
        let text = line.rendered()
        #expect(metrics.virtualTime == closing)
        #expect(text.contains("\"completed\":3") && text.contains("\"stragglers\":1"))
        #expect(text.contains("\"train_loss\":1.0"))  // mean of clients 0, 1, 2
        // Without a duration the round lasts until its slowest ok client (client 2 here).
        var plain = RunMetrics(settings: settings, initial: Evaluation(loss: 2, accuracy: 0.1, correct: 36, count: 360))
        _ = plain.closeRound(round: 1, selected: 4, rows: rows, evaluation: nil, wallTime: 1, wallRound: 1,
                             wallAggregation: 0, transportUp: 0, transportDown: 0)
        #expect(plain.virtualTime == closing)
        rows[3].status = .ok
        var all = RunMetrics(settings: settings, initial: Evaluation(loss: 2, accuracy: 0.1, correct: 36, count: 360))
        _ = all.closeRound(round: 1, selected: 4, rows: rows, evaluation: nil, wallTime: 1, wallRound: 1,
                           wallAggregation: 0, transportUp: 0, transportDown: 0, virtualDuration: closing)
        #expect(all.virtualTime == closing)
    }
}
