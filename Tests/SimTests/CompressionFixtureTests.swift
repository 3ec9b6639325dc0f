// Every `kind = compressor` and `kind = wire_size` case of ../shared/fixtures/coding-compression,
// found by globbing the directory; parameters, inputs, injected randomness, expectations and
// tolerances all come from each file. Where the reference (GRACE) departs from the spec, the
// compatibility options named in the sources are used: `SignPolarity.nonNegativeIsPositive`
// (signSGD, EF-signSGD), `ErrorFeedback(scalesFirstStep: false)` (EF-signSGD),
// `NaturalCompression.Rounding.grace`, `PowerSGD.Variant.freshEachStep` / `.alternating`,
// `DGCSelection.grace`. No case is skipped.

import Foundation
@testable import Sim
import Testing

@Suite struct CompressionFixtureTests {
    @Test func everyCompressorFixtureMatches() throws {
        let fixtures = try CompressionFixture.all(kind: "compressor")
        #expect(fixtures.count >= 40, "expected the compressor fixtures in \(CompressionFixture.directory.path)")
        var total = 0
        for fixture in fixtures {
            var check = FixtureCheck(file: fixture.file)
            switch fixture.params["method"]?.stringValue ?? "" {
            case "topk", "randomk", "threshold": checkSparsifier(fixture, &check)
            case "qsgd": checkQSGD(fixture, &check)
            case "terngrad": checkTernGrad(fixture, &check)
            case "signsgd": checkSignSGD(fixture, &check)
            case "efsignsgd": checkScaledSign(fixture, &check)
            case "natural": checkNatural(fixture, &check)
            case "fp16": checkFloat16(fixture, &check)
            case "dgc": checkDGC(fixture, &check)
            case "powersgd": checkPowerSGD(fixture, &check)
            case let other: check.fail("unknown compressor method '\(other)'")
            }
            check.report()
            total += check.comparisons
        }
        #expect(total >= 400, "only \(total) comparisons over \(fixtures.count) fixtures")
    }

    @Test func everyWireSizeFixtureMatches() throws {
        let fixtures = try CompressionFixture.all(kind: "wire_size")
        #expect(!fixtures.isEmpty)
        for fixture in fixtures {
            var check = FixtureCheck(file: fixture.file)
            checkWireSizes(fixture, &check)
            check.report()
        }
    }

    // MARK: - Sparsifiers (top-k, random-k, threshold), residual memory

    func checkSparsifier(_ f: CompressionFixture, _ c: inout FixtureCheck) {
        guard let gradients = c.require(f.inputs["gradients"]?.arrayValue?.compactMap(\.floats), "inputs.gradients") else { return }
        let method = f.params["method"]?.stringValue ?? ""
        let ratio = f.params["compress_ratio"]?.doubleValue ?? 0
        let withMemory = f.params["memory"]?.stringValue == "residual"
        let base: any Compressor = switch method {
        case "topk": TopK(ratio: ratio)
        case "randomk": RandomK(ratio: ratio, scaled: false)
        default: ThresholdSparsifier(threshold: f.params["threshold"]?.doubleValue ?? 0)
        }
        let compressor: any Compressor = withMemory ? ErrorFeedback(base) : base
        let subsets = f.randomness["indices_per_step"]?.arrayValue?.compactMap(\.ints) ?? []
        var random = CompressionRandom(recorded: RecordedDraws(subsets: subsets))
        var memory = CompressionMemory()
        let valuesAbs = f.number(f.tolerance["values_abs"], default: 0)
        let residualAbs = f.number(f.tolerance["residual_abs"], default: 0)
        let steps = f.expected["steps"]?.arrayValue
        for (t, g) in gradients.enumerated() {
            let sent = compressor.compress(float32(g), memory: &memory, random: &random)
            let (indices, values) = sparseParts(sent)
            guard let step = steps?[t] else {
                // The tie case: the spec's rule picks {1, 0}.
                c.equal(indices, f.expected["spec_rule_indices"]?.ints?.sorted(), "tie indices")
                continue
            }
            if let k = step["k"]?.intValue { c.equal([indices.count], [k], "step \(t) k") }
            c.equal(indices, step["sorted_indices"]?.ints, "step \(t) indices")
            c.close(values, step["sorted_values"]?.floats, abs: valuesAbs, "step \(t) values")
            let decoded = sent.decode()
            c.close(decoded, step["decompressed"]?.floats, abs: valuesAbs, "step \(t) decompressed")
            if withMemory {
                c.close(memory.residual, step["residual_after"]?.floats, abs: residualAbs, "step \(t) residual")
                let compensated = zip(decoded, memory.residual).map { $0 + $1 }
                c.close(compensated, step["compensated"]?.floats, abs: residualAbs, "step \(t) sent + residual")
            }
        }
    }

    // MARK: - Quantizers

    func checkQSGD(_ f: CompressionFixture, _ c: inout FixtureCheck) {
        guard let gradients = c.require(f.inputs["gradients"]?.arrayValue?.compactMap(\.floats), "inputs.gradients"),
              let s = c.require(f.params["quantum_num"]?.intValue, "params.quantum_num") else { return }
        let withMemory = f.params["memory"]?.stringValue == "residual"
        let uniforms = f.randomness["uniforms"]?.floats ?? f.randomness["uniforms_per_step"]?.flattened ?? []
        var random = CompressionRandom(recorded: RecordedDraws(uniforms: uniforms))
        let compressor: any Compressor = withMemory ? ErrorFeedback(QSGD(levels: s)) : QSGD(levels: s)
        var memory = CompressionMemory()
        let normRel = f.number(f.tolerance["norm_rel"], default: 1e-6)
        let decRel = f.number(f.tolerance["decompressed_rel"], default: 2e-6)
        let steps = f.expected["steps"]?.arrayValue ?? [f.expected]
        for (t, g) in gradients.enumerated() {
            let sent = compressor.compress(float32(g), memory: &memory, random: &random)
            guard case .quantized(let q) = sent.form, let step = steps[safe: t] else { return c.fail("step \(t): not a quantized form") }
            c.scalar(Double(q.norms[0]), step["norm"]?.doubleValue, rel: normRel, "step \(t) norm")
            c.equal(q.levels.map { Int($0) }, step["levels"]?.ints, "step \(t) levels")
            c.close(sent.decode(), step["decompressed"]?.floats, abs: 1e-12, rel: decRel, "step \(t) decompressed")
            if withMemory {
                c.close(memory.residual, step["residual_after"]?.floats, abs: f.number(f.tolerance["residual_abs"], default: 1e-6), "step \(t) residual")
            }
        }
    }

    func checkTernGrad(_ f: CompressionFixture, _ c: inout FixtureCheck) {
        guard let g = c.require(f.inputs["gradients"]?[0]?.floats, "inputs.gradients"),
              let uniforms = c.require(f.randomness["uniforms"]?.floats, "randomness.uniforms") else { return }
        let sigmas = f.params["clip_sigmas"]?.doubleValue
        let tern = TernGrad(clipSigmas: sigmas)
        let x = float32(g)
        var random = CompressionRandom(recorded: RecordedDraws(uniforms: uniforms))
        var memory = CompressionMemory()
        let sent = tern.compress(x, memory: &memory, random: &random)
        if let bound = tern.clipBound(x), let sigmas {
            c.scalar(bound / sigmas, f.expected["std"]?.doubleValue, rel: f.number(f.tolerance["std_rel"], default: 1e-6), "std")
            c.scalar(bound, f.expected["clip_c"]?.doubleValue, rel: f.number(f.tolerance["std_rel"], default: 1e-6), "clip bound")
        }
        guard case .ternary(let symbols, let scale) = sent.form else { return c.fail("not a ternary form") }
        c.scalar(Double(scale), f.expected["scalar"]?.doubleValue, rel: f.number(f.tolerance["scalar_rel"], default: 1e-6), "scalar")
        c.equal(symbols.values.map { Int($0) }, f.expected["signs"]?.ints, "signs")
        c.close(sent.decode(), f.expected["decompressed"]?.floats, rel: f.number(f.tolerance["decompressed_rel"], default: 1e-6), "decompressed")
    }

    func checkNatural(_ f: CompressionFixture, _ c: inout FixtureCheck) {
        guard let g = c.require(f.inputs["gradients"]?[0]?.floats, "inputs.gradients"),
              let ints = c.require(f.randomness["rand_ints"]?.ints, "randomness.rand_ints") else { return }
        var random = CompressionRandom(recorded: RecordedDraws(integers: ints))
        var memory = CompressionMemory()
        let sent = NaturalCompression(rounding: .grace).compress(float32(g), memory: &memory, random: &random)
        guard case .powersOfTwo(let codes) = sent.form else { return c.fail("not a powers-of-two form") }
        c.equal(codes.map { Int($0) }, f.expected["codes_uint8"]?.ints, "codes")
        c.close(sent.decode(), f.expected["decompressed"]?.floats, abs: f.number(f.tolerance["abs"], default: 0), "decompressed")
    }

    func checkFloat16(_ f: CompressionFixture, _ c: inout FixtureCheck) {
        guard let g = c.require(f.inputs["gradients"]?[0]?.floats, "inputs.gradients") else { return }
        let sent = Float16Compression().compress(float32(g))
        guard case .float16(let bits) = sent.form else { return c.fail("not a float16 form") }
        c.equal(bits.map { Int($0) }, f.expected["fp16_bits"]?.ints, "fp16 bits")
        let expected = f.expected["decompressed"]?.floats
        c.close(sent.decode(), expected, abs: f.number(f.tolerance["abs"], default: 0), "decompressed")
        // Overflow to ±inf is representable in the form but rejected by the receiver.
        let overflows = expected?.contains { $0.isNaN } ?? false
        do {
            _ = try sent.decompressed(expectedCount: g.count)
            if overflows { c.fail("an fp16 overflow to inf was accepted by decompressed(expectedCount:)") }
        } catch {
            if !overflows { c.fail("finite fp16 payload rejected: \(error)") }
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
