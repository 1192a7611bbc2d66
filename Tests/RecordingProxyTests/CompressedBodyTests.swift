import Cassettes
import Foundation
import Gzip
import HTTPTransport
import HTTPWire
import JSON
import RecordingProxy
import TestSupport
import Testing
import Vocabulary

/// A gzip or deflate body is stored decoded, redacted inside, and replayed as identity that any client reads; a body
/// in a coding tdf cannot decode is kept as it came and named in the session's warning (cassette-format.md §3.2.5).
@Suite struct CompressedBodyTests {
    private static let token = "tok-4f9a2c8e1b7d"

    /// Records `paths` through a proxy redacting `$.token`; returns the directory and the report.
    private func record(_ paths: [String]) async throws -> (TemporaryDirectory, ProxyReport) {
        let directory = try TemporaryDirectory()
        let report = try await withUpstream { upstream in
            var configuration = proxyConfiguration(
                .record,
                directory: directory.url.path,
                services: [("maestro", upstream.url)]
            )
            configuration.redactJSONPaths = [try #require(JSONPath("$.token"))]
            return try await withProxy(configuration) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                for path in paths {
                    let answer = try await fetch(client, proxy.baseURL(for: "maestro")!, path)
                    // The live client gets the upstream's bytes untouched.
                    #expect(answer.headers["Content-Encoding"] != nil)
                }
            }.report
        }
        return (directory, report)
    }

    @Test func aGzipOrDeflateBodyIsStoredDecodedAndRedacted() async throws {
        let (directory, report) = try await record(["/gzip-json", "/deflate-json"])
        #expect(report.undecodedBodyCount == 0)
        let cassette = try Cassette.load(path: directory.url.path + "/_default.jsonl.gz")
        #expect(cassette.exchanges.map(\.response.decodedFrom) == ["gzip", "deflate"])
        for exchange in cassette.exchanges {
            let text = String(decoding: exchange.response.bodyBytes, as: UTF8.self)
            #expect(text == #"{"token":"\#(Redactor.token(for: Self.token.utf8))","n":1}"#)
            #expect(exchange.response.headers["Content-Encoding"] != nil, "headers stay as they were sent")
        }
        let raw = try String(
            decoding: GzipData.decompress(Data(contentsOf: directory.url.appendingPathComponent("_default.jsonl.gz"))),
            as: UTF8.self
        )
        #expect(!raw.contains(Self.token))
        #expect(raw.contains(#""decoded_from":"gzip""#))
    }

    /// Python's `urllib` (which asks for no coding and decodes none) and curl `--compressed` read the replayed body.
    @Test func theReplayedBodyIsReadableByPythonAndCurl() async throws {
        let (directory, _) = try await record(["/gzip-json"])
        _ = try await withProxy(
            proxyConfiguration(.replay, directory: directory.url.path, services: [("maestro", nil)])
        ) {
            proxy in
            let url = proxy.baseURL(for: "maestro")! + "/gzip-json"
            let expected = #"{"token":"\#(Redactor.token(for: Self.token.utf8))","n":1}"#
            if let python = ExternalProcess.which("python3") {
                let read = try await ExternalProcess.run(
                    python,
                    [
                        "-c",
                        "import urllib.request,sys; r=urllib.request.urlopen(sys.argv[1]); print(r.read().decode())",
                        url,
                    ]
                )
                #expect(read.status == 0, "\(read.stderr)")
                #expect(String(decoding: read.stdout, as: UTF8.self) == expected + "\n")
            } else {
                Issue.record("python3 is needed for this test (.ci/run installs it)")
            }
            if let curl = ExternalProcess.which("curl") {
                let read = try await ExternalProcess.run(curl, ["-s", "--compressed", "-D", "-", url])
                let text = String(decoding: read.stdout, as: UTF8.self)
                #expect(read.status == 0)
                #expect(text.hasSuffix("\r\n\r\n" + expected))
                #expect(!text.lowercased().contains("content-encoding"))
                #expect(text.contains("Content-Length: \(expected.utf8.count)"))
            } else {
                Issue.record("curl is needed for this test (.ci/run installs it)")
            }
        }
    }

    @Test func aBodyTdfCannotDecodeIsKeptAndWarnedAbout() async throws {
        let (directory, report) = try await record(["/br"])
        #expect(report.undecodedBodyCount == 1)
        #expect(report.undecodedBodies == ["maestro GET /br: br body (tdf decodes gzip and deflate)"])
        #expect(report.lines.contains { $0.hasPrefix("warning: 1 bodies were stored as they came") })
        let cassette = try Cassette.load(path: directory.url.path + "/_default.jsonl.gz")
        #expect(cassette.exchanges.first?.response.decodedFrom == nil)
        #expect(cassette.exchanges.first?.response.bodyBytes == [0x8B, 0x07, 0x80, 0x7B, 0x7D, 0x03])
    }
}
