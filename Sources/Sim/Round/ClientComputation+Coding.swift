import Protocol

// A gradient-coded client's round (spec §A.0, §A.1.6; docs/gradient-coding.md).
//
// Client i of an (n, s) code holds the partitions of its row of B (`GradientCode.task(worker:)`):
// partition j is client j's shard. For each it draws partition j's minibatch from the key
// (seed, minibatch, round, j) — the partition's key, not the computing client's — so every client
// holding j computes the identical g_j (the mean gradient of that minibatch at the round's model),
// and the uncoded client j of a wait-for-all run computes that same g_j. It sends
// m_i = Σ_j B[i, j]·g_j, accumulated in Double in support order and rounded to Float once.
// The virtual compute time is the default model's for every sample processed: s + 1 minibatches.

extension ClientComputation {
    /// g_j: the mean gradient and loss of partition `partition`'s minibatch of `round` at `model`
    /// (`data` is that partition's shard), and the minibatch size.
    public func partitionGradient(partition: Int, round: RoundID, model: [Float], data: Dataset,
                                  workspace: inout Network.Workspace) -> (gradient: [Float], loss: Float, samples: Int) {
        let batch = MinibatchSampler.sample(from: Array(0..<data.count), size: batchSize,
                                            key: RandomKey(seed: seed, purpose: .minibatch, round: UInt64(round),
                                                           client: UInt64(partition)))
        let (gradient, loss) = network.gradient(parameters: model, data: data, indices: batch, workspace: &workspace)
        return (gradient, loss, batch.count)
    }

    /// The coded message of a client whose row of B is `task`; `datasets[k]` is the shard of
    /// `task[k].partition`. sampleCount and samplesProcessed count every minibatch sample;
    /// trainLoss is their sample-weighted mean loss.
    public func runCoded(task: [(partition: Int, coefficient: Double)], datasets: [Dataset], round: RoundID,
                         model: [Float], workspace: inout Network.Workspace) -> Output {
        precondition(task.count == datasets.count, "runCoded: \(task.count) partitions, \(datasets.count) shards")
        var sum = [Double](repeating: 0, count: model.count)
        var samples = 0
        var lossSum = 0.0
        for (entry, data) in zip(task, datasets) {
            let g = partitionGradient(partition: entry.partition, round: round, model: model, data: data,
                                      workspace: &workspace)
            let c = entry.coefficient
            sum.withUnsafeMutableBufferPointer { s in
                g.gradient.withUnsafeBufferPointer { v in
                    for k in 0..<s.count { s[k] += c * Double(v[k]) }
                }
            }
            samples += g.samples
            lossSum += Double(g.loss) * Double(g.samples)
        }
        return Output(vector: sum.map { Float($0) }, sampleCount: samples,
                      trainLoss: samples > 0 ? lossSum / Double(samples) : 0, samplesProcessed: samples,
                      virtualComputeSeconds: timeModel.computeSeconds(
                          samples: samples, flopsPerSample: network.spec.flopsPerSampleTraining))
    }
}
