/// Writers for the chunked transfer coding (RFC 9112 §7.1).
public enum ChunkedEncoding {
    /// One chunk: the size in lowercase hex, CRLF, the payload, CRLF. An empty payload gives no bytes
    /// at all, because a zero-size chunk would end the body; use `lastChunk` for that.
    public static func chunk(_ payload: some Collection<UInt8>) -> [UInt8] {
        guard !payload.isEmpty else { return [] }
        var bytes = Array(String(payload.count, radix: 16).utf8)
        bytes.reserveCapacity(bytes.count + payload.count + 4)
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
        bytes.append(contentsOf: payload)
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
        return bytes
    }

    /// The end of a chunked body: `0\r\n`, the trailer fields, `\r\n`.
    public static func lastChunk(trailers: HTTPHeaders = HTTPHeaders()) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "0"), ASCII.cr, ASCII.lf]
        trailers.serialize(into: &bytes)
        bytes.append(ASCII.cr)
        bytes.append(ASCII.lf)
        return bytes
    }
}
