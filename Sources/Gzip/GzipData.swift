/// One-call gzip compression and decompression of bytes in memory.
public enum GzipData {
    /// Returns `bytes` as one complete gzip member, compressed at `level` (0…9, default 6).
    ///
    /// Does not throw: a level outside 0…9 is a programmer error (a precondition), and zlib can
    /// otherwise fail only when memory runs out, which traps as any Swift allocation would.
    public static func compress(_ bytes: some Collection<UInt8>, level: Int = 6) -> [UInt8] {
        precondition((0...9).contains(level), "gzip compression level \(level) is outside 0...9")
        do {
            let writer = try GzipWriter(level: level)
            var output = try writer.compress(bytes)
            try writer.finish(appendingTo: &output)
            return output
        } catch {
            fatalError("zlib failed to compress in memory: \(error)")
        }
    }

    /// Returns the decompressed contents of `bytes`: one gzip member or several concatenated.
    ///
    /// Throws `.corruptData` for invalid data, `.truncated` when the input ends inside a member
    /// (or is empty), and `.limitExceeded` when the output would exceed `maximumSize` bytes.
    public static func decompress(
        _ bytes: some Collection<UInt8>,
        maximumSize: Int = .max
    ) throws(GzipError) -> [UInt8] {
        let reader = try GzipReader()
        var output: [UInt8] = []
        try withContiguousBytes(bytes) { (buffer) throws(GzipError) in
            try reader.decompress(buffer, appendingTo: &output, maximumCount: maximumSize)
        }
        try reader.finish()
        return output
    }
}
