import ArgumentParser
import Coordinator
import Experiment
import Foundation
import Sim
import Worker

@main
struct Gradwire: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradwire",
        abstract: "A federated and distributed training simulator: a coordinator and worker processes over ZeroMQ.",
        subcommands: [Launch.self, CoordinatorCommand.self, WorkerCommand.self, Validate.self, Aggregate.self]
    )

    static func main() {
        BLAS.prepare()  // before any thread exists (docs/architecture.md, "OpenBLAS kernels")
        main(nil)
    }
}

/// Prints `error: …` and exits with `code` (1: the run failed, 2: the input is wrong).
func fail(_ message: String, code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(code)
}

/// Loads an experiment file and its planned runs, mapping every problem to a one-line error.
func plannedRuns(file: String, overrides: [String]) throws -> (ExperimentFile, [PlannedRun]) {
    do {
        let experiment = try ExperimentFile.load(path: file)
        let runs = try experiment.plannedRuns(overrides: overrides)
        // Also map every run to the settings it will run with (rule chains, attacks, modes).
        for run in runs {
            do {
                _ = try RunSettings(run.config)
            } catch {
                throw run.variant.isEmpty ? error : ConfigError.inVariant(label: run.variant, error: error)
            }
        }
        for warning in experiment.warnings {
            FileHandle.standardError.write(Data("warning: \(file): \(warning)\n".utf8))
        }
        return (experiment, runs)
    } catch {
        throw fail("\(file): \(error)", code: 2)
    }
}

/// `runs/<name>-<UTC timestamp>`.
func defaultRunDirectory(name: String) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd-HHmmss"
    return "runs/\(name)-\(formatter.string(from: Date()))"
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check an experiment file and list the runs it describes.")

    @Argument(help: "The experiment file (TOML).") var file: String
    @Option(name: .customLong("set"), help: "Override a key: section.key=value (repeatable).") var overrides: [String] = []

    func run() throws {
        let (_, runs) = try plannedRuns(file: file, overrides: overrides)
        print("\(file): ok, \(runs.count) run\(runs.count == 1 ? "" : "s")")
        for run in runs where !run.variant.isEmpty || runs.count > 1 {
            print("  \(run.directoryName)  (variant \(run.variant.isEmpty ? "-" : run.variant), seed \(run.seed))")
        }
    }
}

struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator", abstract: "Run the coordinator of one experiment run (workers join it).")

    @Argument(help: "The experiment file (TOML); it must describe a single run.") var file: String
    @Option(help: "ZeroMQ endpoint to bind, e.g. tcp://0.0.0.0:5555.") var bind: String
    @Option(help: "Number of worker processes to wait for.") var workers: Int
    @Option(help: "The run directory (default runs/<name>-<timestamp>).") var out: String?
    @Option(name: .customLong("set"), help: "Override a key: section.key=value (repeatable).") var overrides: [String] = []
    @Option(help: "Write the bound endpoint to this file once listening.") var endpointFile: String?
    @Flag(help: "No progress line.") var quiet = false

    func validate() throws {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    }

    func run() throws {
        let (_, runs) = try plannedRuns(file: file, overrides: overrides)
        guard runs.count == 1, let planned = runs.first else {
            throw fail("\(file) describes \(runs.count) runs (variants, grid or seeds); run it with `gradwire launch`, "
                       + "or give the coordinator a file with one run", code: 2)
        }
        let settings: RunSettings
        do { settings = try RunSettings(planned.config) } catch { throw fail("\(file): \(error)", code: 2) }
        let options = CoordinatorOptions(bind: bind, workers: workers,
                                         runDirectory: out ?? defaultRunDirectory(name: settings.name),
                                         endpointFile: endpointFile, progress: !quiet)
        do {
            try Coordinator(settings: settings, configTOML: planned.config.tomlText(), options: options).run()
        } catch {
            throw fail("\(error)", code: 1)
        }
    }
}

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run a worker process that hosts logical clients for a coordinator.")

    @Option(help: "The coordinator's endpoint, e.g. tcp://10.0.0.1:5555.") var connect: String
    @Option(help: "This worker's name (unique per run; a worker that rejoins under the same name gets its clients back).")
    var name: String?
    @Option(help: "How many clients this worker is prepared to host (informational).") var capacity: Int = 0
    @Option(help: "Seconds to wait for the coordinator's welcome.") var timeout: Double = 30

    func run() throws {
        let host = ProcessInfo.processInfo.hostName
        let options = WorkerOptions(connect: connect, name: name ?? "\(host)-\(getpid())", capacity: capacity,
                                    connectTimeout: timeout)
        do {
            try WorkerProcess(options: options).run()
        } catch {
            throw fail("worker \(options.name): \(error)", code: 1)
        }
    }
}

struct Aggregate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute one robust aggregation rule, pre-aggregator, chain or attack on the vectors of a JSON case.",
        discussion: """
        The file uses the fixture format of docs/robust-aggregation.md: {"kind": "aggregator" | "preaggregator" | \
        "chain" | "attack", "rule" or "steps" or "attack", "params", "inputs" or "honest"}. An "expected" field is \
        ignored. Computed in Double; printed as a bare JSON array (a vector, or a list of vectors for a \
        pre-aggregator) of shortest round-trip doubles, +∞ as the string "Infinity".
        """)

    @Argument(help: "The case file (JSON).") var file: String

    func run() throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw fail("cannot read \(file): \(error.localizedDescription)", code: 2)
        }
        do {
            print(try RobustCase(text: text).evaluate().jsonText)
        } catch {
            throw fail("\(file): \(error)", code: 2)
        }
    }
}
