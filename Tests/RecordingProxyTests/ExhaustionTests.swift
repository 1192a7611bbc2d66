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

#if canImport(Glibc)
    import Glibc
#endif

/// The proxy and the simulator stay up whatever arrives: ordinals that would overflow, thousands of runs under a
/// small descriptor limit, more idle connections than descriptors, and a live directory checkpointed on SIGHUP.
@Suite(.serialized) struct ExhaustionTests {
    private func executable() throws -> String {
        guard let path = TDFExecutable.path() else {
            throw TestFailure("no tdf executable: build it (swift build) or set TDF_EXECUTABLE")
        }
        return path
    }

    /// Starts `tdf ARGUMENTS` under `ulimit LIMIT` (e.g. `-n 1024`) and waits for its ready line; returns the
    /// process and the first URL on that line.
    private func start(
        _ tdf: String,
        limit: String,
        _ arguments: [String],
        ready: String
    ) async throws -> (ChildProcess, String) {
        let child = try ChildProcess("/bin/sh", ["-c", "ulimit \(limit) && exec \"$0\" \"$@\"", tdf] + arguments)
        guard let line = await child.line(startingWith: ready) else {
            child.send(SIGKILL)
            _ = await child.waitForExit()
            throw TestFailure("\(arguments[0]) never printed '\(ready)': \(child.standardError)")
        }
        let base = line.split(separator: " ")[2].split(separator: "=", maxSplits: 1)[1]
        return (child, String(base))
    }

    /// `tdf proxy --mode record` into `cassettes` in front of `upstream`, under `ulimit -n 1024`.
    private func startRecordingProxy(
        _ tdf: String,
        into cassettes: String,
        upstream: Upstream
    ) async throws -> (ChildProcess, String) {
        try await start(
            tdf,
            limit: "-n 1024",
            ["proxy", "--cassettes", cassettes, "--service", "api=127.0.0.1:0=\(upstream.baseURL)"],
            ready: "proxy ready "
        )
    }

    /// Whether a process is still running. `kill(pid, 0)`
    private func isAlive(_ child: ChildProcess) -> Bool { kill(child.processIdentifier, 0) == 0 }

    /// How many descriptors a process has open, from `/proc/PID/fd`.
    private func openDescriptors(of child: ChildProcess) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(child.processIdentifier)/fd").count) ?? 0
    }

    /// The hard descriptor limit of this process, which the children inherit.
    private func hardLimit() -> Int {
        var limits = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits)
        return limits.rlim_max >= rlim_t(Int32.max) ? Int(Int32.max) : Int(limits.rlim_max)
    }

    /// An ordinal of INT64_MAX, and INT64_MAX − 1 followed by an untagged request on the same run (the two ways
    /// the counter used to overflow and kill the process), get 400; the proxy keeps recording everyone else.
    @Test(.timeLimit(.minutes(1))) func overflowingOrdinalsAreRefusedAndTheProxyKeepsServing() async throws {
        let directory = try TemporaryDirectory()
        try await withUpstream { upstream in
            let configuration = proxyConfiguration(
                .record,
                directory: directory.path("cassettes"),
                services: [("api", upstream.url)]
            )
            let (_, report) = try await withProxy(configuration) { proxy in
                let base = try #require(proxy.baseURL(for: "api"))
                let client = HTTPClient()
                defer { client.close() }
                for ordinal in ["9223372036854775807", "9223372036854775806"] {
                    let headers = HTTPHeaders([("X-TDF-Run", "r_x"), ("X-TDF-Ordinal", ordinal)])
                    let refused = try await fetch(client, base, "/json", headers: headers)
                    #expect(refused.status == 400, "ordinal \(ordinal): \(refused.text)")
                    #expect(refused.text.contains("invalid_ordinal"))
                }
                let untagged = try await fetch(client, base, "/json", headers: HTTPHeaders([("X-TDF-Run", "r_x")]))
                #expect(untagged.status == 200)
                #expect(try await fetch(client, base, "/json", headers: tags("r_y", 0)).status == 200)
            }
            #expect(report.recordingFailures.isEmpty)
            #expect(report.recorded == 2)
        }
    }

    /// A cassette that cannot be created (here a directory squats on its temporary name) gets one clear 503 with
    /// `Retry-After`, nothing is forwarded for it, and every other run is still recorded.
    @Test(.timeLimit(.minutes(1))) func cassetteThatCannotBeOpenedIsA503() async throws {
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("cassettes")
        try FileManager.default.createDirectory(
            atPath: cassettes + "/.r_blocked.jsonl.gz.tmp",
            withIntermediateDirectories: true
        )
        try await withUpstream { upstream in
            let configuration = proxyConfiguration(.record, directory: cassettes, services: [("api", upstream.url)])
            let (_, report) = try await withProxy(configuration) { proxy in
                let base = try #require(proxy.baseURL(for: "api"))
                let client = HTTPClient()
                defer { client.close() }
                let hitsBefore = upstream.log.hits.withLock { $0 }
                let blocked = try await fetch(client, base, "/json", headers: tags("r_blocked", 0))
                #expect(blocked.status == 503)
                #expect(blocked.headers["Retry-After"] == "1")
                #expect(blocked.text.contains("recording_failed"), "\(blocked.text)")
                #expect(upstream.log.hits.withLock { $0 } == hitsBefore)
                #expect(try await fetch(client, base, "/json", headers: tags("r_fine", 0)).status == 200)
            }
            #expect(report.recorded == 1)
        }
        #expect(try Cassette.load(path: cassettes + "/r_fine.jsonl.gz").isComplete)
    }

    /// 3,000 runs, each its own cassette, sent as fast as 32 clients can under a descriptor limit of 1,024 (soft
    /// and hard): every request is answered 200, the proxy never holds more descriptors than the budget allows,
    /// shuts down cleanly, and every cassette verifies.
    @Test(.timeLimit(.minutes(4))) func threeThousandRunsUnderADescriptorLimitOf1024() async throws {
        let tdf = try executable()
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("cassettes")
        try await withUpstream { upstream in
            let (proxy, base) = try await startRecordingProxy(tdf, into: cassettes, upstream: upstream)
            let client = HTTPClient(configuration: HTTPClientConfiguration(maxIdleConnectionsPerHost: 32))
            defer { client.close() }
            let statuses = Tally()
            let highestDescriptorCount = Tally()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<32 {
                    group.addTask {
                        for number in stride(from: worker, to: 3000, by: 32) {
                            let fetched = try await fetch(client, base, "/json", headers: tags("r_\(number)", 0))
                            if fetched.status == 200 { statuses.increment() }
                            if number % 100 == 0 { highestDescriptorCount.raise(to: openDescriptors(of: proxy)) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(statuses.value == 3000)
            #expect(highestDescriptorCount.value < 1024 - 64, "the proxy went into its descriptor reserve")
            proxy.send(SIGTERM)
            #expect(await proxy.waitForExit() == 0, "\(proxy.standardError)")
        }
        let verify = try await ChildProcess.run(tdf, ["cassette", "verify", cassettes])
        #expect(verify.status == 0, "\(verify.stdout.suffix(2000))")
        #expect(verify.stdout.contains("3000 cassettes verified"))
    }

    enum Server: String, CaseIterable, Sendable { case proxy, stack }
    enum Limit: String, CaseIterable, Sendable {
        /// `ulimit -Sn 1024` with the hard limit left higher: tdf raises its soft limit and serves everyone.
        case softOnly = "-Sn 1024"
        /// `ulimit -n 1024`: no raise possible; beyond the budget connections get 503.
        case hard = "-n 1024"
    }

    /// 1,100 idle connections to a server whose descriptor limit is 1,024: it stays up, every connection is
    /// served or answered 503, and a normal client is answered throughout (with the hard limit also 1,024: a 503
    /// while the idle clients hold every place, a real answer once they leave).
    @Test(.timeLimit(.minutes(2)), arguments: Server.allCases, Limit.allCases)
    func moreIdleConnectionsThanDescriptors(server: Server, limit: Limit) async throws {
        if limit == .softOnly && hardLimit() <= 1100 {
            print("skipped: the hard descriptor limit is \(hardLimit()), so there is no higher limit to raise to")
            return
        }
        let tdf = try executable()
        let directory = try TemporaryDirectory()
        try await withUpstream { upstream in
            let (child, base) =
                switch server {
                case .proxy:
                    try await start(
                        tdf,
                        limit: limit.rawValue,
                        [
                            "proxy", "--cassettes", directory.path("cassettes"), "--service",
                            "api=127.0.0.1:0=\(upstream.baseURL)",
                        ],
                        ready: "proxy ready "
                    )
                case .stack:
                    try await start(
                        tdf,
                        limit: limit.rawValue,
                        ["stack", "--maestro", "127.0.0.1:0", "--storpheus", "127.0.0.1:0"],
                        ready: "stack ready "
                    )
                }
            let address = try #require(HTTPURL(string: base))
            var idle: [Socket] = []
            defer { idle.forEach { $0.close() } }
            for _ in 0..<1100 {
                idle.append(try await Socket.connect(host: address.host, port: address.port, timeout: .seconds(5)))
            }
            let client = HTTPClient()
            defer { client.close() }
            let during = try await fetch(client, base, "/json")
            #expect(isAlive(child))
            if limit == .softOnly {
                #expect(during.status != 503, "\(during.text)")
            } else {
                #expect(during.status > 0)
            }

            var answered = 0
            var refused = 0
            for socket in idle {
                try? await socket.write(Array("GET /json HTTP/1.1\r\nHost: tdf\r\nConnection: close\r\n\r\n".utf8))
                let head = (try? await socket.read(deadline: deadline(after: .seconds(5)))) ?? []
                let statusLine = String(decoding: head.prefix(12), as: UTF8.self)
                if statusLine == "HTTP/1.1 503" {
                    refused += 1
                } else if statusLine.hasPrefix("HTTP/1.1 ") {
                    answered += 1
                }
                socket.close()
            }
            idle.removeAll()
            #expect(answered + refused == 1100, "\(answered) answered, \(refused) refused")
            if limit == .softOnly {
                #expect(refused == 0)
            } else {
                #expect(refused >= 1100 - DescriptorBudget.Shares(limit: 1024).admission)
            }
            #expect(isAlive(child))
            // The server notices the closed connections as their reads fail; give it a moment.
            var after = try await fetch(client, base, "/json")
            for _ in 0..<50 where after.status == 503 {
                try await Task.sleep(for: .milliseconds(50))
                after = try await fetch(client, base, "/json")
            }
            #expect(after.status != 503, "\(after.text)")

            child.send(SIGTERM)
            #expect(await child.waitForExit() == 0, "\(child.standardError)")
        }
    }

    /// SIGHUP makes a live recording copyable: idle cassettes get their end records and index.json is whole while
    /// the proxy runs; verify calls the session live; after `kill -9` it says the process ended without closing.
    @Test(.timeLimit(.minutes(1))) func hangupCheckpointsALiveRecording() async throws {
        let tdf = try executable()
        let directory = try TemporaryDirectory()
        let cassettes = directory.path("cassettes")
        try await withUpstream { upstream in
            let (proxy, base) = try await startRecordingProxy(tdf, into: cassettes, upstream: upstream)
            let client = HTTPClient()
            defer { client.close() }
            for run in 0..<3 {
                for ordinal in 0..<2 {
                    #expect(try await fetch(client, base, "/json", headers: tags("r_\(run)", ordinal)).status == 200)
                }
            }
            let live = try await ChildProcess.run(tdf, ["cassette", "verify", cassettes])
            #expect(live.status == 0, "\(live.stdout)")
            #expect(live.stdout.contains("live  r_0.jsonl.gz: 2 exchanges so far"), "\(live.stdout)")

            proxy.send(SIGHUP)
            var checkpointed = false
            for _ in 0..<100 where !checkpointed {
                try await Task.sleep(for: .milliseconds(50))
                checkpointed = proxy.standardError.contains("SIGHUP: finished 3 idle cassettes")
            }
            #expect(checkpointed, "\(proxy.standardError)")
            let index = try JSONParser.parse(
                Array(try Data(contentsOf: URL(fileURLWithPath: cassettes + "/index.json")))
            )
            let rows = index["runs"]?.arrayValue ?? []
            #expect(rows.count == 3)
            #expect(rows.allSatisfy { $0["complete"] == .bool(true) && $0["exchanges"] == .int(2) }, "\(rows)")
            let copy = directory.path("copy")
            try FileManager.default.copyItem(atPath: cassettes, toPath: copy)
            let copied = try await ChildProcess.run(tdf, ["cassette", "verify", copy])
            #expect(copied.status == 0, "\(copied.stdout)")

            #expect(try await fetch(client, base, "/json", headers: tags("r_0", 2)).status == 200)
            proxy.send(SIGKILL)
            _ = await proxy.waitForExit()
        }
        let dead = try await ChildProcess.run(tdf, ["cassette", "verify", cassettes])
        #expect(dead.status == 1)
        #expect(dead.stdout.contains("ended without closing the session"), "\(dead.stdout)")
    }
}

/// A number concurrent tasks add to or raise.
private final class Tally: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
    func raise(to candidate: Int) { count.withLock { $0 = max($0, candidate) } }
}
