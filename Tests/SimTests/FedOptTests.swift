import Foundation
import Testing

@testable import Sim

/// FedOpt server optimizers: every `fedopt` fixture (Flower 1.41.0), the worked example of
/// `../shared/specs/algorithms.md` §6.4 and the invariants of §6.5.
@Suite struct FedOptTests {
    @Test func everyFedOptFixture() throws {
        let cases = try AlgorithmFixture.all(kind: "fedopt")
        #expect(!cases.isEmpty)
        for fixture in cases { try run(fixture) }
    }

    private func run(_ fixture: AlgorithmFixture) throws {
        let p = fixture.params, e = fixture.expected
        let name = try #require(p["strategy"]?.stringValue, "\(fixture.name): strategy")
        let kind = try #require(FedOptimizer.Kind(rawValue: name), "\(fixture.name): unknown strategy \(name)")
        var options = FedOptimizer.Options.defaults(for: kind)
        if kind == .fedavgm {
            options.learningRate = try fixture.number(p, "server_learning_rate")
            options.momentum = try fixture.number(p, "server_momentum")
        } else {
            options.learningRate = try fixture.number(p, "eta")
            options.tau = try fixture.number(p, "tau")
            options.beta1 = try p["forced"]?["beta_1"]?.doubleValue ?? fixture.number(p, "beta_1")
            options.beta2 = p["beta_2"]?.doubleValue ?? 0
            options.flowerBiasCorrection = kind == .fedadam
        }
        let x0 = try fixture.vector(fixture.inputs, "x0")
        let models = try fixture.tensor3(fixture.inputs, "client_models")
        let counts = try fixture.matrix(fixture.inputs, "num_examples")
        let aggregates = try fixture.matrix(e, "aggregate"), deltas = try fixture.matrix(e, "delta")
        let xs = try fixture.matrix(e, "x")
        var x = x0
        var optimizer = try FedOptimizer(kind: kind, options: options)
        var plain = options
        plain.flowerBiasCorrection = false
        var paper = try FedOptimizer(kind: kind, options: plain)
        var xPaper = x0
        for r in 0..<models.count {
            // Example-weighted FedAvg aggregate, Flower's order: Σ_k model_k · (n_k / Σn).
            let total = counts[r].reduce(0, +)
            var aggregate = [Double](repeating: 0, count: x.count)
            for (k, model) in models[r].enumerated() {
                for i in 0..<x.count { aggregate[i] += model[i] * (counts[r][k] / total) }
            }
            fixture.close("aggregate[\(r)]", aggregate, aggregates[r])
            // Flower's FedAvgM delta is x − aggregate; ours is always aggregate − x.
            let delta = kind == .fedavgm ? deltas[r].map { -$0 } : deltas[r]
            let ours = zip(aggregate, x).map { $0 - $1 }
            fixture.close("delta[\(r)] (recomputed)", kind == .fedavgm ? ours.map { -$0 } : ours, deltas[r])
            if let etaNorm = e["eta_norm"]?.vector {
                fixture.close("eta_norm[\(r)]", [optimizer.nextStepSize], [etaNorm[r]])
            }
            try optimizer.step(model: &x, delta: delta)
            fixture.close("x[\(r)]", x, xs[r])
            if kind == .fedavgm {
                fixture.close("momentum[\(r)]", optimizer.m.map { -$0 }, try fixture.matrix(e, "momentum")[r])
            } else {
                fixture.close("m[\(r)]", optimizer.m, try fixture.matrix(e, "m")[r])
                fixture.close("v[\(r)]", optimizer.v, try fixture.matrix(e, "v")[r])
            }
            if let noBias = e["x_no_bias_correction"]?.matrix {
                try paper.step(model: &xPaper, delta: delta)
                fixture.close("x_no_bias_correction[\(r)]", xPaper, noBias[r])
            }
        }
    }

    /// §6.4: x = (1, 1), Δ1 = (0.1, −0.02), Δ2 = (0.05, 0.02), β = (0.9, 0.99), η = 0.1, τ = 1e-3, v₀ = τ².
    @Test(arguments: [
        (FedOptimizer.Kind.fedadam, [1.090503, 0.938154], [1.205451, 0.943166]),
        (.fedyogi, [1.090499, 0.938197], [1.205018, 0.943197]),
        (.fedadagrad, [1.009900, 0.990488], [1.022311, 0.991170]),
    ])
    func workedExample(kind: FedOptimizer.Kind, round1: [Double], round2: [Double]) throws {
        let options = FedOptimizer.Options(learningRate: 0.1, beta1: 0.9, beta2: 0.99, tau: 1e-3, momentum: 0,
                                           initialAccumulator: 1e-6, flowerBiasCorrection: false)
        var optimizer = try FedOptimizer(kind: kind, options: options)
        var x = [1.0, 1.0]
        try optimizer.step(model: &x, delta: [0.1, -0.02])
        for i in 0..<2 { #expect(abs(x[i] - round1[i]) <= 5e-7, "\(kind) round 1: \(x)") }
        if kind == .fedadam {
            #expect(abs(optimizer.m[0] - 0.01) < 1e-15 && abs(optimizer.m[1] + 0.002) < 1e-15)
            #expect(abs(optimizer.v[0] - 0.00010099) < 1e-15 && abs(optimizer.v[1] - 0.00000499) < 1e-15)
        }
        if kind == .fedadagrad {
            #expect(abs(optimizer.v[0] - 0.010001) < 1e-15 && abs(optimizer.v[1] - 0.000401) < 1e-15)
        }
        try optimizer.step(model: &x, delta: [0.05, 0.02])
        for i in 0..<2 { #expect(abs(x[i] - round2[i]) <= 5e-7, "\(kind) round 2: \(x)") }
    }

    @Test func defaultsFollowTheProjectDecision() throws {
        let adam = FedOptimizer.Options.defaults(for: .fedadam)
        #expect(adam.tau == 1e-3 && adam.initialAccumulator == 0 && !adam.flowerBiasCorrection)
        #expect(FedOptimizer.Options.defaults(for: .fedadagrad).beta1 == 0)
        let optimizer = try FedOptimizer(kind: .fedadam)
        #expect(optimizer.nextStepSize == adam.learningRate)
        var bad = adam
        bad.beta1 = 1
        #expect(throws: FedOptError.self) { try FedOptimizer(kind: .fedadam, options: bad) }
    }

    /// §6.5: one client, τ = 0, v₀ = 0: FedAdam's first step moves each coordinate by exactly η.
    @Test func adamFirstStepIsSignLike() throws {
        var options = FedOptimizer.Options.defaults(for: .fedadam)
        options.tau = 0
        var optimizer = try FedOptimizer(kind: .fedadam, options: options)
        var x = [0.0, 0.0, 5.0]
        try optimizer.step(model: &x, delta: [0.3, -2, 1e-4])
        #expect(abs(x[0] - 0.1) < 1e-12 && abs(x[1] + 0.1) < 1e-12 && abs(x[2] - 5.1) < 1e-12, "\(x)")
    }

    /// §6.5: Yogi's v moves by exactly (1−β2)Δ² per step, Adagrad's v never decreases, Adam's v is
    /// between v_{t−1} and Δ², and every step is bounded by η|m|/τ.
    @Test func secondMomentInvariants() throws {
        var random = RandomKey(seed: 7, purpose: .aggregationShuffle).generator
        var yogi = try FedOptimizer(kind: .fedyogi), adagrad = try FedOptimizer(kind: .fedadagrad)
        var adam = try FedOptimizer(kind: .fedadam)
        var xy = [Double](repeating: 0, count: 8), xa = xy, xd = xy
        for _ in 0..<20 {
            let delta = (0..<8).map { _ in random.nextNormal() * 0.1 }
            let vy = yogi.v, va = adagrad.v, vd = adam.v
            let before = xd
            try yogi.step(model: &xy, delta: delta)
            try adagrad.step(model: &xa, delta: delta)
            try adam.step(model: &xd, delta: delta)
            for i in 0..<8 {
                let g2 = delta[i] * delta[i]
                let old = vy.isEmpty ? 0 : vy[i]
                #expect(abs(abs(yogi.v[i] - old) - 0.01 * g2) <= 1e-15 || (old == g2 && yogi.v[i] == old))
                #expect(yogi.v[i] >= 0)
                #expect(adagrad.v[i] >= (va.isEmpty ? 0 : va[i]))
                let oldAdam = vd.isEmpty ? 0 : vd[i]
                #expect(adam.v[i] >= min(oldAdam, g2) * (1 - 1e-12) && adam.v[i] <= max(oldAdam, g2) * (1 + 1e-12))
                #expect(abs(xd[i] - before[i]) <= 0.1 * abs(adam.m[i]) / 1e-3 * (1 + 1e-12))
            }
        }
    }

    /// FedAvgM with μ = 0, η = 1 returns the aggregate; the Float32 entry point agrees with Double.
    @Test func fedAvgMWithoutMomentumIsFedAvg() throws {
        var options = FedOptimizer.Options.defaults(for: .fedavgm)
        options.momentum = 0
        var optimizer = try FedOptimizer(kind: .fedavgm, options: options)
        var x: [Float] = [1, 2, 3]
        let aggregate: [Float] = [1.5, 1.25, -3]
        try optimizer.step(model: &x, delta: zip(aggregate, x).map { $0 - $1 })
        #expect(x == aggregate)
        #expect(throws: FedOptError.self) { try optimizer.step(model: &x, delta: [1]) }
    }
}
