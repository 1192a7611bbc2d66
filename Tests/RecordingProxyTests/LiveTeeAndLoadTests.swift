import Cassettes
import Foundation
import HTTPTransport
import HTTPWire
import Synchronization
import TestSupport
import Testing
import Vocabulary

@testable import RecordingProxy

/// Timing-sensitive tests run one at a time, so the load test does not starve the live-tee measurement.
@Suite(.serialized) struct LiveTeeAndLoadTests {
    /// While recording, each SSE event reaches the client before the upstream sends the next one: the upstream
    /// waits for the client to acknowledge every event, so a proxy that buffered would stall the stream. (The
    /// per-event added delay is measured by Benchmarks/proxy, not asserted here.)
    @Test func eventsArriveAsTheyAreSent() async throws {
        let count = 15
        let directory = try TemporaryDirectory()
        try await withUpstream { upstream in
            let (received, _) = try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let url = HTTPURL(string: proxy.baseURL(for: "maestro")! + "/sse-lockstep?n=\(count)")!
                let response = try await client.execute(HTTPClientRequest(url: url, headers: tags("r_tee", 0)))
                var received = 0
                for try await frame in response.body.sseFrames() {
                    if case .event = frame {
                        received += 1
                        upstream.log.clientReceived.withLock { $0 = received }
                    }
                }
                return received
            }
            #expect(upstream.log.lockstepBroken.withLock { $0 } == false, "an event was held back by the proxy")
            #expect(received == count)
        }
        let exchange = try #require(try recordedExchanges(in: directory.url.path)["r_tee.jsonl.gz"]?.exchanges.first)
        guard case .events(let events, nil) = exchange.response.content else {
            Issue.record("not recorded as events")
            return
        }
        #expect(events.filter { if case .event = $0.frame { true } else { false } }.count == count)
    }

    /// Replay with recorded pacing takes about as long as the recording; fast replay does not wait.
    @Test func replayPacing() async throws {
        let directory = try TemporaryDirectory()
        try await withUpstream { upstream in
            _ = try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("maestro", upstream.url)])
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                return try await fetch(
                    client,
                    proxy.baseURL(for: "maestro")!,
                    "/sse?n=6&gap=40",
                    headers: tags("r_p", 0)
                )
            }
        }
        let clock = ContinuousClock()
        var elapsed: [String: Duration] = [:]
        for pace in [ProxyConfiguration.Pace.fast, .recorded, .factor(0.5)] {
            let (took, _) = try await withProxy(
                proxyConfiguration(.replay, directory: directory.url.path, services: [("maestro", nil)], pace: pace)
            ) { proxy in
                let client = HTTPClient()
                defer { client.close() }
                let start = clock.now
                let fetched = try await fetch(
                    client,
                    proxy.baseURL(for: "maestro")!,
                    "/sse?n=6&gap=40",
                    headers: tags("r_p", 0)
                )
                #expect(fetched.status == 200)
                return clock.now - start
            }
            elapsed[pace.description] = took
        }
        // The recording spans 200 ms of gaps: recorded pacing waits at least most of it and half pacing half of it.
        // Only lower bounds are asserted: other tests running at once make any replay slower, by more than the
        // 100 ms between the two when the machine is busy; how long each pace waits is `pacedDeadlines` below.
        let (recorded, half) = (elapsed["recorded"]!, elapsed["0.5"]!)
        #expect(recorded >= .milliseconds(190), "recorded pacing took \(recorded)")
        #expect(half >= .milliseconds(95), "0.5 pacing took \(half)")
    }

    /// A recorded moment replays that long after the request at pace recorded, half as long at 0.5, at once at pace
    /// fast, and at most a century later whatever the recording and the factor say.
    @Test func pacedDeadlines() {
        let arrival = ContinuousClock.now
        let deadline = { (milliseconds: Double, pace: ProxyConfiguration.Pace) in
            ReplayResponder.deadline(at: milliseconds, from: arrival, multiplier: pace.multiplier).map { $0 - arrival }
        }
        #expect(deadline(200, .recorded) == .milliseconds(200))
        #expect(deadline(200, .factor(0.5)) == .milliseconds(100))
        #expect(deadline(200, .factor(2)) == .milliseconds(400))
        #expect(deadline(200, .fast) == nil)
        #expect(deadline(0, .recorded) == nil)
        #expect(deadline(.nan, .recorded) == nil)
        #expect(deadline(1e300, .recorded) == .seconds(ReplayResponder.longestWaitSeconds))
    }

    /// 64 concurrent clients × 200 requests through record mode: every exchange is recorded exactly once, in the
    /// cassette its run header chose, with the body the client got.
    @Test(.timeLimit(.minutes(3))) func concurrentClientsAreRecordedExactlyOnce() async throws {
        let clients = 64
        let requests = 200
        let runs = 16
        let directory = try TemporaryDirectory()
        let start = ContinuousClock.now
        try await withUpstream { upstream in
            let (failures, report) = try await withProxy(
                proxyConfiguration(.record, directory: directory.url.path, services: [("api", upstream.url)])
            ) { proxy in
                let base = proxy.baseURL(for: "api")!
                return await withTaskGroup(of: Int.self) { group in
                    for clientIndex in 0..<clients {
                        group.addTask {
                            let client = HTTPClient()
                            defer { client.close() }
                            var failures = 0
                            for request in 0..<requests {
                                let ordinal = (clientIndex / runs) * requests + request
                                let target = "/echo?c=\(clientIndex)&r=\(request)"
                                let fetched = try? await fetch(
                                    client,
                                    base,
                                    target,
                                    method: "POST",
                                    headers: tags("r_\(clientIndex % runs)", ordinal),
                                    body: Array("client \(clientIndex) request \(request)".utf8)
                                )
                                if fetched?.status != 201 || fetched?.cut != nil { failures += 1 }
                            }
                            return failures
                        }
                    }
                    return await group.reduce(0, +)
                }
            }
            #expect(failures == 0)
            #expect(report.recorded == clients * requests)
            #expect(report.recordingFailures.isEmpty)
        }
        let cassettes = try recordedExchanges(in: directory.url.path)
        #expect(cassettes.count == runs)
        var seen = Set<String>()
        for (name, cassette) in cassettes {
            #expect(cassette.isComplete, "\(name): \(cassette.problems) \(String(describing: cassette.damage))")
            #expect(cassette.exchanges.count == clients / runs * requests)
            #expect(
                Set(cassette.exchanges.map(\.ordinal)).count == cassette.exchanges.count,
                "\(name) has a repeated ordinal"
            )
            #expect(cassette.exchanges.map(\.seq) == Array(0..<cassette.exchanges.count))
            for exchange in cassette.exchanges {
                let target = exchange.request.target
                guard let query = target.split(separator: "?").last else { continue }
                let numbers = query.split(separator: "&").compactMap { Int($0.split(separator: "=").last!) }
                let (clientIndex, request) = (numbers[0], numbers[1])
                #expect(name == "r_\(clientIndex % runs).jsonl.gz")
                #expect(exchange.ordinal == (clientIndex / runs) * requests + request)
                #expect(exchange.request.body == Array("client \(clientIndex) request \(request)".utf8))
                let body = String(decoding: exchange.response.bodyBytes, as: UTF8.self)
                #expect(body.contains("echo?c=\(clientIndex)&r=\(request)\""), "\(body)")
                #expect(seen.insert(target).inserted, "\(target) recorded twice")
            }
        }
        #expect(seen.count == clients * requests)
        print("64 x 200 record-mode exchanges took \(ContinuousClock.now - start)")
    }
}
