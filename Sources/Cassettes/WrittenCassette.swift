import Gzip
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// A cassette's records exactly as they are written, for rewriting it: ``read(path:)`` takes the records as they
/// stand (an `end` record that no longer matches the exchanges, exchange records after it, seqs with gaps) and
/// refuses only what cannot be rewritten faithfully, and ``write(_:)`` replaces the file in one step.
struct WrittenCassette {
    /// The file.
    let path: String
    /// Its header record, kept as it is (`created` still says when the recording began).
    var header: CassetteHeader
    /// Its exchange records in file order (the order they finished, cassette-format.md §2).
    var exchanges: [Exchange]
    /// Its `end` record as written, if it has one.
    var end: CassetteEnd?

    /// The `end` record the exchanges call for.
    var recomputedEnd: CassetteEnd {
        CassetteEnd(exchangeCount: exchanges.count, digest: CassetteDigest.digest(of: exchanges))
    }

    /// Whether the file ends with the `end` record its exchanges call for.
    var isSealed: Bool { end == recomputedEnd }

    /// Reads every record of the cassette at `path`. Throws, naming the file, the record and the byte of the
    /// decompressed text (`zcat FILE | tail -c +N` shows it) where it starts, for a record that does not decode, a
    /// second header, an exchange before the header, a seq that appears twice, a second `end` record, and a damaged
    /// gzip stream: rewriting any of them would lose or invent recordings.
    static func read(path: String) throws(CassetteError) -> WrittenCassette {
        let reader: GzipRecordReader
        do {
            reader = try GzipRecordReader(path: path)
        } catch {
            throw CassetteError.io(path, error.description)
        }
        let blobs = BlobStore(besideCassette: path)
        var header: CassetteHeader?
        var exchanges: [Exchange] = []
        var end: CassetteEnd?
        var seqs = Set<Int>()
        var number = 0
        var offset = 0
        while true {
            let line: [UInt8]?
            do {
                line = try reader.next()
            } catch {
                throw CassetteError.io(path, error.description)
            }
            guard let line else { break }
            number += 1
            func refuse(_ problem: String) -> CassetteError {
                CassetteError.malformed(
                    path,
                    record: number,
                    "\(problem) (the record starts at decompressed byte \(offset))"
                )
            }
            let record: CassetteRecord
            do {
                record = try CassetteRecord.decode(line, blobs: blobs)
            } catch {
                throw refuse(error.message)
            }
            switch record {
            case .header(let found):
                guard header == nil, number == 1 else { throw refuse("a header record after the first record") }
                header = found
            case .exchange(let exchange):
                guard header != nil else { throw refuse("an exchange before the header record") }
                guard seqs.insert(exchange.seq).inserted else { throw refuse("seq \(exchange.seq) appears twice") }
                exchanges.append(exchange)
            case .end(let found):
                guard end == nil else { throw refuse("a second end record") }
                end = found
            }
            offset += line.count + 1
        }
        if let damage = reader.damage {
            throw CassetteError.io(path, "\(damage.description); only whole cassettes are rewritten")
        }
        guard let header else { throw CassetteError.malformed(path, record: 1, "no header record") }
        return WrittenCassette(path: path, header: header, exchanges: exchanges, end: end)
    }

    /// Replaces the file with the header, `exchanges` in the order given and their recomputed `end` record,
    /// atomically: written and flushed to the disk under `.<name>.tmp` (cassette-format.md §1), then renamed over
    /// the cassette, so a crash leaves the old cassette or the new one. Returns the `end` record written.
    @discardableResult
    static func write(
        header: CassetteHeader,
        exchanges: [Exchange],
        to path: String
    ) throws(CassetteError) -> CassetteEnd {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(directory)/.\(name).tmp"
        let end = CassetteEnd(exchangeCount: exchanges.count, digest: CassetteDigest.digest(of: exchanges))
        let blobStore = BlobStore(sessionDirectory: directory)
        do throws(CassetteError) {
            let file = try CassetteError.writingGzip(temporary) { () throws(GzipError) in
                try GzipFileWriter(path: temporary, level: CassetteWriter.compressionLevel)
            }
            try CassetteError.writingGzip(temporary) { () throws(GzipError) in
                try file.append(CassetteRecord.header(header).encoded())
            }
            // A record at a time: the file is appended as it is encoded, never held whole.
            for exchange in exchanges {
                var blobs: [Blob] = []
                let line = CassetteRecord.exchange(exchange).encoded(storingBlobsIn: &blobs)
                try blobStore.write(blobs)
                try CassetteError.writingGzip(temporary) { () throws(GzipError) in try file.append(line) }
            }
            try CassetteError.writingGzip(temporary) { () throws(GzipError) in
                try file.append(CassetteRecord.end(end).encoded())
                try file.close()
            }
        } catch {
            unlink(temporary)
            throw error
        }
        // The rename must not reach the disk before the bytes do: the cassette it replaces is the only other copy.
        let descriptor = open(temporary, O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CassetteError.io(path, "cannot rename \(temporary) into place: \(reason)")
        }
        return end
    }
}
