@testable import Sim
import Testing

/// The Float fast paths (lane-parallel sorting networks for the coordinate-wise rules, LAPACK top
/// eigenpairs above the Jacobi limit) against the scalar Double path on the same values.
@Suite struct RobustFloatPathTests {
    /// n × d Float values; `levels` > 0 draws small integers (many ties), else normals.
    static func batch(n: Int, d: Int, seed: UInt64, levels: Int = 0) -> UpdateBatch<Float> {
        let z = PortableRandom.normals(seed: seed, count: n * d)
        let values = z.map { levels > 0 ? Float((abs($0) * Double(levels)).rounded(.down)) : Float($0) }
        return UpdateBatch(rows: n, dimension: d, values: values)
    }

    static func close(_ a: [Double], _ b: [Double], _ tolerance: Double) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }
    }

    /// Sizes around the network's power-of-two padding, with a column tail (d not a multiple of 16).
    static let shapes = [(5, 37), (11, 40), (32, 17), (50, 33), (64, 16), (65, 21)]

    @Test(arguments: [0, 3])
    func coordinateRulesMatchTheScalarPath(levels: Int) {
        for (n, d) in Self.shapes {
            let x = Self.batch(n: n, d: d, seed: UInt64(n * 100 + d + levels), levels: levels)
            let wide = x.converted(to: Double.self)
            #expect(CoordinateRules.median(x) == CoordinateRules.median(wide), "median n=\(n) d=\(d)")
            let b = n / 5
            #expect(Self.close(CoordinateRules.trimmedMean(x, trim: b), CoordinateRules.trimmedMean(wide, trim: b), 1e-12),
                    "trimmed mean n=\(n) d=\(d)")
            let keep = n - n / 5
            #expect(Self.close(CoordinateRules.meanAroundMedian(x, keep: keep), CoordinateRules.meanAroundMedian(wide, keep: keep), 1e-12),
                    "meamed n=\(n) d=\(d) levels=\(levels)")
        }
    }

    @Test func nanBlocksFallBackToTheScalarPath() {
        var x = Self.batch(n: 11, d: 40, seed: 3)
        x.values[5 * 40 + 20] = .nan
        x.values[2 * 40 + 3] = .infinity
        let wide = x.converted(to: Double.self)
        let a = CoordinateRules.median(x), b = CoordinateRules.median(wide)
        #expect(zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
    }

    @Test func bulyanFloatMatchesDouble() throws {
        let x = Self.batch(n: 23, d: 35, seed: 11)
        let chain = try AggregationChain(names: ["bulyan"], defaultF: 3)
        let a = try chain.aggregate(x, context: AggregationContext())
        let b = try chain.aggregate(x.converted(to: Double.self), context: AggregationContext())
        #expect(a.selected == b.selected)
        #expect(Self.close(a.vector.map { Double($0) }, b.vector.map { Double(Float($0)) }, 1e-6))
    }

    @Test func lapackTopEigenpairsMatchJacobi() {
        let n = 40
        let z = PortableRandom.normals(seed: 5, count: n * 60)
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for k in 0..<60 { a[i * n + j] += z[i * 60 + k] * z[j * 60 + k] } } }
        let (values, vectors) = SymmetricEigen.top(a, n, count: 3)
        let (jv, jvec) = SymmetricEigen.decompose(a, n)
        #expect(Self.close(values, Array(jv.prefix(3)), 1e-10))
        for t in 0..<3 {
            let dot = zip(vectors[t], jvec[t]).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(abs(dot) - 1) < 1e-9)
        }
    }
}
