import CZlib

/// One-call compression and decompression of HTTP `deflate` content (RFC 9110 §8.4.1.2): the zlib format
/// (RFC 1950) around deflate data (RFC 1951).
///
/// Some servers send bare deflate data under that name, against the RFC; decompression takes either, deciding by the
/// zlib header's checksum (RFC 1950 §2.2), as browsers and curl do. zlib keeps a pointer back to its stream, so the
/// stream lives at one heap address from init to end.
public enum DeflateData {
    /// Returns `bytes` in the zlib format, compressed at `level` (0…9, default 6).
    public static func compress(_ bytes: some Collection<UInt8>, level: Int = 6) -> [UInt8] {
        precondition((0...9).contains(level), "deflate compression level \(level) is outside 0...9")
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        guard tdf_deflateInit2(stream, Int32(level), Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) == Z_OK else {
            fatalError("zlib could not start compressing in memory")
        }
        defer { deflateEnd(stream) }
        var input = Array(bytes)
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, UInt(input.count))))
        let status = input.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                stream.pointee.next_in = input.baseAddress
                stream.pointee.avail_in = UInt32(input.count)
                stream.pointee.next_out = output.baseAddress
                stream.pointee.avail_out = UInt32(output.count)
                return deflate(stream, Z_FINISH)
            }
        }
        precondition(status == Z_STREAM_END, "deflateBound leaves room for the whole output")
        return Array(output.prefix(Int(stream.pointee.total_out)))
    }

    /// Returns the decompressed contents of `bytes`: zlib-wrapped deflate data, or bare deflate data.
    ///
    /// Throws `.corruptData` for invalid data or bytes after the end of the stream, `.truncated` when the input ends
    /// inside the stream, and `.limitExceeded` when the output would exceed `maximumSize` bytes.
    public static func decompress(_ bytes: some Collection<UInt8>, maximumSize: Int = .max) throws(GzipError) -> [UInt8]
    {
        let input = Array(bytes)
        // RFC 1950 §2.2: method 8, and the two header bytes as a big-endian number are a multiple of 31.
        let isZlib = input.count >= 2 && input[0] & 0x0F == 8 && (Int(input[0]) << 8 | Int(input[1])) % 31 == 0
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        let status = tdf_inflateInit2(stream, isZlib ? 15 : -15)
        guard status == Z_OK else {
            throw GzipError.zlib("inflateInit2", status: status, message: stream.pointee.message)
        }
        defer { inflateEnd(stream) }
        var output: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 64 * 1024)
        return try input.withUnsafeBufferPointer { (input) throws(GzipError) -> [UInt8] in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = UInt32(input.count)
            while true {
                let result = scratch.withUnsafeMutableBufferPointer { scratch in
                    stream.pointee.next_out = scratch.baseAddress
                    stream.pointee.avail_out = UInt32(scratch.count)
                    return inflate(stream, Z_NO_FLUSH)
                }
                output += scratch.prefix(scratch.count - Int(stream.pointee.avail_out))
                if output.count > maximumSize {
                    throw GzipError.outputTooLarge(limit: maximumSize, offset: Int(stream.pointee.total_in))
                }
                switch result {
                case Z_STREAM_END:
                    guard stream.pointee.avail_in == 0 else {
                        throw GzipError.zlib(
                            "inflate",
                            status: Z_DATA_ERROR,
                            message: "data after the end of the stream"
                        )
                    }
                    return output
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                    throw GzipError.endsMidMember(offset: Int(stream.pointee.total_in))
                default:
                    throw GzipError.zlib("inflate", status: result, message: stream.pointee.message)
                }
            }
        }
    }
}
