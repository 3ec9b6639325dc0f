import CZlib

/// gzip (and zlib) compression through the system zlib.
///
/// `decompress` accepts gzip or zlib streams (zlib detects the header: window bits 15 + 32) and
/// concatenated gzip members (as `gunzip` does). `compress` writes a single gzip member.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates a gzip (or zlib) stream. Throws `.gzip` on a corrupt or truncated stream.
    public static func decompress(_ bytes: [UInt8]) throws(DataError) -> [UInt8] {
        if bytes.isEmpty { throw .gzip(reason: "empty input") }
        guard bytes.count < Int(UInt32.max) else { throw .gzip(reason: "input larger than 4 GiB") }
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .gzip(reason: "inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(bytes.count * 4)
        let chunkSize = 1 << 16
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var failure: String?
        bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = UInt32(input.count)
            chunk.withUnsafeMutableBufferPointer { out in
                while true {
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(chunkSize)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    let produced = chunkSize - Int(stream.avail_out)
                    output.append(contentsOf: out[0..<produced])
                    if status == Z_STREAM_END {
                        // Another gzip member may follow (concatenated .gz files).
                        if stream.avail_in == 0 { return }
                        guard inflateReset(&stream) == Z_OK else { failure = "inflateReset failed"; return }
                        continue
                    }
                    if status == Z_OK { continue }
                    if status == Z_BUF_ERROR {
                        if stream.avail_in == 0 { failure = "truncated stream (ended before the gzip trailer)"; return }
                        continue
                    }
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    failure = message
                    return
                }
            }
        }
        if let failure { throw .gzip(reason: failure) }
        return output
    }

    /// Deflates `bytes` into one gzip member (`level` 0–9, default 6).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) throws(DataError) -> [UInt8] {
        guard bytes.count < Int(UInt32.max) / 2 else { throw .gzip(reason: "input larger than 2 GiB") }
        var stream = z_stream()
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .gzip(reason: "deflateInit2 failed (level \(level))")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(bytes.count))) + 32
        var output = [UInt8](repeating: 0, count: bound)
        var status: Int32 = Z_OK
        var written = 0
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                status = deflate(&stream, Z_FINISH)
                written = out.count - Int(stream.avail_out)
            }
        }
        guard status == Z_STREAM_END else { throw .gzip(reason: "deflate did not finish (status \(status))") }
        output.removeSubrange(written...)
        return output
    }
}
