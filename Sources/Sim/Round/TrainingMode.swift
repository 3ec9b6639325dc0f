/// The training modes of DESIGN §5 that the foundation runs.
public enum TrainingMode: String, Sendable, Equatable, CaseIterable {
    /// Selected clients run local epochs (or steps) and send model deltas Δ = x_local − x_global.
    case federated
    /// Every selected client computes one minibatch gradient per round; the server takes an SGD
    /// (optionally momentum) step on the weighted average. One round is one optimisation step.
    case distributedSGD = "distributed-sgd"
    /// Distributed Lion (spec §5): every selected client keeps Lion momentum across rounds on its
    /// worker, computes one minibatch gradient per round and sends the packed signs of its Lion
    /// update; the server votes (majority or average) and every copy of the model applies the result.
    case distributedLion = "distributed-lion"
}
