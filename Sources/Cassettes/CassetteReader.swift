public import Gzip

/// Reads a cassette record by record. A damaged gzip stream (a truncated tail, as a crash leaves it) is not an
/// error: ``next()`` returns every whole record before it, then nil, and ``damage`` says where it broke.
///
/// Not `Sendable`: it is mutable state; use it from one task.
public final class CassetteReader {
    /// The file being read.
    public let path: String
    /// How many records ``next()`` has returned.
    public private(set) var recordsRead = 0
    private let reader: GzipRecordReader
    /// The blobs beside the cassette, which its records' large binary bodies refer to.
    private let blobs: BlobStore

    /// Opens a cassette file.
    public init(path: String) throws(CassetteError) {
        self.path = path
        blobs = BlobStore(besideCassette: path)
        do {
            reader = try GzipRecordReader(path: path)
        } catch {
            throw CassetteError.io(path, error.description)
        }
    }

    /// The next record, or nil at the end (clean or damaged; see ``damage``). A line that is not a valid
    /// record throws an error naming the file and the record number; reading may continue after it.
    public func next() throws(CassetteError) -> CassetteRecord? {
        let line: [UInt8]?
        do {
            line = try reader.next()
        } catch {
            throw CassetteError.io(path, error.description)
        }
        guard let line else { return nil }
        recordsRead += 1
        do {
            return try CassetteRecord.decode(line, blobs: blobs)
        } catch {
            throw CassetteError.malformed(path, record: recordsRead, error.message)
        }
    }

    /// What broke the gzip stream, once ``next()`` has returned nil; nil after a clean end.
    public var damage: GzipDamage? { reader.damage }

    /// The number of compressed bytes consumed so far.
    public var compressedOffset: Int { reader.compressedOffset }
}

/// A whole cassette read into memory, with everything found wrong with it.
public struct Cassette: Sendable {
    /// The file it was read from.
    public var path: String
    /// The header record, if the first record was one.
    public var header: CassetteHeader?
    /// The exchanges, sorted by seq.
    public var exchanges: [Exchange]
    /// The end record, if the cassette has one.
    public var end: CassetteEnd?
    /// Where the gzip stream broke, if it did (a crash's truncated tail).
    public var damage: GzipDamage?
    /// Records that could not be understood and other inconsistencies, one line each, naming the record.
    public var problems: [String]

    /// The run it belongs to, from the header (or the file name when the header is missing).
    public var run: RunID? {
        if let header { return header.run }
        let name = String(path.split(separator: "/").last ?? "")
        return RunID.run(forFileName: name) ?? nil
    }

    /// Whether the cassette is whole: a header, an end record, and no damage or problem.
    public var isComplete: Bool { header != nil && end != nil && damage == nil && problems.isEmpty }

    /// The exchange with this seq, or nil when the cassette has none.
    public func exchange(seq: Int) -> Exchange? { exchanges.first { $0.seq == seq } }

    /// The digest recomputed from the exchanges.
    public var digest: String { CassetteDigest.digest(of: exchanges) }

    /// The cassette's summary, as an index row shows it.
    public var summary: CassetteSummary {
        CassetteSummary(run: run, exchanges: exchanges, isComplete: isComplete)
    }

    /// Reads every record of the cassette at `path`. Only a file that cannot be opened, or that is not a version 1
    /// cassette, throws; damage and malformed records are collected in ``damage`` and ``problems``.
    public static func load(path: String) throws(CassetteError) -> Cassette {
        let reader = try CassetteReader(path: path)
        var cassette = Cassette(path: path, header: nil, exchanges: [], end: nil, damage: nil, problems: [])
        var seqs = Set<Int>()
        while true {
            let record: CassetteRecord?
            do {
                record = try reader.next()
            } catch let error where error.code == .malformedRecord {
                if reader.recordsRead == 1, error.reason.contains("`version`") || error.reason.contains("`format`") {
                    throw CassetteError.unsupported(path, error.reason)
                }
                cassette.problems.append(error.description)
                continue
            }
            guard let record else { break }
            let number = reader.recordsRead
            switch record {
            case .header(let header):
                if number == 1 {
                    cassette.header = header
                } else {
                    cassette.problems.append("\(path): record \(number): a second header record")
                }
            case .exchange(let exchange):
                if number == 1 { cassette.problems.append("\(path): record 1: expected a header record first") }
                if cassette.end != nil {
                    cassette.problems.append("\(path): record \(number): an exchange after the end record")
                }
                if !seqs.insert(exchange.seq).inserted {
                    cassette.problems.append("\(path): record \(number): seq \(exchange.seq) appears twice")
                }
                cassette.exchanges.append(exchange)
            case .end(let end):
                if cassette.end != nil {
                    cassette.problems.append("\(path): record \(number): a second end record")
                }
                cassette.end = end
            }
        }
        cassette.damage = reader.damage
        cassette.exchanges.sort { $0.seq < $1.seq }
        if let end = cassette.end {
            if end.exchangeCount != cassette.exchanges.count {
                cassette.problems.append(
                    "\(path): the end record counts \(end.exchangeCount) exchanges, the cassette holds "
                        + "\(cassette.exchanges.count)"
                )
            }
            let digest = cassette.digest
            if end.digest != digest {
                cassette.problems.append(
                    "\(path): the end record's digest \(end.digest) differs from the recomputed digest \(digest)"
                )
            }
        }
        return cassette
    }
}
