// CurveKeyPair — CURVE key pairs in Z85 text, for `gradwire keys` (DESIGN §2, Security).
//
// Only key generation and derivation live here; applying keys to sockets (ZMQ_CURVE_SERVER,
// ZMQ_CURVE_*KEY) and the ZAP allow-list are not implemented yet.

import CZeroMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A CURVE key pair, each key 40 characters of Z85 text (32 bytes).
public struct CurveKeyPair: Sendable, Equatable {
    /// The public key; safe to share (workers' go on the coordinator's allow-list).
    public var publicKey: String
    /// The secret key; keep it in a file only its owner can read.
    public var secretKey: String

    /// Generates a new key pair (`zmq_curve_keypair`). Throws `ENOTSUP` if libzmq was built
    /// without CURVE support.
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        _ = try LibZMQ().performExpectingSuccess("zmq_curve_keypair()") {
            zmq_curve_keypair(&publicKey, &secretKey)
        }
        return CurveKeyPair(publicKey: Self.text(publicKey), secretKey: Self.text(secretKey))
    }

    /// The public key belonging to `secretKey` (`zmq_curve_public`). Throws `EINVAL` if
    /// `secretKey` is not 40 characters of Z85.
    public static func publicKey(forSecretKey secretKey: String) throws(ZMQError) -> String {
        let operation = "zmq_curve_public(secret key of \(secretKey.utf8.count) characters)"
        guard secretKey.utf8.count == 40 else {
            throw ZMQError(errno: EINVAL, operation: operation, detail: "a Z85 CURVE key is exactly 40 characters")
        }
        var publicKey = [CChar](repeating: 0, count: 41)
        _ = try LibZMQ().performExpectingSuccess(operation) {
            zmq_curve_public(&publicKey, secretKey)
        }
        return Self.text(publicKey)
    }

    private static func text(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
