import HTTPTransport
import HTTPWire
import JSON
import Synchronization

/// The SSE side of a compose stream: numbers frames (`seq` from 0, no gaps), puts `type`, `seq`,
/// `protocolVersion` first in every object, writes `: heartbeat` comments during silent generation, and cuts the
/// connection when the `cut-stream` fault says so.
///
/// One stream is driven by one task, so frames never interleave.
final class EventStream: Sendable {
    /// Maestro's package version, stamped on every frame.
    static let protocolVersion = "0.1.4"

    /// Thrown to cut the connection mid-stream (the `cut-stream` fault): the server then closes the socket without
    /// finishing the chunked body, so the client sees a truncated stream and no `complete`.
    struct Cut: Error {}

    private struct State {
        var seq = 0
        var lastFrameAt: ContinuousClock.Instant
        var lastEventAt: ContinuousClock.Instant
    }

    private let writer: any HTTPBodyWriter
    private let cutAfter: Int?
    private let state: Mutex<State>
    private let clock = ContinuousClock()

    init(writer: any HTTPBodyWriter, cutAfter: Int?) {
        self.writer = writer
        self.cutAfter = cutAfter
        let now = ContinuousClock.now
        self.state = Mutex(State(lastFrameAt: now, lastEventAt: now))
    }

    /// How many data frames were sent.
    var sentCount: Int { state.withLock { $0.seq } }

    /// Sends one event frame `data: {"type":…,"seq":…,"protocolVersion":…,…fields}\n\n`.
    func send(_ type: String, _ fields: JSONObject = JSONObject()) async throws {
        let seq = state.withLock { $0.seq }
        var object: JSONObject = [
            "type": .string(type), "seq": .int(seq), "protocolVersion": .string(Self.protocolVersion),
        ]
        object.merge(fields)
        let frame = SSEEncoder.encode(.event(SSEEvent(data: JSONWriter.string(.object(object)))))
        try await writer.write(frame)
        let sent = state.withLock { state in
            state.seq += 1
            state.lastFrameAt = clock.now
            state.lastEventAt = state.lastFrameAt
            return state.seq
        }
        if let cutAfter, sent >= cutAfter { throw Cut() }
    }

    /// Sends a `: heartbeat` comment (no seq).
    func heartbeat() async throws {
        try await writer.write(SSEEncoder.encode(.comment("heartbeat")))
        state.withLock { $0.lastFrameAt = clock.now }
    }

    /// Awaits `completion` while keeping the stream alive: a heartbeat comment after `heartbeat` of silence, and a
    /// `status` event (`silenceMessage`) after `statusAfter` without a real event.
    func awaitKeepingAlive<T: Sendable>(
        _ completion: Completion<T>,
        heartbeat interval: Duration,
        statusAfter: Duration,
        silenceMessage: String
    ) async throws -> T {
        while true {
            try Task.checkCancellation()
            let (nextBeat, nextStatus) = state.withLock { ($0.lastFrameAt + interval, $0.lastEventAt + statusAfter) }
            let wake = min(nextBeat, nextStatus)
            if let value = await completion.value(until: wake) { return value }
            try Task.checkCancellation()
            let now = clock.now
            if now >= nextStatus {
                try await send("status", ["message": .string(silenceMessage)])
            } else if now >= nextBeat {
                try await heartbeat()
            }
        }
    }
}

/// A value produced once by one task and awaited by others, with cancellable, deadline-bounded waits.
final class Completion<T: Sendable>: Sendable {
    private struct State {
        var value: T?
        var waiters: [Int: CheckedContinuation<T?, Never>] = [:]
        var nextToken = 0
    }

    private let state = Mutex(State())

    init() {}

    /// Stores the value and wakes every waiter (later calls are ignored).
    func fulfil(_ value: T) {
        let waiters = state.withLock { state -> [CheckedContinuation<T?, Never>] in
            guard state.value == nil else { return [] }
            state.value = value
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: value) }
    }

    /// The value, or nil when `deadline` passes first or the waiting task is cancelled.
    func value(until deadline: ContinuousClock.Instant) async -> T? {
        await withTaskGroup(of: T?.self) { group in
            group.addTask { await self.wait() }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// The value, or nil if the waiting task is cancelled first.
    func wait() async -> T? {
        let token = state.withLock { state -> Int in
            state.nextToken += 1
            return state.nextToken
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
                let immediate: T?? = state.withLock { state in
                    if let value = state.value { return .some(value) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[token] = continuation
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: token) }?.resume(returning: nil)
        }
    }
}
