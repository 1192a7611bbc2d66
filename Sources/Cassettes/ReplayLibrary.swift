import Gzip
public import HTTPWire
import JSON
import Synchronization
public import Vocabulary

/// A request to be matched against recordings.
public struct ReplayRequest: Sendable, Equatable {
    /// The service whose listener received it.
    public var service: String
    /// The method.
    public var method: String
    /// The target (path and query).
    public var target: String
    /// The headers (only those matching rules name are compared).
    public var headers: HTTPHeaders
    /// The body.
    public var body: [UInt8]
    /// The `X-TDF-Run` tag, or nil.
    public var run: RunID?
    /// The `X-TDF-Ordinal` tag, or nil.
    public var ordinal: Int?

    /// Makes a request.
    public init(
        service: String,
        method: String,
        target: String,
        headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [],
        run: RunID? = nil,
        ordinal: Int? = nil
    ) {
        self.service = service
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.run = run
        self.ordinal = ordinal
    }
}

/// A recording chosen for a request.
public struct ReplayHit: Sendable {
    /// The recorded exchange.
    public var exchange: Exchange
    /// The cassette it came from.
    public var run: RunID?
    /// How many times it has now been served (1 the first time).
    public var uses: Int
    /// What turns the recorded values of the run's value threads into the live ones (Docs/matching.md): to apply
    /// to the recorded response before it is served.
    public var towardLive = Substitution([])
}

/// A recording nobody asked for during a replay.
public struct UnusedRecording: Sendable, Equatable, CustomStringConvertible {
    /// The cassette file name.
    public var cassette: String
    /// Its seq.
    public var seq: Int
    /// Its ordinal.
    public var ordinal: Int
    /// Its service.
    public var service: String
    /// Its method.
    public var method: String
    /// Its target.
    public var target: String

    /// Makes an unused recording.
    public init(cassette: String, seq: Int, ordinal: Int, service: String, method: String, target: String) {
        self.cassette = cassette
        self.seq = seq
        self.ordinal = ordinal
        self.service = service
        self.method = method
        self.target = target
    }

    /// The run whose cassette holds it; nil for untagged traffic (and for a file not named after a run).
    public var run: RunID? { RunID.run(forFileName: cassette) ?? nil }

    /// "r_1.jsonl.gz seq 4 ordinal 4: maestro GET /api/v1/health".
    public var description: String { "\(cassette) seq \(seq) ordinal \(ordinal): \(service) \(method) \(target)" }
}

/// The recordings of a session directory, served by replay (cassette-format.md §7).
///
/// A tagged request gets exchange (run, ordinal) after its service, method, target and normalised body digest
/// are checked; a run tag without an ordinal, or no tag at all, takes the next unused recording with the same
/// (service, method, target, body digest): within the run, or for untagged requests in `_default.jsonl.gz`
/// first and then in every other cassette in file-name order. When every matching recording has been served,
/// the last one is served again (it is the same request). Cassettes are read on first use; incoming requests
/// are redacted with the session's ``Redactor`` before comparing, as they were when recorded. Recorded and incoming
/// requests alike are then normalised by the ``MatchingRules`` (none by default), so what the rules leave out is
/// neither matched on nor named as a difference. A request nothing
/// answers is compared with the nearest recording by content, and its ``ReplayMismatch`` lists the differences.
public final class ReplayLibrary: Sendable {
    private struct Entry {
        let exchange: Exchange
        /// The request as the matching rules leave it: what matching and mismatches compare.
        let normalized: MatchingRules.Normalized
        var bodyDigest: String { normalized.bodyDigest }
        var uses = 0
        /// A recording record-missing answered by asking the upstream again (a proxy-generated failure, or one
        /// older than its `--max-age`): never served or listed as unused from then on.
        var isSuperseded = false

        var key: String {
            Self.key(
                exchange.service,
                exchange.request.method,
                normalized.request.target,
                bodyDigest,
                normalized.request.headers
            )
        }

        /// What a request is matched on; `headers` are those the rules match (none by default).
        static func key(
            _ service: String,
            _ method: String,
            _ target: String,
            _ digest: String,
            _ headers: HTTPHeaders
        ) -> String {
            let base = "\(service)\u{0}\(method)\u{0}\(target)\u{0}\(digest)"
            return headers.reduce(base) { $0 + "\u{0}\($1.name): \($1.value)" }
        }
    }

    /// One cassette's recordings. A class so the lock's holder updates use counts in place (no copy of the
    /// entries per request); only touched under the library's lock.
    private final class Shelf {
        let run: RunID?
        let fileName: String
        /// The digest of the cassette's `end` record when it was read; nil for an unsealed cassette.
        let sealedDigest: String?
        var entries: [Entry]
        var byKey: [String: [Int]] = [:]
        var byOrdinal: [Int: [Int]] = [:]
        /// Per key, the index into `byKey[key]` before which every recording has been used.
        var cursors: [String: Int] = [:]

        init(run: RunID?, exchanges: [Exchange], sealedDigest: String?, rules: MatchingRules) {
            self.run = run
            self.fileName = RunID.fileName(for: run)
            self.sealedDigest = sealedDigest
            self.entries = exchanges.map {
                Entry(exchange: $0, normalized: rules.normalized(service: $0.service, $0.request))
            }
            for (position, entry) in entries.enumerated() {
                byKey[entry.key, default: []].append(position)
                byOrdinal[entry.exchange.ordinal, default: []].append(position)
            }
        }

        func append(_ exchange: Exchange, uses: Int, rules: MatchingRules, replaces: (Exchange) -> Bool) {
            var entry = Entry(
                exchange: exchange,
                normalized: rules.normalized(service: exchange.service, exchange.request)
            )
            entry.uses = uses
            supersede(of: entry.key, where: replaces)
            entries.append(entry)
            byKey[entry.key, default: []].append(entries.count - 1)
            byOrdinal[exchange.ordinal, default: []].append(entries.count - 1)
        }

        /// Takes the recordings of `key` that record-missing asks again (``ReplayLibrary/isAskedAgain(_:)``) out
        /// of matching: a new recording of the request answers it from now on (cassette-format.md §7).
        private func supersede(of key: String, where replaces: (Exchange) -> Bool) {
            guard let positions = byKey[key] else { return }
            let failures = positions.filter { replaces(entries[$0].exchange) }
            guard !failures.isEmpty else { return }
            for position in failures {
                entries[position].isSuperseded = true
                let ordinal = entries[position].exchange.ordinal
                byOrdinal[ordinal]?.removeAll { $0 == position }
                if byOrdinal[ordinal]?.isEmpty == true { byOrdinal[ordinal] = nil }
            }
            byKey[key] = positions.filter { !entries[$0].isSuperseded }
            cursors[key] = nil
        }

        /// Which recordings requests were served and which none used, by seq.
        var usage: CassetteUsage {
            let unused = entries.filter { $0.uses == 0 && !$0.isSuperseded }.map { entry in
                UnusedRecording(
                    cassette: fileName,
                    seq: entry.exchange.seq,
                    ordinal: entry.exchange.ordinal,
                    service: entry.exchange.service,
                    method: entry.exchange.request.method,
                    target: entry.exchange.request.target
                )
            }
            return CassetteUsage(
                file: fileName,
                digest: sealedDigest,
                // A superseded recording was matched once, then replaced: it is no longer there to serve.
                served: entries.filter { $0.uses > 0 && !$0.isSuperseded }.map(\.exchange.seq).sorted(),
                unused: unused.sorted { $0.seq < $1.seq }
            )
        }

        /// The first unused recording of `key`, marked used, or nil when all are used.
        func takeUnused(_ key: String) -> Int? {
            guard let positions = byKey[key] else { return nil }
            var cursor = cursors[key] ?? 0
            while cursor < positions.count && entries[positions[cursor]].uses > 0 { cursor += 1 }
            cursors[key] = cursor
            guard cursor < positions.count else { return nil }
            entries[positions[cursor]].uses += 1
            return positions[cursor]
        }

        func expected(_ position: Int) -> ReplayMismatch.Expected {
            let entry = entries[position]
            return ReplayMismatch.Expected(
                cassette: fileName,
                seq: entry.exchange.seq,
                ordinal: entry.exchange.ordinal,
                service: entry.exchange.service,
                method: entry.exchange.request.method,
                target: entry.exchange.request.target,
                bodyDigest: entry.bodyDigest
            )
        }
    }

    private struct State {
        var shelves: [String: Shelf] = [:]
        var fileNames: Set<String>
        var problems: [String] = []
        /// The value threads of each run, by its id ("" for untagged requests).
        var threads: [String: ValueThreads] = [:]
    }

    /// The session directory.
    public let directory: String
    /// Recordings that started before this are asked again by record-missing (`--max-age`); nil: none are.
    public let staleBefore: Timestamp?
    private let redactor: Redactor
    /// What matching leaves out of both the recorded requests and the incoming ones.
    public let rules: MatchingRules
    private let state: Mutex<State>

    /// Opens the recordings in `directory` (a missing directory holds none), to be matched under `rules`. Recordings
    /// that started before `staleBefore` are, for record-missing, as good as missing (``isAskedAgain(_:)``).
    public init(
        directory: String,
        redactor: Redactor,
        rules: MatchingRules = MatchingRules(),
        staleBefore: Timestamp? = nil
    ) {
        self.directory = directory
        self.staleBefore = staleBefore
        self.redactor = redactor
        self.rules = rules
        let names = (try? SessionDirectory.cassetteFileNames(in: directory)) ?? []
        state = Mutex(State(fileNames: Set(names)))
    }

    /// Problems met while reading cassettes (damage, malformed records), one line each.
    public var problems: [String] { state.withLock { $0.problems } }

    /// The value threads of `run` (nil: of untagged requests) so far.
    public func valueThreads(of run: RunID?) -> ValueThreads {
        state.withLock { $0.threads[run?.rawValue ?? ""] ?? ValueThreads() }
    }

    /// The recording that answers `request`, or why there is none. Marks it used.
    ///
    /// The request is redacted, then the run's value threads turn the live values in it back into recorded ones,
    /// then the rules normalise it. A hit threads the values where the request still differs from its recording
    /// and carries what turns recorded values into live ones (``ReplayHit/towardLive``).
    public func match(_ incoming: ReplayRequest) -> Result<ReplayHit, ReplayMismatch> {
        let scope = incoming.run?.rawValue ?? ""
        var live = redactor.redact(
            RecordedRequest(
                method: incoming.method,
                target: incoming.target,
                headers: incoming.headers,
                body: incoming.body
            )
        )
        if let threads = state.withLock({ $0.threads[scope] }), !threads.isEmpty {
            let towardRecorded = threads.towardRecorded
            live.target = towardRecorded.applied(toTarget: live.target)
            live.body = towardRecorded.applied(to: live.body)
            live.headers = HTTPHeaders(live.headers.map { ($0.name, towardRecorded.applied(to: $0.value)) })
        }
        // A mismatch names the request as it would be recorded: its secrets (a token in the query) never reach a log.
        var shown = incoming
        shown.target = redactor.redact(target: incoming.target)
        let result = match(shown, live: live)
        guard case .success(let hit) = result else { return result }
        return .success(threading(hit, live: live, scope: scope))
    }

    /// `hit` with the substitution toward live values, after threading what still differs between `live` and the
    /// recorded request.
    private func threading(_ hit: ReplayHit, live: RecordedRequest, scope: String) -> ReplayHit {
        let recorded = hit.exchange.request
        let differs = recorded.target != live.target || recorded.body != live.body
        var hit = hit
        state.withLock { state in
            if differs {
                var threads = state.threads[scope] ?? ValueThreads()
                if threads.learn(recorded: recorded, live: live) > 0 { state.threads[scope] = threads }
            }
            if let threads = state.threads[scope] { hit.towardLive = threads.towardLive }
        }
        return hit
    }

    private func match(_ incoming: ReplayRequest, live: RecordedRequest) -> Result<ReplayHit, ReplayMismatch> {
        let normalized = rules.normalized(service: incoming.service, live)
        let digest = normalized.bodyDigest
        let target = normalized.request.target
        let key = Entry.key(incoming.service, incoming.method, target, digest, normalized.request.headers)
        func mismatch(
            _ kind: ReplayMismatch.Kind,
            _ field: String,
            _ detail: String,
            _ expected: ReplayMismatch.Expected?,
            _ comparison: ComparedRequest.Comparison? = nil
        )
            -> Result<ReplayHit, ReplayMismatch>
        {
            .failure(
                ReplayMismatch(
                    kind: kind,
                    field: field,
                    detail: detail,
                    request: incoming,
                    requestBodyDigest: digest,
                    expected: expected,
                    comparison: comparison
                )
            )
        }

        if let run = incoming.run {
            let fileName = run.fileName
            guard loadShelf(fileName) else {
                return mismatch(.noRecording, "run", "no cassette \(fileName) for run \(run) in \(directory)", nil)
            }
            if let ordinal = incoming.ordinal {
                return state.withLock { state -> Result<ReplayHit, ReplayMismatch> in
                    guard let shelf = state.shelves[fileName] else {
                        return mismatch(.noRecording, "run", "no cassette", nil)
                    }
                    guard let positions = shelf.byOrdinal[ordinal] else {
                        let known = shelf.entries.map(\.exchange.ordinal)
                        let range = known.isEmpty ? "none" : "\(known.min()!)...\(known.max()!)"
                        return mismatch(
                            .noRecording,
                            "ordinal",
                            "run \(run) has no recording with ordinal \(ordinal) (its ordinals: \(range))",
                            nil
                        )
                    }
                    let position = positions.first { shelf.entries[$0].uses == 0 } ?? positions[0]
                    let entry = shelf.entries[position]
                    let recorded = entry.exchange
                    if entry.key != key {
                        let expected = shelf.expected(position)
                        let live = ComparedRequest(incoming.service, normalized)
                        let comparison = live.compared(with: ComparedRequest(entry.exchange.service, entry.normalized))
                        let differences = comparison.differences
                        return mismatch(
                            .differs,
                            differences.first?.field ?? "body",
                            "request (\(run), ordinal \(ordinal)) differs from its recording "
                                + "(\(expected.cassette) seq \(expected.seq)) \(ReplayMismatch.describe(differences))",
                            expected,
                            comparison
                        )
                    }
                    shelf.entries[position].uses += 1
                    let uses = shelf.entries[position].uses
                    return .success(ReplayHit(exchange: recorded, run: run, uses: uses))
                }
            }
            return matchByKey(key, in: [fileName], incoming: incoming, normalized: normalized)
        }
        var searched = [RunID.untaggedFileName]
        _ = loadShelf(RunID.untaggedFileName)
        if let hit = takeByKey(key, in: searched, reuse: false) { return .success(hit) }
        let others = state.withLock { $0.fileNames }.filter { $0 != RunID.untaggedFileName }.sorted()
        for name in others { _ = loadShelf(name) }
        searched += others
        return matchByKey(key, in: searched, incoming: incoming, normalized: normalized)
    }

    private func matchByKey(
        _ key: String,
        in fileNames: [String],
        incoming: ReplayRequest,
        normalized: MatchingRules.Normalized
    ) -> Result<ReplayHit, ReplayMismatch> {
        if let hit = takeByKey(key, in: fileNames, reuse: true) { return .success(hit) }
        return .failure(explainMiss(in: fileNames, incoming: incoming, normalized: normalized))
    }

    /// The next unused recording of `key` in these cassettes, marked used; with `reuse`, the last one of the key
    /// again when all are used. Constant time per request (a cursor per key).
    private func takeByKey(_ key: String, in fileNames: [String], reuse: Bool) -> ReplayHit? {
        state.withLock { state -> ReplayHit? in
            var fallback: Shelf?
            for name in fileNames {
                guard let shelf = state.shelves[name], shelf.byKey[key] != nil else { continue }
                if let position = shelf.takeUnused(key) {
                    return ReplayHit(exchange: shelf.entries[position].exchange, run: shelf.run, uses: 1)
                }
                if fallback == nil { fallback = shelf }
            }
            guard reuse, let shelf = fallback, let position = shelf.byKey[key]?.last else { return nil }
            shelf.entries[position].uses += 1
            let entry = shelf.entries[position]
            return ReplayHit(exchange: entry.exchange, run: shelf.run, uses: entry.uses)
        }
    }

    /// A recording the nearest-recording search compares a request with.
    private struct Candidate {
        let service: String
        let normalized: MatchingRules.Normalized
        let expected: ReplayMismatch.Expected
    }

    /// How many recordings one miss compares bodies with, unused ones first: bounds the work a miss costs.
    static let nearestCandidateLimit = 64

    /// Why nothing matched: the nearest recording by content and every place it differs (a scan, only on a miss).
    ///
    /// The nearest has the request's service, method and path if any recording does (else its service and method,
    /// else its service), then the fewest differing body locations, then the fewest differing query parameters; an
    /// unused recording comes before a used one, and file order only breaks ties.
    private func explainMiss(
        in fileNames: [String],
        incoming: ReplayRequest,
        normalized: MatchingRules.Normalized
    ) -> ReplayMismatch {
        let live = ComparedRequest(incoming.service, normalized)
        let digest = normalized.bodyDigest
        // Chosen under the lock by what costs nothing to compare; bodies are parsed and compared outside it.
        let candidates = state.withLock { state -> [Candidate] in
            var closest = Int.max
            var unused: [Candidate] = []
            var used: [Candidate] = []
            for name in fileNames {
                guard let shelf = state.shelves[name] else { continue }
                for (position, entry) in shelf.entries.enumerated() {
                    let resemblance = live.resemblance(to: entry.exchange)
                    if resemblance < closest {
                        closest = resemblance
                        unused = []
                        used = []
                    }
                    guard resemblance == closest else { continue }
                    let candidate = Candidate(
                        service: entry.exchange.service,
                        normalized: entry.normalized,
                        expected: shelf.expected(position)
                    )
                    if entry.uses == 0 {
                        if unused.count < Self.nearestCandidateLimit { unused.append(candidate) }
                    } else if used.count < Self.nearestCandidateLimit {
                        used.append(candidate)
                    }
                }
            }
            return Array((unused + used).prefix(Self.nearestCandidateLimit))
        }
        let compared = candidates.map { candidate in
            let recorded = ComparedRequest(candidate.service, candidate.normalized)
            return (expected: candidate.expected, comparison: live.compared(with: recorded))
        }
        let scope = incoming.run.map { "run \($0)" } ?? "the untagged recordings or any run"
        let request =
            "\(incoming.service) \(incoming.method) \(incoming.target)"
            + (incoming.body.isEmpty ? "" : " with this body")
        // Candidates are unused first, each group in file order, and `min` keeps the first of equals.
        let nearest = compared.min {
            ($0.comparison.bodyCount, $0.comparison.targetCount + $0.comparison.headerCount)
                < ($1.comparison.bodyCount, $1.comparison.targetCount + $1.comparison.headerCount)
        }
        guard let nearest else {
            return ReplayMismatch(
                kind: .noRecording,
                field: "service",
                detail: "no recording of \(request) in \(scope)",
                request: incoming,
                requestBodyDigest: digest,
                expected: nil
            )
        }
        return ReplayMismatch(
            kind: .noRecording,
            field: nearest.comparison.differences.first?.field ?? "body",
            detail: "no recording of \(request) in \(scope); the nearest (\(nearest.expected.cassette) seq "
                + "\(nearest.expected.seq)) differs \(ReplayMismatch.describe(nearest.comparison.differences))",
            request: incoming,
            requestBodyDigest: digest,
            expected: nearest.expected,
            comparison: nearest.comparison
        )
    }

    /// Reads a cassette into the library if it exists and is not loaded yet; returns whether it is available.
    private func loadShelf(_ fileName: String) -> Bool {
        let needed = state.withLock { state -> Bool? in
            if state.shelves[fileName] != nil { return false }
            return state.fileNames.contains(fileName) ? true : nil
        }
        guard let needed else { return false }
        guard needed else { return true }
        let (run, exchanges, sealedDigest, problems) = read(fileName)
        state.withLock { state in
            if state.shelves[fileName] == nil {
                state.shelves[fileName] = Shelf(
                    run: run,
                    exchanges: exchanges,
                    sealedDigest: sealedDigest,
                    rules: rules
                )
                state.problems += problems
            }
        }
        return true
    }

    /// A cassette's run and recordings, and what is wrong with the file (damage, malformed records) one line each;
    /// a file that cannot be read at all holds no recording and is a problem.
    private func read(
        _ fileName: String
    ) -> (run: RunID?, exchanges: [Exchange], sealedDigest: String?, problems: [String]) {
        do {
            let cassette = try Cassette.load(path: directory + "/" + fileName)
            var problems = cassette.problems
            if let damage = cassette.damage { problems.append(damage.description) }
            return (cassette.run, cassette.exchanges, cassette.end?.digest, problems)
        } catch {
            return (RunID.run(forFileName: fileName) ?? nil, [], nil, [error.description])
        }
    }

    /// Whether record-missing forwards a request this recording matches and lets the new exchange replace it: the
    /// recording is the proxy's own failure (cassette-format.md §3.2.4), or it started before ``staleBefore``.
    public func isAskedAgain(_ exchange: Exchange) -> Bool {
        exchange.isProxyGeneratedFailure || staleBefore.map { exchange.started < $0 } ?? false
    }

    /// Adds an exchange recorded during this session (record-missing), marked used.
    public func add(_ exchange: Exchange, run: RunID?) {
        let fileName = RunID.fileName(for: run)
        state.withLock { state in
            if state.shelves[fileName] == nil {
                state.shelves[fileName] = Shelf(run: run, exchanges: [], sealedDigest: nil, rules: rules)
            }
            state.fileNames.insert(fileName)
            // A class: appended in place.
            state.shelves[fileName]!.append(exchange, uses: 1, rules: rules, replaces: isAskedAgain)
        }
    }

    /// Every recording in the directory that no request has used, by cassette and seq: those of the cassettes
    /// replay read, and every recording of the cassettes it never opened. Those are read now one at a time and
    /// let go (a directory of many cassettes is never in memory at once); their damage goes to ``problems``.
    /// `runs` limits the listing to those runs' cassettes, so a replay of a few runs of a large recording does not
    /// read the rest of it.
    public func unusedRecordings(ofRuns runs: Set<RunID>? = nil) -> [UnusedRecording] {
        usage(ofRuns: runs).flatMap(\.unused)
    }

    /// How the session used each cassette of the directory (of `runs`' cassettes only, when given), by file name:
    /// what ``unusedRecordings(ofRuns:)`` lists, and the seqs that were served. Reads the cassettes never opened as
    /// ``unusedRecordings(ofRuns:)`` says.
    public func usage(ofRuns runs: Set<RunID>? = nil) -> [CassetteUsage] {
        let (opened, unopened) = state.withLock { state in
            (
                state.shelves.filter { Self.cassette($0.key, belongsTo: runs) }.mapValues(\.usage),
                state.fileNames.filter { state.shelves[$0] == nil && Self.cassette($0, belongsTo: runs) }
            )
        }
        var usage = opened
        for fileName in unopened.sorted() {
            let (run, exchanges, sealedDigest, problems) = read(fileName)
            usage[fileName] = Shelf(run: run, exchanges: exchanges, sealedDigest: sealedDigest, rules: rules).usage
            state.withLock { $0.problems += problems }
        }
        return usage.keys.sorted().map { usage[$0]! }
    }

    /// Whether the cassette `fileName` is one of `runs`' (every cassette when `runs` is nil).
    private static func cassette(_ fileName: String, belongsTo runs: Set<RunID>?) -> Bool {
        guard let runs else { return true }
        guard let run = RunID.run(forFileName: fileName), let run else { return false }
        return runs.contains(run)
    }

    /// The exchanges of a cassette as read at open time (loading it if needed), for carrying them over.
    public func exchanges(of run: RunID?) -> [Exchange] {
        let fileName = RunID.fileName(for: run)
        _ = loadShelf(fileName)
        return state.withLock { $0.shelves[fileName]?.entries.map(\.exchange) ?? [] }
    }
}
