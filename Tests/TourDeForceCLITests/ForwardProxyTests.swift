import Cassettes
import Foundation
import HTTPTransport
import HTTPWire
import RecordingProxy
import StoriStack
import TestSupport
import Testing
import Vocabulary

/// The forward listener, as clients configured with an HTTP proxy use it against `tdf stack`: Python's `urllib`
/// with `HTTP_PROXY` and `curl -x` record through one shared listener, then replay with the stack gone.
@Suite struct ForwardProxyTests {
    /// Maestro is named (`--service maestro=URL`); Storpheus is not, so it is recorded under a name made of its
    /// authority. Both clients ask for the services' own URLs and send no tdf header.
    @Test(.timeLimit(.minutes(2))) func httpProxyClientsRecordAndReplayThroughTheForwardListener() async throws {
        guard let python = ExternalProcess.which("python3"), let curl = ExternalProcess.which("curl") else {
            Issue.record("python3 and curl are needed for this test (.ci/run installs them)")
            return
        }
        let stack = try await Simulator.start(.embedded(seed: 1337))
        let maestro = stack.maestroURL
        let storpheus = try #require(HTTPURL(string: stack.storpheusURL))
        let token = stack.token()
        let directory = try TemporaryDirectory()

        func configuration(_ mode: ProxyConfiguration.Mode) -> ProxyConfiguration {
            var configuration = ProxyConfiguration(
                mode: mode,
                cassetteDirectory: directory.path("cassettes"),
                services: [.forwarded(name: "maestro", upstream: HTTPURL(string: maestro)!)],
                toolVersion: "test"
            )
            configuration.forwardListener = .init()
            return configuration
        }
        func clients(_ proxy: ProxyServer) async throws -> [String] {
            let forward = try #require(proxy.forwardURL)
            let viaPython = try await ExternalProcess.run(
                "/usr/bin/env",
                [
                    "HTTP_PROXY=\(forward)", "NO_PROXY=", "no_proxy=", python, "-c",
                    """
                    import sys, urllib.request
                    request = urllib.request.Request(sys.argv[1] + "/api/v1/maestro/prompts",
                                                     headers={"Authorization": "Bearer " + sys.argv[2]})
                    print(urllib.request.urlopen(request).read().decode())
                    """,
                    maestro, token,
                ]
            )
            let viaCurl = try await ExternalProcess.run(
                curl,
                ["-s", "--noproxy", "", "-x", forward, "http://\(storpheus.authority)/health"]
            )
            #expect(viaPython.status == 0, "\(viaPython.stderr)")
            return [viaPython.stdout, viaCurl.stdout].map { String(decoding: $0, as: UTF8.self) }
        }

        let recording = try await ProxyServer.start(configuration(.record))
        let recorded: [String]
        do {
            recorded = try await clients(recording)
        } catch {
            await recording.shutdown()
            await stack.shutdown()
            throw error
        }
        let recordReport = await recording.shutdown()
        await stack.shutdown()
        #expect(recordReport.recorded == 2)
        #expect(recorded[0].contains(#""prompts""#), "\(recorded[0])")
        #expect(recorded[1].contains("ok"), "\(recorded[1])")

        let cassette = try Cassette.load(path: directory.path("cassettes/_default.jsonl.gz"))
        let storpheusName = "127-0-0-1-\(storpheus.port)"
        #expect(cassette.exchanges.map(\.service) == ["maestro", storpheusName])
        #expect(cassette.exchanges.map(\.request.target) == ["/api/v1/maestro/prompts", "/health"])
        #expect(
            cassette.exchanges.allSatisfy { !$0.request.headers.contains { $0.name.lowercased().hasPrefix("proxy-") } }
        )

        // The stack is gone; the same clients, the same URLs, the same answers.
        let replaying = try await ProxyServer.start(configuration(.replay))
        let replayed: [String]
        do {
            replayed = try await clients(replaying)
        } catch {
            await replaying.shutdown()
            throw error
        }
        let report = await replaying.shutdown()
        #expect(replayed == recorded)
        #expect(report.replayed == 2 && report.mismatches == 0, "\(report.mismatchDetails)")
    }
}
