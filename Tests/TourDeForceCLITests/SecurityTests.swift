import CommandLineKit
import Foundation
import Gzip
import HTTPTransport
import RecordingProxy
import Sockets
import StoriStack
import TestSupport
import Testing
import Vocabulary

@testable import Harness
@testable import TourDeForceCLI

/// The promises of Docs/security.md: loopback by default, no token on disk, no file name that leaves `--out`.
@Suite struct SecurityTests {
    /// With no host given, the stack's listeners and a proxy service given as `NAME=PORT=UPSTREAM` bind 127.0.0.1.
    @Test func listenersBindLoopbackByDefault() async throws {
        let stack = try await Simulator.start(.ephemeral())
        #expect(stack.maestroURL.hasPrefix("http://127.0.0.1:"))
        #expect(stack.storpheusURL.hasPrefix("http://127.0.0.1:"))
        let service = try ProxyConfiguration.ServiceRoute(argument: "maestro=0=\(stack.maestroURL)")
        let proxy = try await ProxyServer.start(ProxyConfiguration(mode: .passthrough, services: [service]))
        #expect(proxy.baseURL(for: "maestro")?.hasPrefix("http://127.0.0.1:") == true)
        await proxy.shutdown()
        await stack.shutdown()
        #expect(StackConfiguration().maestroHost == "127.0.0.1")
        #expect(StackConfiguration().storpheusHost == "127.0.0.1")
    }

    /// A recorded batch run with a known JWT, then its report: no file of the tree (cassettes decompressed, events,
    /// logs, payloads, MIDI, MUSE, report HTML/Markdown/JUnit, the SQLite database) holds the token or its signature.
    @Test(.timeLimit(.minutes(2))) func noOutputFileHoldsTheToken() async throws {
        let stack = try await Simulator.start(.embedded(seed: 1337))
        let token = AccessToken.mint(secret: stack.configuration.jwtSecret, subject: "security-test", ttl: 86_400)
        let signature = String(token.split(separator: ".")[2])
        let directory = try TemporaryDirectory()
        let out = directory.path("out")
        let run = await runCommand(
            [
                "--maestro", stack.maestroURL + "/api/v1/maestro/stream", "--storpheus", stack.storpheusURL,
                "--muse-url", stack.museURL,
                "--prompt-endpoint", stack.maestroURL + "/api/v1/prompts/random", "--runs", "2", "--out", out,
            ],
            environment: ["STORI_JWT": token]
        )
        await stack.shutdown()
        #expect(run.status == 0, "\(run.stderr)")
        // The run's own secret scan and the command agree that the recording holds no credential.
        #expect(!run.stderr.contains("possible secret"), "\(run.stderr)")
        let scan = await tdf(["cassette", "scan", out + "/cassettes"])
        #expect(scan.status == 0, "\(scan.stdout)")
        let report = await tdf(["report", "--in", out])
        #expect(report.status == 0, "\(report.stderr)")

        var scanned: [String] = []
        var redactedTokens = 0
        let files = FileManager.default.enumerator(atPath: out)?.compactMap { $0 as? String } ?? []
        for relative in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: out + "/" + relative, isDirectory: &isDirectory),
                !isDirectory.boolValue
            else { continue }
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/" + relative)))
            if relative.hasSuffix(".gz") { bytes = try GzipData.decompress(bytes) }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains(token), "\(relative) holds the JWT")
            #expect(!text.contains(signature), "\(relative) holds the JWT's signature")
            redactedTokens += text.components(separatedBy: "<redacted:").count - 1
            scanned.append(relative)
        }
        for expected in ["cassettes/r_000001.jsonl.gz", "events.jsonl.gz", "logs/client.log.gz", "tourdeforce.db"] {
            #expect(scanned.contains(expected), "\(expected) was not written, so it was not scanned")
        }
        #expect(scanned.contains { $0.hasPrefix("payloads/") })
        #expect(scanned.contains("report/report.html") && scanned.contains("report/report.md"))
        #expect(redactedTokens > 0, "the token was never sent, so its absence proves nothing")
    }

    /// Hostile X-TDF-Run values (absolute path, `..`, a hidden name, NUL, 300 characters, the reserved name) get a
    /// 400 `invalid_run_id` answer and create no file anywhere.
    @Test(arguments: ["/etc/passwd", "..", "../../x", "a/b", ".hidden", "a\u{0}b", String(repeating: "r", count: 300)])
    func hostileRunTagsAreRefused(_ run: String) async throws {
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("session/cassettes")
        let stack = try await Simulator.start(.embedded(seed: 1337))
        let proxy = try await ProxyServer.start(
            ProxyConfiguration(
                mode: .record,
                cassetteDirectory: cassettes,
                services: [.init(name: "maestro", upstream: HTTPURL(string: stack.maestroURL))]
            )
        )
        let port = HTTPURL(string: proxy.baseURL(for: "maestro")!)!.port
        let socket = try await Socket.connect(host: "127.0.0.1", port: port, timeout: .seconds(5))
        // Raw bytes: an HTTP client would refuse to send some of these values at all.
        try await socket.write(Array("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-TDF-Run: \(run)\r\n\r\n".utf8))
        var answer: [UInt8] = []
        while let bytes = try? await socket.read(deadline: deadline(after: .seconds(10))), !bytes.isEmpty {
            answer += bytes
            if String(decoding: answer, as: UTF8.self).contains("}") { break }
        }
        socket.close()
        await proxy.shutdown()
        await stack.shutdown()
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400 "), "\(text)")
        let everything = FileManager.default.enumerator(atPath: directory.url.path)?.compactMap { $0 as? String }
        #expect(everything?.sorted() == ["session", "session/cassettes", "session/cassettes/index.json"])
    }

    /// Hostile Storpheus artifact names beyond those of `ServiceClientTests.sanitisesArtifactNames`: an absolute
    /// path, a NUL, a 5,000-character name and a name with nothing safe in it.
    @Test func artifactNamesCannotLeaveTheRunDirectory() {
        #expect(StorpheusClient.safeFileName("/abs/path/take.mid") == "take.mid")
        #expect(StorpheusClient.safeFileName("a\u{0}b.mid") == "ab.mid")
        #expect(StorpheusClient.safeFileName("é€") == nil)
        #expect(StorpheusClient.safeFileName(String(repeating: "m", count: 5000) + ".mid")?.utf8.count == 128)
    }

    /// `tdf replay --run-id` and `tdf run --replay` refuse a run id that would name a directory outside the tree
    /// (a hostile runs.jsonl can list one), before anything is written or removed.
    @Test(arguments: [
        "/../../../escaped", "../../escaped", "/tmp/escaped", "a\u{0}b", String(repeating: "r", count: 300),
    ])
    func replayRefusesHostileRunIDs(_ run: String) async throws {
        let directory = try TemporaryDirectory()
        let tree = directory.path("deep/tree")
        try FileManager.default.createDirectory(atPath: tree + "/cassettes", withIntermediateDirectories: true)
        try "{}".write(toFile: tree + "/config.json", atomically: true, encoding: .utf8)
        let line = try JSONSerialization.data(withJSONObject: ["run_id": run, "index": 1])
        try Data(line + Data("\n".utf8)).write(to: URL(fileURLWithPath: tree + "/runs.jsonl"))
        let before = FileManager.default.enumerator(atPath: directory.url.path)?.allObjects.count

        for arguments in [["replay", "--run-id", run, "--in", tree], ["run", "--replay", tree]] {
            let (status, _, errors) = await tdf(arguments)
            #expect(status == 2, "\(arguments): \(errors)")
            #expect(errors.contains("is not a run id"), "\(errors)")
        }
        #expect(FileManager.default.enumerator(atPath: directory.url.path)?.allObjects.count == before)
    }
}
