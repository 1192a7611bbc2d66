import Analysis
public import Cassettes
import Foundation
public import HTTPTransport
public import HTTPWire
public import RecordingProxy
public import Vocabulary

/// Sends a recording's requests to live servers and records their answers as a recording of its own, so that
/// `tdf diff FROM OUT` says whether the servers still answer yesterday's traffic the same way (Docs/shadow.md).
///
/// Each run's exchanges go in their recorded order, one after another; runs go in parallel. The answers pass through
/// an in-process recording proxy into `OUT/cassettes/`, an ordinary cassette session (SSE recorded per event, faults
/// as faults).
/// A value a live answer carries where the recorded answer had another (an id the server minted, a token) is
/// threaded into every later request of that run: value threading (Docs/matching.md) the other way round.
public enum ShadowReplay {
    /// What to shadow, where to, and how.
    public struct Configuration: Sendable {
        /// The recording: an artifact tree or a cassette session.
        public var source: String
        /// The directory the answers are recorded into, as an artifact tree holding only its `cassettes/` session
        /// (created; must be new or empty): `tdf diff` reads it whole, `tdf report` its latency and SSE sections.
        public var output: String
        /// The live base URL of each service; exchanges of other services are not sent.
        public var targets: [Service: HTTPURL]
        /// Headers set on every request sent, replacing the recorded ones of the same name: the credentials for
        /// the target, which the recording never holds (it keeps a redaction token in their place).
        public var headers: HTTPHeaders = HTTPHeaders()
        /// How many runs are shadowed at once.
        public var concurrency = 4
        /// Whether requests other than GET and HEAD may be sent: shadowing them writes to the target.
        public var allowsWrites = false
        /// How long a target may stay silent before an exchange is recorded as a timeout.
        public var timeout: Duration = .seconds(300)
        /// The tool version written into the cassettes.
        public var toolVersion: String
        /// Where progress goes, one line per finished run.
        public var progress: @Sendable (String) -> Void = { _ in }

        /// Makes a configuration.
        public init(source: String, output: String, targets: [Service: HTTPURL], toolVersion: String) {
            self.source = source
            self.output = output
            self.targets = targets
            self.toolVersion = toolVersion
        }
    }

    /// One request to send.
    public struct PlannedRequest: Sendable {
        /// The run (`_default` for untagged traffic).
        public var run: String
        /// The recorded exchange.
        public var exchange: Exchange
        /// The request as it will be sent, before threading: the user's headers in place of the recorded ones.
        public var request: RecordedRequest
        /// Where it goes: the service's target URL with the request's target.
        public var url: HTTPURL
    }

    /// A recorded exchange that is not sent, and why.
    public struct Skipped: Sendable, CustomStringConvertible {
        /// The run.
        public var run: String
        /// The recorded exchange.
        public var exchange: Exchange
        /// Why it is not sent.
        public var reason: String

        /// `r_000001 #12 maestro POST /api/v1/x: reason`.
        public var description: String {
            "\(run) #\(exchange.ordinal) \(exchange.service) \(exchange.request.method) \(exchange.request.target): "
                + reason
        }
    }

    /// What would be sent: each run's requests in order, and what is skipped.
    public struct Plan: Sendable {
        /// Each run's requests, by run, in their recorded order.
        public var runs: [(run: String, requests: [PlannedRequest])]
        /// The exchanges not sent.
        public var skipped: [Skipped]
        /// The requests that write (not GET or HEAD), counted by method.
        public var writes: [String: Int]

        /// How many requests would be sent.
        public var requestCount: Int { runs.reduce(0) { $0 + $1.requests.count } }
    }

    /// A recorded value replaced by a live one in a request sent.
    public struct Substitution: Sendable, CustomStringConvertible {
        /// The run.
        public var run: String
        /// The ordinal of the request it was made in.
        public var ordinal: Int
        /// The request, `POST /api/v1/muse/merge`.
        public var request: String
        /// The recorded value and the live one that replaced it.
        public var thread: ValueThreads.Thread

        /// `r_000001 #12 POST /x: <recorded> → <live>`.
        public var description: String { "\(run) #\(ordinal) \(request): \(thread)" }
    }

    /// What a shadow replay did.
    public struct Outcome: Sendable {
        /// The plan it carried out.
        public var plan: Plan
        /// Requests sent.
        public var sent: Int
        /// Every recorded value replaced by a live one, in order per run.
        public var substitutions: [Substitution]
        /// The recording proxy's report: the cassettes written, and their secret scan.
        public var report: ProxyReport
    }

    /// Why a shadow replay cannot start.
    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The recording cannot be read.
        case unreadableSource(String)
        /// Requests would write to the target and writes were not allowed.
        case writesNotAllowed([String: Int])
        /// The output directory exists and is not empty.
        case outputNotEmpty(String)
        /// The recording proxy in front of the targets cannot start.
        case proxy(ProxyError)

        /// What is wrong.
        public var description: String {
            switch self {
            case .unreadableSource(let problem): "cannot read the recording: \(problem)"
            case .writesNotAllowed(let writes):
                "the recording holds requests that write ("
                    + writes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                    + "); shadowing them writes to the target, so it needs to be allowed"
            case .outputNotEmpty(let directory): "\(directory) exists and is not empty"
            case .proxy(let error): error.description
            }
        }
    }

    /// Reads the recording and works out what would be sent: nothing is contacted.
    public static func plan(_ configuration: Configuration) throws(Failure) -> Plan {
        let recording: Recording
        do {
            recording = try Recording.load(path: configuration.source)
        } catch {
            throw .unreadableSource(error.message)
        }
        var runs: [(run: String, requests: [PlannedRequest])] = []
        var skipped: [Skipped] = []
        var writes: [String: Int] = [:]
        for run in recording.exchanges.keys.sorted() {
            var requests: [PlannedRequest] = []
            for exchange in recording.exchanges[run] ?? [] {
                guard let service = Service(rawValue: exchange.service), let base = configuration.targets[service]
                else {
                    skipped.append(Skipped(run: run, exchange: exchange, reason: "no target for \(exchange.service)"))
                    continue
                }
                let prefix = base.target == "/" ? "" : String(base.target.reversed().drop { $0 == "/" }.reversed())
                guard
                    let url = HTTPURL(
                        string: "\(base.with(target: prefix + exchange.request.target))",
                        accepting: [.http, .https]
                    )
                else {
                    skipped.append(Skipped(run: run, exchange: exchange, reason: "its target is not a valid URL path"))
                    continue
                }
                var request = exchange.request
                for field in configuration.headers.fields { request.headers.set(name: field.name, value: field.value) }
                if let place = redactedPlace(of: request) {
                    skipped.append(
                        Skipped(
                            run: run,
                            exchange: exchange,
                            reason: "its recorded \(place) was redacted, and no --header replaces it"
                        )
                    )
                    continue
                }
                if !["GET", "HEAD"].contains(request.method) { writes[request.method, default: 0] += 1 }
                requests.append(PlannedRequest(run: run, exchange: exchange, request: request, url: url))
            }
            if !requests.isEmpty { runs.append((run, requests)) }
        }
        return Plan(runs: runs, skipped: skipped, writes: writes)
    }

    /// Shadows the recording: sends every planned request to its target through a recording proxy writing into the
    /// output directory, threading live values into later requests, and returns what it did.
    public static func run(_ configuration: Configuration) async throws(Failure) -> Outcome {
        let plan = try plan(configuration)
        if !plan.writes.isEmpty && !configuration.allowsWrites { throw .writesNotAllowed(plan.writes) }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: configuration.output), !entries.isEmpty {
            throw .outputNotEmpty(configuration.output)
        }
        var proxyConfiguration = ProxyConfiguration(
            mode: .record,
            cassetteDirectory: ArtifactLayout(root: configuration.output).cassettesDirectory,
            services: configuration.targets.sorted { $0.key.rawValue < $1.key.rawValue }.map {
                ProxyConfiguration.ServiceRoute(name: $0.key, upstream: $0.value)
            },
            upstreamTimeout: configuration.timeout,
            toolVersion: configuration.toolVersion
        )
        proxyConfiguration.cassetteIdleTimeout = nil
        let proxy: ProxyServer
        do {
            proxy = try await ProxyServer.start(proxyConfiguration)
        } catch {
            throw .proxy(error)
        }
        let client = HTTPClient(
            configuration: HTTPClientConfiguration(readTimeout: configuration.timeout + .seconds(5))
        )
        let runs = plan.runs
        let shadowRun: @Sendable (Int) async -> (sent: Int, made: [Substitution]) = { index in
            let (run, requests) = runs[index]
            let (sent, made) = await shadow(requests, run: run, through: proxy, client: client)
            configuration.progress("shadow: \(run): \(sent) sent, \(made.count) values threaded")
            return (sent, made)
        }
        var sent = 0
        var substitutions: [Substitution] = []
        await withTaskGroup(of: (sent: Int, made: [Substitution]).self) { group in
            var next = 0
            while next < min(max(1, configuration.concurrency), runs.count) {
                let index = next
                group.addTask { await shadowRun(index) }
                next += 1
            }
            while let done = await group.next() {
                sent += done.sent
                substitutions += done.made
                if next < runs.count {
                    let index = next
                    group.addTask { await shadowRun(index) }
                    next += 1
                }
            }
        }
        client.close()
        let report = await proxy.shutdown()
        return Outcome(
            plan: plan,
            sent: sent,
            substitutions: substitutions,
            report: report
        )
    }

    /// Sends one run's requests in order; returns how many it sent and the substitutions made.
    private static func shadow(
        _ requests: [PlannedRequest],
        run: String,
        through proxy: ProxyServer,
        client: HTTPClient
    ) async -> (sent: Int, made: [Substitution]) {
        var sent = 0
        var threads = ValueThreads()
        var made: [Substitution] = []
        for planned in requests {
            let recorded = planned.request
            let towardLive = threads.towardLive
            var request = recorded
            if !towardLive.isEmpty {
                request.target = towardLive.applied(toTarget: recorded.target)
                request.body = towardLive.applied(to: recorded.body)
                request.headers = HTTPHeaders(recorded.headers.map { ($0.name, towardLive.applied(to: $0.value)) })
                let text = requestText(recorded)
                for thread in threads.threads where text.contains(thread.recorded) {
                    made.append(
                        Substitution(
                            run: run,
                            ordinal: planned.exchange.ordinal,
                            request: "\(recorded.method) \(recorded.target.prefix { $0 != "?" })",
                            thread: thread
                        )
                    )
                }
            }
            guard let service = Service(rawValue: planned.exchange.service),
                let base = proxy.baseURL(for: service), let url = HTTPURL(string: base + request.target)
            else { continue }
            var headers = sendableHeaders(request, decodedFrom: recorded.decodedFrom)
            if run != RunID.untaggedName {
                headers.set(name: RunTagHeader.run, value: run)
                headers.set(name: RunTagHeader.ordinal, value: String(planned.exchange.ordinal))
            }
            if let step = planned.exchange.step { headers.set(name: RunTagHeader.step, value: step) }
            sent += 1
            guard
                let response = try? await client.execute(
                    HTTPClientRequest(
                        method: request.method,
                        url: url,
                        headers: headers,
                        body: request.body.isEmpty && ["GET", "HEAD"].contains(request.method) ? nil : request.body
                    )
                ),
                let live = try? await response.body.collect()
            else { continue }
            learn(from: planned.exchange.response.content, live: live, into: &threads)
        }
        return (sent, made)
    }

    /// The request's headers as they can be sent: hop-by-hop framing left to the client, and no coding claimed for
    /// a body the recording stores decoded.
    private static func sendableHeaders(_ request: RecordedRequest, decodedFrom: String?) -> HTTPHeaders {
        HTTPHeaders(
            fields: request.headers.fields.filter { field in
                let name = field.name.lowercased()
                if decodedFrom != nil && name == "content-encoding" { return false }
                return !["host", "content-length", "transfer-encoding", "connection", "keep-alive", "expect"]
                    .contains(name) && !RunTagHeader.all.contains { $0.lowercased() == name }
            }
        )
    }

    /// Learns the values the live answer carries where the recorded one had others: JSON bodies, and the data of
    /// SSE events paired by position where their types agree.
    private static func learn(from recorded: ResponseContent, live: [UInt8], into threads: inout ValueThreads) {
        guard case .events(let events, _) = recorded else {
            threads.learn(recordedJSON: recorded.bytes, liveJSON: live)
            return
        }
        var parser = SSEParser()
        let liveFrames = (try? parser.feed(live[...])) ?? []
        let recordedEvents = events.compactMap { event -> SSEEvent? in
            if case .event(let sse) = event.frame { return sse } else { return nil }
        }
        let liveEvents = liveFrames.compactMap { frame -> SSEEvent? in
            if case .event(let sse) = frame { return sse } else { return nil }
        }
        for (was, now) in zip(recordedEvents, liveEvents) where was.event == now.event {
            threads.learn(recordedJSON: Array(was.data.utf8), liveJSON: Array(now.data.utf8))
        }
    }

    /// Where in `request` a redaction token stands (`header Authorization`, `query`, `body`), or nil.
    private static func redactedPlace(of request: RecordedRequest) -> String? {
        if let field = request.headers.fields.first(where: { $0.value.contains("<redacted:") }) {
            return "header \(field.name)"
        }
        if request.target.contains("<redacted:") || request.target.contains("%3Credacted") { return "query" }
        if request.body.count >= 19, String(decoding: request.body, as: UTF8.self).contains("<redacted:") {
            return "body"
        }
        return nil
    }

    /// The request's target, header values and body as one text, searched once per threaded value.
    private static func requestText(_ request: RecordedRequest) -> String {
        ([request.target] + request.headers.fields.map(\.value) + [String(decoding: request.body, as: UTF8.self)])
            .joined(separator: "\n")
    }
}
