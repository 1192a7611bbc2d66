import Synchronization

/// A counting semaphore for async code: waiting suspends the task (never a thread) and is cancellable.
final class AsyncSemaphore: Sendable {
    private struct State {
        var available: Int
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID = 0
    }

    private let state: Mutex<State>

    init(permits: Int) {
        state = Mutex(State(available: max(1, permits)))
    }

    /// Takes a permit, waiting if none is free; throws `CancellationError` if the task is cancelled while waiting.
    func acquire() async throws {
        let id = state.withLock { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Decision { case resume, fail, wait }
                let decision = state.withLock { state -> Decision in
                    if Task.isCancelled { return .fail }
                    if state.available > 0 {
                        state.available -= 1
                        return .resume
                    }
                    state.waiters.append((id, continuation))
                    return .wait
                }
                switch decision {
                case .resume: continuation.resume()
                case .fail: continuation.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Returns a permit, waking the longest waiter if any.
    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        waiter?.resume()
    }

    /// Runs `body` holding a permit.
    func withPermit<T: Sendable>(_ body: () async throws(HarnessError) -> T) async throws(HarnessError) -> T {
        do {
            try await acquire()
        } catch {
            throw HarnessError(.timeout, "cancelled while waiting for a free connection slot")
        }
        defer { release() }
        return try await body()
    }
}
