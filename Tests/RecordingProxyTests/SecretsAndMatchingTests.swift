import Cassettes
import Foundation
import Gzip
import HTTPTransport
import HTTPWire
import RecordingProxy
import Synchronization
import TestSupport
import Testing
import Vocabulary

@Suite struct SecretTests {
    private let jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJoYXJuZXNzIiwiZXhwIjo0MTAyNDQ0ODAwfQ.dGRmLXNlY3JldC1zaWduYXR1cmUtMTIzNDU2"

    /// Traffic carrying a JWT (in Authorization, a JSON body path, an echoed response and a cookie) leaves no trace
    /// of it in any file under the cassette directory, and both services' recordings carry the same token.
    @Test func noSecretReachesDisk() async throws {
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("cassettes")
        var headers = tags("r_secret", 0)
        headers.append(name: "Authorization", value: "Bearer \(jwt)")
        headers.append(name: "Content-Type", value: "application/json")
        let report = try await withUpstream { upstream in
            try await withProxy(
                proxyConfiguration(
                    .record,
                    directory: cassettes,
                    services: [("maestro", upstream.url), ("storpheus", upstream.url)],
                    redact: ["..access_token"]
                )
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                var maestroHeaders = headers
                maestroHeaders.set(name: "X-TDF-Ordinal", value: "0")
                let first = try await fetch(
                    client,
                    proxy.baseURL(for: "maestro")!,
                    "/auth",
                    method: "POST",
                    headers: maestroHeaders,
                    body: Array(#"{"login":{"access_token":"\#(jwt)"}}"#.utf8)
                )
                var storpheusHeaders = headers
                storpheusHeaders.set(name: "X-TDF-Ordinal", value: "1")
                let second = try await fetch(
                    client,
                    proxy.baseURL(for: "storpheus")!,
                    "/auth",
                    headers: storpheusHeaders
                )
                // The client itself gets the real values: redaction is for the recording only.
                #expect(first.text.contains(jwt))
                #expect(second.text.contains(jwt))
            }.report
        }
        // The secret scan at shutdown agrees: nothing left to warn about.
        #expect(report.secretScan?.exchanges == 2)
        #expect(report.secretScan?.isClean == true)
        #expect(report.secretWarnings.isEmpty)
        let files = try FileManager.default.subpathsOfDirectory(atPath: cassettes)
        #expect(files.contains("r_secret.jsonl.gz"))
        #expect(files.contains("index.json"))
        let needle = Array(jwt.utf8)
        for file in files {
            let raw = try Array(Data(contentsOf: URL(fileURLWithPath: cassettes + "/" + file)))
            #expect(!contains(raw, needle), "\(file) holds the JWT")
            if file.hasSuffix(".gz") {
                let text = try GzipData.decompress(raw)
                #expect(!contains(text, needle), "\(file) holds the JWT once decompressed")
            }
        }
        let exchanges = try #require(try recordedExchanges(in: cassettes)["r_secret.jsonl.gz"]).exchanges
        #expect(exchanges.map(\.service) == ["maestro", "storpheus"])
        let token = Redactor.token(for: needle)
        for exchange in exchanges {
            #expect(exchange.request.headers["Authorization"] == "Bearer \(token)")
            #expect(String(decoding: exchange.response.bodyBytes, as: UTF8.self).contains(token))
        }
        #expect(
            String(decoding: exchanges[0].request.body, as: UTF8.self) == #"{"login":{"access_token":"\#(token)"}}"#
        )
    }

    /// A JWT that no redaction rule covers (a body member nobody named) is recorded, and the proxy's report warns
    /// about it, naming cassette, seq and JSON path with the value masked, without failing the recording.
    @Test func warnsAboutSecretsItRecorded() async throws {
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("cassettes")
        let report = try await withUpstream { upstream in
            try await withProxy(
                proxyConfiguration(.record, directory: cassettes, services: [("maestro", upstream.url)])
            ) {
                proxy in
                let client = HTTPClient()
                defer { client.close() }
                _ = try await fetch(
                    client,
                    proxy.baseURL(for: "maestro")!,
                    "/echo",
                    method: "POST",
                    headers: tags("r_leak", 0),
                    body: Array(#"{"grant":"\#(jwt)"}"#.utf8)
                )
            }.report
        }
        #expect(report.recordingFailures.isEmpty)
        #expect(report.secretScan?.findings.map(\.location) == ["request.body $.grant", "response.body $.body"])
        let warning =
            "warning: possible secret recorded: r_leak.jsonl.gz seq 0 request.body $.grant: a JWT eyJh…(120 chars)"
        #expect(report.lines.contains(warning))
        #expect(report.lines.contains { $0.hasPrefix("warning: 'tdf cassette scan \(cassettes)' lists them") })
        #expect(!report.lines.contains { $0.contains(jwt) })
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains {
            haystack[$0..<($0 + needle.count)].elementsEqual(needle)
        }
    }
}

@Suite struct ReplayMatchingTests {
    private func record(_ directory: String, _ requests: [(String, HTTPHeaders)]) async throws {
        try await withUpstream { upstream in
            _ = try await withProxy(
                proxyConfiguration(.record, directory: directory, services: [("maestro", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                for (target, headers) in requests {
                    _ = try await fetch(client, proxy.baseURL(for: "maestro")!, target, headers: headers)
                }
            }
        }
    }

    /// A request that differs from its recording gets a 599 naming the request, the recording and the field; the
    /// recordings nobody asked for are listed at shutdown.
    @Test func mismatchAnswers599() async throws {
        let directory = try TemporaryDirectory()
        try await record(
            directory.url.path,
            [("/json", tags("r_m", 0)), ("/binary", tags("r_m", 1)), ("/json", tags("r_m", 2))]
        )
        let (answer, report) = try await withProxy(
            proxyConfiguration(.replay, directory: directory.url.path, services: [("maestro", nil)])
        ) { proxy in
            let client = HTTPClient()
            defer { client.close() }
            return try await fetch(client, proxy.baseURL(for: "maestro")!, "/json?changed=1", headers: tags("r_m", 0))
        }
        #expect(answer.status == 599)
        #expect(answer.reason == "Replay Mismatch")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        #expect(object["error"] as? String == "replay_mismatch")
        #expect(object["field"] as? String == "target")
        #expect((object["request"] as? [String: Any])?["target"] as? String == "/json?changed=1")
        #expect((object["expected"] as? [String: Any])?["target"] as? String == "/json")
        #expect((object["expected"] as? [String: Any])?["cassette"] as? String == "r_m.jsonl.gz")
        #expect(report.mismatches == 1)
        #expect(report.unusedRecordings.map(\.ordinal) == [0, 1, 2])
        #expect(report.lines.contains { $0.contains("3 recordings were not used") })
    }

    /// An untagged POST whose body matches no recording gets a 599 whose `differences` name the one JSON path that
    /// differs from the nearest recording, the second in file order, with both values.
    @Test func mismatchNamesTheDifferingJSONPath() async throws {
        let directory = try TemporaryDirectory()
        let bodies = [
            #"{"variation_id":"v-1","prompt":"calm","bars":8}"#, #"{"variation_id":"v-2","prompt":"jazz","bars":4}"#,
        ]
        try await withUpstream { upstream in
            _ = try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                for body in bodies {
                    _ = try await fetch(
                        client,
                        proxy.baseURL(for: "maestro")!,
                        "/echo",
                        method: "POST",
                        body: Array(body.utf8)
                    )
                }
            }
        }
        let (answer, _) = try await withProxy(
            proxyConfiguration(.replay, directory: directory.url.path, services: [("maestro", nil)])
        ) { proxy in
            let client = HTTPClient()
            defer { client.close() }
            let body = #"{"variation_id":"v-live","prompt":"jazz","bars":4}"#
            return try await fetch(
                client,
                proxy.baseURL(for: "maestro")!,
                "/echo",
                method: "POST",
                body: Array(body.utf8)
            )
        }
        #expect(answer.status == 599)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
        #expect(object["field"] as? String == "body")
        #expect((object["expected"] as? [String: Any])?["seq"] as? Int == 1)
        let differences = try #require(object["differences"] as? [[String: String]])
        #expect(differences == [["location": "$.variation_id", "recorded": #""v-2""#, "live": #""v-live""#]])
    }

    /// record-missing answers what the cassettes hold without the upstream and records only what is new.
    @Test func recordMissingRecordsOnlyWhatIsNew() async throws {
        let directory = try TemporaryDirectory()
        try await record(directory.url.path, [("/json", tags("r_rm", 0))])
        try await withUpstream { upstream in
            let (results, report) = try await withProxy(
                proxyConfiguration(.recordMissing, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let base = proxy.baseURL(for: "maestro")!
                return [
                    try await fetch(client, base, "/json", headers: tags("r_rm", 0)),
                    try await fetch(client, base, "/binary", headers: tags("r_rm", 1)),
                    try await fetch(client, base, "/other", headers: tags("r_rm", 0)),
                ]
            }
            #expect(upstream.log.hits.withLock { $0 } == 1)
            #expect(results.map(\.status) == [200, 200, 599])
            #expect(report.replayed == 1)
            #expect(report.recorded == 1)
        }
        let cassette = try #require(try recordedExchanges(in: directory.url.path)["r_rm.jsonl.gz"])
        #expect(cassette.isComplete)
        #expect(cassette.exchanges.map(\.request.target) == ["/json", "/binary"])
    }

    /// Tags that cannot be used (a run id that would escape the directory, a bad ordinal) get a 400 and reach nothing.
    @Test func rejectsUnusableTags() async throws {
        let directory = try TemporaryDirectory()
        try await withUpstream { upstream in
            let (statuses, _) = try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let base = proxy.baseURL(for: "maestro")!
                return [
                    try await fetch(client, base, "/json", headers: ["X-TDF-Run": "../../etc/passwd"]).status,
                    try await fetch(client, base, "/json", headers: ["X-TDF-Run": "r_1", "X-TDF-Ordinal": "-3"]).status,
                ]
            }
            #expect(statuses == [400, 400])
            #expect(upstream.log.hits.withLock { $0 } == 0)
        }
        #expect(try SessionDirectory.cassetteFileNames(in: directory.url.path).isEmpty)
    }

    /// Passthrough forwards without writing anything.
    @Test func passthroughRecordsNothing() async throws {
        let directory = try TemporaryDirectory()
        try await withUpstream { upstream in
            let (fetched, report) = try await withProxy(
                ProxyConfiguration(mode: .passthrough, services: [.init(name: "maestro", upstream: upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                return try await fetch(
                    client,
                    proxy.baseURL(for: "maestro")!,
                    "/sse?n=3&gap=1",
                    headers: tags("r_pt", 0)
                )
            }
            #expect(fetched.status == 200)
            #expect(fetched.text.hasPrefix("data: {\"type\":\"tick\",\"seq\":0}\n\n"))
            #expect(report.recorded == 0)
            #expect(report.forwarded == 1)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }

    /// A configuration that cannot work is refused with the field that is wrong and its value.
    @Test func invalidConfigurationsAreRefused() async throws {
        let unforwarded = ProxyConfiguration.ServiceRoute(name: "m")
        let cases: [(ProxyConfiguration, ProxyConfigurationError)] = [
            (ProxyConfiguration(mode: .record, cassetteDirectory: "/tmp/x", services: []), .noService),
            (
                ProxyConfiguration(mode: .record, cassetteDirectory: "/tmp/x", services: [unforwarded]),
                .missingUpstream(mode: .record, service: unforwarded)
            ),
            (ProxyConfiguration(mode: .replay, services: [unforwarded]), .missingCassetteDirectory(mode: .replay)),
            (
                ProxyConfiguration(mode: .replay, cassetteDirectory: "/tmp/x", services: [unforwarded, unforwarded]),
                .duplicateService(name: "m")
            ),
        ]
        for (configuration, expected) in cases {
            await #expect(throws: ProxyError.invalidConfiguration(expected)) {
                _ = try await ProxyServer.start(configuration)
            }
            #expect(ProxyError.invalidConfiguration(expected).kind == .invalidConfiguration)
        }
        var limited = ProxyConfiguration(mode: .replay, cassetteDirectory: "/tmp/x", services: [unforwarded])
        limited.maxOpenCassettes = 0
        #expect(throws: ProxyConfigurationError.openCassetteLimitBelowOne(0)) { try limited.validate() }
        limited.maxOpenCassettes = 1
        limited.cassetteIdleTimeout = .zero
        #expect(throws: ProxyConfigurationError.cassetteIdleTimeoutNotPositive) { try limited.validate() }

        let missing = "/nonexistent/tdf-cassettes"
        let replaying = ProxyConfiguration(mode: .replay, cassetteDirectory: missing, services: [unforwarded])
        await #expect(throws: ProxyError.missingCassetteDirectory(missing)) {
            _ = try await ProxyServer.start(replaying)
        }
        #expect(ProxyError.missingCassetteDirectory(missing).kind == .environment)

        for (argument, problem) in [
            ("maestro", .notNameListenUpstream), ("=1", .name("the service name must have 1 to 64 characters")),
            ("m=host:port", .listen("host:port")), ("m=1=ftp://x", .upstream("ftp://x")),
            ("m=ftp://x", .upstream("ftp://x")),
        ] as [(String, ProxyConfigurationError.ServiceProblem)] {
            #expect(throws: ProxyConfigurationError.unparsableService(argument: argument, problem: problem)) {
                try ProxyConfiguration.ServiceRoute(argument: argument)
            }
        }
        let parsed = try ProxyConfiguration.ServiceRoute(argument: "maestro=127.0.0.1:0=http://127.0.0.1:10001")
        #expect(
            parsed
                == ProxyConfiguration.ServiceRoute(
                    name: "maestro",
                    host: "127.0.0.1",
                    port: 0,
                    upstream: HTTPURL(string: "http://127.0.0.1:10001")
                )
        )
        #expect(try ProxyConfiguration.ServiceRoute(argument: "s=9000").port == 9000)
        let secure = try ProxyConfiguration.ServiceRoute(argument: "s=8443=https://staging.example.com/base")
        #expect(secure.upstream?.scheme == .https && secure.upstream?.port == 443 && secure.listens)
        #expect(secure.upstream?.description == "https://staging.example.com/base")
        let forwarded = try ProxyConfiguration.ServiceRoute(argument: "s=http://10.0.0.5:8080")
        #expect(!forwarded.listens && forwarded.upstream == HTTPURL(string: "http://10.0.0.5:8080"))
        #expect(try ProxyConfiguration.Pace(argument: "0.1") == .factor(0.1))
        #expect(throws: ProxyConfigurationError.unparsablePace(argument: "-1")) {
            try ProxyConfiguration.Pace(argument: "-1")
        }
    }

    /// Errors name the configuration's fields, not the flags of a command line that may set them.
    @Test func errorsNameFieldsNotFlags() {
        let service = ProxyConfiguration.ServiceRoute(name: "m")
        let errors: [ProxyConfigurationError] = [
            .unparsableService(argument: "m", problem: .notNameListenUpstream),
            .unparsableService(argument: "=0", problem: .name("the service name must have 1 to 64 characters")),
            .unparsableService(argument: "m=x", problem: .listen("x")), .unparsablePace(argument: "slow"),
            .unparsableService(argument: "m=0=ftp://x", problem: .upstream("ftp://x")), .noService,
            .duplicateService(name: "m"), .missingUpstream(mode: .record, service: service),
            .openCassetteLimitBelowOne(0), .cassetteIdleTimeoutNotPositive, .missingCassetteDirectory(mode: .replay),
        ]
        let proxyErrors =
            errors.map(ProxyError.invalidConfiguration) + [
                .missingCassetteDirectory("/c"), .cannotListen(service: service, problem: "address in use"),
            ]
        for error in proxyErrors { #expect(!error.description.contains("--"), "\(error)") }
        #expect(
            ProxyConfigurationError.missingUpstream(mode: .record, service: service).description
                == "the mode record forwards requests, but the service m has no upstream"
        )
        #expect(
            ProxyError.missingCassetteDirectory("/c").description
                == "the cassette directory /c does not exist: there is nothing to replay"
        )
    }
}
