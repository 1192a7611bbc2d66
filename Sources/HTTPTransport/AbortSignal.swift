import Synchronization

/// Lets one task abort the requests other tasks have in flight without spawning a task per request: a request
/// given the signal that is still waiting for its response head when ``abort()`` is called fails at once with
/// ``HTTPClientError/Kind/aborted``, and so does every later request given it.
public final class AbortSignal: Sendable {
    private struct State {
        var isAborted = false
        var nextID: UInt64 = 0
        var handlers: [UInt64: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    /// Makes a signal that has not fired.
    public init() {}

    /// Fires the signal: every registered request is cut, and later ones fail before they are sent.
    public func abort() {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            state.isAborted = true
            defer { state.handlers.removeAll() }
            return Array(state.handlers.values)
        }
        handlers.forEach { $0() }
    }

    /// Whether ``abort()`` has been called.
    public var isAborted: Bool { state.withLock { $0.isAborted } }

    /// Runs `handler` on abort until ``remove(_:)``; nil (and `handler` not kept) when the signal already fired.
    public func add(_ handler: @escaping @Sendable () -> Void) -> UInt64? {
        state.withLock { state in
            guard !state.isAborted else { return nil }
            state.nextID &+= 1
            state.handlers[state.nextID] = handler
            return state.nextID
        }
    }

    /// Forgets the handler `add` returned `id` for.
    public func remove(_ id: UInt64) {
        _ = state.withLock { $0.handlers.removeValue(forKey: id) }
    }
}
