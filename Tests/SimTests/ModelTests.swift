import Foundation
import Testing
@testable import Sim

@Suite struct ModelSpecTests {
    @Test func parameterCountsOfTheBenchmarkModels() {
        #expect(ModelSpec(inputs: 64, hidden: [], classes: 10).parameterCount == 650)
        #expect(ModelSpec(inputs: 784, hidden: [200], classes: 10).parameterCount == 159_010)
        #expect(ModelSpec(inputs: 64, hidden: [128], classes: 10).parameterCount == 9_610)
    }

    @Test func layerShapesListEveryLayer() {
        let shapes = ModelSpec(inputs: 5, hidden: [7, 3], classes: 2).layerShapes
        #expect(shapes.map(\.inputs) == [5, 7, 3])
        #expect(shapes.map(\.outputs) == [7, 3, 2])
    }

    @Test func flopsAreTwoAndSixTimesTheWeights() {
        let t1 = ModelSpec(inputs: 64, hidden: [], classes: 10)
        #expect(t1.weightCount == 640)
        #expect(t1.flopsPerSampleInference == 1_280)
        #expect(t1.flopsPerSampleTraining == 3_840)
        let t2 = ModelSpec(inputs: 784, hidden: [200], classes: 10)
        #expect(t2.flopsPerSampleInference == 2 * 158_800)
        #expect(t2.flopsPerSampleTraining == 6 * 158_800)
    }

    @Test func validationRejectsEmptyLayers() {
        #expect(throws: ModelSpecError.nonPositiveWidth(layer: "hidden[1]", value: 0)) {
            try ModelSpec(inputs: 4, hidden: [3, 0], classes: 2).validate()
        }
        #expect(throws: ModelSpecError.nonPositiveWidth(layer: "classes", value: -1)) {
            try ModelSpec(inputs: 4, hidden: [], classes: -1).validate()
        }
        #expect(throws: Never.self) { try ModelSpec(inputs: 1, hidden: [1], classes: 1).validate() }
        #expect(ModelSpecError.nonPositiveWidth(layer: "inputs", value: 0).description.contains("at least 1"))
    }
}

@Suite struct ModelInitTests {
    @Test func zerosIsAllZero() {
        let p = Network(spec: ModelSpec(inputs: 64, hidden: [], classes: 10)).initialParameters(.zeros)
        #expect(p.count == 650 && p.allSatisfy { $0 == 0 })
    }

    @Test func uniformFanInMatchesTheT2Reference() {
        let spec = ModelSpec(inputs: 784, hidden: [200], classes: 10)
        let p = Network(spec: spec).initialParameters(.uniformFanIn(baseSeed: 720))
        #expect(p.count == 159_010)
        let starts = [0, 156_800, 157_000, 159_000]  // W1, b1, W2, b2
        let fanIns = [784.0, 784, 200, 200]
        for j in 0..<4 {
            let bound = 1 / fanIns[j].squareRoot()
            for i in 0..<5 {
                let u = PortableRandom.uniform(seed: 721 + UInt64(j), index: UInt64(i))
                #expect(p[starts[j] + i] == Float((u * 2 - 1) * bound), "tensor \(j) element \(i)")
            }
        }
        // Printed by NumPy: tasks.init_t2() → p[k].ravel()[0], W1.ravel()[12345], b2.ravel()[-1].
        #expect(p[0] == 0.011549655348062515)
        #expect(p[156_800] == 0.018612537533044815)
        #expect(p[157_000] == -0.03955042362213135)
        #expect(p[159_000] == 0.05970190092921257)
        #expect(p[12_345] == 0.029437050223350525)
        #expect(p[159_009] == 0.06369519233703613)
        #expect(p[0..<157_000].allSatisfy { abs($0) <= Float(1 / 784.0.squareRoot()) })
        #expect(p[157_000...].allSatisfy { abs($0) <= Float(1 / 200.0.squareRoot()) })
        #expect(p[157_000...].contains { abs($0) > Float(1 / 784.0.squareRoot()) })
    }
}

@Suite struct NetworkTests {
    private func lossAndGradient(_ network: Network, _ parameters: [Float], _ data: Dataset) -> (Float, [Float]) {
        var gradient: [Float] = []
        var workspace = Network.Workspace()
        let loss = data.features.withUnsafeBufferPointer { f in
            data.labels.withUnsafeBufferPointer { l in
                network.lossAndGradient(parameters: parameters, features: f, labels: l,
                                        gradient: &gradient, workspace: &workspace)
            }
        }
        return (loss, gradient)
    }

    @Test(arguments: [3, 10])
    func zeroModelLossIsLogOfClassCount(classes: Int) {
        let network = Network(spec: ModelSpec(inputs: 6, hidden: [4], classes: classes))
        let data = ModelFixtures.dataset(seed: 5, count: 9, dimension: 6, classes: classes)
        let (loss, gradient) = lossAndGradient(network, network.initialParameters(.zeros), data)
        #expect(abs(Double(loss) - log(Double(classes))) < 1e-6)
        #expect(gradient.count == network.parameterCount)
        let evaluation = network.evaluate(parameters: network.initialParameters(.zeros), on: data)
        #expect(abs(evaluation.loss - log(Double(classes))) < 1e-6)
    }

    @Test func lossIsFiniteForLogitsOfTenThousand() {
        let network = Network(spec: ModelSpec(inputs: 1, hidden: [], classes: 3))
        let parameters: [Float] = [1e4, -1e4, 0, 0, 0, 0]  // W (1×3), b
        let data = Dataset(features: [1, -1], labels: [1, 0], dimension: 1, classes: 3)
        let (loss, gradient) = lossAndGradient(network, parameters, data)
        #expect(loss.isFinite && abs(loss - 2e4) < 1)
        #expect(gradient.allSatisfy { $0.isFinite })
    }

    /// Analytic Float gradient against central differences of the Double reference loss, every parameter.
    @Test(arguments: [ModelSpec(inputs: 5, hidden: [], classes: 4), ModelSpec(inputs: 4, hidden: [6, 5], classes: 3)])
    func gradientMatchesFiniteDifferences(spec: ModelSpec) {
        let network = Network(spec: spec)
        let parameters = network.initialParameters(.uniformFanIn(baseSeed: 31))
        let data = ModelFixtures.dataset(seed: 77, count: 7, dimension: spec.inputs, classes: spec.classes)
        let (loss, gradient) = lossAndGradient(network, parameters, data)
        let exact = parameters.map(Double.init)
        let referenceLoss = ModelFixtures.referenceLoss(spec: spec, parameters: exact, features: data.features,
                                                        labels: data.labels)
        #expect(abs(Double(loss) - referenceLoss) < 1e-5)
        // Tolerance: Float32 gradient vs Double differences with eps 1e-5 — absolute 2e-5 plus 1e-3 relative.
        let eps = 1e-5
        for k in 0..<parameters.count {
            var plus = exact, minus = exact
            plus[k] += eps
            minus[k] -= eps
            let numeric = (ModelFixtures.referenceLoss(spec: spec, parameters: plus, features: data.features, labels: data.labels)
                - ModelFixtures.referenceLoss(spec: spec, parameters: minus, features: data.features, labels: data.labels))
                / (2 * eps)
            #expect(abs(Double(gradient[k]) - numeric) <= 2e-5 + 1e-3 * abs(numeric), "parameter \(k) of \(spec)")
        }
    }

    @Test func gradientByIndicesEqualsGradientOfTheGatheredRows() {
        let spec = ModelSpec(inputs: 3, hidden: [4], classes: 3)
        let network = Network(spec: spec)
        let parameters = network.initialParameters(.uniformFanIn(baseSeed: 9))
        let data = ModelFixtures.dataset(seed: 12, count: 20, dimension: 3, classes: 3)
        let indices = [17, 2, 9, 9, 0]
        var workspace = Network.Workspace()
        let (gradient, loss) = network.gradient(parameters: parameters, data: data, indices: indices, workspace: &workspace)
        let (expectedLoss, expectedGradient) = lossAndGradient(network, parameters, data.subset(indices))
        #expect(loss == expectedLoss)
        #expect(gradient == expectedGradient)
        // A reused workspace (larger, then smaller batch) gives the same result as a fresh one.
        _ = network.gradient(parameters: parameters, data: data, indices: Array(0..<20), workspace: &workspace)
        let again = network.gradient(parameters: parameters, data: data, indices: indices, workspace: &workspace)
        #expect(again.gradient == expectedGradient && again.loss == expectedLoss)
        let empty = network.gradient(parameters: parameters, data: data, indices: [], workspace: &workspace)
        #expect(empty.loss == 0 && empty.gradient.allSatisfy { $0 == 0 })
    }

    @Test func evaluateCountsArgmaxHitsAcrossChunks() {
        // 2,500 rows → three chunks of at most 1,024. Logistic model whose arg-max is the larger of x0, x1.
        let count = 2_500
        var features = [Float]()
        var labels = [Int32]()
        for i in 0..<count {
            let a = Float(PortableRandom.uniform(seed: 3, index: UInt64(i)))
            let b = Float(PortableRandom.uniform(seed: 4, index: UInt64(i)))
            features += [a, b]
            labels.append(i % 10 == 0 ? (a > b ? 1 : 0) : (a > b ? 0 : 1))  // every 10th label is wrong
        }
        let data = Dataset(features: features, labels: labels, dimension: 2, classes: 2)
        let network = Network(spec: ModelSpec(inputs: 2, hidden: [], classes: 2))
        let parameters: [Float] = [1, 0, 0, 1, 0, 0]
        let evaluation = network.evaluate(parameters: parameters, on: data)
        #expect(evaluation.count == count)
        #expect(evaluation.correct == count - count / 10)
        #expect(evaluation.accuracy == Double(count - count / 10) / Double(count))
        let reference = ModelFixtures.referenceLoss(spec: network.spec, parameters: parameters.map(Double.init),
                                                    features: features, labels: labels)
        #expect(abs(evaluation.loss - reference) < 1e-6)
        let empty = Dataset(features: [], labels: [], dimension: 2, classes: 2)
        #expect(network.evaluate(parameters: parameters, on: empty) == Evaluation(loss: 0, accuracy: 0, correct: 0, count: 0))
    }
}
