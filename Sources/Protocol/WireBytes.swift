// Little-endian primitive encoding shared by the encoder and the decoder: fixed-width integers,
// doubles as their IEEE-754 bit patterns, strings as a UInt32 byte length + UTF-8 bytes.

/// Appends little-endian primitives to a byte array.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func write(_ value: Double) {
        write(value.bitPattern)
    }

    /// Writes a UInt32 length then the UTF-8 bytes. Strings over 4 GiB are a programmer error.
    mutating func write(_ string: String) {
        let count = string.utf8.count
        precondition(count <= Int(UInt32.max), "string of \(count) bytes does not fit the wire format")
        write(UInt32(count))
        bytes.append(contentsOf: string.utf8)
    }
}

/// Reads little-endian primitives from an untrusted buffer, checking every length first.
struct WireReader {
    let buffer: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    /// Bytes not read yet.
    var remaining: Int { buffer.count - offset }

    /// Throws `truncated` unless `count` more bytes are available.
    func require(_ count: Int, _ field: @autoclosure () -> String) throws(DecodeError) {
        guard count <= remaining else { throw .truncated(field: field(), needed: count, available: remaining) }
    }

    mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: @autoclosure () -> String) throws(DecodeError) -> T {
        let size = MemoryLayout<T>.size
        try require(size, field())
        let raw = buffer.loadUnaligned(fromByteOffset: offset, as: T.self)
        offset += size
        return T(littleEndian: raw)
    }

    /// Reads a double and requires it to be finite.
    mutating func readFinite(_ field: @autoclosure () -> String) throws(DecodeError) -> Double {
        let value = Double(bitPattern: try read(UInt64.self, field()))
        guard value.isFinite else { throw .nonFinite(field: field(), index: 0) }
        return value
    }

    /// Reads a finite double that must also be ≥ 0 (durations).
    mutating func readDuration(_ field: @autoclosure () -> String) throws(DecodeError) -> Double {
        let value = try readFinite(field())
        guard value >= 0 else { throw .invalidValue(field: field(), reason: "negative duration \(value) s") }
        return value
    }

    mutating func readString(_ field: @autoclosure () -> String) throws(DecodeError) -> String {
        let count = Int(try read(UInt32.self, field() + ".length"))
        try require(count, field())
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[offset..<(offset + count)])
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8(field: field()) }
        offset += count
        return string
    }

    /// Throws `trailingBytes` unless everything was read.
    func expectEnd(_ field: @autoclosure () -> String) throws(DecodeError) {
        guard remaining == 0 else { throw .trailingBytes(field: field(), count: remaining) }
    }
}
