import Glibc
import TestSupport
import Testing

@testable import Sockets

/// Sockets against injected `EINTR`, short writes and failures, and against the kernel's own `EAGAIN`.
///
/// `EAGAIN` is never injected: the sockets are edge-triggered, so after an `EAGAIN` the kernel reports no readiness
/// until the buffer really changes, and an invented one would leave the socket waiting for an edge that never comes.
/// The tests fill or drain real buffers instead and count the `EAGAIN`s that came back.
@Suite(.timeLimit(.minutes(1))) struct SocketSystemCallTests {
    private static func limit() -> UInt64 { deadline(after: .seconds(30)) }

    /// A kernel that takes at most 7 bytes per `send` still gets every byte, in order, each send with `MSG_NOSIGNAL`
    /// so that a vanished peer is an error rather than a fatal `SIGPIPE`.
    @Test func shortWritesDeliverEveryByteInOrder() async throws {
        let sends = CallLog<Transfer>()
        let flags = CallLog<Int32>()
        var calls = SocketSystemCalls.live
        calls.send = { descriptor, buffer, flag in
            flags.append(flag)
            let outcome = SocketSystemCalls.live.send(
                descriptor,
                UnsafeRawBufferPointer(rebasing: buffer.prefix(7)),
                flag
            )
            sends.append(Transfer(outcome))
            return outcome
        }
        let (near, far) = try socketPair(near: calls)
        defer {
            near.close()
            far.close()
        }
        var generator = SeededGenerator(seed: 16)
        let payload = generator.bytes(10_000)
        async let received = read(payload.count, from: far, deadline: Self.limit())
        try await near.write(payload, deadline: Self.limit())
        #expect(try await received == payload)
        let moved = sends.all.compactMap { if case .moved(let count) = $0 { count } else { nil } }
        #expect(moved.count == (payload.count + 6) / 7)
        #expect(moved.allSatisfy { (1...7).contains($0) })
        #expect(flags.all.allSatisfy { $0 & Int32(MSG_NOSIGNAL) != 0 })
    }

    /// A `send` interrupted on every other call is retried; the caller sees neither the interruptions nor lost bytes.
    @Test func interruptedSendIsRetried() async throws {
        let sends = CallLog<Transfer>()
        var calls = SocketSystemCalls.live
        calls.send = { descriptor, buffer, flags in
            if sends.all.count % 2 == 0 {
                sends.append(.failed(EINTR))
                return .failure(errno: EINTR)
            }
            let outcome = SocketSystemCalls.live.send(
                descriptor,
                UnsafeRawBufferPointer(rebasing: buffer.prefix(100)),
                flags
            )
            sends.append(Transfer(outcome))
            return outcome
        }
        let (near, far) = try socketPair(near: calls)
        defer {
            near.close()
            far.close()
        }
        var generator = SeededGenerator(seed: 17)
        let payload = generator.bytes(5_000)
        async let received = read(payload.count, from: far, deadline: Self.limit())
        try await near.write(payload, deadline: Self.limit())
        #expect(try await received == payload)
        #expect(sends.all.filter { $0 == .failed(EINTR) }.count >= payload.count / 100)
    }

    /// A `recv` interrupted three times is retried until it returns the bytes that were waiting.
    @Test func interruptedReceiveIsRetried() async throws {
        let receives = CallLog<Transfer>()
        var calls = SocketSystemCalls.live
        calls.recv = { descriptor, buffer, flags in
            if receives.all.count < 3 {
                receives.append(.failed(EINTR))
                return .failure(errno: EINTR)
            }
            let outcome = SocketSystemCalls.live.recv(descriptor, buffer, flags)
            receives.append(Transfer(outcome))
            return outcome
        }
        let (near, far) = try socketPair(near: calls)
        defer {
            near.close()
            far.close()
        }
        try await far.write(Array("hello".utf8), deadline: Self.limit())
        #expect(try await near.read(deadline: Self.limit()) == Array("hello".utf8))
        #expect(receives.all == [.failed(EINTR), .failed(EINTR), .failed(EINTR), .moved(5)])
    }

    /// An `accept4` interrupted twice is retried, and the connection it then returns works.
    @Test func interruptedAcceptIsRetried() async throws {
        let accepts = CallLog<Int32?>()
        var calls = SocketSystemCalls.live
        calls.accept4 = { descriptor, address, length, flags in
            if accepts.all.count < 2 {
                accepts.append(EINTR)
                return .failure(errno: EINTR)
            }
            let outcome = SocketSystemCalls.live.accept4(descriptor, address, length, flags)
            if case .failure(let code) = outcome { accepts.append(code) } else { accepts.append(nil) }
            return outcome
        }
        let listener = try Listener(host: "127.0.0.1", port: 0, backlog: 16, systemCalls: calls)
        defer { listener.close() }
        let client = try await Socket.connect(host: "127.0.0.1", port: listener.address.port, timeout: .seconds(30))
        defer { client.close() }
        let server = try await listener.accept()
        defer { server.close() }
        try await client.write(Array("ping".utf8), deadline: Self.limit())
        #expect(try await server.read(deadline: Self.limit()) == Array("ping".utf8))
        // The connection may reach the accept queue a moment after connect returns, hence EAGAINs in between.
        let log = accepts.all
        #expect(Array(log.prefix(2)) == [EINTR, EINTR])
        #expect(log.last == .some(nil))
        #expect(log.dropFirst(2).dropLast().allSatisfy { $0 == EAGAIN })
    }

    /// A connection that the client aborted before `accept4` got to it (`ECONNABORTED`) is skipped, not reported:
    /// one impatient client must not stop a server from accepting the next.
    @Test func abortedConnectionIsSkipped() async throws {
        let accepts = CallLog<Int32?>()
        var calls = SocketSystemCalls.live
        calls.accept4 = { descriptor, address, length, flags in
            if accepts.all.isEmpty {
                accepts.append(ECONNABORTED)
                return .failure(errno: ECONNABORTED)
            }
            accepts.append(nil)
            return SocketSystemCalls.live.accept4(descriptor, address, length, flags)
        }
        let listener = try Listener(host: "127.0.0.1", port: 0, backlog: 16, systemCalls: calls)
        defer { listener.close() }
        let client = try await Socket.connect(host: "127.0.0.1", port: listener.address.port, timeout: .seconds(30))
        defer { client.close() }
        let server = try await listener.accept()
        defer { server.close() }
        try await server.write(Array("pong".utf8), deadline: Self.limit())
        #expect(try await client.read(deadline: Self.limit()) == Array("pong".utf8))
        #expect(accepts.all.first == ECONNABORTED)
    }

    /// A read with nothing to read gets `EAGAIN`, waits for the reactor to report data, and then returns it: one
    /// `EAGAIN` and one `recv` that succeeds, where a socket that polled instead of waiting would call `recv` again
    /// and again.
    @Test func readWaitsForDataAfterWouldBlock() async throws {
        let receives = CallLog<Transfer>()
        let (wouldBlock, wouldBlockSeen) = AsyncStream.makeStream(of: Void.self)
        var calls = SocketSystemCalls.live
        calls.recv = { descriptor, buffer, flags in
            let outcome = SocketSystemCalls.live.recv(descriptor, buffer, flags)
            receives.append(Transfer(outcome))
            if case .failure(let code) = outcome, code == EAGAIN { wouldBlockSeen.yield() }
            return outcome
        }
        let (near, far) = try socketPair(near: calls)
        defer {
            near.close()
            far.close()
        }
        let reader = Task {
            defer { wouldBlockSeen.finish() }
            return try await near.read(deadline: Self.limit())
        }
        for await _ in wouldBlock { break }
        // A suspension, not a blocking sleep: time for a socket that polled to call `recv` again, which a socket
        // that waits never does, however long this is.
        try await Task.sleep(for: .milliseconds(20))
        try await far.write(Array("late".utf8), deadline: Self.limit())
        #expect(try await reader.value == Array("late".utf8))
        let log = receives.all
        #expect(log.first == .failed(EAGAIN))
        #expect(log.last == .moved(4))
        #expect(log.count == 2)
    }

    /// A write bigger than the kernel's buffer gets `EAGAIN` while the peer reads nothing, waits, and finishes once
    /// the peer reads: every byte arrives, in order.
    @Test func writeWaitsForRoomAfterWouldBlock() async throws {
        let sends = CallLog<Transfer>()
        let (wouldBlock, wouldBlockSeen) = AsyncStream.makeStream(of: Void.self)
        var calls = SocketSystemCalls.live
        calls.send = { descriptor, buffer, flags in
            let outcome = SocketSystemCalls.live.send(descriptor, buffer, flags)
            sends.append(Transfer(outcome))
            if case .failure(let code) = outcome, code == EAGAIN { wouldBlockSeen.yield() }
            return outcome
        }
        let (near, far) = try socketPair(near: calls)
        defer {
            near.close()
            far.close()
        }
        var generator = SeededGenerator(seed: 18)
        let payload = generator.bytes(4 << 20)
        let writer = Task {
            defer { wouldBlockSeen.finish() }
            try await near.write(payload, deadline: Self.limit())
        }
        for await _ in wouldBlock { break }
        let received = try await read(payload.count, from: far, deadline: Self.limit())
        try await writer.value
        #expect(received == payload)
        let log = sends.all
        let stalls = log.filter { $0 == .failed(EAGAIN) }.count
        let moved = log.count - stalls
        #expect(stalls >= 1)
        // Each wait ends at a readiness edge, and an edge means room for at least one send; at most one stale edge
        // (raised before the EAGAIN that started the wait) precedes each real one. Polling would stall far more.
        #expect(stalls <= 2 * (moved + 1))
    }

    /// A connection the peer reset fails the read with a connection-reset `SocketError` naming `recv`.
    @Test func resetByPeerFailsTheRead() async throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let client = try await Socket.connect(host: "127.0.0.1", port: listener.address.port, timeout: .seconds(30))
        defer { client.close() }
        let server = try await listener.accept()
        server.reset()
        let error = await #expect(throws: SocketError.self) { try await client.read(deadline: Self.limit()) }
        #expect(error == SocketError(operation: "recv", errno: ECONNRESET))
        #expect(error?.isConnectionReset == true)
    }

    /// A `send` that fails with `EPIPE` is reported at once, as a connection-reset `SocketError` naming `send`.
    @Test func brokenPipeFailsTheWrite() async throws {
        let sends = CallLog<Int32>()
        var calls = SocketSystemCalls.live
        calls.send = { _, _, _ in
            sends.append(EPIPE)
            return .failure(errno: EPIPE)
        }
        let (near, far) = try socketPair(near: calls)
        defer {
            near.close()
            far.close()
        }
        let error = await #expect(throws: SocketError.self) {
            try await near.write(Array("lost".utf8), deadline: Self.limit())
        }
        #expect(error == SocketError(operation: "send", errno: EPIPE))
        #expect(error?.isConnectionReset == true)
        #expect(sends.all == [EPIPE])
    }

    /// An `accept4` that fails for want of descriptors is reported, naming `accept4`, rather than waited out.
    @Test func acceptFailureIsReported() async throws {
        var calls = SocketSystemCalls.live
        calls.accept4 = { _, _, _, _ in .failure(errno: EMFILE) }
        let listener = try Listener(host: "127.0.0.1", port: 0, backlog: 16, systemCalls: calls)
        defer { listener.close() }
        let error = await #expect(throws: SocketError.self) { try await listener.accept() }
        #expect(error == SocketError(operation: "accept4", errno: EMFILE))
    }

    /// A `connect` the kernel refuses on the spot is reported as refused, naming `connect`.
    @Test func refusedConnectIsReported() async throws {
        let listener = try Listener(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        var calls = SocketSystemCalls.live
        calls.connect = { _, _, _ in .failure(errno: ECONNREFUSED) }
        let error = await #expect(throws: SocketError.self) {
            try await Socket.connect(
                host: "127.0.0.1",
                port: listener.address.port,
                timeout: .seconds(30),
                systemCalls: calls,
                whileConnecting: { _ in }
            )
        }
        #expect(error == SocketError(operation: "connect", errno: ECONNREFUSED))
        #expect(error?.isConnectionRefused == true)
    }

    /// Closing twice, and the socket's end, close the descriptor exactly once; `close(2)` is never retried, since
    /// the number may already belong to another file by then.
    @Test func descriptorIsClosedOnce() async throws {
        let closes = CallLog<Int32>()
        var calls = SocketSystemCalls.live
        calls.close = { descriptor in
            closes.append(descriptor)
            _ = SocketSystemCalls.live.close(descriptor)
            return .failure(errno: EINTR)
        }
        do {
            let (near, far) = try socketPair(near: calls)
            defer { far.close() }
            near.close()
            near.close()
            let error = await #expect(throws: SocketError.self) { try await near.read(deadline: Self.limit()) }
            #expect(error == .closed("read from peer"))
        }
        #expect(closes.all.count == 1)
    }
}
