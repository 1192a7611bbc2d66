import Gzip
public import Hashing
import Synchronization

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
    private struct State {
        var file: GzipFileWriter?
        var entries: [CassetteDigest.Entry] = []
        /// Appended exchanges whose digests are not in `entries` yet (see ``digestAppended()``).
        var undigested: [Exchange] = []
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

    /// Creates the cassette for `run` in `directory` (replacing one that exists), writes its header and the
    /// `carrying` exchanges, and leaves it open for appending.
    public init(
        directory: String,
        run: RunID?,
        toolVersion: String,
        carrying existing: [Exchange] = []
    ) throws(CassetteError) {
        let name = RunID.fileName(for: run)
        let path = directory + "/" + name
        let temporary = directory + "/." + name + ".tmp"
        let file: GzipFileWriter
        var state = State()
        do throws(GzipError) {
            file = try GzipFileWriter(path: temporary, level: Self.compressionLevel)
            try file.append(
                CassetteRecord.header(CassetteHeader(run: run, created: .now(), toolVersion: toolVersion)).encoded()
            )
            for exchange in existing {
                try file.append(CassetteRecord.exchange(exchange).encoded())
                Self.note(exchange, digest: CassetteDigest.exchangeDigest(exchange), in: &state)
            }
        } catch {
            unlink(temporary)
            throw CassetteError.io(temporary, error.description)
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CassetteError.io(path, "cannot rename \(temporary) into place: \(reason)")
        }
        state.file = file
        self.path = path
        self.run = run
        self.state = Mutex(state)
    }

    private static func note(_ exchange: Exchange, digest: SHA256Digest, in state: inout State) {
        state.entries.append(CassetteDigest.Entry(ordinal: exchange.ordinal, seq: exchange.seq, digest: digest))
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
            do throws(GzipError) {
                try file.append(records: records.map(\.line))
            } catch {
                let failure = CassetteError.io(path, error.description)
                state.failure = failure
                throw failure
            }
            for record in records {
                if let digest = record.digest {
                    Self.note(record.exchange, digest: digest, in: &state)
                } else {
                    Self.noteServiceAndTime(of: record.exchange, in: &state)
                    state.undigested.append(record.exchange)
                }
            }
        }
    }

    /// Computes the digests of the exchanges appended since the last call.
    public func digestAppended() {
        state.withLock { Self.digestAppended(in: &$0) }
    }

    private static func digestAppended(in state: inout State) {
        for exchange in state.undigested {
            let digest = CassetteDigest.exchangeDigest(exchange)
            state.entries.append(CassetteDigest.Entry(ordinal: exchange.ordinal, seq: exchange.seq, digest: digest))
        }
        state.undigested.removeAll()
    }

    /// What the cassette holds so far.
    public var summary: CassetteSummary {
        state.withLock { state in
            Self.digestAppended(in: &state)
            return CassetteSummary(
                run: run,
                exchangeCount: state.entries.count,
                services: state.services.sorted(),
                digest: CassetteDigest.digest(ofEntries: state.entries),
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
            Self.digestAppended(in: &state)
            if let failure = state.failure {
                try? file.close()
                throw failure
            }
            let end = CassetteEnd(
                exchangeCount: state.entries.count,
                digest: CassetteDigest.digest(ofEntries: state.entries)
            )
            do throws(GzipError) {
                try file.append(CassetteRecord.end(end).encoded())
                try file.close()
            } catch {
                let failure = CassetteError.io(path, error.description)
                state.failure = failure
                throw failure
            }
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
    /// Its ``CassetteDigest/exchangeDigest(_:)``, when computed here; otherwise the writer computes it later.
    public let digest: SHA256Digest?

    /// Encodes `exchange`, and computes its digest too when `digesting`.
    public init(_ exchange: Exchange, digesting: Bool = false) {
        self.exchange = exchange
        self.line = CassetteRecord.exchange(exchange).encoded()
        self.digest = digesting ? CassetteDigest.exchangeDigest(exchange) : nil
    }
}
