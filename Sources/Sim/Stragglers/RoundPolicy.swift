import Protocol

// When does a synchronous round close, and whose updates does it keep? (issue 6; DESIGN §3.)
//
// The coordinator knows, for every selected client whose update arrived, its virtual arrival time
// (compute + link both ways + injected delay, seconds after the round started). A round policy
// turns those arrivals into a decision: which clients are kept, which are late (`straggler`), and
// the virtual instant the round closes — the round's virtual duration.
//
// - wait-all: keep everyone; close at the slowest arrival (0 when nothing arrived). This is the
//   behaviour of every round before policies existed, bit for bit.
// - deadline T: keep the arrivals at or before T. The round closes at T when someone is late, else
//   at the last arrival (a coordinator holding every update does not sit out the deadline).
// - first-k: keep the k earliest arrivals (ties broken by client id); the round closes at the k-th
//   arrival, or at the last one when fewer than k arrived (crashes, drops, rejections).
// - overcommit c: sample ⌈c·k⌉ clients instead of k (`selectionCount`), then behave as first-k.
//
// An arrival at +∞ stands for an update that never made it (a wall-mode round cut off before it
// arrived): it is always late and never decides the close time. Arrivals are ordered by
// (seconds, client), so the decision does not depend on message order. Pure: no clocks.

/// One update that reached the coordinator: the client and its virtual arrival, seconds after the
/// round started (+∞ = cut off before it arrived).
public struct RoundArrival: Sendable, Equatable {
    public var client: ClientID
    public var seconds: Double

    /// An arrival of `client` at `seconds`.
    public init(client: ClientID, seconds: Double) {
        self.client = client
        self.seconds = seconds
    }
}

/// What a round policy decided for one round.
public struct RoundPolicyDecision: Sendable, Equatable {
    /// Kept clients, sorted by id.
    public var kept: [ClientID]
    /// Late clients (`straggler`), sorted by id.
    public var late: [ClientID]
    /// The virtual instant the round closes (its duration), seconds.
    public var closeSeconds: Double

    /// A decision (sorted lists expected).
    public init(kept: [ClientID], late: [ClientID], closeSeconds: Double) {
        self.kept = kept
        self.late = late
        self.closeSeconds = closeSeconds
    }
}

/// How a synchronous round closes (`timing.policy`).
public enum RoundPolicy: Sendable, Equatable {
    /// Wait for every selected client.
    case waitAll
    /// Close at `seconds` after the round started; later arrivals are stragglers.
    case deadline(seconds: Double)
    /// Keep the first `k` arrivals.
    case firstK(Int)
    /// Sample ⌈factor·k⌉ clients, keep the first `k` arrivals.
    case overcommit(factor: Double, keep: Int)

    /// How many clients to sample when the participation process would pick `nominal`:
    /// ⌈c·nominal⌉ for over-commitment (computed so that 1.2·10 is 12, not 13), else `nominal`.
    public func selectionCount(nominal: Int) -> Int {
        guard case let .overcommit(factor, _) = self else { return nominal }
        return Self.ceilProduct(factor, nominal)
    }

    /// ⌈c·k⌉ robust to the binary representation of c (1.2·10 = 12.000000000000002 → 12).
    public static func ceilProduct(_ c: Double, _ k: Int) -> Int {
        let product = c * Double(k)
        let nearest = product.rounded()
        if abs(product - nearest) <= 1e-9 * max(1, abs(product)) { return Int(nearest) }
        return Int(product.rounded(.up))
    }

    /// How many arrivals the policy keeps at most (nil = no limit).
    public var keepLimit: Int? {
        switch self {
        case .waitAll, .deadline: return nil
        case .firstK(let k): return k
        case .overcommit(_, let keep): return keep
        }
    }

    /// The decision for a round whose updates arrived at `arrivals` (any order).
    public func decide(_ arrivals: [RoundArrival]) -> RoundPolicyDecision {
        let ordered = arrivals.sorted { ($0.seconds, $0.client) < ($1.seconds, $1.client) }
        let finite = ordered.filter { $0.seconds.isFinite }
        let slowest = finite.last?.seconds ?? 0
        var kept: [RoundArrival]
        var close: Double
        switch self {
        case .waitAll:
            kept = finite
            close = slowest
        case .deadline(let limit):
            kept = finite.filter { $0.seconds <= limit }
            close = kept.count == ordered.count ? slowest : limit
        case .firstK, .overcommit:
            let k = keepLimit ?? 0
            kept = Array(finite.prefix(k))
            close = kept.count == k ? (kept.last?.seconds ?? 0) : slowest
        }
        let keptSet = Set(kept.map(\.client))
        return RoundPolicyDecision(kept: kept.map(\.client).sorted(),
                                   late: ordered.map(\.client).filter { !keptSet.contains($0) }.sorted(),
                                   closeSeconds: close)
    }

    /// Whether a round that has `arrived` updates so far may close now (wall mode: first-k and
    /// over-commitment close on the k-th real arrival; the other policies wait for the clock).
    public func closesEarly(arrived: Int) -> Bool {
        guard let k = keepLimit else { return false }
        return arrived >= k
    }

    /// The deadline in virtual seconds, if the policy has one.
    public var deadlineSeconds: Double? {
        if case .deadline(let seconds) = self { return seconds }
        return nil
    }

    /// The policy's name as written in `timing.policy`.
    public var name: String {
        switch self {
        case .waitAll: return "wait-all"
        case .deadline: return "deadline"
        case .firstK: return "first-k"
        case .overcommit: return "overcommit"
        }
    }
}

extension RoundMachine.ClientResult {
    /// A selected client the round never asked (unavailable in a timing trace): `dropped`, no worker.
    public static func notAsked(client: ClientID, reason: String) -> Self {
        Self(client: client, worker: "", status: .dropped, update: nil, reason: reason, bytesUp: 0)
    }
}
