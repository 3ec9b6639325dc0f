/// `[eval]`: when the global model is evaluated on the test set.
public struct EvalSection: ConfigSection {
    /// Evaluate every this many rounds (the last round is always evaluated).
    public var every: Int = 1
    /// Test accuracy whose first crossing gives `time_to_target_s`; nil = none.
    public var targetAccuracy: Double?
    /// Also evaluate the global model on every client's own test distribution (client_eval.csv).
    public var perClient: Bool = false

    /// The defaults.
    public init() {}

    static let sectionName = "eval"
    static let summary = "When the global model is evaluated, and the accuracy target for time-to-accuracy."

    static var keys: [KeySpec<EvalSection>] {
        [
            .integer("every", \.every, min: 1, "Evaluate every this many rounds; the last round is always evaluated."),
            .optionalFloat("target_accuracy", \.targetAccuracy, .unitLeftOpen,
                           "Test accuracy for time_to_target_s in summary.json; not set = no target."),
            .boolean("per_client", \.perClient,
                     "Also evaluate on each client's own test distribution (the test set reweighted to its label "
                         + "histogram): client_eval.csv and client_accuracy_* in summary.json (docs/fedau.md)."),
        ]
    }
}
