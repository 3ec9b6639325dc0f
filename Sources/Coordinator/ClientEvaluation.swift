import Protocol
import Sim

/// Per-client test metrics: the global model's accuracy on every client's own test distribution.
///
/// A client's held-out share is the run's test set reweighted to the client's label histogram:
/// with acc_c the accuracy on the test samples of class c and π_{n,c} client n's fraction of
/// training samples of class c, client n's accuracy is Σ_c π_{n,c}·acc_c (over the classes the test
/// set has, renormalised). Under label skew this is the accuracy the client would measure on fresh
/// data of its own kind, and it shows what a weighting does to rarely participating clients. It
/// costs one pass over the test set per evaluation (split by class once), whatever N is.
/// Written as client_eval.csv (one row per client, one column per evaluated round) and summarised
/// in summary.json (`client_accuracy_*`).
struct ClientEvaluation {
    /// Test samples of each class (nil when the test set has none of that class).
    let classSets: [Dataset?]
    /// π_{n,c} over the classes with test samples.
    let fractions: [[Double]]
    /// Training samples per client.
    let samples: [Int]
    /// Evaluated rounds, in order.
    private(set) var rounds: [RoundID] = []
    /// `accuracy[k][n]`: client n after round `rounds[k]`.
    private(set) var accuracy: [[Double]] = []

    init(testSet: Dataset, labelCounts: [[Int]]) {
        var byClass = [[Int]](repeating: [], count: testSet.classes)
        for (i, label) in testSet.labels.enumerated() { byClass[Int(label)].append(i) }
        classSets = byClass.map { $0.isEmpty ? nil : testSet.subset($0) }
        let present = classSets.map { $0 != nil }
        samples = labelCounts.map { $0.reduce(0, +) }
        fractions = labelCounts.map { counts in
            var row = (0..<testSet.classes).map { c in present[c] && c < counts.count ? Double(counts[c]) : 0 }
            let total = row.reduce(0, +)
            if total > 0 { row = row.map { $0 / total } }
            return row
        }
    }

    /// Evaluates `model` on every class once and records every client's accuracy for `round`.
    mutating func record(round: RoundID, model: [Float], network: Network) {
        let perClass = classSets.map { set in set.map { network.evaluate(parameters: model, on: $0).accuracy } ?? 0 }
        rounds.append(round)
        accuracy.append(fractions.map { row in
            var sum = 0.0
            for c in 0..<row.count { sum += row[c] * perClass[c] }
            return sum
        })
    }

    /// client_eval.csv: `client,samples,probability,participations,round_<r>…`.
    func csv(participations: [Int], probabilities: [Double]?) -> String {
        var lines = ["client,samples,probability,participations," + rounds.map { "round_\($0)" }.joined(separator: ",")]
        for n in 0..<fractions.count {
            let p = probabilities.map { "\($0[n])" } ?? ""
            lines.append("\(n),\(samples[n]),\(p),\(participations[n])," + accuracy.map { "\($0[n])" }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// summary.json fields over the last evaluation: mean, minimum, 10th percentile, and the means
    /// over the quarter of clients that took part least and most often (ties by client id).
    func summaryFields(participations: [Int]) -> [(String, JSONValue)] {
        guard let last = accuracy.last, !last.isEmpty else { return [] }
        let sorted = last.sorted()
        let n = last.count
        let quarter = max(1, n / 4)
        let byParticipation = (0..<n).sorted { participations[$0] != participations[$1]
            ? participations[$0] < participations[$1] : $0 < $1 }
        func mean(_ clients: ArraySlice<Int>) -> Double { clients.reduce(0.0) { $0 + last[$1] } / Double(clients.count) }
        return [
            ("client_accuracy_mean", .double(last.reduce(0, +) / Double(n))),
            ("client_accuracy_min", .double(sorted[0])),
            ("client_accuracy_p10", .double(sorted[(n - 1) / 10])),
            ("client_accuracy_rare_quarter_mean", .double(mean(byParticipation.prefix(quarter)))),
            ("client_accuracy_frequent_quarter_mean", .double(mean(byParticipation.suffix(quarter)))),
        ]
    }
}

extension JSONValue {
    /// An object with `fields` appended (other values unchanged).
    func appending(_ fields: [(String, JSONValue)]) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members + fields)
    }
}
