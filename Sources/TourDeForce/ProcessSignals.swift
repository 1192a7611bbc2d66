import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Signals such as SIGINT and SIGTERM delivered as values, so a long-running command (a proxy, the simulator) shuts
/// down in order instead of dying: their default action is off while the waiter lives, and back after ``cancel()``.
public final class SignalWaiter: Sendable {
    private let numbers: [Int32]
    private let stream: AsyncStream<Int32>
    // Dispatch sources are thread-safe objects; they are only kept here so they stay alive and can be cancelled.
    private nonisolated(unsafe) let sources: [any DispatchSourceSignal]

    /// Starts catching `signals`.
    public init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        numbers = signals
        self.stream = stream
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The next signal caught (at once if one is waiting), or nil when the waiting task is cancelled.
    public func next() async -> Int32? {
        for await number in stream { return number }
        return nil
    }

    /// Stops catching: the signals get their default action back.
    public func cancel() {
        for source in sources { source.cancel() }
        for number in numbers { signal(number, SIG_DFL) }
    }
}

/// Runs an action each time a signal arrives (SIGHUP checkpoints a recording proxy), instead of its default action.
public final class SignalAction: Sendable {
    private let number: Int32
    // A thread-safe Dispatch object, kept here only so it can be cancelled.
    private nonisolated(unsafe) let source: any DispatchSourceSignal

    /// Runs `action` on every `number` until cancelled.
    public init(on number: Int32, _ action: @escaping @Sendable () -> Void) {
        self.number = number
        signal(number, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler(handler: action)
        source.resume()
    }

    /// Stops: the signal gets its default action back.
    public func cancel() {
        source.cancel()
        signal(number, SIG_DFL)
    }
}
