// CURVE key pairs for `gradwire keys`: generation and public-key derivation.

import Testing
import ZeroMQ

@Suite struct CurveKeyPairTests {
    @Test func generatedKeysAreZ85AndMatch() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.utf8.count == 40)
        #expect(pair.secretKey.utf8.count == 40)
        #expect(try CurveKeyPair.publicKey(forSecretKey: pair.secretKey) == pair.publicKey)
        #expect(try CurveKeyPair.generate() != pair)
    }

    /// A secret key is exactly 40 characters of the Z85 alphabet (which has no `"`).
    @Test func rejectsMalformedSecretKeys() {
        #expect(throws: ZMQError.self) { _ = try CurveKeyPair.publicKey(forSecretKey: "HelloWorld") }
        #expect(throws: ZMQError.self) {
            _ = try CurveKeyPair.publicKey(forSecretKey: String(repeating: "\"", count: 40))
        }
    }
}
