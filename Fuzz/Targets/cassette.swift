import Cassettes
import Gzip

/// A cassette as `CassetteReader` reads it: gzip stream, newline-terminated records, record decoding.
///
/// Input: byte 0 picks the mode: bit 0 set: the payload is the gzip stream itself (damage, corrupt
/// headers, concatenated members); clear: the payload is JSON lines that the target compresses, so the
/// fuzzer works on the record layer, and bit 1 then cuts the compressed stream at byte 1's fraction of
/// it, as a crash leaves a cassette. Bit 2 sets a 64-byte record limit. Checks: no trap; an intact
/// stream gives back exactly its lines and no damage; a cut stream gives a prefix of them; every
/// record that decodes encodes to a line that decodes again and encodes to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCassette(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let options = input.choice()
    let cut = Int(input.choice())
    let payload = input.payload
    let isRawGzip = options & 1 == 1
    var compressed = isRawGzip ? payload : GzipData.compress(payload)
    let isCut = !isRawGzip && options & 2 == 2
    if isCut {
        compressed.removeLast(compressed.count - cut * compressed.count / 256)
    }
    let maximumRecordLength = options & 4 == 4 ? 64 : GzipRecordReader.defaultMaximumRecordLength
    guard let reader = try? GzipRecordReader(bytes: compressed, maximumRecordLength: maximumRecordLength) else {
        return 0
    }
    var lines: [[UInt8]] = []
    var tooLong = false
    while true {
        do {
            guard let line = try reader.next() else { break }
            lines.append(line)
        } catch {
            require(
                error.code == .limitExceeded && maximumRecordLength == 64,
                "in-memory reading failed with \(error)"
            )
            tooLong = true
            break
        }
    }
    if !isRawGzip && !tooLong {
        var written = payload.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if written.last == [] { written.removeLast() }
        if isCut {
            require(lines.count <= written.count && Array(written.prefix(lines.count)) == lines, "cut stream: \(lines)")
        } else {
            require(reader.damage == nil, "intact stream reported damage \(String(describing: reader.damage))")
            require(lines == written, "intact stream read as \(lines.count) lines, written \(written.count)")
        }
    }
    var exchanges: [Exchange] = []
    for line in lines {
        guard let record = try? CassetteRecord.decode(line) else { continue }
        let encoded = record.encoded()
        let again = try? CassetteRecord.decode(encoded)
        require(again?.encoded() == encoded, "record \(String(decoding: line, as: UTF8.self)) does not round-trip")
        if case .exchange(let exchange) = record { exchanges.append(exchange) }
    }
    _ = CassetteDigest.digest(of: exchanges)
    return 0
}
