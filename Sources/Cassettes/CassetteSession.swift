public import JSON
import Synchronization

/// Where an exchange goes: its cassette, its seq (arrival order) and its ordinal.
public struct ExchangeSlot: Sendable, Equatable {
    /// The run, or nil for untagged traffic.
    public let run: RunID?
    /// The arrival order within the cassette.
    public let seq: Int
    /// The ordinal: the `X-TDF-Ordinal` given, or the next free one.
    public let ordinal: Int

    /// Makes a slot.
    public init(run: RunID?, seq: Int, ordinal: Int) {
        self.run = run
        self.seq = seq
        self.ordinal = ordinal
    }
}

/// A session directory being recorded: one open ``CassetteWriter`` per run, seq and ordinal allocation, and the
/// readable `index.json` (DESIGN §4).
///
/// The index is written atomically when the session opens, whenever a cassette is opened or finished, and when
/// the session closes. Its rows cover every cassette in the directory: those written by this session, those of
/// earlier sessions (taken from the earlier index, or summarised by reading the cassette).
public final class CassetteSession: Sendable {
    private struct Cursor {
        var nextSeq = 0
        var nextOrdinal = 0
    }

    private struct State {
        var writers: [String: CassetteWriter] = [:]
        var cursors: [String: Cursor] = [:]
        var finished: [String: CassetteSummary] = [:]
        var opened: Set<String> = []
        var otherRows: [String: JSONValue] = [:]
        var isClosed = false
    }

    /// The session directory.
    public let directory: String
    /// The configuration written into the index.
    public let configuration: JSONValue
    /// The tool version written into headers and the index.
    public let toolVersion: String
    /// Whether a run's existing cassette is continued (record-missing) rather than replaced (record).
    public let keepsExistingCassettes: Bool
    private let created: String
    private let state: Mutex<State>
    /// Serialises index writes (they share one temporary file name).
    private let indexLock = Mutex(())
    /// The thread behind ``recordQueued(_:run:)``, started with the first queued exchange.
    private let writerThread = Mutex<(thread: SessionWriterThread?, isClosing: Bool)>((nil, false))

    /// Opens (creating if needed) a session directory and writes its index.
    public init(
        directory: String,
        configuration: JSONValue,
        toolVersion: String,
        keepsExistingCassettes: Bool = false
    ) throws(CassetteError) {
        try SessionDirectory.create(directory)
        self.directory = directory
        self.configuration = configuration
        self.toolVersion = toolVersion
        self.keepsExistingCassettes = keepsExistingCassettes
        var rows: [String: JSONValue] = [:]
        var created = Timestamp.now().description
        let indexPath = directory + "/" + SessionDirectory.indexFileName
        if SessionDirectory.exists(indexPath), let index = try? JSONParser.parse(SessionDirectory.read(indexPath)) {
            if let earlier = index["created"]?.stringValue { created = earlier }
            for row in index["runs"]?.arrayValue ?? [] {
                if let file = row["file"]?.stringValue { rows[file] = row }
            }
        }
        for name in try SessionDirectory.cassetteFileNames(in: directory) where rows[name] == nil {
            if let cassette = try? Cassette.load(path: directory + "/" + name) {
                rows[name] = Self.row(cassette.summary)
            }
        }
        self.created = created
        self.state = Mutex(State(otherRows: rows))
        try writeIndex()
    }

    deinit {
        let left = writerThread.withLock { $0.thread }?.abandon() ?? []
        left.forEach {
            $0.whenWritten(.failure(CassetteError.closed("the session in \(directory) was released unclosed")))
        }
    }

    /// Whether the run's cassette is open, so that ``reserve(run:ordinal:)`` touches no file.
    public func hasOpenCassette(for run: RunID?) -> Bool {
        let name = RunID.fileName(for: run)
        return state.withLock { $0.writers[name] != nil }
    }

    /// Allocates the seq and ordinal of a request that just arrived, opening the run's cassette if needed.
    public func reserve(run: RunID?, ordinal: Int?) throws(CassetteError) -> ExchangeSlot {
        let name = RunID.fileName(for: run)
        let (slot, openedNow) = try state.withLock { (state) throws(CassetteError) -> (ExchangeSlot, Bool) in
            guard !state.isClosed else { throw CassetteError.closed("the session in \(directory) is closed") }
            let openedNow = try openIfNeeded(name, run: run, state: &state)
            var cursor = state.cursors[name, default: Cursor()]
            let chosen = ordinal ?? cursor.nextOrdinal
            cursor.nextOrdinal = max(cursor.nextOrdinal, chosen + 1)
            let slot = ExchangeSlot(run: run, seq: cursor.nextSeq, ordinal: chosen)
            cursor.nextSeq += 1
            state.cursors[name] = cursor
            return (slot, openedNow)
        }
        if openedNow { try? writeIndex() }
        return slot
    }

    /// Appends a finished exchange to its run's cassette (reopening it if it was finished meanwhile).
    public func record(_ exchange: Exchange, run: RunID?) throws(CassetteError) {
        try openWriter(run: run).append(exchange)
    }

    /// Appends a finished exchange like ``record(_:run:)``, but on the session's writer thread, together with the
    /// exchanges that finished meanwhile; returns once it is on disk, with the exchange as written (redacted by
    /// `redactor` on that thread, when given). The caller's thread never waits for a lock held across redaction,
    /// compression and disk I/O, so this is what async code under load uses.
    @discardableResult
    public func recordQueued(
        _ exchange: Exchange,
        run: RunID?,
        redactedBy redactor: Redactor? = nil
    ) async throws(CassetteError) -> Exchange {
        try await recordQueued(.exchange(exchange, redactor: redactor), run: run)
    }

    /// Appends an exchange the caller already redacted and encoded, like ``recordQueued(_:run:redactedBy:)``:
    /// for a large exchange, whose encoding would hold up the writer thread (and every exchange behind it),
    /// encoded by the finishing task in parallel instead.
    @discardableResult
    public func recordQueued(_ encoded: EncodedExchange, run: RunID?) async throws(CassetteError) -> Exchange {
        try await recordQueued(.encoded(encoded), run: run)
    }

    private func recordQueued(
        _ record: SessionWriterThread.QueuedRecord,
        run: RunID?
    ) async throws(CassetteError) -> Exchange {
        // Unsafe rather than checked (which allocates per call, and this runs per proxied exchange): the writer
        // thread calls `whenWritten` exactly once for every job, and `enqueue` once itself when it cannot queue.
        let outcome = await withUnsafeContinuation { continuation in
            enqueue(record, run: run) { continuation.resume(returning: $0) }
        }
        return try outcome.get()
    }

    /// Queues a finished exchange for the writer thread, which redacts (when `redactor` is given), encodes and
    /// writes it, and returns at once; `whenWritten` is called (on that thread) once it is on disk, with the
    /// exchange as written, or with the failure.
    public func enqueue(
        _ exchange: Exchange,
        run: RunID?,
        redactedBy redactor: Redactor? = nil,
        whenWritten: @escaping @Sendable (Result<Exchange, CassetteError>) -> Void
    ) {
        enqueue(.exchange(exchange, redactor: redactor), run: run, whenWritten: whenWritten)
    }

    private func enqueue(
        _ record: SessionWriterThread.QueuedRecord,
        run: RunID?,
        whenWritten: @escaping @Sendable (Result<Exchange, CassetteError>) -> Void
    ) {
        let thread = writerThread.withLock { writer -> SessionWriterThread? in
            if writer.isClosing { return nil }
            if let thread = writer.thread { return thread }
            let thread = SessionWriterThread(name: "tdf-cassettes") { [weak self] jobs in
                self?.writeBatch(jobs)
            }
            writer.thread = thread
            return thread
        }
        let job = SessionWriterThread.Job(record: record, run: run, whenWritten: whenWritten)
        guard let thread, thread.enqueue(job) else {
            whenWritten(.failure(CassetteError.closed("the session in \(directory) is closed")))
            return
        }
    }

    /// Redacts, encodes and writes a batch of queued exchanges: each cassette's share at once, in queue order.
    private func writeBatch(_ jobs: [SessionWriterThread.Job]) {
        var names: [String] = []
        var shares: [String: [SessionWriterThread.Job]] = [:]
        for job in jobs {
            let name = RunID.fileName(for: job.run)
            if shares[name] == nil { names.append(name) }
            shares[name, default: []].append(job)
        }
        for name in names {
            let share = shares[name]!
            let records = share.map(\.record.encoded)
            do {
                let writer = try openWriter(run: share[0].run)
                try writer.append(contentsOf: records)
                for (job, record) in zip(share, records) { job.whenWritten(.success(record.exchange)) }
                // After the answers: no client waits for a digest.
                writer.digestAppended()
            } catch {
                share.forEach { $0.whenWritten(.failure(error)) }
            }
        }
    }

    /// The open writer of a run's cassette, opened (or reopened) if needed.
    private func openWriter(run: RunID?) throws(CassetteError) -> CassetteWriter {
        let name = RunID.fileName(for: run)
        return try state.withLock { (state) throws(CassetteError) -> CassetteWriter in
            guard !state.isClosed else { throw CassetteError.closed("the session in \(directory) is closed") }
            _ = try openIfNeeded(name, run: run, state: &state)
            return state.writers[name]!
        }
    }

    /// Opens the cassette `name` unless it is open; a cassette this session (or, when continuing, an earlier one)
    /// already wrote is carried over into the new file.
    private func openIfNeeded(_ name: String, run: RunID?, state: inout State) throws(CassetteError) -> Bool {
        if state.writers[name] != nil { return false }
        let path = directory + "/" + name
        var carried: [Exchange] = []
        if (state.opened.contains(name) || keepsExistingCassettes) && SessionDirectory.exists(path) {
            carried = try Cassette.load(path: path).exchanges
        }
        let writer = try CassetteWriter(directory: directory, run: run, toolVersion: toolVersion, carrying: carried)
        if !carried.isEmpty {
            var cursor = state.cursors[name, default: Cursor()]
            cursor.nextSeq = max(cursor.nextSeq, (carried.map(\.seq).max() ?? -1) + 1)
            cursor.nextOrdinal = max(cursor.nextOrdinal, (carried.map(\.ordinal).max() ?? -1) + 1)
            state.cursors[name] = cursor
        }
        state.writers[name] = writer
        state.opened.insert(name)
        state.finished[name] = nil
        return true
    }

    /// Writes the `end` record of a run's cassette and closes it (a later exchange of the run reopens it and
    /// carries the records over). Returns its summary, or nil when it is not open.
    @discardableResult
    public func finish(run: RunID?) throws(CassetteError) -> CassetteSummary? {
        let name = RunID.fileName(for: run)
        guard let writer = state.withLock({ $0.writers.removeValue(forKey: name) }) else { return nil }
        let summary = try writer.finish()
        state.withLock { $0.finished[name] = summary }
        try writeIndex()
        return summary
    }

    /// Finishes every open cassette and writes the final index; the session accepts nothing afterwards. Returns
    /// the summaries of the cassettes this session wrote. Every cassette is finished even when one fails; the
    /// first failure is thrown after the index is written.
    @discardableResult
    public func close() throws(CassetteError) -> [CassetteSummary] {
        let thread = writerThread.withLock { writer -> SessionWriterThread? in
            writer.isClosing = true
            return writer.thread
        }
        if let thread { writeBatch(thread.stop()) }
        let writers = state.withLock { state -> [String: CassetteWriter] in
            state.isClosed = true
            defer { state.writers.removeAll() }
            return state.writers
        }
        var firstFailure: CassetteError?
        for (name, writer) in writers.sorted(by: { $0.key < $1.key }) {
            do {
                let summary = try writer.finish()
                state.withLock { $0.finished[name] = summary }
            } catch {
                firstFailure = firstFailure ?? error
                state.withLock { $0.finished[name] = writer.summary }
            }
        }
        do {
            try writeIndex(durable: true)
        } catch {
            firstFailure = firstFailure ?? error
        }
        if let firstFailure { throw firstFailure }
        return state.withLock { $0.finished.values.sorted { $0.fileName < $1.fileName } }
    }

    /// The summaries of the cassettes this session has open or finished.
    public var summaries: [CassetteSummary] {
        state.withLock { state in
            (state.finished.values + state.writers.values.map(\.summary)).sorted { $0.fileName < $1.fileName }
        }
    }

    /// Writes `index.json` atomically from the current state; `durable` also flushes it to the disk (the final
    /// index at close).
    public func writeIndex(durable: Bool = false) throws(CassetteError) {
        try indexLock.withLock { (_) throws(CassetteError) in try writeIndexLocked(durable: durable) }
    }

    private func writeIndexLocked(durable: Bool) throws(CassetteError) {
        let rows = state.withLock { state -> [(String, JSONValue)] in
            var rows = state.otherRows
            for (name, summary) in state.finished { rows[name] = Self.row(summary) }
            for (name, writer) in state.writers { rows[name] = Self.row(writer.summary) }
            return rows.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        try Self.writeIndex(
            in: directory,
            toolVersion: toolVersion,
            created: .string(created),
            updated: .string(Timestamp.now().description),
            configuration: configuration,
            rows: rows.map(\.1),
            durable: durable
        )
    }

    /// Writes a session's `index.json` atomically (DESIGN §4); `durable` also flushes it to the disk.
    static func writeIndex(
        in directory: String,
        toolVersion: String,
        created: JSONValue,
        updated: JSONValue,
        configuration: JSONValue,
        rows: [JSONValue],
        durable: Bool
    ) throws(CassetteError) {
        let index: JSONValue = .object([
            ("format", .string("tdf-session-index")),
            ("version", .int(CassetteFormat.version)),
            ("tool_version", .string(toolVersion)),
            ("created", created),
            ("updated", updated),
            ("config", configuration),
            ("runs", .array(rows)),
        ])
        var bytes = JSONWriter.bytes(index, style: .pretty)
        bytes.append(0x0A)
        try SessionDirectory.writeAtomically(
            bytes,
            to: directory + "/" + SessionDirectory.indexFileName,
            durable: durable
        )
    }

    /// One index row.
    public static func row(_ summary: CassetteSummary) -> JSONValue {
        .object([
            ("run_id", summary.run.map { .string($0.rawValue) } ?? .null),
            ("file", .string(summary.fileName)),
            ("exchanges", .int(summary.exchangeCount)),
            ("services", .array(summary.services.map(JSONValue.string))),
            ("digest", .string(summary.digest)),
            ("first", summary.first.map { .string($0.description) } ?? .null),
            ("last", summary.last.map { .string($0.description) } ?? .null),
            ("complete", .bool(summary.isComplete)),
        ])
    }
}
