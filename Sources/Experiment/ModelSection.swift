/// `[model]`: the network trained.
public struct ModelSection: ConfigSection {
    /// Model family.
    public enum Kind: String, CaseIterable, Sendable, Hashable {
        /// Multinomial logistic regression with bias.
        case logreg
        /// Multi-layer perceptron with ReLU hidden layers and a softmax output.
        case mlp
    }

    /// Initial weights.
    public enum Initialization: String, CaseIterable, Sendable, Hashable {
        /// All parameters 0.
        case zeros
        /// Every tensor ~ U(-1/sqrt(fan_in), +1/sqrt(fan_in)) (PyTorch's nn.Linear default range).
        case uniform
    }

    /// Model family.
    public var kind: Kind = .logreg
    /// Hidden layer widths (empty for logreg; default [128] for mlp).
    public var hidden: [Int] = []
    /// Initialisation (default zeros for logreg, uniform for mlp).
    public var initialization: Initialization = .zeros

    /// The defaults (logistic regression).
    public init() {}

    static let sectionName = "model"
    static let summary = "The model: logistic regression or an MLP."

    static var keys: [KeySpec<ModelSection>] {
        [
            .choice("kind", \.kind, "Model family."),
            .integerList("hidden", \.hidden, min: 1, "Hidden layer widths of the MLP, input side first; empty for logreg.")
                .documentedDefault("`[128]` for mlp, `[]` for logreg"),
            .choice("init", \.initialization, "Initial weights: zeros, or U(±1/sqrt(fan_in)) per tensor.")
                .documentedDefault("`\"zeros\"` for logreg, `\"uniform\"` for mlp"),
        ]
    }

    mutating func finish(given: Set<String>, context: ReadContext) throws(ConfigError) {
        switch kind {
        case .logreg:
            if !hidden.isEmpty {
                throw .conflict(keys: ["model.hidden", "model.kind"],
                                reason: "logistic regression has no hidden layers; remove model.hidden or set model.kind = \"mlp\"")
            }
            if !given.contains("init") { initialization = .zeros }
        case .mlp:
            if !given.contains("hidden") { hidden = [128] }
            if hidden.isEmpty {
                throw .invalidValue(key: "model.hidden", value: "[]",
                                    reason: "an mlp needs at least one hidden layer, e.g. [128]; or use model.kind = \"logreg\"")
            }
            if !given.contains("init") { initialization = .uniform }
            if initialization == .zeros {
                throw .conflict(keys: ["model.init", "model.kind"],
                                reason: "an mlp started at zeros never breaks symmetry and cannot learn; use init = \"uniform\"")
            }
        }
    }
}
