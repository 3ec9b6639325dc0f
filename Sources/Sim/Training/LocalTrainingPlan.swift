/// How much local training a client does per round, and in which sample order.
public struct LocalTrainingPlan: Sendable, Equatable {
    /// Samples per minibatch (≥ 1). In epoch mode the last batch of an epoch may be smaller.
    public var batchSize: Int
    /// Passes over the client's samples (≥ 1), used when `steps` is nil.
    public var epochs: Int
    /// If set: exactly this many minibatch steps, each of `min(batchSize, n)` samples, walking the
    /// client's `n` samples cyclically in order (a batch may wrap around into the next pass),
    /// instead of epochs.
    public var steps: Int?
    /// false = the client's samples in stored order every epoch (the T1/T2 reference); true = a fresh
    /// permutation per epoch (per pass in steps mode) keyed by the trainer's shuffle key, the epoch
    /// selecting the counter offset (see `LocalTrainer`).
    public var shuffle: Bool

    /// Creates a plan; defaults are the T1/T2 reference (1 epoch, stored order).
    public init(batchSize: Int, epochs: Int = 1, steps: Int? = nil, shuffle: Bool = false) {
        self.batchSize = batchSize
        self.epochs = epochs
        self.steps = steps
        self.shuffle = shuffle
    }

    /// Checks that the batch size is positive and so is `steps` if set, otherwise `epochs`.
    public func validate() throws(LocalTrainingError) {
        if batchSize < 1 { throw .nonPositiveBatchSize(batchSize) }
        if let steps {
            if steps < 1 { throw .nonPositiveSteps(steps) }
        } else if epochs < 1 {
            throw .nonPositiveEpochs(epochs)
        }
    }
}

/// What one `LocalTrainer.train` call did.
public struct LocalTrainingResult: Sendable, Equatable {
    /// Sample-weighted mean of the minibatch losses over the whole training (0 if no step ran).
    /// Each loss is that of the parameters before the step.
    public var meanLoss: Double
    /// Samples processed, counted once per minibatch they were in.
    public var samplesProcessed: Int
    /// Optimiser steps taken.
    public var steps: Int

    /// Creates a result from its figures.
    public init(meanLoss: Double, samplesProcessed: Int, steps: Int) {
        self.meanLoss = meanLoss
        self.samplesProcessed = samplesProcessed
        self.steps = steps
    }
}

/// Why a local optimiser or training plan is unusable.
public enum LocalTrainingError: Error, Equatable, CustomStringConvertible {
    /// The learning rate is not a positive finite number.
    case invalidLearningRate(Float)
    /// The weight decay is negative or not finite.
    case invalidWeightDecay(Float)
    /// The momentum coefficient is outside [0, 1).
    case invalidMomentum(Float)
    /// A Lion β (β1 or β2) is outside [0, 1].
    case invalidBeta(Float)
    /// The batch size is below 1.
    case nonPositiveBatchSize(Int)
    /// The number of epochs is below 1 (and no step count is given).
    case nonPositiveEpochs(Int)
    /// The number of steps is below 1.
    case nonPositiveSteps(Int)

    /// One line naming the problem and the fix.
    public var description: String {
        switch self {
        case let .invalidLearningRate(value): "local learning rate is \(value); use a positive finite number"
        case let .invalidWeightDecay(value): "local weight decay is \(value); use a finite number ≥ 0"
        case let .invalidMomentum(value): "local momentum is \(value); use a value in [0, 1)"
        case let .invalidBeta(value): "Lion β is \(value); use local.beta1 and local.beta2 in [0, 1]"
        case let .nonPositiveBatchSize(value): "local batch size is \(value); use at least 1"
        case let .nonPositiveEpochs(value): "local epochs is \(value); use at least 1 (or set steps)"
        case let .nonPositiveSteps(value): "local steps is \(value); use at least 1"
        }
    }
}
