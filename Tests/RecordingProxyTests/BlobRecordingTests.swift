import Cassettes
import Foundation
import HTTPTransport
import Hashing
import RecordingProxy
import TestSupport
import Testing
import Vocabulary

/// Large binary bodies recorded through the proxy go to `blobs/` as raw files and replay byte for byte, to tdf's
/// client and to curl (cassette-format.md §2.1).
@Suite struct BlobRecordingTests {
    @Test func aBinaryDownloadIsStoredOnceAndReplayedExactly() async throws {
        let directory = try TemporaryDirectory()
        let size = 200_000
        // Bodies are compared by digest: a failure must not print 200,000 numbers.
        let expected = SHA256.hash(Upstream.binaryBody(size))
        try await withUpstream { upstream in
            _ = try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("storpheus", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                for _ in 0..<3 {
                    let answer = try await fetch(client, proxy.baseURL(for: "storpheus")!, "/binary?size=\(size)")
                    #expect(SHA256.hash(answer.body) == expected)
                }
            }
        }
        let blobs = try FileManager.default.contentsOfDirectory(atPath: directory.url.path + "/blobs")
        #expect(blobs.count == 1, "three identical downloads, one file")
        let stored = try FileManager.default.attributesOfItem(atPath: directory.url.path + "/blobs/" + blobs[0])
        #expect(stored[.size] as? Int == size, "raw bytes, not base64")

        _ = try await withProxy(
            proxyConfiguration(.replay, directory: directory.url.path, services: [("storpheus", nil)])
        ) { proxy in
            let url = proxy.baseURL(for: "storpheus")! + "/binary?size=\(size)"
            let client = HTTPClient()
            defer { client.close() }
            let replayed = try await fetch(client, proxy.baseURL(for: "storpheus")!, "/binary?size=\(size)")
            #expect(replayed.body.count == size)
            #expect(SHA256.hash(replayed.body) == expected)
            guard let curl = ExternalProcess.which("curl") else {
                Issue.record("curl is needed for this test (.ci/run installs it)")
                return
            }
            let fetched = try await ExternalProcess.run(curl, ["-sS", "--fail", url])
            #expect(fetched.status == 0, "\(fetched.stderr)")
            #expect(fetched.stdout.count == size)
            #expect(SHA256.hash(fetched.stdout) == expected)
        }
    }
}
