import Cassettes
import HTTPSClient
import HTTPTransport
import HTTPWire
import Sockets
import Synchronization
import Vocabulary

/// What every listener of one proxy shares: the mode, the session being recorded, the recordings being replayed,
/// the redactor, the upstream client and the counters.
final class ProxyCore: Sendable {
    struct Counters: Sendable {
        var forwarded = 0
        var recorded = 0
        var replayed = 0
        var mismatches = 0
        /// The first ``ProxyReport/keptMismatches`` mismatches, whole; later ones are only counted.
        var mismatchDetails: [ReplayMismatch] = []
        var recordingFailures: [String] = []
        /// Bodies stored as they came because tdf cannot decode their content coding (so never scanned), one line
        /// each: the first ``ProxyReport/keptUndecodedBodies``; later ones are only counted.
        var undecodedBodies: [String] = []
        var undecodedBodyCount = 0
    }

    let configuration: ProxyConfiguration
    let session: CassetteSession?
    let library: ReplayLibrary?
    let redactor: Redactor
    let client: HTTPClient
    /// The client for `https://` upstreams; nil when no service has one.
    let secureClient: HTTPSClient?
    /// Where exchanges are served: the socket event loop when every request only relays bytes (passthrough and
    /// record), the cooperative pool when requests are answered from recordings, which loading, matching and
    /// rebuilding make CPU work that would hold up every other connection on the loop.
    let executor: (any TaskExecutor)?
    let counters = Mutex(Counters())
    /// Fired by ``abortWaits()``: cuts requests to upstreams that have not answered yet.
    let shutdownSignal = AbortSignal()
    /// Other waits that shutdown may cut short (a paced replay's first byte).
    private let waits = Mutex<(next: UInt64, cancels: [UInt64: @Sendable () -> Void], aborted: Bool)>((0, [:], false))

    init(
        configuration: ProxyConfiguration,
        session: CassetteSession?,
        library: ReplayLibrary?,
        redactor: Redactor,
        client: HTTPClient,
        secureClient: HTTPSClient?
    ) {
        self.configuration = configuration
        self.session = session
        self.library = library
        self.redactor = redactor
        self.client = client
        self.secureClient = secureClient
        self.executor = configuration.mode.replays ? nil : EventLoop.executor
    }

    /// Runs `operation` so that ``abortWaits()`` can cancel it: shutdown uses this once the grace period is over,
    /// for a paced replay still waiting to send its first byte.
    func abortable<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await operation() }
        let id = waits.withLock { state -> UInt64? in
            guard !state.aborted else { return nil }
            state.next += 1
            state.cancels[state.next] = { task.cancel() }
            return state.next
        }
        if id == nil { task.cancel() }
        defer {
            if let id { waits.withLock { _ = $0.cancels.removeValue(forKey: id) } }
        }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Cuts every upstream request without its head yet and every wait started with ``abortable(_:)``, and every
    /// later one at once.
    func abortWaits() {
        let cancels = waits.withLock { state -> [@Sendable () -> Void] in
            state.aborted = true
            return Array(state.cancels.values)
        }
        shutdownSignal.abort()
        cancels.forEach { $0() }
    }

    /// Subjects already logged by ``logOnce(about:_:)``.
    private let loggedSubjects = Mutex<Set<String>>([])

    /// Logs `line` the first time only for `subject`: a misconfiguration every request runs into (an upstream whose
    /// certificate is not trusted) is one error to fix, not one per request.
    func logOnce(about subject: String, _ line: String) {
        guard loggedSubjects.withLock({ $0.insert(subject).inserted }) else { return }
        configuration.log("tdf proxy: \(line)")
    }

    /// Whether ``abortWaits()`` has been called.
    var isAborting: Bool { waits.withLock { $0.aborted } }

    /// Has the session's writer thread redact a finished exchange and append it to its cassette; returns once it
    /// is on disk. A failure is counted and logged, never thrown at the client whose exchange is under way.
    func record(_ exchange: Exchange, run: RunID?) async {
        guard let session else { return }
        let exchange = decodingBodies(exchange)
        do {
            if Self.bodyBytes(of: exchange) < Self.encodedOnThePoolFrom {
                noteRecorded(try await session.recordQueued(exchange, run: run, redactedBy: redactor), run: run)
            } else {
                let encoded = await withTaskExecutorPreference(globalConcurrentExecutor) { [redactor] in
                    EncodedExchange(redactor.redact(exchange), digesting: true)
                }
                noteRecorded(try await session.recordQueued(encoded, run: run), run: run)
            }
        } catch {
            noteRecordingFailure(of: exchange, error)
        }
    }

    /// Body bytes from which an exchange is redacted, encoded and digested on the cooperative pool rather than on
    /// the session's one writer thread: that work grows with the body (a 64 KiB body took the writer about half a
    /// millisecond), so large exchanges are prepared in parallel, and small ones skip the extra hand-off.
    static let encodedOnThePoolFrom = 16 << 10

    private static func bodyBytes(of exchange: Exchange) -> Int {
        let response =
            switch exchange.response.content {
            case .body(let bytes): bytes.count
            case .chunks(let chunks), .events(_, exact: let chunks?): chunks.reduce(0) { $0 + $1.bytes.count }
            case .events(let events, exact: nil):
                events.reduce(0) { total, event in
                    guard case .event(let sse) = event.frame else { return total }
                    return total + sse.data.utf8.count
                }
            }
        return exchange.request.body.count + response
    }

    /// Like ``record(_:run:)``, without waiting for the write: for an exchange whose client is already gone.
    func recordWithoutWaiting(_ exchange: Exchange, run: RunID?) {
        guard let session else { return }
        let exchange = decodingBodies(exchange)
        session.enqueue(exchange, run: run, redactedBy: redactor) { [self] outcome in
            switch outcome {
            case .success(let redacted): noteRecorded(redacted, run: run)
            case .failure(let failure): noteRecordingFailure(of: exchange, failure)
            }
        }
    }

    /// `exchange` with its gzip and deflate bodies decoded, so that redaction sees their text
    /// (cassette-format.md §3.2.5); a body in another coding is kept as it came and noted for the report.
    private func decodingBodies(_ exchange: Exchange) -> Exchange {
        let (decoded, outcomes) = ContentDecoding.decoded(exchange)
        for case .undecodable(let reason) in outcomes {
            let line =
                "\(exchange.service) \(exchange.request.method) \(redactor.redact(exchange.request).target): \(reason)"
            counters.withLock { counters in
                counters.undecodedBodyCount += 1
                if counters.undecodedBodies.count < ProxyReport.keptUndecodedBodies {
                    counters.undecodedBodies.append(line)
                }
            }
        }
        return decoded
    }

    private func noteRecorded(_ redacted: Exchange, run: RunID?) {
        if configuration.mode == .recordMissing { library?.add(redacted, run: run) }
        counters.withLock { $0.recorded += 1 }
    }

    private func noteRecordingFailure(of exchange: Exchange, _ error: CassetteError) {
        let line = "cannot record \(exchange.service) \(exchange.request.method) \(exchange.request.target): \(error)"
        counters.withLock { $0.recordingFailures.append(line) }
        configuration.log("tdf proxy: \(line)")
    }
}

/// Milliseconds from `start` to now.
func milliseconds(since start: ContinuousClock.Instant) -> Double {
    (ContinuousClock.now - start).millisecondsValue
}

/// The parts of an exchange known once the upstream's head has arrived; the body and outcome complete it.
///
/// Exactly one outcome is recorded: the first call to ``complete(content:totalMilliseconds:fault:)`` wins. If the
/// response is dropped before its body was ever produced (the client left before the head could be written), the
/// exchange is recorded on release with a `reset` fault, so no request that reached the upstream goes unrecorded.
final class PendingRecord: Sendable {
    struct Draft: Sendable {
        var slot: ExchangeSlot
        var service: String
        var started: Timestamp
        var step: String?
        var request: RecordedRequest
        var status: Int
        var reason: String
        var headers: HTTPHeaders
        var ttfbMilliseconds: Double?
        var arrival: ContinuousClock.Instant
        /// The content coding the upstream transport already removed from the body (``HTTPClientResponse/decodedFrom``).
        var decodedFrom: String?
    }

    private let core: ProxyCore
    private let draft: Mutex<Draft?>

    init(core: ProxyCore, draft: Draft) {
        self.core = core
        self.draft = Mutex(draft)
    }

    /// Records the exchange with this outcome, unless one was recorded already; returns once it is on disk.
    func complete(content: ResponseContent, totalMilliseconds: Double, fault: Fault?) async {
        guard let (exchange, run) = take(content: content, totalMilliseconds: totalMilliseconds, fault: fault) else {
            return
        }
        await core.record(exchange, run: run)
    }

    /// The exchange with this outcome, the first time only.
    private func take(content: ResponseContent, totalMilliseconds: Double, fault: Fault?) -> (Exchange, RunID?)? {
        guard
            let draft = draft.withLock({ state -> Draft? in
                defer { state = nil }
                return state
            })
        else { return nil }
        let exchange = Exchange(
            seq: draft.slot.seq,
            ordinal: draft.slot.ordinal,
            service: draft.service,
            started: draft.started,
            step: draft.step,
            request: draft.request,
            response: RecordedResponse(
                status: draft.status,
                reason: draft.reason,
                headers: draft.headers,
                content: content,
                decodedFrom: draft.decodedFrom
            ),
            timing: Timing(ttfbMilliseconds: draft.ttfbMilliseconds, totalMilliseconds: totalMilliseconds),
            fault: fault
        )
        return (exchange, draft.slot.run)
    }

    deinit {
        guard let arrival = draft.withLock({ $0?.arrival }) else { return }
        let cut = take(
            content: .body([]),
            totalMilliseconds: milliseconds(since: arrival),
            fault: Fault(
                kind: .reset,
                afterBytes: 0,
                detail: "the client closed the connection before the response head was written"
            )
        )
        if let (exchange, run) = cut { core.recordWithoutWaiting(exchange, run: run) }
    }
}
