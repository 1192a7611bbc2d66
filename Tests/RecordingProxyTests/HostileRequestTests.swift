import Cassettes
import Foundation
import HTTPTransport
import HTTPWire
import JSON
import RecordingProxy
import Sockets
import Synchronization
import TestSupport
import Testing
import Vocabulary

/// What a client controls (tag headers, line ends) can neither take the recording proxy down nor get an exchange
/// recorded or forwarded as something the client did not send.
@Suite struct HostileRequestTests {
    /// An ordinal above `Exchange.maximumOrdinal`, signed or not decimal, is answered 400 `invalid_ordinal` and not
    /// forwarded, and the proxy keeps recording: the next request of the same run, without an ordinal, is recorded
    /// as ordinal 0. (INT64_MAX killed the proxy with an arithmetic overflow; INT64_MAX − 1 was recorded and killed
    /// it on the run's next request without an ordinal.)
    @Test(arguments: ["9223372036854775807", "9223372036854775806", "1000000001", "99999999999999999999", "+5", "-0"])
    func ordinalsOutOfRangeAreRefused(_ ordinal: String) async throws {
        let directory = try TemporaryDirectory()
        try await withUpstream { upstream in
            let (answers, _) = try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let base = proxy.baseURL(for: "maestro")!
                let refused = try await fetch(
                    client,
                    base,
                    "/json",
                    headers: ["X-TDF-Run": "r_tags", "X-TDF-Ordinal": ordinal]
                )
                let next = try await fetch(client, base, "/json", headers: ["X-TDF-Run": "r_tags"])
                return (refused, next)
            }
            let (refused, next) = answers
            #expect(refused.status == 400)
            #expect(refused.headers["X-TDF-Proxy-Error"] == "invalid_ordinal")
            let body = try JSONParser.parse(refused.body)
            #expect(body["error"]?.stringValue == "invalid_ordinal")
            #expect(body["detail"]?.stringValue?.contains("from 0 to 1000000000, not '\(ordinal)'") == true)
            #expect(next.status == 200)
            #expect(upstream.log.hits.withLock { $0 } == 1)
        }
        let cassette = try #require(try recordedExchanges(in: directory.url.path)["r_tags.jsonl.gz"])
        #expect(cassette.problems.isEmpty)
        #expect(cassette.exchanges.map(\.ordinal) == [0])
    }

    /// The largest ordinal allowed is forwarded and recorded as sent, and the run's next request without an ordinal
    /// is recorded with the next one, both read back. (The fuzz target `proxy-request` found that second record
    /// refused on read-back while cassettes were limited to the largest ordinal a request may ask for.)
    @Test func theLargestOrdinalAndTheNextAreRecorded() async throws {
        let directory = try TemporaryDirectory()
        try await withUpstream { upstream in
            let (statuses, _) = try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let base = proxy.baseURL(for: "maestro")!
                return [
                    try await fetch(client, base, "/json", headers: tags("r_tags", Exchange.maximumOrdinal)).status,
                    try await fetch(client, base, "/json", headers: ["X-TDF-Run": "r_tags"]).status,
                ]
            }
            #expect(statuses == [200, 200])
        }
        let cassette = try #require(try recordedExchanges(in: directory.url.path)["r_tags.jsonl.gz"])
        #expect(cassette.problems.isEmpty)
        #expect(cassette.exchanges.map(\.ordinal) == [1_000_000_000, 1_000_000_001])
    }

    /// A tag header sent twice (the second copy in other letter case, and even with the same value) is answered
    /// 400 `duplicate_tag_header` naming the header, and nothing is forwarded or written; before, the first copy
    /// silently won.
    @Test(arguments: [("X-TDF-Run", "r_one", "r_two"), ("X-TDF-Ordinal", "1", "2"), ("X-TDF-Step", "a", "a")])
    func duplicatedTagHeadersAreRefused(_ name: String, _ first: String, _ second: String) async throws {
        let directory = try TemporaryDirectory()
        try await withUpstream { upstream in
            let (refused, _) = try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                var headers = tags("r_tags", 0)
                headers.set(name: name, value: first)
                headers.append(name: name.lowercased(), value: second)
                return try await fetch(client, proxy.baseURL(for: "maestro")!, "/json", headers: headers)
            }
            #expect(refused.status == 400)
            let body = try JSONParser.parse(refused.body)
            #expect(body["error"]?.stringValue == "duplicate_tag_header")
            #expect(body["detail"]?.stringValue?.hasPrefix("\(name) appears 2 times") == true)
            #expect(upstream.log.hits.withLock { $0 } == 0)
        }
        #expect(try SessionDirectory.cassetteFileNames(in: directory.url.path).isEmpty)
    }

    /// A bare LF inside a header value is answered 400 and nothing reaches the upstream; before, the proxy ended the
    /// line there and forwarded the rest as a header of its own (`X-Injected: 1` here).
    @Test func bareLineFeedInAHeaderValueIsRefused() async throws {
        let directory = try TemporaryDirectory()
        try await withUpstream { upstream in
            let (answer, _) = try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in
                let port = HTTPURL(string: proxy.baseURL(for: "maestro")!)!.port
                let socket = try await Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
                defer { socket.close() }
                try await socket.write(Array("GET /echo HTTP/1.1\r\nHost: x\r\nX-Note: a\nX-Injected: 1\r\n\r\n".utf8))
                var answer: [UInt8] = []
                while let bytes = try? await socket.read(deadline: deadline(after: .seconds(10))), !bytes.isEmpty {
                    answer += bytes
                }
                return String(decoding: answer, as: UTF8.self)
            }
            #expect(answer.hasPrefix("HTTP/1.1 400 "), "\(answer)")
            #expect(answer.contains("bare LF"))
            #expect(upstream.log.hits.withLock { $0 } == 0)
        }
    }
}
