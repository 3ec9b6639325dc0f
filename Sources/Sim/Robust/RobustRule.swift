// One step of an aggregation chain with its typed parameters, and the mapping from the names and
// parameter keys used in experiment files and fixtures (docs/robust-aggregation.md lists them).

/// Which neighbour count Krum-type scores use.
public enum KrumNeighbours: String, Sendable, Equatable {
    /// k = n − f − 2 (Blanchard et al., Flower, AggregaThor). The product default.
    case paper = "n-f-2"
    /// k = n − f − 1 (ByzFL 0.0.11).
    case byzfl = "n-f-1"
}

/// Settings of the smoothed Weiszfeld iteration for the geometric median.
public struct WeiszfeldOptions: Sendable, Equatable {
    /// Where the iteration starts.
    public enum Start: String, Sendable, Equatable {
        /// The zero vector (ByzFL).
        case zero
        /// The mean of the inputs (geom_median, RFA).
        case mean
        /// The previous round's aggregate (zero vector when there is none).
        case previous
    }
    /// Smoothing ν: distances below ν count as ν.
    public var nu: Double
    /// Maximum number of iterations (exactly this many when `tolerance == 0`).
    public var maxIterations: Int
    /// Stop when |F_prev − F| ≤ tolerance · F (F = mean distance to the inputs); 0 = no objective test.
    public var tolerance: Double
    /// Stop when a step moves z by at most stepTolerance · max(1, ‖z‖); 0 = no step test.
    public var stepTolerance: Double
    /// Starting point.
    public var start: Start

    /// ByzFL `GeometricMedian(nu=0.1, T=3)`: from zero, exactly T steps.
    public static func byzfl(nu: Double = 0.1, iterations: Int = 3) -> WeiszfeldOptions {
        WeiszfeldOptions(nu: nu, maxIterations: iterations, tolerance: 0, stepTolerance: 0, start: .zero)
    }
    /// Converged geometric median: from the mean, ν = 1e-6 (geom_median), until a step moves z by at most
    /// 1e-12 · max(1, ‖z‖), at most 100 000 steps.
    public static let exact = WeiszfeldOptions(nu: 1e-6, maxIterations: 100_000, tolerance: 0, stepTolerance: 1e-12, start: .mean)

    /// Explicit options.
    public init(nu: Double, maxIterations: Int, tolerance: Double, stepTolerance: Double = 0, start: Start) {
        self.nu = nu
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.stepTolerance = stepTolerance
        self.start = start
    }
}

/// Where MoNNA's pivot vector comes from.
public enum MoNNAPivot: Sendable, Equatable {
    /// Input row `index` (ByzFL `MoNNA(f, idx)`: the aggregating node's own vector).
    case row(Int)
    /// The previous aggregate held by the coordinator (the coordinator plays the pivot node);
    /// the coordinate-wise median of the inputs in the first round.
    case previous
}

/// One step of a chain: a pre-aggregator (n rows → n' rows) or an aggregator (rows → one vector).
public enum RobustRule: Sendable, Equatable {
    case mean
    case median
    /// Trim `f` per side, or `Int(proportion · n)` when `proportion` is set (Flower's `proportiontocut`).
    case trimmedMean(f: Int, proportion: Double?)
    case krum(f: Int, neighbours: KrumNeighbours)
    /// `m` = number of rows averaged; nil = n − f.
    case multiKrum(f: Int, m: Int?, neighbours: KrumNeighbours)
    case geometricMedian(WeiszfeldOptions)
    /// `start` nil = the previous aggregate from the context, or zero.
    case centeredClipping(tau: Double, iterations: Int, start: [Double]?)
    case bulyan(f: Int)
    case meamed(f: Int)
    case mda(f: Int)
    case smea(f: Int)
    case caf(f: Int)
    case monna(f: Int, pivot: MoNNAPivot)
    /// Flag Aggregator: subspace rank, IRLS iterations.
    case flag(rank: Int, iterations: Int)
    case fltrust
    /// SignGuard: norm band (lower·M, upper·M), fraction of coordinates for the sign statistics.
    case signGuard(lower: Double, upper: Double, coordinateFraction: Double)
    /// DnC: sub-dimension b, iterations, filter constant c (drops ⌊c·f⌋ per iteration).
    case dnc(f: Int, subDimension: Int, iterations: Int, filterFraction: Double)
    // Pre-aggregators
    case nnm(f: Int)
    /// Buckets of `size` rows; `permutation` injected (fixtures) or drawn from the context's seed.
    case bucketing(size: Int, permutation: [Int]?)
    case clipping(c: Double)
    case arc(f: Int)

    /// All rule names, aggregators first.
    public static let aggregatorNames = [
        "mean", "median", "trimmed-mean", "krum", "multi-krum", "geometric-median", "centered-clipping",
        "bulyan", "meamed", "mda", "smea", "caf", "monna", "flag", "fltrust", "signguard", "dnc",
    ]
    /// All pre-aggregator names.
    public static let preAggregatorNames = ["nnm", "bucketing", "clipping", "arc"]

    /// The rule's name as written in experiment files and fixtures.
    public var name: String {
        switch self {
        case .mean: "mean"
        case .median: "median"
        case .trimmedMean: "trimmed-mean"
        case .krum: "krum"
        case .multiKrum: "multi-krum"
        case .geometricMedian: "geometric-median"
        case .centeredClipping: "centered-clipping"
        case .bulyan: "bulyan"
        case .meamed: "meamed"
        case .mda: "mda"
        case .smea: "smea"
        case .caf: "caf"
        case .monna: "monna"
        case .flag: "flag"
        case .fltrust: "fltrust"
        case .signGuard: "signguard"
        case .dnc: "dnc"
        case .nnm: "nnm"
        case .bucketing: "bucketing"
        case .clipping: "clipping"
        case .arc: "arc"
        }
    }

    /// True for steps that map rows to rows (nnm, bucketing, clipping, arc).
    public var isPreAggregator: Bool {
        switch self {
        case .nnm, .bucketing, .clipping, .arc: true
        default: false
        }
    }

    /// The declared f the rule uses, if it has one.
    public var f: Int? {
        switch self {
        case .trimmedMean(let f, _), .krum(let f, _), .multiKrum(let f, _, _), .bulyan(let f), .meamed(let f),
            .mda(let f), .smea(let f), .caf(let f), .monna(let f, _), .dnc(let f, _, _, _), .nnm(let f), .arc(let f):
            f
        default: nil
        }
    }

    /// Builds a rule from its name and parameters (keys of docs/robust-aggregation.md). `defaultF` is
    /// used when the parameters have no "f" (the experiment's `aggregation.assumed_f`).
    public init(name: String, parameters: RuleParameters = RuleParameters(), defaultF: Int) throws(RobustError) {
        let p = parameters
        func f() throws(RobustError) -> Int { try p.int("f", rule: name, min: 0) ?? max(0, defaultF) }
        switch name {
        case "mean", "average":
            try p.checkKeys([], rule: name)
            self = .mean
        case "median":
            try p.checkKeys([], rule: name)
            self = .median
        case "trimmed-mean":
            try p.checkKeys(["f", "proportiontocut"], rule: name)
            var proportion = try p.double("proportiontocut", rule: name, nonNegative: true)
            if let value = proportion, value >= 0.5 {
                throw .invalidParameter(rule: name, name: "proportiontocut", value: "\(value)", reason: "must be below 0.5")
            }
            if proportion == nil, p.has("proportiontocut") { proportion = nil }
            self = .trimmedMean(f: try f(), proportion: proportion)
        case "krum", "multi-krum":
            try p.checkKeys(["f", "neighbours", "neighbour_count"] + (name == "krum" ? [] : ["m"]), rule: name)
            let raw = try p.string("neighbours", rule: name, allowed: ["n-f-2", "n-f-1", "paper", "flower", "byzfl"])
            let neighbours: KrumNeighbours = (raw == "n-f-1" || raw == "byzfl") ? .byzfl : .paper
            if name == "krum" {
                self = .krum(f: try f(), neighbours: neighbours)
            } else {
                self = .multiKrum(f: try f(), m: try p.int("m", rule: name, min: 1), neighbours: neighbours)
            }
        case "geometric-median":
            try p.checkKeys(["variant", "nu", "T", "tolerance", "step_tolerance", "z0"], rule: name)
            let variant = try p.string("variant", rule: name, allowed: ["exact", "byzfl"]) ?? "exact"
            var options: WeiszfeldOptions = variant == "byzfl" ? .byzfl() : .exact
            if let nu = try p.double("nu", rule: name, positive: true) { options.nu = nu }
            if let t = try p.int("T", rule: name, min: 1) { options.maxIterations = t }
            if let tol = try p.double("tolerance", rule: name, nonNegative: true) { options.tolerance = tol }
            if let tol = try p.double("step_tolerance", rule: name, nonNegative: true) { options.stepTolerance = tol }
            if let z0 = try p.string("z0", rule: name, allowed: ["zero", "mean", "previous"]) {
                options.start = WeiszfeldOptions.Start(rawValue: z0) ?? .zero
            }
            self = .geometricMedian(options)
        case "centered-clipping":
            try p.checkKeys(["tau", "L", "v0"], rule: name)
            let tau = try p.double("tau", rule: name, positive: true) ?? 100.0
            let l = try p.int("L", rule: name, min: 1) ?? 1
            var start: [Double]? = nil
            if let node = p.values["v0"], node.stringValue != "previous" {
                start = try p.vector("v0", rule: name)
            }
            self = .centeredClipping(tau: tau, iterations: l, start: start)
        case "bulyan":
            try p.checkKeys(["f", "theta", "beta", "selection", "neighbours"], rule: name)
            let fv = try f()
            if let theta = try p.int("theta", rule: name), let beta = try p.int("beta", rule: name),
                beta != theta - 2 * fv {
                throw .invalidParameter(rule: name, name: "beta", value: "\(beta)", reason: "Bulyan uses β = θ − 2f = \(theta - 2 * fv)")
            }
            _ = try p.string("selection", rule: name, allowed: ["recursive-krum"])
            self = .bulyan(f: fv)
        case "meamed":
            try p.checkKeys(["f"], rule: name)
            self = .meamed(f: try f())
        case "mda":
            try p.checkKeys(["f"], rule: name)
            self = .mda(f: try f())
        case "smea":
            try p.checkKeys(["f"], rule: name)
            self = .smea(f: try f())
        case "caf":
            try p.checkKeys(["f"], rule: name)
            self = .caf(f: try f())
        case "monna":
            try p.checkKeys(["f", "idx", "pivot"], rule: name)
            var pivot = MoNNAPivot.previous
            if let idx = try p.int("idx", rule: name, min: 0) { pivot = .row(idx) }
            if let raw = p.values["pivot"] {
                if let idx = raw.intValue, idx >= 0 { pivot = .row(idx) }
                else if raw.stringValue != "previous" {
                    throw .invalidParameter(rule: name, name: "pivot", value: raw.jsonText, reason: "expected \"previous\" or a row index")
                }
            }
            self = .monna(f: try f(), pivot: pivot)
        case "flag":
            try p.checkKeys(["r", "iterations"], rule: name)
            self = .flag(rank: try p.int("r", rule: name, min: 1) ?? 8, iterations: try p.int("iterations", rule: name, min: 0) ?? 1)
        case "fltrust":
            try p.checkKeys([], rule: name)
            self = .fltrust
        case "signguard":
            try p.checkKeys(["lower", "upper", "coordinate_fraction"], rule: name)
            let lower = try p.double("lower", rule: name, nonNegative: true) ?? 0.1
            let upper = try p.double("upper", rule: name, positive: true) ?? 3.0
            let fraction = try p.double("coordinate_fraction", rule: name, positive: true) ?? 0.1
            guard lower < upper, fraction <= 1 else {
                throw .invalidParameter(rule: name, name: "lower/upper/coordinate_fraction", value: "\(lower)/\(upper)/\(fraction)",
                                        reason: "need lower < upper and 0 < coordinate_fraction ≤ 1")
            }
            self = .signGuard(lower: lower, upper: upper, coordinateFraction: fraction)
        case "dnc":
            try p.checkKeys(["f", "b", "niters", "c"], rule: name)
            self = .dnc(f: try f(), subDimension: try p.int("b", rule: name, min: 1) ?? 10_000,
                        iterations: try p.int("niters", rule: name, min: 1) ?? 5,
                        filterFraction: try p.double("c", rule: name, nonNegative: true) ?? 1.0)
        case "nnm":
            try p.checkKeys(["f"], rule: name)
            self = .nnm(f: try f())
        case "bucketing":
            try p.checkKeys(["s", "permutation"], rule: name)
            self = .bucketing(size: try p.int("s", rule: name, min: 1) ?? 2, permutation: try p.intArray("permutation", rule: name))
        case "clipping":
            try p.checkKeys(["c"], rule: name)
            self = .clipping(c: try p.double("c", rule: name, positive: true) ?? 2.0)
        case "arc":
            try p.checkKeys(["f", "clipped_count"], rule: name)
            self = .arc(f: try f())
        default:
            throw .unknownRule(name, suggestion: RobustRule.closestName(to: name))
        }
    }

    /// The known name closest to `name` (edit distance ≤ 3), for error messages.
    public static func closestName(to name: String) -> String? {
        let candidates = aggregatorNames + preAggregatorNames
        let scored = candidates.map { ($0, editDistance(Array(name.lowercased()), Array($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 3 else { return nil }
        return best.0
    }

    private static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, cb) in b.enumerated() {
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
