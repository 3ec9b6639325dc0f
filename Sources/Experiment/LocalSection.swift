/// `[local]`: the training each client does in a round.
public struct LocalSection: ConfigSection {
    /// Client optimizer.
    public enum Optimizer: String, CaseIterable, Sendable, Hashable {
        /// Plain minibatch SGD.
        case sgd
        /// SGD with heavy-ball momentum (`momentum`).
        case momentum
        /// Lion (spec §4.1): sign of an interpolated momentum, decoupled weight decay.
        case lion
    }

    /// Client optimizer.
    public var optimizer: Optimizer = .sgd
    /// Learning rate.
    public var lr: Double = 0.1
    /// Momentum factor (optimizer = momentum only).
    public var momentum: Double = 0.9
    /// Weight decay: L2 (added to the gradient) for sgd and momentum, decoupled for Lion.
    public var weightDecay: Double = 0
    /// Lion's β1 (weight of the momentum in the update direction).
    public var beta1: Double = 0.9
    /// Lion's β2 (momentum decay).
    public var beta2: Double = 0.99
    /// Minibatch size; the last partial batch of an epoch is kept.
    public var batchSize: Int = 10
    /// Local epochs per round (used when `steps` is nil).
    public var epochs: Int = 1
    /// Local minibatch steps per round instead of epochs; nil = use `epochs`.
    public var steps: Int?
    /// Reshuffle the client's samples every epoch (seeded); false = stored partition order.
    public var shuffle: Bool = false
    /// FedProx proximal coefficient μ (0 = off).
    public var proxMu: Double = 0

    /// The defaults.
    public init() {}

    static let sectionName = "local"
    static let summary = "The training each client does in a round."
    static let exclusiveKeys = [["epochs", "steps"]]

    static var keys: [KeySpec<LocalSection>] {
        [
            .choice("optimizer", \.optimizer,
                    "Client optimizer (lion: also the update rule of run.mode = \"distributed-lion\")."),
            .float("lr", \.lr, .positive, "Learning rate."),
            .float("momentum", \.momentum, .unitHalfOpen, "Momentum factor.")
                .unused(when: { $0.optimizer != .momentum ? "local.optimizer is \"\($0.optimizer.rawValue)\"" : nil }),
            .float("weight_decay", \.weightDecay, .nonNegative,
                   "Weight decay λ: sgd and momentum add λ·w to the gradient; lion decays w ← w·(1 − lr·λ) (decoupled)."),
            .float("beta1", \.beta1, .unitClosed, "Lion β1: the update is sign(β1·m + (1 − β1)·g).")
                .unused(when: { $0.optimizer != .lion ? "local.optimizer is \"\($0.optimizer.rawValue)\"" : nil }),
            .float("beta2", \.beta2, .unitClosed, "Lion β2: the momentum is m ← β2·m + (1 − β2)·g.")
                .unused(when: { $0.optimizer != .lion ? "local.optimizer is \"\($0.optimizer.rawValue)\"" : nil }),
            .integer("batch_size", \.batchSize, min: 1, "Minibatch size; the last partial batch of an epoch is kept."),
            .integer("epochs", \.epochs, min: 1, "Local epochs per round; give either epochs or steps.")
                .unused(when: { $0.steps != nil ? "local.steps is set" : nil }),
            .optionalInteger("steps", \.steps, min: 1, "Local minibatch steps per round instead of epochs."),
            .boolean("shuffle", \.shuffle, "Reshuffle each client's samples every epoch (seeded); false keeps partition order."),
            .float("prox_mu", \.proxMu, .nonNegative,
                   "FedProx proximal coefficient μ: local steps use ∇F(w) + μ(w − w_global); 0 = plain local training."),
        ]
    }
}
