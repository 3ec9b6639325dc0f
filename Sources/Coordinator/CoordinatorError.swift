import Protocol
import Sim
import ZeroMQ

/// Why a coordinator run could not finish.
public enum CoordinatorError: Error, CustomStringConvertible {
    case data(DataError)
    case transport(ZMQError)
    case runDirectory(RunDirectoryError)
    case workersMissing(expected: Int, joined: Int, waitedSeconds: Double, endpoint: String)
    case allWorkersLost(round: RoundID)

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
        case .allWorkersLost(let round):
            return "every worker was lost in round \(round); nothing can train. See events.jsonl and logs/ for why "
                + "they stopped"
        }
    }
}
