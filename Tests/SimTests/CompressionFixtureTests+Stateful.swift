// Fixture checks for the sign compressors, DGC, PowerSGD and the wire-size table.

import Foundation
@testable import Sim
import Testing

extension CompressionFixtureTests {
    // MARK: - Signs (GRACE polarity: x ≥ 0 → +1, through the compatibility option)

    func checkSignSGD(_ f: CompressionFixture, _ c: inout FixtureCheck) {
        let sign = SignSGD(polarity: .nonNegativeIsPositive)
        if let rows = f.inputs["gradients_per_worker"]?.arrayValue?.compactMap(\.floats) {
            var decoded: [[Float]] = []
            for (w, g) in rows.enumerated() {
                let sent = sign.compress(float32(g))
                c.equal(signBits(sent), f.expected["payload_uint8_per_worker"]?[w]?.ints, "worker \(w) payload bits")
                decoded.append(sent.decode())
                c.close(decoded[w], f.expected["decompressed_per_worker"]?[w]?.floats, "worker \(w) decompressed")
            }
            c.close(SignSGD.majorityVote(decoded, tieIsPositive: true), f.expected["aggregate"]?.floats, "aggregate")
            return
        }
        // Exact bit patterns (−0.0, NaN) come from gradients_f32_bits.
        guard let bits = c.require(f.inputs["gradients_f32_bits"]?[0]?.ints, "inputs.gradients_f32_bits") else { return }
        let x = bits.map { Float(bitPattern: UInt32($0)) }
        let sent = sign.compress(x)
        c.equal(signBits(sent), f.expected["payload_uint8"]?.ints, "payload bits")
        c.close(sent.decode(), f.expected["decompressed"]?.floats, "decompressed")
        c.close(SignSGD.majorityVote([sent.decode()], tieIsPositive: true), f.expected["aggregate_single"]?.floats, "aggregate")
    }

    func checkScaledSign(_ f: CompressionFixture, _ c: inout FixtureCheck) {
        guard let gradients = c.require(f.inputs["gradients"]?.arrayValue?.compactMap(\.floats), "inputs.gradients"),
              let lr = c.require(f.params["lr"]?.doubleValue, "params.lr") else { return }
        // GRACE's memory skips lr on the first step (documented quirk): scalesFirstStep = false.
        let ef = ErrorFeedback(ScaledSign(polarity: .nonNegativeIsPositive), scale: Float(lr), scalesFirstStep: false)
        var memory = CompressionMemory()
        var random = CompressionRandom(recorded: RecordedDraws())
        let scaleRel = f.number(f.tolerance["scale_rel"], default: 1e-6)
        let decRel = f.number(f.tolerance["decompressed_rel"], default: 1e-6)
        let resAbs = f.number(f.tolerance["residual_abs"], default: 1e-6)
        for (t, g) in gradients.enumerated() {
            guard let step = f.expected["steps"]?[t] else { return c.fail("missing step \(t)") }
            let sent = ef.compress(float32(g), memory: &memory, random: &random)
            guard case .scaledSigns(_, let scale) = sent.form else { return c.fail("step \(t): not scaled signs") }
            c.scalar(Double(scale), step["scale_mean_abs"]?.doubleValue, rel: scaleRel, "step \(t) scale")
            c.equal(signBits(sent), step["signs_uint8"]?.ints, "step \(t) sign bits")
            let decoded = sent.decode()
            c.close(decoded, step["decompressed"]?.floats, rel: decRel, "step \(t) decompressed")
            c.close(decoded.map { $0 / Float(lr) }, step["aggregate_single_worker"]?.floats, rel: decRel, "step \(t) aggregate (sum / lr)")
            c.close(memory.residual, step["residual_after"]?.floats, abs: resAbs, "step \(t) residual")
            c.close(zip(decoded, memory.residual).map { $0 + $1 }, step["compensated"]?.floats, abs: resAbs, "step \(t) sent + residual")
        }
    }

    // MARK: - DGC

    func checkDGC(_ f: CompressionFixture, _ c: inout FixtureCheck) {
        guard let ratio = c.require(f.params["compress_ratio"]?.doubleValue, "params.compress_ratio") else { return }
        if let epochsList = f.params["warmup_epochs"]?.ints {
            checkWarmup(f, ratio: ratio, epochsList: epochsList, &c)
            return
        }
        guard let gradients = c.require(f.inputs["gradients"]?.arrayValue?.compactMap(\.floats), "inputs.gradients") else { return }
        let momentum = Float(f.params["momentum"]?.doubleValue ?? 0.9)
        let grace = f.params["variant"]?.stringValue == "grace"
        var sampling = DGCSampling()
        sampling.sampleRatio = f.params["sample_ratio"]?.doubleValue ?? sampling.sampleRatio
        sampling.strided = f.params["strided_sample"]?.boolValue ?? sampling.strided
        sampling.upper = f.params["upper"]?.doubleValue ?? sampling.upper
        sampling.lower = f.params["lower"]?.doubleValue ?? sampling.lower
        sampling.maxIterations = f.params["max_adaptation_iters"]?.intValue ?? sampling.maxIterations
        sampling.resample = f.params["resample"]?.boolValue ?? sampling.resample
        let selection: DGCSelection = grace ? .grace : .sampled(sampling)
        let valuesAbs = f.number(f.tolerance["values_abs"] ?? f.tolerance["abs"], default: 1e-6)
        let memoryAbs = f.number(f.tolerance["memory_abs"] ?? f.tolerance["abs"], default: 1e-6)
        if let attributes = f.expected["attributes"], !grace, let d = gradients.first?.count {
            let a = sampling.attributes(count: d, ratio: ratio)
            let expected = attributes.ints
                ?? ["num_selects", "num_samples", "top_k_samples", "sample_stride"].compactMap { attributes[$0]?.intValue }
            c.equal([a.numSelects, a.numSamples, a.topKSamples, a.sampleStride], expected, "attributes")
        }
        let draws: [Int] = grace
            ? (f.randomness["sample_indices_per_step"]?.flattened?.map { Int($0) } ?? [])
            : (f.randomness["sample_start_per_step"]?.ints ?? [])
        var random = CompressionRandom(recorded: RecordedDraws(integers: draws))
        var memory = CompressionMemory()
        for (t, g) in gradients.enumerated() {
            guard let step = f.expected["steps"]?[t] else { return c.fail("missing step \(t)") }
            var clipping = DeepGradientCompression.Clipping.none
            if f.params["gradient_clipping"]?.boolValue == true {
                let workers = f.params["workers_in_clip_allreduce"]?.intValue ?? 1
                var rows = [g]
                if let others = f.inputs["other_worker_gradients_for_clip"]?[t]?.floats { rows.append(others) }
                let sums = rows.map { row in Float(row.reduce(0.0) { $0 + Double(Float($1) * Float($1)) }) }
                let bound = (sums.reduce(Float(0), +) / Float(workers)).squareRoot()
                c.scalar(Double(bound), step["clip_value"]?.doubleValue, rel: 1e-6, "step \(t) clip value")
                clipping = .elementwise(bound: bound)
            }
            let dgc = DeepGradientCompression(ratio: ratio, momentum: momentum, masking: f.params["momentum_masking"]?.boolValue ?? true,
                                              clipping: clipping, selection: selection)
            // The threshold trace, replayed on the velocity before selection with the same draw.
            var traceRandom = random
            let sent = dgc.compress(float32(g), memory: &memory, random: &random)
            let (indices, values) = sparseParts(sent)
            let decoded = sent.decode()
            let velocityBefore = zip(memory.velocity, decoded).map { $0 + $1 }
            c.close(velocityBefore, (step["velocity_before_mask"] ?? step["compensated_velocity"])?.floats, abs: memoryAbs, "step \(t) velocity before mask")
            let trace = selection.select(velocityBefore, ratio: ratio, random: &traceRandom)
            let expectedTrace = step["threshold_trace"]?.arrayValue ?? []
            let resampled = expectedTrace.contains { $0.stringValue == "resample_topk" }
            if step["threshold_trace"] != nil {
                c.close(trace.thresholds, expectedTrace.compactMap(\.doubleValue), rel: f.number(f.tolerance["threshold_rel"], default: 1e-6), "step \(t) thresholds")
                c.equal([trace.resampled ? 1 : 0], [resampled ? 1 : 0], "step \(t) resample branch")
            }
            guard let expectedIndices = c.require(step["indices"]?.ints, "step \(t) indices"),
                  let expectedValues = c.require(step["values"]?.floats, "step \(t) values") else { return }
            let pairs = zip(expectedIndices, expectedValues).sorted { $0.0 < $1.0 }
            if !resampled { c.equal(indices, expectedIndices, "step \(t) indices (order)") }
            c.equal(indices, pairs.map(\.0), "step \(t) indices")
            c.close(values, pairs.map(\.1), abs: valuesAbs, "step \(t) values")
            c.close(memory.momentum, step["momentum_after"]?.floats, abs: memoryAbs, "step \(t) momentum after")
            c.close(memory.velocity, step["velocity_after"]?.floats, abs: memoryAbs, "step \(t) velocity after")
            if let expectedDecoded = step["decompressed"]?.floats { c.close(decoded, expectedDecoded, abs: valuesAbs, "step \(t) decompressed") }
        }
    }

    func checkWarmup(_ f: CompressionFixture, ratio: Double, epochsList: [Int], _ c: inout FixtureCheck) {
        let coefficients = f.params["warmup_coeff"]?.arrayValue ?? []
        let keys = ["ratio_by_epoch_default_coeff", "ratio_by_epoch_explicit_list"]
        let rel = f.number(f.tolerance["rel"], default: 1e-12)
        for (j, epochs) in epochsList.enumerated() {
            let list = coefficients[safe: j]?.floats
            let warmup = DGCWarmup(finalRatio: ratio, epochs: epochs, explicitRatios: list)
            if list == nil { c.scalar(warmup.defaultCoefficient, f.expected["default_coeff"]?.doubleValue, rel: rel, "default coefficient") }
            let inputEpochs = f.inputs["epochs"]?[j]?.ints ?? []
            let actual = inputEpochs.map { warmup.ratio(epoch: $0) }
            guard let expected = c.require(f.expected[keys[safe: j] ?? ""]?.floats, keys[safe: j] ?? "schedule") else { continue }
            for (e, (a, b)) in zip(actual, expected).enumerated() where abs(a - b) > rel * abs(b) {
                c.fail("warm-up \(j) epoch \(e): \(a), expected \(b)")
            }
        }
    }
}
