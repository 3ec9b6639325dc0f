// Packing sign vectors 8 per byte (DESIGN §2 polarity: coordinate i is bit i mod 8 of byte i / 8,
// LSB first; bit 1 ⇔ value > 0, so −1, 0 and −0 all become bit 0; the last byte is zero-padded) and
// unpacking them to ±1. The inner loops assemble a byte from eight comparisons with no per-bit
// branch (a comparison becomes a flag, shifted into place), which the optimiser vectorises.

import Protocol

/// Fast packing and unpacking of `PackedSigns`.
public enum SignPacking {
    /// Packs the signs of `values` (bit 1 iff the value is > 0).
    /// - Complexity: O(d), one pass.
    @inlinable
    public static func pack<T: BinaryFloatingPoint>(_ values: UnsafeBufferPointer<T>) -> PackedSigns {
        let n = values.count
        let byteCount = PackedSigns.byteCount(forCount: n)
        let bytes = [UInt8](unsafeUninitializedCapacity: byteCount) { out, initialized in
            let full = n / 8
            for j in 0..<full {
                let base = 8 * j
                var byte: UInt8 = 0
                for k in 0..<8 { byte |= (values[base + k] > 0 ? 1 : 0) << UInt8(k) }
                out[j] = byte
            }
            if full < byteCount {
                var byte: UInt8 = 0
                for k in 0..<(n - 8 * full) { byte |= (values[8 * full + k] > 0 ? 1 : 0) << UInt8(k) }
                out[full] = byte
            }
            initialized = byteCount
        }
        return PackedSigns(count: n, bytes: bytes)
    }

    /// Packs the signs of an array.
    public static func pack(_ values: [Float]) -> PackedSigns {
        values.withUnsafeBufferPointer { pack($0) }
    }

    /// Writes ±1 for every sign into `destination` (same count as `signs`, precondition).
    @inlinable
    public static func unpack<T: BinaryFloatingPoint>(_ signs: PackedSigns, into destination: UnsafeMutableBufferPointer<T>) {
        precondition(destination.count == signs.count, "unpack: \(destination.count) for \(signs.count) signs")
        let n = signs.count
        signs.bytes.withUnsafeBufferPointer { bytes in
            for j in 0..<bytes.count {
                let byte = bytes[j]
                let base = 8 * j
                for k in 0..<min(8, n - base) {
                    destination[base + k] = (byte >> UInt8(k)) & 1 == 1 ? 1 : -1
                }
            }
        }
    }

    /// The signs as ±1 Floats.
    public static func unpack(_ signs: PackedSigns) -> [Float] {
        [Float](unsafeUninitializedCapacity: signs.count) { buffer, initialized in
            unpack(signs, into: buffer)
            initialized = signs.count
        }
    }
}
