import Foundation
import Sockets
import Testing

@Suite struct EventLoopTests {
    /// A task that prefers the event loop runs on the readiness thread, and is back there after a continuation
    /// resumed from another thread and after socket waits: a server's connections serve there end to end.
    @Test func preferringTasksRunOnTheReadinessThread() async throws {
        let threads = try await Task(executorPreference: EventLoop.executor) { () async throws -> [String?] in
            var seen = [currentThreadName()]
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let other = Thread { continuation.resume() }
                other.name = "tdf-test-resumer"
                other.start()
            }
            seen.append(currentThreadName())
            let listener = try Listener(host: "127.0.0.1", port: 0)
            defer { listener.close() }
            async let accepted = listener.accept()
            let client = try await Socket.connect(host: "127.0.0.1", port: listener.address.port, timeout: .seconds(60))
            let server = try await accepted
            try await client.write(Array("ping".utf8))
            let received = try await server.read()
            seen.append(currentThreadName())
            #expect(received == Array("ping".utf8))
            client.close()
            server.close()
            return seen
        }.value
        #expect(threads == ["tdf-io-reactor", "tdf-io-reactor", "tdf-io-reactor"])
    }
}

/// The Foundation name of the calling thread (a synchronous function: `Thread.current` is off limits in async code).
private func currentThreadName() -> String? {
    Thread.current.name
}
