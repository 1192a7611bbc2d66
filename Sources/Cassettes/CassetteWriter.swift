import Gzip
public import Hashing
public import JSON
import Synchronization
public import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// What a cassette holds, in the shape of an `index.json` row.
public struct CassetteSummary: Sendable, Equatable {
    /// The run, or nil for untagged traffic.
    public var run: RunID?
    /// The number of exchanges.
    public var exchangeCount: Int
    /// The services the exchanges went to, sorted.
    public var services: [String]
    /// The cassette digest (``CassetteDigest``).
    public var digest: String
    /// The earliest `started` of its exchanges.
    public var first: Timestamp?
    /// The latest `started` of its exchanges.
    public var last: Timestamp?
    /// Whether the cassette ends with an `end` record and an undamaged gzip stream.
    public var isComplete: Bool

    /// Makes a summary.
    public init(
        run: RunID?,
        exchangeCount: Int,
        services: [String],
        digest: String,
        first: Timestamp?,
        last: Timestamp?,
        isComplete: Bool
    ) {
        self.run = run
        self.exchangeCount = exchangeCount
        self.services = services
        self.digest = digest
        self.first = first
        self.last = last
        self.isComplete = isComplete
    }

    /// The cassette's file name.
    public var fileName: String { RunID.fileName(for: run) }

    /// The summary an `index.json` row states (``CassetteSession/row(_:)``), or nil when the row is not one.
    public init?(indexRow row: JSONValue) {
        guard let file = row["file"]?.stringValue, let run = RunID.run(forFileName: file),
            let exchangeCount = row["exchanges"]?.integerValue, let digest = row["digest"]?.stringValue
        else { return nil }
        self.init(
            run: run,
            exchangeCount: exchangeCount,
            services: row["services"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            digest: digest,
            first: row["first"]?.stringValue.flatMap(Timestamp.init(iso8601:)),
            last: row["last"]?.stringValue.flatMap(Timestamp.init(iso8601:)),
            isComplete: row["complete"]?.boolValue ?? false
        )
    }

    /// Summarises exchanges.
    public init(run: RunID?, exchanges: [Exchange], isComplete: Bool) {
        self.init(
            run: run,
            exchangeCount: exchanges.count,
            services: Set(exchanges.map(\.service)).sorted(),
            digest: CassetteDigest.digest(of: exchanges),
            first: exchanges.map(\.started).min(),
            last: exchanges.map(\.started).max(),
            isComplete: isComplete
        )
    }
}

/// Appends the records of one cassette, each on disk (sync-flushed) before ``append(_:)`` returns.
///
/// The file is created under a temporary name (`.<name>.tmp`), given its header (and any exchanges carried over
/// from an earlier cassette of the same run), then renamed into place, so an existing cassette is replaced in one
/// step and never seen half-copied. Safe to use from many tasks: records are serialised outside the lock and
/// compressed and written inside it.
public final class CassetteWriter: Sendable {
    /// The cassette digest so far, kept in bounded memory: the digest hashes every exchange's entry in
    /// (ordinal, seq) order, so once many entries are waiting, the lower half is folded into a running hash. An
    /// entry that then arrives below one already folded (a client tagging ordinals far out of order) switches to
    /// computing the digest from the file itself when it is needed.
    private struct Digest {
        /// Entries not folded yet, in arrival order.
        var waiting: [CassetteDigest.Entry] = []
        var folded = SHA256()
        var foldedCount = 0
        var lastFolded: CassetteDigest.Entry?
        var isOutOfOrder = false

        var count: Int { foldedCount + waiting.count }

        mutating func add(_ entry: CassetteDigest.Entry, keeping limit: Int) {
            if let lastFolded, CassetteDigest.Entry.precedes(entry, lastFolded) { isOutOfOrder = true }
            if isOutOfOrder {
                foldedCount += 1  // counted only: the file has the exchange, and the digest comes from there
                return
            }
            waiting.append(entry)
            guard waiting.count >= limit else { return }
            waiting.sort(by: CassetteDigest.Entry.precedes)
            let folding = waiting.count / 2
            for entry in waiting[..<folding] { CassetteDigest.fold(entry, into: &folded) }
            lastFolded = waiting[folding - 1]
            foldedCount += folding
            waiting.removeFirst(folding)
        }

        /// The digest of every entry so far; nil when it must be computed from the file.
        var value: String? {
            guard !isOutOfOrder else { return nil }
            var hasher = folded
            for entry in waiting.sorted(by: CassetteDigest.Entry.precedes) { CassetteDigest.fold(entry, into: &hasher) }
            return hasher.finalize().hex
        }
    }

    private struct State {
        var file: GzipFileWriter?
        var digest = Digest()
        /// Appended exchanges whose digests are not in `digest` yet (see ``digestAppended()``).
        /// Each with the blobs its record refers to, whose digests its own digest reuses.
        var undigested: [(exchange: Exchange, blobs: [Blob])] = []
        /// The digest written in the `end` record.
        var finishedDigest: String?
        var services: Set<String> = []
        var first: Timestamp?
        var last: Timestamp?
        var failure: CassetteError?
    }

    /// zlib's fastest level: a proxy under load compresses every exchange, and the dictionary shared across
    /// records still makes a repeated header cost a few bytes (Benchmarks/README.md has the sizes).
    static let compressionLevel = 1

    /// The cassette's path.
    public let path: String
    /// The run it records, or nil for untagged traffic.
    public let run: RunID?
    private let state: Mutex<State>
    /// Where bodies stored as blobs go, before the records that refer to them.
    private let blobStore: BlobStore
    /// How many digest entries are kept before the lower half is folded (see `Digest`).
    private let digestEntriesKept: Int

    /// Creates the cassette for `run` in `directory` (replacing one that exists), writes its header and the
    /// `carrying` exchanges, and leaves it open for appending. At most `digestEntriesKept` exchange digests are
    /// held at once for the cassette digest (about 48 B each), however many exchanges it records.
    public init(
        directory: String,
        run: RunID?,
        toolVersion: String,
        carrying existing: [Exchange] = [],
        digestEntriesKept: Int = 4096
    ) throws(CassetteError) {
        precondition(digestEntriesKept >= 2, "a cassette digest needs room for two entries")
        let name = RunID.fileName(for: run)
        let path = directory + "/" + name
        let temporary = directory + "/." + name + ".tmp"
        var state = State()
        let blobStore = BlobStore(sessionDirectory: directory)
        let file: GzipFileWriter
        do throws(CassetteError) {
            file = try CassetteError.writingGzip(temporary) { () throws(GzipError) in
                try GzipFileWriter(path: temporary, level: Self.compressionLevel)
            }
            let header = CassetteRecord.header(CassetteHeader(run: run, created: .now(), toolVersion: toolVersion))
            try CassetteError.writingGzip(temporary) { () throws(GzipError) in try file.append(header.encoded()) }
            for exchange in existing {
                var blobs: [Blob] = []
                let line = CassetteRecord.exchange(exchange).encoded(storingBlobsIn: &blobs)
                try blobStore.write(blobs)
                try CassetteError.writingGzip(temporary) { () throws(GzipError) in try file.append(line) }
                Self.note(
                    exchange,
                    digest: CassetteDigest.exchangeDigest(exchange, blobs: blobs),
                    in: &state,
                    keeping: digestEntriesKept
                )
            }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CassetteError.io(path, "cannot rename \(temporary) into place: \(reason)")
        }
        state.file = file
        self.blobStore = blobStore
        self.path = path
        self.run = run
        self.state = Mutex(state)
        self.digestEntriesKept = digestEntriesKept
    }

    private static func note(_ exchange: Exchange, digest: SHA256Digest, in state: inout State, keeping limit: Int) {
        let entry = CassetteDigest.Entry(ordinal: exchange.ordinal, seq: exchange.seq, digest: digest)
        state.digest.add(entry, keeping: limit)
        noteServiceAndTime(of: exchange, in: &state)
    }

    private static func noteServiceAndTime(of exchange: Exchange, in state: inout State) {
        state.services.insert(exchange.service)
        state.first = min(state.first ?? exchange.started, exchange.started)
        state.last = max(state.last ?? exchange.started, exchange.started)
    }

    /// Appends an exchange record; it is on disk when this returns.
    public func append(_ exchange: Exchange) throws(CassetteError) {
        try append(contentsOf: [EncodedExchange(exchange)])
    }

    /// Appends exchange records with one sync flush and one write for all of them; they are on disk when this
    /// returns. A failure fails every one of them and the cassette (its tail is unknown).
    ///
    /// Their digests are computed later: by ``digestAppended()``, or at the latest by ``summary`` or ``finish()``.
    /// A writer thread thus answers the clients waiting for these records first and digests afterwards.
    public func append(contentsOf records: [EncodedExchange]) throws(CassetteError) {
        try state.withLock { (state) throws(CassetteError) in
            if let failure = state.failure { throw failure }
            guard let file = state.file else { throw CassetteError.closed("\(path) is already finished") }
            // Blobs first: a record on disk always finds its blob (a crash between them leaves only an unused blob).
            // A blob that cannot be written fails these records only: the cassette itself is untouched.
            for record in records { try blobStore.write(record.blobs) }
            do throws(GzipError) {
                try file.append(records: records.map(\.line))
            } catch {
                let failure = CassetteError.io(path, error.description)
                state.failure = failure
                throw failure
            }
            for record in records {
                if let digest = record.digest {
                    Self.note(record.exchange, digest: digest, in: &state, keeping: digestEntriesKept)
                } else {
                    Self.noteServiceAndTime(of: record.exchange, in: &state)
                    state.undigested.append((record.exchange, record.blobs))
                }
            }
        }
    }

    /// Computes the digests of the exchanges appended since the last call.
    public func digestAppended() {
        state.withLock { digestAppended(in: &$0) }
    }

    private func digestAppended(in state: inout State) {
        for (exchange, blobs) in state.undigested {
            let digest = CassetteDigest.exchangeDigest(exchange, blobs: blobs)
            let entry = CassetteDigest.Entry(ordinal: exchange.ordinal, seq: exchange.seq, digest: digest)
            state.digest.add(entry, keeping: digestEntriesKept)
        }
        state.undigested.removeAll()
    }

    /// The cassette digest of everything appended so far, read back from the file when entries came too far out
    /// of order to be kept folded (the file then has every exchange; nothing is being appended under the lock).
    private func cassetteDigest(in state: inout State) throws(CassetteError) -> String {
        if let finished = state.finishedDigest { return finished }
        digestAppended(in: &state)
        if let value = state.digest.value { return value }
        return CassetteDigest.digest(of: try Cassette.load(path: path).exchanges)
    }

    /// How many exchanges the cassette holds so far (without computing its digest, as ``summary`` does).
    public var exchangeCount: Int {
        state.withLock { $0.digest.count + $0.undigested.count }
    }

    /// What the cassette holds so far.
    public var summary: CassetteSummary {
        state.withLock { state in
            CassetteSummary(
                run: run,
                exchangeCount: state.digest.count + state.undigested.count,
                services: state.services.sorted(),
                // Empty only when the digest had to be read back from a file that cannot be read; `finish()`
                // then fails with the reason instead of writing a wrong digest.
                digest: (try? cassetteDigest(in: &state)) ?? "",
                first: state.first,
                last: state.last,
                isComplete: state.file == nil && state.failure == nil
            )
        }
    }

    /// Writes the `end` record and the gzip trailer and closes the file; later appends fail. Calling it again
    /// returns the same summary.
    @discardableResult
    public func finish() throws(CassetteError) -> CassetteSummary {
        try state.withLock { (state) throws(CassetteError) in
            guard let file = state.file else { return }
            state.file = nil
            let digest: String
            do throws(CassetteError) {
                if let failure = state.failure { throw failure }
                digest = try cassetteDigest(in: &state)
            } catch {
                state.failure = error
                try? file.close()
                throw error
            }
            let end = CassetteEnd(exchangeCount: state.digest.count, digest: digest)
            do throws(GzipError) {
                try file.append(CassetteRecord.end(end).encoded())
                try file.close()
            } catch {
                let failure = CassetteError.io(path, error.description)
                state.failure = failure
                throw failure
            }
            state.finishedDigest = digest
        }
        return summary
    }
}

/// An exchange with its cassette line encoded (and, when asked, its digest computed), so that the work can
/// happen before the cassette's lock is taken, or on another thread than the cassette's writer.
public struct EncodedExchange: Sendable {
    /// The exchange.
    public let exchange: Exchange
    /// Its `exchange` record, one JSON line without the newline.
    public let line: [UInt8]
    /// The bodies the line refers to as blobs, which the writer stores before it writes the line.
    public let blobs: [Blob]
    /// Its ``CassetteDigest/exchangeDigest(_:)``, when computed here; otherwise the writer computes it later.
    public let digest: SHA256Digest?

    /// Encodes `exchange`, and computes its digest too when `digesting`.
    public init(_ exchange: Exchange, digesting: Bool = false) {
        self.exchange = exchange
        var blobs: [Blob] = []
        self.line = CassetteRecord.exchange(exchange).encoded(storingBlobsIn: &blobs)
        self.blobs = blobs
        self.digest = digesting ? CassetteDigest.exchangeDigest(exchange, blobs: blobs) : nil
    }
}
