@testable import Coordinator
import Experiment
import Foundation
import Protocol
import Sim
import Testing

// rounds.jsonl, summary.json and clients.csv as DESIGN §8 names them, on hand-computed rounds.
// Virtual time model: 1000 FLOP/s, 100 B/s up, 200 B/s down, 0.5 s latency; every client receives
// a 400-byte model, so link = (0.5 + 400/200) + (0.5 + bytes_up/100) seconds.

private func settings(target: Double?) throws -> RunSettings {
    var toml = """
        [run]
        name = "metrics"
        seed = 5
        rounds = 5

        [partition]
        clients = 4

        [participation]
        process = "full"

        [timing]
        compute_flops_per_s = 1000
        bandwidth_up_bytes_per_s = 100
        bandwidth_down_bytes_per_s = 200
        latency_s = 0.5

        [eval]
        every = 2

        """
    if let target { toml += "target_accuracy = \(target)\n" }
    return try RunSettings(ExperimentConfig.parse(toml: toml))
}

/// One client's answer: samples, train loss, virtual compute seconds, update bytes.
private typealias Answer = (client: ClientID, samples: UInt32, loss: Double, compute: Double, bytes: Int)

/// The clients.csv rows of a round in which `answers` arrived (even ids, on worker a) and the
/// odd-id clients `crashed` were on worker b, which was lost.
private func rows(round: RoundID, answers: [Answer], crashed: [ClientID] = [], settings: RunSettings) -> [ClientRow] {
    var machine = RoundMachine(round: round, clients: (answers.map(\.client) + crashed).sorted(),
                               assignment: ClientAssignment(workers: ["a", "b"]))
    _ = machine.start()
    for answer in answers {
        let update = Update(round: round, client: answer.client, sampleCount: answer.samples, trainLoss: answer.loss,
                            wallComputeSeconds: 0.25, virtualComputeSeconds: answer.compute, payload: .dense([0]))
        _ = machine.handle(.updateReceived(worker: "a", update: update, bytes: answer.bytes))
    }
    if !crashed.isEmpty { _ = machine.handle(.workerLost(worker: "b")) }
    precondition(machine.isClosed, "test rounds must close")
    return machine.results.map {
        ClientRow(round: round, result: $0, bytesDown: 400, weight: $0.status == .ok ? 0.5 : 0,
                  timing: settings.clientTiming(round: round, client: $0.client))
    }
}

/// Closes `round` with the rows of `answers` / `crashed`; wall figures are `wallTime` and zeros.
@discardableResult
private func close(_ metrics: inout RunMetrics, round: RoundID, answers: [Answer], crashed: [ClientID] = [],
                   evaluation: Evaluation?, wallTime: Double) -> JSONValue {
    metrics.closeRound(round: round, selected: answers.count + crashed.count,
                       rows: rows(round: round, answers: answers, crashed: crashed, settings: metrics.settings),
                       evaluation: evaluation, wallTime: wallTime, wallRound: 1, wallAggregation: 0, transportUp: 0,
                       transportDown: 0)
}

private func field(_ value: JSONValue, _ name: String) -> JSONValue? {
    guard case .object(let fields) = value else { return nil }
    return fields.first { $0.0 == name }?.1
}

private func names(_ value: JSONValue) -> [String] {
    guard case .object(let fields) = value else { return [] }
    return fields.map(\.0)
}

private let initial = Evaluation(loss: 2.25, accuracy: 0.125, correct: 45, count: 360)

@Suite struct RoundsLineTests {
    static let designNames = ["round", "virtual_time_s", "wall_time_s", "selected", "completed", "stragglers",
                              "dropped", "bytes_up", "bytes_down", "train_loss", "test_loss", "test_accuracy"]

    @Test func firstRoundLineHasTheDesignFieldsAndHandComputedValues() throws {
        let settings = try settings(target: 0.9)
        var metrics = RunMetrics(settings: settings, initial: initial)
        let round1 = rows(round: 1, answers: [(0, 10, 1.0, 2.0, 100), (2, 30, 2.0, 1.0, 300)], crashed: [1],
                          settings: settings)
        let line = metrics.closeRound(round: 1, selected: 3, rows: round1, evaluation: nil, wallTime: 1.25,
                                      wallRound: 1.25, wallAggregation: 0.001, transportUp: 5000, transportDown: 6000)
        for name in Self.designNames + ["wall_aggregation_s"] {
            #expect(names(line).contains(name), "rounds.jsonl lacks \(name)")
        }
        #expect(field(line, "round") == .int(1))
        // Client 0: 2 s compute + 4 s link; client 2: 1 s + 6 s; the round lasts as long as the slowest.
        #expect(field(line, "virtual_time_s") == .double(7))
        #expect(field(line, "wall_time_s") == .double(1.25))
        #expect(field(line, "selected") == .int(3))
        #expect(field(line, "completed") == .int(2))
        #expect(field(line, "stragglers") == .int(0))
        #expect(field(line, "dropped") == .int(0))
        #expect(field(line, "bytes_up") == .int(400))
        #expect(field(line, "bytes_down") == .int(1200))
        #expect(field(line, "train_loss") == .double(1.75))  // (10·1 + 30·2) / 40
        #expect(field(line, "test_loss") == .null)
        #expect(field(line, "test_accuracy") == .null)
        // Every name is a key of valid JSON and counts are integers in the text.
        let text = line.rendered()
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(parsed.keys).isSuperset(of: Self.designNames))
        #expect(parsed["test_accuracy"] is NSNull)
        for count in [#""round":1,"#, #""selected":3,"#, #""completed":2,"#, #""stragglers":0,"#, #""dropped":0,"#,
                      #""bytes_up":400,"#, #""bytes_down":1200,"#] {
            #expect(text.contains(count), "\(count) in \(text)")
        }
        #expect(!text.contains("\n"))
    }

    @Test func evaluatedRoundCarriesTheTestFigures() throws {
        let settings = try settings(target: nil)
        var metrics = RunMetrics(settings: settings, initial: initial)
        let line = close(&metrics, round: 1, answers: [(0, 10, 0.5, 0.5, 100)],
                         evaluation: Evaluation(loss: 0.75, accuracy: 0.5, correct: 180, count: 360), wallTime: 1)
        #expect(field(line, "test_loss") == .double(0.75))
        #expect(field(line, "test_accuracy") == .double(0.5))
        #expect(field(line, "virtual_time_s") == .double(4.5))
    }

    @Test func roundWithoutAnyUpdateHasNullTrainLossAndAddsNoTime() throws {
        let settings = try settings(target: nil)
        var metrics = RunMetrics(settings: settings, initial: initial)
        close(&metrics, round: 1, answers: [(0, 10, 0.5, 0.5, 100)], evaluation: nil, wallTime: 1)
        let line = close(&metrics, round: 2, answers: [], crashed: [1, 3], evaluation: nil, wallTime: 2)
        #expect(field(line, "completed") == .int(0))
        #expect(field(line, "train_loss") == .null)
        #expect(field(line, "virtual_time_s") == .double(4.5))
        #expect(field(line, "bytes_up") == .int(0))
        #expect(field(line, "bytes_down") == .int(800))
    }
}

@Suite struct SummaryTests {
    static let designNames = ["rounds", "final_test_accuracy", "final_test_loss", "best_test_accuracy", "bytes_up",
                              "bytes_down", "virtual_time_s", "wall_time_s", "time_to_target_s",
                              "initial_test_accuracy", "wall_time_to_target_s"]

    /// Five rounds, evaluated at 2, 4 and 5 with accuracies 0.85, 0.95 and 0.97. Round 1 takes 7 s of
    /// virtual time, every later round 4.5 s (0.5 s compute + 4 s link).
    private static func fiveRounds(target: Double?) throws -> RunMetrics {
        let settings = try settings(target: target)
        var metrics = RunMetrics(settings: settings, initial: initial)
        let evaluations: [RoundID: Evaluation] = [
            2: Evaluation(loss: 0.5, accuracy: 0.85, correct: 306, count: 360),
            4: Evaluation(loss: 0.25, accuracy: 0.95, correct: 342, count: 360),
            5: Evaluation(loss: 0.125, accuracy: 0.97, correct: 349, count: 360),
        ]
        close(&metrics, round: 1, answers: [(0, 10, 1.0, 2.0, 100), (2, 30, 2.0, 1.0, 300)], crashed: [1],
              evaluation: nil, wallTime: 1)
        for round in 2...5 as ClosedRange<RoundID> {
            close(&metrics, round: round, answers: [(0, 10, 0.5, 0.5, 100)], evaluation: evaluations[round],
                  wallTime: Double(round))
        }
        return metrics
    }

    @Test func summaryHasTheDesignFieldsAndTheRunTotals() throws {
        let summary = try Self.fiveRounds(target: 0.9).summary(wallTime: 9.5, modelHash: 0xBEEF, workers: 2)
        for name in Self.designNames { #expect(names(summary).contains(name), "summary.json lacks \(name)") }
        #expect(field(summary, "rounds") == .int(5))
        #expect(field(summary, "initial_test_accuracy") == .double(0.125))
        #expect(field(summary, "final_test_accuracy") == .double(0.97))
        #expect(field(summary, "final_test_loss") == .double(0.125))
        #expect(field(summary, "best_test_accuracy") == .double(0.97))
        #expect(field(summary, "bytes_up") == .int(800))
        #expect(field(summary, "bytes_down") == .int(2800))
        #expect(field(summary, "virtual_time_s") == .double(25))
        #expect(field(summary, "wall_time_s") == .double(9.5))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(summary.pretty().utf8)) as? [String: Any])
        #expect(Set(parsed.keys).isSuperset(of: Self.designNames))
    }

    /// time_to_target_s is the virtual time at the first evaluated round that reaches the target
    /// (round 4: 7 + 3 · 4.5 s), not at a later one; wall_time_to_target_s is that round's wall time.
    @Test func timeToTargetIsSetAtTheFirstEvaluatedRoundReachingIt() throws {
        let summary = try Self.fiveRounds(target: 0.9).summary(wallTime: 9.5, modelHash: 0, workers: 1)
        #expect(field(summary, "time_to_target_s") == .double(20.5))
        #expect(field(summary, "wall_time_to_target_s") == .double(4))
        // A target first met by the last round.
        let late = try Self.fiveRounds(target: 0.96).summary(wallTime: 9.5, modelHash: 0, workers: 1)
        #expect(field(late, "time_to_target_s") == .double(25))
        #expect(field(late, "wall_time_to_target_s") == .double(5))
    }

    @Test func timeToTargetIsNullWhenNotReachedOrNoTarget() throws {
        for target in [0.99, nil] as [Double?] {
            let summary = try Self.fiveRounds(target: target).summary(wallTime: 9.5, modelHash: 0, workers: 1)
            #expect(field(summary, "time_to_target_s") == .null)
            #expect(field(summary, "wall_time_to_target_s") == .null)
            let parsed = try JSONSerialization.jsonObject(with: Data(summary.pretty().utf8)) as? [String: Any]
            #expect(parsed?["time_to_target_s"] is NSNull)
        }
    }

    @Test func initialModelAlreadyAtTargetHasTimeZero() throws {
        let metrics = RunMetrics(settings: try settings(target: 0.1), initial: initial)
        let summary = metrics.summary(wallTime: 1, modelHash: 0, workers: 1)
        #expect(field(summary, "time_to_target_s") == .double(0))
    }

    @Test func bestAccuracyIncludesTheInitialModel() throws {
        let settings = try settings(target: nil)
        let good = Evaluation(loss: 0.5, accuracy: 0.9, correct: 324, count: 360)
        var metrics = RunMetrics(settings: settings, initial: good)
        close(&metrics, round: 1, answers: [(0, 10, 0.5, 0.5, 100)],
              evaluation: Evaluation(loss: 1, accuracy: 0.5, correct: 180, count: 360), wallTime: 1)
        let summary = metrics.summary(wallTime: 1, modelHash: 0, workers: 1)
        #expect(field(summary, "best_test_accuracy") == .double(0.9))
        #expect(field(summary, "final_test_accuracy") == .double(0.5))
    }
}

@Suite struct ClientRowTests {
    @Test func headerHasTheDesignColumns() {
        #expect(ClientRow.header == "round,client,worker,status,samples,train_loss,compute_s,link_s,wall_compute_s,"
                + "bytes_up,bytes_down,weight,staleness,wall_transport_bytes_up,wall_transport_bytes_down")
    }

    @Test func okAndCrashedRows() throws {
        let settings = try settings(target: nil)
        let round = rows(round: 3, answers: [(0, 10, 1.5, 2.0, 100)], crashed: [1], settings: settings)
        #expect(round.map(\.csv) == [
            "3,0,a,ok,10,1.5,2.0,4.0,0.25,100,400,0.5,0,0,0",
            "3,1,b,crashed,0,,,,,0,400,0.0,0,0,0",
        ])
        #expect(round[0].virtualSeconds == 6)
        #expect(round[1].virtualSeconds == nil)
    }
}
