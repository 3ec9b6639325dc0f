/// The training modes of DESIGN §5 that the foundation runs.
public enum TrainingMode: String, Sendable, Equatable, CaseIterable {
    /// Selected clients run local epochs (or steps) and send model deltas Δ = x_local − x_global.
    case federated
    /// Every selected client computes one minibatch gradient per round; the server takes an SGD
    /// (optionally momentum) step on the weighted average. One round is one optimisation step.
    case distributedSGD = "distributed-sgd"
}
