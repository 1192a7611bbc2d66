public import JSON
import Synchronization
public import Vocabulary

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

/// A session directory being recorded: one open ``CassetteWriter`` per active run, seq and ordinal allocation, and
/// the readable index (cassette-format.md §6, ``SessionIndex``).
///
/// Descriptors and memory stay bounded however many runs pass through: at most ``openCassetteLimit`` cassettes
/// are open at once (opening one more first finishes the least recently used), and ``maintain(idleTimeout:)``
/// finishes those idle for longer than the timeout. A finished cassette has its `end` record; a later exchange of
/// its run opens it again and carries its records over. Index rows go to the journal as cassettes open, change
/// and finish, and the journal is folded into `index.json` as it grows and at ``close()``. The directory is locked
/// (``SessionLock``) for as long as the session is open.
public final class CassetteSession: Sendable {
    private struct Cursor {
        var nextSeq = 0
        var nextOrdinal = 0
    }

    /// An open cassette and what decides when it is finished.
    private struct OpenCassette {
        let writer: CassetteWriter
        /// When an exchange was last reserved or written: for the idle timeout and the least-recently-used order.
        var lastUsed: ContinuousClock.Instant
        /// Exchanges reserved and not written yet.
        var inFlight = 0
        /// The writer thread is appending outside the session's lock, so the cassette must not be finished now.
        var isWriting = false
        /// The exchange count its latest index row states.
        var indexedCount: Int
    }

    private struct State {
        var open: [String: OpenCassette] = [:]
        var cursors: [String: Cursor] = [:]
        /// The file names of every cassette this session opened: it reopens one of these by carrying its records
        /// over. Their summaries are the index's rows, kept on disk (``SessionIndexWriter``).
        var written: Set<String> = []
        /// Index rows changed since they were last handed to the index, in order.
        var changedRows: [JSONValue] = []
        /// The first cassette that could not be finished when it was closed to make room or for idleness.
        var finishFailure: CassetteError?
        var isClosed = false
    }

    /// The session directory.
    public let directory: String
    /// The configuration written into the index.
    public let configuration: JSONValue
    /// The tool version written into headers and the index.
    public let toolVersion: String
    /// Whether a run's existing cassette is continued (record-missing) rather than replaced (record). Its
    /// exchanges are carried over except the proxy's own failures (``Exchange/isProxyGeneratedFailure``) and those
    /// that started before ``staleBefore``.
    public let keepsExistingCassettes: Bool
    /// When continuing a cassette, exchanges that started before this are not carried over (record-missing's
    /// `--max-age`: they are asked again, cassette-format.md §11.3).
    public let staleBefore: Timestamp?
    /// How many cassettes are open at once at most.
    public let openCassetteLimit: Int
    private let state: Mutex<State>
    /// The index, taken before `state` whenever both are needed.
    private let index: Mutex<SessionIndexWriter>
    private let lock: SessionLock
    /// The thread behind ``recordQueued(_:run:)``, started with the first queued exchange.
    private let writerThread = Mutex<(thread: SessionWriterThread?, isClosing: Bool)>((nil, false))

    /// Opens (creating if needed) a session directory, locks it and writes its index. Rows of cassettes that
    /// earlier sessions wrote come from their index (and journal), or from the cassettes themselves.
    public init(
        directory: String,
        configuration: JSONValue,
        toolVersion: String,
        keepsExistingCassettes: Bool = false,
        staleBefore: Timestamp? = nil,
        openCassetteLimit: Int = 256
    ) throws(CassetteError) {
        precondition(openCassetteLimit >= 1, "a session needs room for one open cassette")
        try SessionDirectory.create(directory)
        let lock = try SessionLock(directory: directory)
        do throws(CassetteError) {
            let earlier = try? SessionIndex.read(directory: directory)
            var rows = earlier?.rows ?? [:]
            for name in try SessionDirectory.cassetteFileNames(in: directory) where rows[name] == nil {
                if let cassette = try? Cassette.load(path: directory + "/" + name) {
                    rows[name] = Self.row(cassette.summary)
                }
            }
            self.index = Mutex(
                try SessionIndexWriter(
                    directory: directory,
                    toolVersion: toolVersion,
                    created: earlier?.created ?? Timestamp.now().description,
                    configuration: configuration,
                    rows: rows,
                    revision: earlier?.revision ?? 0
                )
            )
        } catch {
            lock.release()
            throw error
        }
        self.lock = lock
        self.directory = directory
        self.configuration = configuration
        self.toolVersion = toolVersion
        self.keepsExistingCassettes = keepsExistingCassettes
        self.staleBefore = staleBefore
        self.openCassetteLimit = openCassetteLimit
        self.state = Mutex(State())
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
        return state.withLock { $0.open[name] != nil }
    }

    /// How many cassettes are open right now.
    public var openCassetteCount: Int { state.withLock { $0.open.count } }

    /// Allocates the seq and ordinal of a request that just arrived, opening the run's cassette if needed.
    /// An `ordinal` above ``Exchange/maximumOrdinal`` is refused.
    public func reserve(run: RunID?, ordinal: Int?) throws(CassetteError) -> ExchangeSlot {
        if let ordinal, !(0...Exchange.maximumOrdinal).contains(ordinal) {
            throw CassetteError.invalidOrdinal(ordinal)
        }
        let name = RunID.fileName(for: run)
        let (slot, openedNow) = try state.withLock { (state) throws(CassetteError) -> (ExchangeSlot, Bool) in
            guard !state.isClosed else { throw CassetteError.closed("the session in \(directory) is closed") }
            let openedNow = try openIfNeeded(name, run: run, state: &state)
            var cursor = state.cursors[name, default: Cursor()]
            let chosen = ordinal ?? cursor.nextOrdinal
            // Counting on from the largest tag takes two billion requests of one run to reach what a reader takes.
            guard chosen < CassetteFormat.maximumSeqOrOrdinal, cursor.nextSeq < CassetteFormat.maximumSeqOrOrdinal
            else { throw CassetteError.invalidOrdinal(chosen) }
            cursor.nextOrdinal = max(cursor.nextOrdinal, chosen + 1)
            let slot = ExchangeSlot(run: run, seq: cursor.nextSeq, ordinal: chosen)
            cursor.nextSeq += 1
            state.cursors[name] = cursor
            state.open[name]!.inFlight += 1
            state.open[name]!.lastUsed = .now
            return (slot, openedNow)
        }
        // Only after opening a cassette, which the proxy does on the pool: a reserve on the event loop writes nothing.
        if openedNow { try? flushIndex() }
        return slot
    }

    /// Appends a finished exchange to its run's cassette (reopening it if it was finished meanwhile).
    public func record(_ exchange: Exchange, run: RunID?) throws(CassetteError) {
        let name = RunID.fileName(for: run)
        defer { endWriting(name, exchanges: 1) }
        try beginWriting(run: run).append(exchange)
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
                let writer = try beginWriting(run: share[0].run)
                try writer.append(contentsOf: records)
                for (job, record) in zip(share, records) { job.whenWritten(.success(record.exchange)) }
                // After the answers: no client waits for a digest.
                writer.digestAppended()
            } catch {
                share.forEach { $0.whenWritten(.failure(error)) }
            }
            endWriting(name, exchanges: share.count)
        }
        if state.withLock({ !$0.changedRows.isEmpty }) { try? flushIndex() }
    }

    /// The open writer of a run's cassette, opened (or reopened) if needed, marked as being written so that it is
    /// not finished under the writer; ``endWriting(_:exchanges:)`` clears the mark.
    private func beginWriting(run: RunID?) throws(CassetteError) -> CassetteWriter {
        let name = RunID.fileName(for: run)
        return try state.withLock { (state) throws(CassetteError) -> CassetteWriter in
            guard !state.isClosed else { throw CassetteError.closed("the session in \(directory) is closed") }
            try openIfNeeded(name, run: run, state: &state)
            state.open[name]!.isWriting = true
            return state.open[name]!.writer
        }
    }

    /// Ends what ``beginWriting(run:)`` began: `exchanges` of the cassette's reserved exchanges are written (or
    /// failed) and it is idle from now.
    private func endWriting(_ name: String, exchanges: Int) {
        state.withLock { state in
            guard var open = state.open[name] else { return }
            open.isWriting = false
            open.inFlight = max(0, open.inFlight - exchanges)
            open.lastUsed = .now
            state.open[name] = open
        }
    }

    /// Opens the cassette `name` unless it is open, first finishing the least recently used one when
    /// ``openCassetteLimit`` are open. A cassette this session (or, when continuing, an earlier one) already wrote
    /// is carried over into the new file. Returns whether it opened one.
    @discardableResult
    private func openIfNeeded(_ name: String, run: RunID?, state: inout State) throws(CassetteError) -> Bool {
        if state.open[name] != nil { return false }
        if state.open.count >= openCassetteLimit { finishLeastRecentlyUsed(state: &state) }
        let path = directory + "/" + name
        var carried: [Exchange] = []
        if state.written.contains(name) && SessionDirectory.exists(path) {
            carried = try Cassette.load(path: path).exchanges
        } else if keepsExistingCassettes && SessionDirectory.exists(path) {
            // The proxy's own failures in an earlier session are not recordings of the upstream, and stale ones are
            // not to be trusted: record-missing asks the upstream again, and the answer takes their place
            // (cassette-format.md §7, §11.3).
            carried = try Cassette.load(path: path).exchanges.filter { exchange in
                !exchange.isProxyGeneratedFailure && !(staleBefore.map { exchange.started < $0 } ?? false)
            }
        }
        let writer = try CassetteWriter(directory: directory, run: run, toolVersion: toolVersion, carrying: carried)
        if !carried.isEmpty {
            var cursor = state.cursors[name, default: Cursor()]
            cursor.nextSeq = max(cursor.nextSeq, (carried.map(\.seq).max() ?? -1) + 1)
            cursor.nextOrdinal = max(cursor.nextOrdinal, (carried.map(\.ordinal).max() ?? -1) + 1)
            state.cursors[name] = cursor
        }
        state.open[name] = OpenCassette(writer: writer, lastUsed: .now, indexedCount: carried.count)
        state.written.insert(name)
        state.changedRows.append(Self.row(writer.summary))
        return true
    }

    /// Finishes the open cassette used longest ago, preferring one with no exchange in flight (one with exchanges
    /// in flight is opened again when they finish). Cassettes the writer thread is appending to are left alone.
    private func finishLeastRecentlyUsed(state: inout State) {
        let victim = state.open.filter { !$0.value.isWriting }.min { lhs, rhs in
            let (left, right) = (lhs.value, rhs.value)
            if (left.inFlight == 0) != (right.inFlight == 0) { return left.inFlight == 0 }
            return left.lastUsed < right.lastUsed
        }
        guard let victim else { return }
        do {
            try finishOpen(victim.key, state: &state)
        } catch {
            state.finishFailure = state.finishFailure ?? error
        }
    }

    /// Writes the `end` record of an open cassette and closes it; its summary goes to the index either way.
    @discardableResult
    private func finishOpen(_ name: String, state: inout State) throws(CassetteError) -> CassetteSummary {
        let open = state.open.removeValue(forKey: name)!
        // With nothing in flight the file holds every slot handed out, and reopening recovers the cursor from it.
        if open.inFlight == 0 { state.cursors[name] = nil }
        do {
            let summary = try open.writer.finish()
            state.changedRows.append(Self.row(summary))
            return summary
        } catch {
            state.changedRows.append(Self.row(open.writer.summary))
            throw error
        }
    }

    /// Writes the `end` record of a run's cassette and closes it (a later exchange of the run reopens it and
    /// carries the records over). Returns its summary, or nil when it is not open.
    @discardableResult
    public func finish(run: RunID?) throws(CassetteError) -> CassetteSummary? {
        let name = RunID.fileName(for: run)
        let summary = try state.withLock { (state) throws(CassetteError) -> CassetteSummary? in
            guard state.open[name] != nil else { return nil }
            return try finishOpen(name, state: &state)
        }
        try flushIndex()
        return summary
    }

    /// Upkeep for a long-running session, called every second or so: finishes the cassettes that had no
    /// exchange in flight for `idleTimeout` (nil: none), and writes index rows for open cassettes whose exchange
    /// count changed. Returns how many cassettes it finished.
    @discardableResult
    public func maintain(idleTimeout: Duration?) throws(CassetteError) -> Int {
        let finishedCount = state.withLock { state -> Int in
            var count = 0
            if let idleTimeout {
                let now = ContinuousClock.now
                let idle = state.open.filter {
                    !$0.value.isWriting && $0.value.inFlight == 0 && now - $0.value.lastUsed >= idleTimeout
                }
                for name in idle.keys.sorted() {
                    do throws(CassetteError) {
                        try finishOpen(name, state: &state)
                    } catch {
                        state.finishFailure = state.finishFailure ?? error
                    }
                    count += 1
                }
            }
            for (name, open) in state.open where open.writer.exchangeCount != open.indexedCount {
                let summary = open.writer.summary
                state.open[name]!.indexedCount = summary.exchangeCount
                state.changedRows.append(Self.row(summary))
            }
            return count
        }
        try flushIndex()
        return finishedCount
    }

    /// Finishes every cassette with no exchange in flight and folds the index journal into `index.json`, so that
    /// a copy of the directory taken now is whole (`SIGHUP` to `tdf proxy`). Returns how many it finished.
    @discardableResult
    public func checkpoint() throws(CassetteError) -> Int {
        let finished = try maintain(idleTimeout: .zero)
        try index.withLock { (index) throws(CassetteError) in try index.fold(durable: true) }
        return finished
    }

    /// Hands the changed rows to the index, in the order they changed.
    private func flushIndex() throws(CassetteError) {
        try index.withLock { (index) throws(CassetteError) in
            let rows = state.withLock { state -> [JSONValue] in
                defer { state.changedRows.removeAll() }
                return state.changedRows
            }
            try index.append(rows)
        }
    }

    /// Finishes every open cassette, writes the final `index.json` and unlocks the directory; the session accepts
    /// nothing afterwards. Returns the summaries of the cassettes this session wrote. Every cassette is finished
    /// even when one fails; the first failure (including one from finishing a cassette earlier to make room) is
    /// thrown after the index is written.
    @discardableResult
    public func close() throws(CassetteError) -> [CassetteSummary] {
        let thread = writerThread.withLock { writer -> SessionWriterThread? in
            writer.isClosing = true
            return writer.thread
        }
        if let thread { writeBatch(thread.stop()) }
        var firstFailure = state.withLock { state -> CassetteError? in
            guard !state.isClosed else { return nil }
            state.isClosed = true
            var failure = state.finishFailure
            for name in state.open.keys.sorted() {
                do throws(CassetteError) {
                    try finishOpen(name, state: &state)
                } catch {
                    failure = failure ?? error
                }
            }
            return failure
        }
        do {
            try index.withLock { (index) throws(CassetteError) in
                let rows = state.withLock { state -> [JSONValue] in
                    defer { state.changedRows.removeAll() }
                    return state.changedRows
                }
                try index.append(rows)
                try index.fold(durable: true)
            }
        } catch {
            firstFailure = firstFailure ?? error
        }
        lock.release()
        if let firstFailure { throw firstFailure }
        return summaries
    }

    /// The summaries of the cassettes this session has open or finished: the open ones' from their writers, the
    /// others' read back from the index.
    public var summaries: [CassetteSummary] {
        try? flushIndex()
        let rows = (try? index.withLock { (index) throws(CassetteError) in try index.rows() }) ?? [:]
        return state.withLock { state in
            state.written.compactMap { name in
                state.open[name]?.writer.summary ?? rows[name].flatMap(CassetteSummary.init(indexRow:))
            }
            .sorted { $0.fileName < $1.fileName }
        }
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
