import Sim
import Testing

// The server step on hand-computed numbers. All values below are exact binary fractions, so the
// expected results are exact in Float and Double and compared with ==.

private func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

@Suite struct ServerOptimizerTests {
    @Test func deltaAddsLearningRateTimesTheAggregate() {
        var optimizer = ServerOptimizer(learningRate: 0.5, direction: .delta)
        var model: [Float] = [1, -2, 0.5, 0]
        optimizer.step(model: &model, aggregate: [0.5, 0.25, -1, 3])
        #expect(model == [1.25, -1.875, 0, 1.5])
        optimizer.step(model: &model, aggregate: [0.5, 0.25, -1, 3])
        #expect(model == [1.5, -1.75, -0.5, 3])
        #expect(optimizer.velocity.isEmpty)
    }

    @Test func deltaWithUnitLearningRateIsTheFedAvgModelAverage() {
        // x + 1·Σ w_k (x_k − x) = Σ w_k x_k when the weights sum to 1.
        var optimizer = ServerOptimizer(learningRate: 1, direction: .delta)
        var model: [Float] = [2, 4]
        let locals: [[Float]] = [[3, 4], [2, 8]]
        let deltas = locals.map { zip($0, model).map { $0 - $1 } }
        optimizer.step(model: &model, aggregate: weightedSum(deltas, weights: [0.75, 0.25]))
        #expect(model == [2.75, 5])
    }

    @Test func gradientSubtractsLearningRateTimesTheAggregate() {
        var optimizer = ServerOptimizer(learningRate: 0.5, direction: .gradient)
        var model: [Float] = [1, -2, 0.5, 0]
        optimizer.step(model: &model, aggregate: [0.5, 0.25, -1, 3])
        #expect(model == [0.75, -2.125, 1, -1.5])
    }

    @Test func computesInDoubleAndRoundsOnce() {
        // 1 − 0.1·0.3 rounded once from Double; Float arithmetic would round η·a first.
        var optimizer = ServerOptimizer(learningRate: 0.1, direction: .gradient)
        var model: [Float] = [1, 1e-3]
        let aggregate: [Float] = [0.3, 7]
        optimizer.step(model: &model, aggregate: aggregate)
        #expect(bits(model) == bits([Float(1.0 - 0.1 * Double(Float(0.3))), Float(Double(Float(1e-3)) - 0.1 * 7)]))
    }

    /// With μ = 0 the gradient step is plain SGD on the aggregate, bit for bit, step after step,
    /// and keeps no momentum buffer.
    @Test func zeroMomentumIsPlainSGDBitForBit() {
        let eta = 0.07
        var optimizer = ServerOptimizer(learningRate: eta, momentum: 0, direction: .gradient)
        var model: [Float] = (0..<64).map { Float($0) * 0.013 - 0.4 }
        var reference = model
        for step in 0..<5 {
            let aggregate: [Float] = (0..<64).map { Float(($0 * 7 + step * 11) % 17) * 0.031 - 0.25 }
            optimizer.step(model: &model, aggregate: aggregate)
            for i in reference.indices { reference[i] = Float(Double(reference[i]) - eta * Double(aggregate[i])) }
            #expect(bits(model) == bits(reference), "step \(step)")
        }
        #expect(optimizer.velocity.isEmpty)
    }

    /// v ← μv + a; x ← x − ηv with μ = 0.5, η = 0.25 over four steps, by hand:
    ///   a = 1:  v = 1,      x = 1 − 0.25          = 0.75
    ///   a = 1:  v = 1.5,    x = 0.75 − 0.375      = 0.375
    ///   a = 0:  v = 0.75,   x = 0.375 − 0.1875    = 0.1875
    ///   a = −2: v = −1.625, x = 0.1875 + 0.40625  = 0.59375
    /// and a second coordinate starting at −1 with a = 2, 0, 0, 4:
    ///   v = 2, x = −1.5;  v = 1, x = −1.75;  v = 0.5, x = −1.875;  v = 4.25, x = −2.9375.
    @Test func momentumAccumulatesOverSteps() {
        var optimizer = ServerOptimizer(learningRate: 0.25, momentum: 0.5, direction: .gradient)
        var model: [Float] = [1, -1]
        let aggregates: [[Float]] = [[1, 2], [1, 0], [0, 0], [-2, 4]]
        let velocities: [[Float]] = [[1, 2], [1.5, 1], [0.75, 0.5], [-1.625, 4.25]]
        let models: [[Float]] = [[0.75, -1.5], [0.375, -1.75], [0.1875, -1.875], [0.59375, -2.9375]]
        for step in 0..<4 {
            optimizer.step(model: &model, aggregate: aggregates[step])
            #expect(optimizer.velocity == velocities[step], "step \(step)")
            #expect(model == models[step], "step \(step)")
        }
    }

    @Test func momentumFirstStepEqualsPlainSGD() {
        var withMomentum = ServerOptimizer(learningRate: 0.3, momentum: 0.9, direction: .gradient)
        var plain = ServerOptimizer(learningRate: 0.3, direction: .gradient)
        var a: [Float] = [0.1, -0.7, 2.5]
        var b = a
        withMomentum.step(model: &a, aggregate: [0.3, 0.11, -5])
        plain.step(model: &b, aggregate: [0.3, 0.11, -5])
        #expect(bits(a) == bits(b))
    }
}
