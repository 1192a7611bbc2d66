import Cassettes
import Foundation
import Gzip
import HTTPTransport
import HTTPWire
import RecordingProxy
import TestSupport
import Testing
import Vocabulary

@Suite struct DocumentedFormatTests {
    /// The Python reader printed in Docs/cassette-format.md, written from the specification alone, reads cassettes
    /// the proxy recorded (every body shape, a fault, a truncated copy) and computes the same digests as tdf.
    @Test func referenceReaderAgreesWithTdf() async throws {
        guard let python = ExternalProcess.which("python3") else {
            Issue.record("python3 is needed for this test")
            return
        }
        var docs = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { docs.deleteLastPathComponent() }
        let document = try String(contentsOf: docs.appendingPathComponent("Docs/cassette-format.md"), encoding: .utf8)
        let start = try #require(document.range(of: "```python\n"))
        let end = try #require(document.range(of: "```", range: start.upperBound..<document.endIndex))
        let directory = try TemporaryDirectory()
        try String(document[start.upperBound..<end.lowerBound]).write(
            toFile: directory.path("reader.py"),
            atomically: true,
            encoding: .utf8
        )

        let cassettes = directory.path("cassettes")
        try await withUpstream { upstream in
            _ = try await withProxy(
                proxyConfiguration(
                    .record,
                    directory: cassettes,
                    services: [("maestro", upstream.url)],
                    redact: ["token"]
                )
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let base = proxy.baseURL(for: "maestro")!
                var ordinal = 0
                let targets = [
                    "/json", "/binary", "/binary?size=70000", "/sse?n=4&gap=2", "/sse-raw", "/chunked", "/cut",
                    "/nocontent",
                ]
                for target in targets {
                    _ = try await fetch(client, base, target, headers: tags("r_doc", ordinal))
                    ordinal += 1
                }
                // The second body is large enough to be redacted, encoded and digested on the pool rather than on
                // the writer thread.
                for padding in ["", String(repeating: "x", count: 20_000)] {
                    _ = try await fetch(
                        client,
                        base,
                        "/auth",
                        method: "POST",
                        headers: ["Authorization": "Bearer abcdefgh12345678"],
                        body: Array(#"{"token": "abcdefgh12345678", "n": [1.50, 2e3], "padding": "\#(padding)"}"#.utf8)
                    )
                }
            }
        }
        var paths = try SessionDirectory.cassetteFileNames(in: cassettes).map { cassettes + "/" + $0 }
        #expect(paths.count == 2)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: cassettes + "/blobs").count == 1,
            "the 70,000 bytes"
        )
        // A copy cut in the middle of its last record, as a crash leaves a cassette.
        let whole = try Data(contentsOf: URL(fileURLWithPath: paths[1]))
        try whole.prefix(whole.count - 40).write(to: URL(fileURLWithPath: cassettes + "/cut.jsonl.gz"))
        paths.append(cassettes + "/cut.jsonl.gz")  // beside the blobs its records refer to

        for path in paths {
            let cassette = try Cassette.load(path: path)
            let result = try await ExternalProcess.run(python, [directory.path("reader.py"), path])
            #expect(result.status == 0, "\(result.stderr)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
            #expect(report["digest"] as? String == cassette.digest, "\(path)")
            #expect(
                report["records"] as? Int == cassette.exchanges.count + 1 + (cassette.end == nil ? 0 : 1),
                "\(path)"
            )
            #expect((report["damage"] is NSNull) == (cassette.damage == nil), "\(path)")
            if let end = cassette.end {
                #expect(report["end_digest"] as? String == end.digest)
                #expect(end.digest == cassette.digest, "the digest written at the end of \(path)")
                let text = String(decoding: try GzipData.decompress(try SessionDirectory.read(path)), as: UTF8.self)
                #expect(!text.contains("abcdefgh12345678"), "\(path)")
            }
        }
    }
}
