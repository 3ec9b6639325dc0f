// FNV-1a, 64-bit (Fowler–Noll–Vo; http://www.isthe.com/chongo/tech/comp/fnv/). Chosen because it
// is tiny, byte-order independent and identical in every process and release — unlike Swift's
// `Hasher`, which is randomly seeded per process. Not cryptographic: it fingerprints configs and
// data files to catch accidental mismatches, not attacks.

/// Process-independent hashes for config and data fingerprints.
public enum StableHash {
    /// FNV-1a 64-bit offset basis.
    public static let fnvOffsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    /// FNV-1a 64-bit prime.
    public static let fnvPrime: UInt64 = 0x0000_0100_0000_01b3

    /// FNV-1a 64 of a byte sequence. `fnv1a64([])` is the offset basis.
    public static func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = fnvOffsetBasis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= fnvPrime
        }
        return hash
    }

    /// FNV-1a 64 of a string's UTF-8 bytes.
    public static func fnv1a64(_ string: String) -> UInt64 {
        fnv1a64(string.utf8)
    }

    /// Continues an FNV-1a 64 hash over more bytes (`fnv1a64(a + b) == fnv1a64(continuing: fnv1a64(a), b)`),
    /// for hashing several files or a file in chunks.
    public static func fnv1a64(continuing hash: UInt64, _ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = hash
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= fnvPrime
        }
        return hash
    }
}
