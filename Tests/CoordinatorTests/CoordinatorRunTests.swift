// A whole run in one test process: the Coordinator on one thread (binding a wildcard loopback port
// and announcing it through the endpoint file), a WorkerProcess on another.

import Coordinator
import Experiment
import Foundation
import Synchronization
import Testing
import Worker

private let tinyExperiment = """
    [run]
    name = "coordinator-run-test"
    seed = 42
    rounds = 3
    join_timeout_s = 20

    [data]
    source = "digits"
    test_fraction = 0.2

    [partition]
    scheme = "iid"
    clients = 10

    [model]
    kind = "logreg"

    [local]
    optimizer = "sgd"
    lr = 0.1
    batch_size = 10
    epochs = 1

    [participation]
    process = "uniform"
    clients_per_round = 4

    [eval]
    every = 2
    """

/// The end of a thread's work: nil while it runs.
private final class Outcome<Value: Sendable>: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let value = Mutex<Value?>(nil)

    func finish(_ result: Value) {
        value.withLock { $0 = result }
        done.signal()
    }

    func wait(seconds: Double) -> Value? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return value.withLock { $0 }
    }
}

@Suite struct CoordinatorRunTests {
    @Test(.timeLimit(.minutes(3)))
    func threeRoundsWithOneWorkerWriteTheRunDirectory() async throws {
        let base = try makeTemporaryDirectory("run")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let config = try ExperimentConfig.parse(toml: tinyExperiment)
        let settings = try RunSettings(config)
        let configTOML = config.tomlText()
        let runPath = base + "/run"
        let endpointFile = base + "/endpoint"
        let options = CoordinatorOptions(bind: "tcp://127.0.0.1:*", workers: 1, runDirectory: runPath,
                                         endpointFile: endpointFile, progress: false)

        let coordinator = Outcome<Result<String, CoordinatorError>>()
        Thread {
            do throws(CoordinatorError) {
                let summary = try Coordinator(settings: settings, configTOML: configTOML, options: options).run()
                coordinator.finish(.success(summary.pretty()))
            } catch {
                coordinator.finish(.failure(error))
            }
        }.start()

        // Wait for the endpoint file, then start the worker.
        var endpoint: String?
        let deadline = Date().addingTimeInterval(90)
        while endpoint == nil, Date() < deadline {
            endpoint = try? String(contentsOfFile: endpointFile, encoding: .utf8)
            if endpoint == nil { try await _Concurrency.Task.sleep(for: .milliseconds(20)) }
        }
        let bound = try #require(endpoint, "the coordinator never wrote its endpoint file")
        #expect(bound.hasPrefix("tcp://127.0.0.1:"))
        #expect(!bound.hasSuffix(":*"))
        let worker = Outcome<Result<Void, WorkerError>>()
        Thread {
            worker.finish(Result { () throws(WorkerError) in
                try WorkerProcess(options: WorkerOptions(connect: bound, name: "w0", connectTimeout: 10)).run()
            })
        }.start()

        let coordinatorResult = await Self.wait(coordinator, seconds: 90)
        let workerResult = await Self.wait(worker, seconds: 10)
        let summaryText: String
        switch coordinatorResult {
        case .success(let text)?: summaryText = text
        case .failure(let error)?: Issue.record("coordinator failed: \(error)"); return
        case nil: Issue.record("coordinator did not finish within 45 s"); return
        }
        switch workerResult {
        case .success?: break
        case .failure(let error)?: Issue.record("worker failed: \(error)")
        case nil: Issue.record("worker did not stop after the run")
        }

        let files = FileManager.default
        for name in ["config.toml", "events.jsonl", "rounds.jsonl", "clients.csv", "summary.json", "model.bin",
                     "logs/coordinator.log"] {
            #expect(files.fileExists(atPath: runPath + "/" + name), "\(name) missing")
        }
        #expect(try String(contentsOfFile: runPath + "/config.toml", encoding: .utf8) == configTOML)
        #expect(try String(contentsOfFile: runPath + "/summary.json", encoding: .utf8) == summaryText)

        let rounds = try String(contentsOfFile: runPath + "/rounds.jsonl", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(rounds.count == 3)
        for (index, line) in rounds.enumerated() {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["round"] as? Int == index + 1)
            #expect(object?["selected"] as? Int == 4)
            #expect(object?["completed"] as? Int == 4)
            // Evaluated every second round, and always in the last one; null otherwise.
            if index == 0 {
                #expect(object?["test_accuracy"] is NSNull)
            } else {
                #expect((object?["test_accuracy"] as? NSNumber) != nil)
            }
        }
        let csv = try String(contentsOfFile: runPath + "/clients.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 1 + 3 * 4)
        #expect(csv.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false)[3] == "ok" })
        let events = try String(contentsOfFile: runPath + "/events.jsonl", encoding: .utf8)
        #expect(events.contains("\"worker_joined\""))
        let summary = try JSONSerialization.jsonObject(with: Data(summaryText.utf8)) as? [String: Any]
        #expect(summary?["rounds"] as? Int == 3)
        let model = try #require(files.contents(atPath: runPath + "/model.bin"))
        #expect(model.count == (64 * 10 + 10) * 4)
    }

    /// Waits for `outcome` off the cooperative pool.
    private static func wait<Value: Sendable>(_ outcome: Outcome<Value>, seconds: Double) async -> Value? {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: outcome.wait(seconds: seconds)) }.start()
        }
    }
}
