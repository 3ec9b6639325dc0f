import Experiment
import Protocol
import Sim
import ZeroMQ

/// Why a coordinator run could not finish.
public enum CoordinatorError: Error, CustomStringConvertible {
    case data(DataError)
    case transport(ZMQError)
    case runDirectory(RunDirectoryError)
    case workersMissing(expected: Int, joined: Int, waitedSeconds: Double, endpoint: String)
    case allWorkersLost(round: RoundID, lastReason: String? = nil)
    /// The experiment cannot be set up for this data (e.g. a trace file that does not fit).
    case config(ConfigError)
    /// The participation-aware aggregation or the server optimizer refused a round's inputs.
    case aggregation(round: RoundID, detail: String)

    public var description: String {
        switch self {
        case .data(let error):
            return "data: \(error)"
        case .transport(let error):
            return "transport: \(error)"
        case .runDirectory(let error):
            return "\(error)"
        case let .workersMissing(expected, joined, waited, endpoint):
            return "only \(joined) of \(expected) workers joined \(endpoint) within \(Int(waited)) s; start the missing "
                + "workers with `gradwire worker --connect \(endpoint)` or lower --workers (run.join_timeout_s sets the wait)"
        case .config(let error):
            return "experiment: \(error.description)"
        case let .aggregation(round, detail):
            return "aggregation of round \(round) failed: \(detail)"
        case .allWorkersLost(let round, let lastReason?):
            return "every worker was lost in round \(round); the last one said: \(lastReason). Fix that and run again "
                + "(events.jsonl and logs/ have the details)"
        case .allWorkersLost(let round, nil):
            return "every worker was lost in round \(round); nothing can train. See events.jsonl and logs/ for why "
                + "they stopped"
        }
    }
}
