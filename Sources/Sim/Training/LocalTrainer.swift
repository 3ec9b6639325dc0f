// LocalTrainer — a client's local training in the federated modes.
//
// What. Minibatch training of a `Network` on the samples of one client, in place on the parameter
// vector: for each minibatch, the mean softmax cross-entropy and its gradient at the current
// parameters (`Network.lossAndGradient`), then one step of the `LocalOptimizer`.
//
// Sample order. Epoch mode (`plan.steps == nil`): `plan.epochs` passes over `indices`, each cut
// into consecutive batches of `plan.batchSize`, the last partial batch kept. Steps mode: exactly
// `plan.steps` batches of `min(batchSize, n)` samples taken from a cursor that walks the passes
// cyclically, so a batch can span the end of one pass and the start of the next. With
// `plan.shuffle == false` every pass is `indices` in stored order — exactly `tasks.t1_train_numpy`
// and the T1/T2 reference (plain SGD, mean CE per batch, no shuffle, last partial batch kept). With
// `plan.shuffle == true` pass e uses the permutation "stable argsort of
// u64(shuffleKey.streamSeed, e·n + i), i = 0..<n" (the portable generator of TASKS.md, the epoch
// selecting the counter offset e·n), so the order depends only on the key, never on the process.
//
// FedProx (spec algorithms.md §7). With `proxMu` = μ > 0 every step uses the gradient of
// F(w) + (μ/2)‖w − w_global‖², i.e. ∇F(w) + μ(w − w_global), with w_global the parameters at the
// start of `train` (frozen for the call). μ = 0 skips the term entirely (FedAvg bit for bit).
//
// Deviations. In steps mode with shuffling, a batch that wraps into the next pass may contain a
// sample twice. The momentum buffer is reset at every `train` call (per round).
//
// Cost. One workspace, one gradient and (momentum) one velocity buffer per call; nothing is
// allocated per minibatch after the first, except one permutation per pass when shuffling.

/// Trains a model's parameters in place on one client's samples.
public struct LocalTrainer: Sendable {
    /// The model being trained.
    public let network: Network
    /// The update rule.
    public let optimizer: LocalOptimizer
    /// Batch size, length of training and sample order.
    public let plan: LocalTrainingPlan
    /// FedProx's proximal coefficient μ ≥ 0 (0 = plain local training).
    public let proxMu: Float

    /// Creates a trainer. `optimizer` and `plan` must be valid (their `validate()`; checked);
    /// `proxMu` is FedProx's μ (≥ 0, checked).
    public init(network: Network, optimizer: LocalOptimizer, plan: LocalTrainingPlan, proxMu: Float = 0) {
        precondition(proxMu >= 0 && proxMu.isFinite, "LocalTrainer: proxMu \(proxMu) must be finite and ≥ 0")
        self.proxMu = proxMu
        do {
            try optimizer.validate()
            try plan.validate()
        } catch {
            preconditionFailure("LocalTrainer: \(error)")
        }
        self.network = network
        self.optimizer = optimizer
        self.plan = plan
    }

    // MARK: - Public API

    /// Trains `parameters` in place on the samples `indices` of `data` (last partial batch kept in
    /// epoch mode). `shuffleKey` is used only when `plan.shuffle`.
    ///
    /// `parameters.count == network.parameterCount`, every index in `0 ..< data.count` and
    /// `data.dimension == network.spec.inputs` (checked). No indices: nothing happens, zero result.
    public func train(
        parameters: inout [Float], data: Dataset, indices: [Int], shuffleKey: RandomKey
    ) -> LocalTrainingResult {
        precondition(parameters.count == network.parameterCount,
                     "train: \(parameters.count) parameters for a model of \(network.parameterCount)")
        let n = indices.count
        guard n > 0 else { return LocalTrainingResult(meanLoss: 0, samplesProcessed: 0, steps: 0) }
        var session = Session(network: network, optimizer: optimizer)
        if proxMu > 0 {
            session.proxMu = proxMu
            session.anchor = parameters
        }
        var gradient = [Float](repeating: 0, count: network.parameterCount)
        parameters.withUnsafeMutableBufferPointer { x in
            gradient.withUnsafeMutableBufferPointer { g in
                if let steps = plan.steps {
                    trainSteps(steps, session: &session, parameters: x, gradient: g, data: data, indices: indices,
                               key: shuffleKey)
                } else {
                    trainEpochs(session: &session, parameters: x, gradient: g, data: data, indices: indices,
                                key: shuffleKey)
                }
            }
        }
        return LocalTrainingResult(
            meanLoss: session.samples > 0 ? session.lossSum / Double(session.samples) : 0,
            samplesProcessed: session.samples, steps: session.steps)
    }

    // MARK: - Private

    /// Epoch mode: consecutive batches of each pass, the last partial batch kept.
    private func trainEpochs(
        session: inout Session, parameters: UnsafeMutableBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>,
        data: Dataset, indices: [Int], key: RandomKey
    ) {
        let n = indices.count
        for epoch in 0..<plan.epochs {
            passOrder(indices, pass: epoch, key: key).withUnsafeBufferPointer { order in
                var start = 0
                while start < n {
                    let end = min(start + plan.batchSize, n)
                    session.step(UnsafeBufferPointer(rebasing: order[start..<end]), data: data,
                                 parameters: parameters, gradient: gradient)
                    start = end
                }
            }
        }
    }

    /// Steps mode: `steps` batches of `min(batchSize, n)` samples from a cursor walking the passes cyclically.
    private func trainSteps(
        _ steps: Int, session: inout Session, parameters: UnsafeMutableBufferPointer<Float>,
        gradient: UnsafeMutableBufferPointer<Float>, data: Dataset, indices: [Int], key: RandomKey
    ) {
        let n = indices.count
        let size = min(plan.batchSize, n)
        var order = passOrder(indices, pass: 0, key: key)
        var pass = 0
        var position = 0
        var batch = [Int]()
        batch.reserveCapacity(size)
        for _ in 0..<steps {
            batch.removeAll(keepingCapacity: true)
            for _ in 0..<size {
                if position == n {
                    pass += 1
                    position = 0
                    if plan.shuffle { order = passOrder(indices, pass: pass, key: key) }
                }
                batch.append(order[position])
                position += 1
            }
            batch.withUnsafeBufferPointer { session.step($0, data: data, parameters: parameters, gradient: gradient) }
        }
    }

    /// The sample order of pass `pass`: `indices` itself, or its keyed permutation when shuffling.
    private func passOrder(_ indices: [Int], pass: Int, key: RandomKey) -> [Int] {
        guard plan.shuffle else { return indices }
        let n = indices.count
        let seed = key.streamSeed
        let offset = UInt64(pass) &* UInt64(n)
        let keys = (0..<n).map { PortableRandom.u64(seed: seed, index: offset &+ UInt64($0)) }
        let permutation = (0..<n).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        return permutation.map { indices[$0] }
    }

    /// Buffers and running totals of one `train` call.
    private struct Session {
        let network: Network
        var workspace = Network.Workspace()
        var state: OptimizerState
        var lossSum = 0.0
        var samples = 0
        var steps = 0
        /// FedProx: μ and w_global (empty when μ = 0).
        var proxMu: Float = 0
        var anchor: [Float] = []

        init(network: Network, optimizer: LocalOptimizer) {
            self.network = network
            state = OptimizerState(optimizer, parameterCount: network.parameterCount)
        }

        /// Gradient at the current parameters on `batch` (into `gradient`), then one optimiser step.
        mutating func step(
            _ batch: UnsafeBufferPointer<Int>, data: Dataset,
            parameters: UnsafeMutableBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>
        ) {
            let loss = network.lossAndGradient(
                UnsafeBufferPointer(parameters), data: data, indices: batch, gradient: gradient, workspace: &workspace)
            if proxMu > 0 {
                anchor.withUnsafeBufferPointer { w0 in
                    for i in 0..<gradient.count { gradient[i] += proxMu * (parameters[i] - w0[i]) }
                }
            }
            state.step(parameters: parameters, gradient: gradient)
            lossSum += Double(loss) * Double(batch.count)
            samples += batch.count
            steps += 1
        }
    }
}
