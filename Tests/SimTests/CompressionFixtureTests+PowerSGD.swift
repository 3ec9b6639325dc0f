// Fixture checks for PowerSGD (epfml alternating and GRACE fresh-Q variants) and the wire-size table.

import Foundation
@testable import Sim
import Testing

extension CompressionFixtureTests {
    func checkPowerSGD(_ f: CompressionFixture, _ c: inout FixtureCheck) {
        guard let shape = c.require(f.params["shape"]?.ints, "params.shape"), shape.count == 2,
              let rank = c.require(f.params["rank"]?.intValue, "params.rank"),
              let gradients = c.require(f.inputs["gradients"]?.arrayValue?.compactMap(\.flattened), "inputs.gradients") else { return }
        let epfml = f.params["variant"]?.stringValue == "epfml"
        let normals: [Double] = epfml
            ? (f.randomness["P0"]?.flattened ?? []) + (f.randomness["Q0"]?.flattened ?? [])
            : (f.randomness["Q_init_per_step"]?.arrayValue?.compactMap(\.flattened).flatMap { $0 } ?? [])
        let power = PowerSGD(rows: shape[0], columns: shape[1], rank: rank, variant: epfml ? .alternating : .freshEachStep)
        let ef = ErrorFeedback(power)
        var memory = CompressionMemory()
        var random = CompressionRandom(recorded: RecordedDraws(normals: normals))
        let approxAbs = f.number(f.tolerance["approximation_abs"] ?? f.tolerance["abs"], default: 1e-5)
        let errorAbs = f.number(f.tolerance["error_abs"] ?? f.tolerance["residual_abs"] ?? f.tolerance["abs"], default: 1e-5)
        for (t, g) in gradients.enumerated() {
            guard let step = f.expected["steps"]?[t] else { return c.fail("missing step \(t)") }
            let sent = ef.compress(float32(g), memory: &memory, random: &random)
            guard case .lowRank(let factors) = sent.form else { return c.fail("step \(t): not a low-rank form") }
            let decoded = sent.decode()
            c.close(decoded, step["approximation"]?.flattened, abs: approxAbs, "step \(t) approximation")
            c.close(memory.residual, (step["error_after"] ?? step["residual_after"])?.flattened, abs: errorAbs, "step \(t) error")
            if let compensated = step["M_compensated"]?.flattened {
                c.close(zip(decoded, memory.residual).map { $0 + $1 }, compensated, abs: errorAbs, "step \(t) approximation + error")
            }
            // Factors up to the sign of each column.
            for (name, mine, rows) in [("P", factors.p, factors.rows), ("Q", factors.q, factors.columns)] {
                guard let expected = (step[name] ?? step["\(name)_after"])?.flattened, expected.count == mine.count else { continue }
                for col in 0..<factors.rank {
                    let a = (0..<rows).map { Double(mine[$0 * factors.rank + col]) }
                    let b = (0..<rows).map { expected[$0 * factors.rank + col] }
                    let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
                    let s: Double = dot < 0 ? -1 : 1
                    let scale = max(1, b.map(abs).max() ?? 1)
                    if zip(a, b).contains(where: { abs(s * $0 - $1) > 1e-4 * scale }) {
                        c.fail("step \(t) \(name) column \(col) differs beyond sign: \(a) vs \(b)")
                    }
                }
            }
        }
    }

    // MARK: - Wire sizes (spec §B.13)

    func checkWireSizes(_ f: CompressionFixture, _ c: inout FixtureCheck) {
        let rel = f.number(f.tolerance["rel"], default: 1e-12)
        let rho = f.params["rho"]?.doubleValue ?? 0.01
        for row in f.expected["rows"]?.arrayValue ?? [] {
            let method = row["method"]?.stringValue ?? "?"
            for (key, value) in row["bits_per_element"]?.objectValue ?? [] {
                guard let d = Int(key), let expected = value.doubleValue else { c.fail("\(method): bad entry \(key)"); continue }
                let k = MagnitudeSelection.keptCount(ratio: row["params"]?["rho"]?.doubleValue ?? rho, count: d)
                let encoding: WireEncoding? = switch method {
                case "fp32", "gradient coding": .dense32
                case "fp16": .float16
                case "natural (paper)": .naturalPaper
                case "natural (GRACE)": .naturalCodes
                case "terngrad 2-bit": .ternary2Bit
                case "terngrad base-3": .ternaryBase3
                case "terngrad GRACE": .ternaryBytes
                case "signsgd": .signs
                case "efsignsgd": .scaledSigns
                case "efsignsgd BytePS onebit": .signWords64
                case "topk/dgc raw fp32+u32": .sparse(kept: k)
                case "topk bitmap": .sparseBitmap(kept: k)
                case "randomk shared seed": .sharedSparse(kept: k)
                default: method.hasPrefix("qsgd") ? row["params"]?["s"]?.intValue.map { .quantized(levels: $0, buckets: 1) } : nil
                }
                guard let encoding else { c.fail("no encoding for '\(method)'"); continue }
                let bits = encoding.bitsPerElement(count: d)
                c.comparisons += 1
                if abs(bits - expected) > rel * expected { c.fail("\(method) d = \(d): \(bits) bits/element, expected \(expected)") }
                // The forms Gradwire produces must report the same size as the formula.
                if let produced = producedForm(method, row: row, d: d), produced.wireBits != encoding.bits(count: d) {
                    c.fail("\(method) d = \(d): produced form has \(produced.wireBits) bits, formula \(encoding.bits(count: d))")
                }
            }
        }
        for row in f.expected["powersgd"]?.arrayValue ?? [] {
            guard let shape = row["shape"]?.ints, shape.count == 2, let r = row["rank"]?.intValue,
                  let expected = row["bits_per_element"]?.doubleValue else { c.fail("bad powersgd row"); continue }
            let bits = WireEncoding.lowRank(rows: shape[0], columns: shape[1], rank: r).bitsPerElement(count: shape[0] * shape[1])
            c.comparisons += 1
            if abs(bits - expected) > rel * expected { c.fail("powersgd \(shape) r \(r): \(bits), expected \(expected)") }
            if shape[0] * shape[1] <= 4096 {
                let x = (0..<(shape[0] * shape[1])).map { Float($0 % 7) - 3 }
                let sent = PowerSGD(rows: shape[0], columns: shape[1], rank: r).compress(x)
                if abs(Double(sent.wireBits) / Double(x.count) - expected) > rel * expected { c.fail("powersgd \(shape) r \(r): produced \(sent.wireBits) bits") }
            }
        }
    }

    /// A real compressed tensor of dimension d for the methods Gradwire implements (small d only).
    private func producedForm(_ method: String, row: JSONNode, d: Int) -> CompressedTensor? {
        guard d <= 1000 else { return nil }
        let x = (0..<d).map { Float(($0 * 37) % 101) / 50 - 1 }
        let rho = row["params"]?["rho"]?.doubleValue ?? 0.01
        let compressor: (any Compressor)? = switch method {
        case "fp32": NoCompression()
        case "fp16": Float16Compression()
        case "natural (GRACE)": NaturalCompression()
        case "terngrad 2-bit": TernGrad()
        case "signsgd": SignSGD()
        case "efsignsgd": ScaledSign()
        case "topk/dgc raw fp32+u32": TopK(ratio: rho)
        case "randomk shared seed": RandomK(ratio: rho, scaled: false)
        default: method.hasPrefix("qsgd") ? row["params"]?["s"]?.intValue.map { QSGD(levels: $0) } : nil
        }
        return compressor?.compress(x)
    }
}
