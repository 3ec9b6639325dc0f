import ArgumentParser
import Experiment
import Foundation
import Synchronization

struct Launch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an experiment on this machine: a coordinator and N worker processes per run.",
        discussion: """
        A file with [[variant]] tables, a [grid] or run.seeds runs every combination, one run directory each \
        inside --out, and writes comparison.csv there.
        """)

    @Argument(help: "The experiment file (TOML).") var file: String
    @Option(help: "Worker processes per run.") var workers: Int = 2
    @Option(help: "The run directory (default runs/<name>-<timestamp>).") var out: String?
    @Option(name: .customLong("set"), help: "Override a key: section.key=value (repeatable).") var overrides: [String] = []
    @Flag(help: "No progress line.") var quiet = false

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    }

    func run() throws {
        let (experiment, runs) = try plannedRuns(file: file, overrides: overrides)
        guard let first = runs.first else { throw fail("\(file) describes no run", code: 2) }
        let root = out ?? defaultRunDirectory(name: first.config.run.name)
        let supervisor = Supervisor.shared
        supervisor.installSignalHandlers()
        let single = runs.count == 1 && !experiment.isComparison
        for fault in first.config.faults where (fault.worker ?? -1) >= workers {
            FileHandle.standardError.write(Data(("warning: the \(fault.kind.rawValue) fault of round \(fault.round) names worker "
                + "w\(fault.worker!), but this launch starts w0 … w\(workers - 1) (--workers \(workers)); it will not happen\n").utf8))
        }
        var summaries: [(PlannedRun, String)] = []
        for (index, run) in runs.enumerated() {
            let directory = single ? root : root + "/" + run.directoryName
            if !single, !quiet {
                FileHandle.standardError.write(Data("[\(index + 1)/\(runs.count)] \(run.directoryName)\n".utf8))
            }
            do {
                try supervisor.runCluster(config: run.config.tomlText(), directory: directory, workers: workers,
                                          quiet: quiet, rejoins: Supervisor.rejoins(run.config.faults, workers: workers))
            } catch {
                throw fail("\(run.directoryName.isEmpty ? "run" : run.directoryName): \(error)", code: 1)
            }
            summaries.append((run, directory + "/summary.json"))
        }
        if !single {
            do {
                try writeComparison(summaries, to: root + "/comparison.csv")
            } catch {
                throw fail("cannot write \(root)/comparison.csv: \(error)", code: 1)
            }
        }
        print(single ? "run directory: \(root)" : "run directory: \(root) (\(runs.count) runs, comparison.csv)")
    }

    /// comparison.csv: the numeric summary fields of every run, with mean and std per variant.
    private func writeComparison(_ runs: [(PlannedRun, String)], to path: String) throws {
        let fields = ["rounds", "final_test_accuracy", "final_test_loss", "best_test_accuracy", "bytes_up",
                      "bytes_down", "virtual_time_s", "time_to_target_s", "stragglers", "crashed", "rejected",
                      "wall_time_s"]
        var table = ComparisonTable(fields: fields)
        for (run, summaryPath) in runs {
            let values = try summaryNumbers(summaryPath, fields: fields)
            table.add(variant: run.variant.isEmpty ? run.directoryName : run.variant, seed: run.seed, values: values)
        }
        try table.csv().write(toFile: path, atomically: true, encoding: .utf8)
    }
}

/// The numeric top-level fields of a summary.json written by the coordinator (one `"key": value`
/// per line). Parsed with `Double(_:)` so that values keep every bit (Foundation's JSON reader can
/// be an ulp off on Linux); null and missing fields are nil.
func summaryNumbers(_ path: String, fields: [String]) throws -> [String: Double?] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    var found: [String: Double] = [:]
    for line in text.split(separator: "\n") {
        let parts = line.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { continue }
        let key = parts[0].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
        if let number = Double(value) { found[key] = number }
    }
    return Dictionary(uniqueKeysWithValues: fields.map { ($0, found[$0]) })
}

/// Starts and stops the processes of `gradwire launch`; on Ctrl-C (SIGINT) or SIGTERM it stops
/// every process it started, then exits with status 130.
final class Supervisor: Sendable {
    static let shared = Supervisor()

    private let children = Mutex<Set<Int32>>([])
    /// Keeps the signal sources alive. Written only by `installSignalHandlers`, once, on the main
    /// thread before any child exists; never read elsewhere.
    nonisolated(unsafe) private var signalSources: [any DispatchSourceSignal] = []

    struct LaunchError: Error, CustomStringConvertible {
        var description: String
    }

    func installSignalHandlers() {
        guard signalSources.isEmpty else { return }
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                FileHandle.standardError.write(Data("\ninterrupted: stopping every process of this launch\n".utf8))
                stopAll()
                exit(130)
            }
            source.resume()
            signalSources.append(source)
        }
    }

    /// Runs one coordinator and `workers` workers for the resolved config; returns when the
    /// coordinator has exited and the workers are gone.
    func runCluster(config: String, directory: String, workers: Int, quiet: Bool,
                    rejoins: [(worker: Int, round: Int)] = []) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        let configPath = directory + "/config.toml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let endpointFile = directory + "/.endpoint"
        try? fm.removeItem(atPath: endpointFile)

        var arguments = ["coordinator", configPath, "--bind", "tcp://127.0.0.1:*", "--workers", "\(workers)",
                         "--out", directory, "--endpoint-file", endpointFile]
        if quiet { arguments.append("--quiet") }
        let coordinator = try start(arguments, log: nil)
        defer { stopAll() }

        var endpoint: String?
        let deadline = Date().addingTimeInterval(120)
        while endpoint == nil {
            if let text = try? String(contentsOfFile: endpointFile, encoding: .utf8), !text.isEmpty { endpoint = text }
            else if !coordinator.isRunning {
                throw LaunchError(description: "the coordinator exited with status \(coordinator.terminationStatus) "
                                  + "before listening; see \(directory)/logs/coordinator.log")
            } else if Date() > deadline {
                throw LaunchError(description: "the coordinator did not start listening within 120 s")
            } else { usleep(2000) }
        }
        try? fm.removeItem(atPath: endpointFile)
        var workerProcesses: [Process] = []
        for index in 0..<workers {
            workerProcesses.append(try start(["worker", "--connect", endpoint!, "--name", "w\(index)"],
                                             log: directory + "/logs/worker-\(index).log"))
        }
        var pending = rejoins
        while coordinator.isRunning {
            if !pending.isEmpty { restartRejoining(&pending, workerProcesses: &workerProcesses, endpoint: endpoint!, directory: directory) }
            usleep(pending.isEmpty ? 100_000 : 20_000)
        }
        coordinator.waitUntilExit()
        forget(coordinator)
        // Workers leave on the coordinator's shutdown; give them a moment, then stop the rest.
        let grace = Date().addingTimeInterval(5)
        while workerProcesses.contains(where: \.isRunning), Date() < grace { usleep(10_000) }
        guard coordinator.terminationStatus == 0 else {
            throw LaunchError(description: "the coordinator failed (exit status \(coordinator.terminationStatus)); "
                              + "see \(directory)/logs/coordinator.log and \(directory)/events.jsonl")
        }
    }

    /// The `rejoin` faults of worker processes this launch starts (`w<n>` with n < workers).
    static func rejoins(_ faults: [FaultSection], workers: Int) -> [(worker: Int, round: Int)] {
        faults.compactMap { f in
            guard f.kind == .rejoin, let w = f.worker, w < workers else { return nil }
            return (w, f.round)
        }
    }

    /// A `rejoin` fault: starts worker w<n> again (same name, log appended) once it has exited and
    /// the round before the rejoin round is in rounds.jsonl.
    private func restartRejoining(_ pending: inout [(worker: Int, round: Int)], workerProcesses: inout [Process],
                                  endpoint: String, directory: String) {
        let text = (try? String(contentsOfFile: directory + "/rounds.jsonl", encoding: .utf8)) ?? ""
        let finished = text.split(separator: "\n").count
        for (index, rejoin) in pending.enumerated().reversed()
        where !workerProcesses[rejoin.worker].isRunning && finished >= rejoin.round - 1 {
            forget(workerProcesses[rejoin.worker])
            let log = directory + "/logs/worker-\(rejoin.worker).log"
            if let process = try? start(["worker", "--connect", endpoint, "--name", "w\(rejoin.worker)"], log: log, append: true) {
                workerProcesses[rejoin.worker] = process
            }
            pending.remove(at: index)
        }
    }

    private func start(_ arguments: [String], log: String?, append: Bool = false) throws -> Process {
        let process = Process()
        process.executableURL = Self.executableURL
        process.arguments = arguments
        if let log {
            if !append || !FileManager.default.fileExists(atPath: log) {
                _ = FileManager.default.createFile(atPath: log, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            if append { handle.seekToEndOfFile() }
            process.standardOutput = handle
            process.standardError = handle
        }
        try process.run()
        let pid = process.processIdentifier
        children.withLock { _ = $0.insert(pid) }
        return process
    }

    private func forget(_ process: Process) {
        let pid = process.processIdentifier
        _ = children.withLock { $0.remove(pid) }
    }

    /// SIGTERM to every child still running, SIGKILL after two seconds.
    func stopAll() {
        let running = children.withLock { all -> [Int32] in
            defer { all.removeAll() }
            return Array(all)
        }
        for pid in running where Self.isAlive(pid) { kill(pid, SIGTERM) }
        let deadline = Date().addingTimeInterval(2)
        while running.contains(where: Self.isAlive), Date() < deadline { usleep(10_000) }
        for pid in running where Self.isAlive(pid) { kill(pid, SIGKILL) }
    }

    /// True while `pid` exists and is not a zombie waiting to be reaped.
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    /// This executable, so that children run the same build.
    static let executableURL: URL = {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }()
}
