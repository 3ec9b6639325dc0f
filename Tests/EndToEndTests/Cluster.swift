import Foundation
import Testing

/// Runs the real `gradwire` executable (built beside the test bundle) in a temporary directory.
enum Cluster {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `gradwire` binary: $GRADWIRE_BIN, or the one in the test bundle's build folder.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["GRADWIRE_BIN"] { return path }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("gradwire").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/gradwire").path
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "gradwire-e2e-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    struct Outcome {
        var status: Int32
        var output: String
    }

    /// Starts `gradwire arguments…`, output captured to a file.
    static func start(_ arguments: [String], in directory: String, log: String = "out.log") throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let logPath = directory + "/" + log
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Runs `gradwire arguments…` to completion (killed after `timeout` seconds).
    static func run(_ arguments: [String], in directory: String, timeout: Double = 240) throws -> Outcome {
        let log = "run-\(UUID().uuidString).log"
        let process = try start(arguments, in: directory, log: log)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        process.waitUntilExit()
        let output = (try? String(contentsOfFile: directory + "/" + log, encoding: .utf8)) ?? ""
        return Outcome(status: process.terminationStatus, output: output)
    }

    /// Writes an experiment file and returns its path.
    /// Writes `toml` as `<out>.toml` in `dir`, runs `gradwire launch` with `workers` worker processes
    /// into `dir/out`, expects it to succeed, and returns the run directory.
    @discardableResult
    static func launch(_ toml: String, in dir: String, out: String, workers: Int = 2) throws -> String {
        let file = try writeExperiment(toml, in: dir, name: out + ".toml")
        let result = try run(["launch", file, "--workers", "\(workers)", "--out", dir + "/" + out, "--quiet"], in: dir)
        #expect(result.status == 0, "launch \(out) failed: \(result.output)")
        return dir + "/" + out
    }

    static func writeExperiment(_ toml: String, in directory: String, name: String = "experiment.toml") throws -> String {
        let path = directory + "/" + name
        try toml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `file` with a coordinator and two hand-started workers w0 and w1, kills w1 with SIGKILL
    /// once `afterRounds` rounds are in rounds.jsonl (so the kill lands inside the next round), and
    /// waits up to 300 s for the coordinator. Returns the coordinator's exit status, or nil if it hung.
    static func runKillingSecondWorker(_ file: String, in dir: String, run: String, afterRounds: Int) throws -> Int32? {
        let coordinator = try start(["coordinator", file, "--bind", "tcp://127.0.0.1:*", "--workers", "2",
                                     "--out", run, "--endpoint-file", dir + "/endpoint", "--quiet"],
                                    in: dir, log: "coordinator.out")
        var endpoint = ""
        for _ in 0..<3000 where endpoint.isEmpty {
            endpoint = (try? String(contentsOfFile: dir + "/endpoint", encoding: .utf8)) ?? ""
            usleep(10_000)
        }
        guard !endpoint.isEmpty else {
            coordinator.terminate()
            throw ClusterError.coordinatorNeverListened(dir)
        }
        let w0 = try start(["worker", "--connect", endpoint, "--name", "w0"], in: dir, log: "w0.log")
        let w1 = try start(["worker", "--connect", endpoint, "--name", "w1"], in: dir, log: "w1.log")
        for _ in 0..<60_000 {
            if let text = try? String(contentsOfFile: run + "/rounds.jsonl", encoding: .utf8),
               text.split(separator: "\n").count >= afterRounds { break }
            usleep(1_000)
        }
        kill(w1.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(300)
        while coordinator.isRunning, Date() < deadline { usleep(50_000) }
        let hung = coordinator.isRunning
        if hung { coordinator.terminate() }
        coordinator.waitUntilExit()
        w0.waitUntilExit()
        return hung ? nil : coordinator.terminationStatus
    }

    enum ClusterError: Error, CustomStringConvertible {
        case coordinatorNeverListened(String)
        var description: String {
            switch self {
            case .coordinatorNeverListened(let dir): "the coordinator never wrote its endpoint file (logs in \(dir))"
            }
        }
    }

    // MARK: - Reading a run directory

    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func jsonLines(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
    }

    /// rounds.jsonl lines with every field whose name contains "wall" removed, re-serialised with sorted keys.
    static func deterministicRounds(_ runDirectory: String) throws -> [String] {
        try jsonLines(runDirectory + "/rounds.jsonl").map { row in
            let kept = row.filter { !$0.key.contains("wall") }
            let data = try JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// A top-level number of a pretty-printed summary.json, parsed with `Double(_:)` (Foundation's
    /// JSON reader can be an ulp off on Linux).
    static func exactNumber(_ path: String, _ key: String) throws -> Double? {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.contains("\"\(key)\":") }) else { return nil }
        return Double(line.split(separator: ":")[1].trimmingCharacters(in: CharacterSet(charactersIn: " ,")))
    }

    /// clients.csv rows as dictionaries.
    static func csvRows(_ path: String) throws -> [[String: String]] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else { return [] }
        return lines.dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, cells))
        }
    }
}
