/// `[local]`: the training each client does in a round.
public struct LocalSection: ConfigSection {
    /// Client optimizer.
    public enum Optimizer: String, CaseIterable, Sendable, Hashable {
        /// Plain minibatch SGD.
        case sgd
        /// SGD with heavy-ball momentum (`momentum`).
        case momentum
        /// Lion (arrives later).
        case lion
    }

    /// Client optimizer.
    public var optimizer: Optimizer = .sgd
    /// Learning rate.
    public var lr: Double = 0.1
    /// Momentum factor (optimizer = momentum only).
    public var momentum: Double = 0.9
    /// L2 weight decay.
    public var weightDecay: Double = 0
    /// Minibatch size; the last partial batch of an epoch is kept.
    public var batchSize: Int = 10
    /// Local epochs per round (used when `steps` is nil).
    public var epochs: Int = 1
    /// Local minibatch steps per round instead of epochs; nil = use `epochs`.
    public var steps: Int?
    /// Reshuffle the client's samples every epoch (seeded); false = stored partition order.
    public var shuffle: Bool = false
    /// FedProx proximal coefficient μ (0 = off; nonzero arrives later).
    public var proxMu: Double = 0

    /// The defaults.
    public init() {}

    static let sectionName = "local"
    static let summary = "The training each client does in a round."
    static let exclusiveKeys = [["epochs", "steps"]]

    static var keys: [KeySpec<LocalSection>] {
        [
            .choice("optimizer", \.optimizer, later: [.lion: "Lion arrives with the Distributed Lion work; use \"sgd\" or \"momentum\""],
                    "Client optimizer."),
            .float("lr", \.lr, .positive, "Learning rate."),
            .float("momentum", \.momentum, .unitHalfOpen, "Momentum factor.")
                .unused(when: { $0.optimizer != .momentum ? "local.optimizer is \"\($0.optimizer.rawValue)\"" : nil }),
            .float("weight_decay", \.weightDecay, .nonNegative, "L2 weight decay λ (adds λ·w to the gradient)."),
            .integer("batch_size", \.batchSize, min: 1, "Minibatch size; the last partial batch of an epoch is kept."),
            .integer("epochs", \.epochs, min: 1, "Local epochs per round; give either epochs or steps.")
                .unused(when: { $0.steps != nil ? "local.steps is set" : nil }),
            .optionalInteger("steps", \.steps, min: 1, "Local minibatch steps per round instead of epochs."),
            .boolean("shuffle", \.shuffle, "Reshuffle each client's samples every epoch (seeded); false keeps partition order."),
            .float("prox_mu", \.proxMu, .nonNegative,
                   unavailable: { $0 != 0 ? "FedProx arrives with the FedAU/optimizers work; use 0" : nil },
                   "FedProx proximal coefficient μ; 0 = plain local SGD.")
                .arrivesLater("values other than 0: FedProx arrives with the FedAU/optimizers work"),
        ]
    }
}
