import Protocol
import Testing

@Suite struct WireFuzzTests {
    /// Random bit flips and byte overwrites: decoding must either throw a DecodeError or return a
    /// message that re-encodes to exactly the mutated bytes (the encoding is canonical).
    @Test(arguments: [UInt64(0x00C0_FFEE), 20_250_101])
    func mutationsAreRejectedOrCanonical(seed: UInt64) {
        var rng = TestSplitMix(seed: seed)
        let originals = Samples.small.map { $0.encoded().frames() }
        var accepted = 0
        var rejected = 0
        for iteration in 0..<1_000 {
            var frames = originals[Int(rng.next() % UInt64(originals.count))]
            let flips = 1 + Int(rng.next() % 3)
            for _ in 0..<flips {
                let nonEmpty = frames.indices.filter { !frames[$0].isEmpty }
                let frame = nonEmpty[Int(rng.next() % UInt64(nonEmpty.count))]
                let byte = Int(rng.next() % UInt64(frames[frame].count))
                if rng.next() % 4 == 0 {
                    frames[frame][byte] = UInt8(truncatingIfNeeded: rng.next())
                } else {
                    frames[frame][byte] ^= 1 << UInt8(rng.next() % 8)
                }
            }
            do {
                let message = try Message.decode(frames: frames)
                accepted += 1
                #expect(message.encoded().frames() == frames, "seed \(seed) iteration \(iteration): accepted non-canonical bytes")
            } catch {
                rejected += 1
                #expect(!error.description.isEmpty)
            }
        }
        // Both outcomes must actually occur, or the loop tests nothing.
        #expect(accepted > 50, "seed \(seed): only \(accepted) mutations accepted")
        #expect(rejected > 200, "seed \(seed): only \(rejected) mutations rejected")
    }

    /// Frames of random bytes (with a valid magic/version prefix half of the time) never crash.
    @Test func randomFramesNeverCrash() {
        var rng = TestSplitMix(seed: 99)
        for _ in 0..<500 {
            let frameCount = Int(rng.next() % 5)
            var frames: [[UInt8]] = (0..<frameCount).map { _ in
                (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            if !frames.isEmpty && rng.next() % 2 == 0 {
                frames[0] = [0x47, 0x57, 0x57, 0x31, 1, 0, UInt8(1 + rng.next() % 7), 0] + frames[0]
            }
            _ = decodeError(frames)
        }
    }
}
