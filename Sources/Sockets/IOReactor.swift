import Foundation
import Synchronization

#if canImport(Glibc)
    import CLinux
    @preconcurrency import Glibc
#endif

/// The readiness loop: one dedicated thread waits in `epoll_wait` for every registered socket and wakes the
/// async task parked on it. Socket I/O therefore never blocks Swift's cooperative pool (it has two threads here).
///
/// Descriptors are registered edge-triggered for both directions once. A readiness edge that arrives while no task
/// waits is remembered as a flag, so a task that saw `EAGAIN` just before the edge still wakes at once.
///
/// The thread is also a task executor (``EventLoop/executor``): a task that prefers it runs its jobs here, between
/// two `epoll_wait` calls, so resuming it after readiness is a queue append instead of a wake-up of another thread.
/// Only work that never blocks and stays short belongs there; everything else keeps to the cooperative pool.
final class IOReactor: TaskExecutor, Sendable {
    /// The process-wide reactor.
    static let shared = IOReactor()

    private struct Waiter {
        let id: UInt64
        let continuation: UnsafeContinuation<Void, any Error>
        let deadline: UInt64?
        let operation: String
    }

    private struct Registration {
        /// Tells registrations of a reused descriptor number apart.
        let token: UInt64
        var readReady = false
        var writeReady = false
        var reader: Waiter?
        var writer: Waiter?
    }

    private struct State {
        var registrations: [Int32: Registration] = [:]
        var nextWaiterID: UInt64 = 0
        var nextToken: UInt64 = 0
    }

    enum Direction: Sendable { case read, write }

    /// Jobs of tasks that prefer this thread, run in arrival order between polls.
    private struct RunQueue {
        var jobs: [UnownedJob] = []
        /// The thread is in (or about to enter) a blocking `epoll_wait`: a job from elsewhere must wake it.
        var isPolling = false
    }

    private let epollDescriptor: Int32
    /// An eventfd in the epoll set, written to wake the thread for a job queued from another thread.
    private let wakeDescriptor: Int32
    private let state = Mutex(State())
    private let runQueue = Mutex(RunQueue())
    /// How often waiters are checked against their deadlines; timeouts are coarse by this much.
    private static let tickMilliseconds: Int32 = 20

    private init() {
        _ = ignoreSIGPIPEOnce
        epollDescriptor = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epollDescriptor >= 0, "epoll_create1 failed: errno \(errno)")
        wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        precondition(wakeDescriptor >= 0, "eventfd failed: errno \(errno)")
        var wakeEvent = epoll_event()
        wakeEvent.events = EPOLLIN.rawValue | EPOLLET.rawValue
        wakeEvent.data.fd = wakeDescriptor
        precondition(epoll_ctl(epollDescriptor, EPOLL_CTL_ADD, wakeDescriptor, &wakeEvent) == 0, "epoll_ctl(eventfd)")
        // Named through pthreads: on Linux, Foundation's `Thread.name` set before `start()` never reaches the
        // thread, and `top -H`, `perf` and `Thread.current.name` would show the pool thread that made it.
        let thread = Thread { [self] in
            _ = tdf_name_current_thread("tdf-io-reactor")
            runLoop()
        }
        thread.start()
    }

    /// Starts watching a non-blocking descriptor; the token names this registration in later waits.
    func register(_ descriptor: Int32) throws(SocketError) -> UInt64 {
        let token = state.withLock { state -> UInt64 in
            state.nextToken &+= 1
            state.registrations[descriptor] = Registration(token: state.nextToken)
            return state.nextToken
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        event.data.fd = descriptor
        if epoll_ctl(epollDescriptor, EPOLL_CTL_ADD, descriptor, &event) != 0 {
            let code = errno
            _ = state.withLock { $0.registrations.removeValue(forKey: descriptor) }
            throw SocketError(operation: "epoll_ctl(ADD)", errno: code)
        }
        return token
    }

    /// Stops watching a descriptor that is about to be closed; tasks waiting on it fail with a `closed` error.
    func deregister(_ descriptor: Int32) {
        let registration = state.withLock { $0.registrations.removeValue(forKey: descriptor) }
        // Closing the descriptor removes it from the epoll set; no EPOLL_CTL_DEL needed.
        for waiter in [registration?.reader, registration?.writer].compactMap({ $0 }) {
            waiter.continuation.resume(throwing: SocketError.closed(waiter.operation))
        }
    }

    /// Suspends until the descriptor is readable or writable, the deadline passes, or the task is cancelled.
    /// A wait on a registration that has since been closed (even if the number was reused) fails with `closed`.
    func wait(
        for direction: Direction,
        on descriptor: Int32,
        token: UInt64,
        deadline: UInt64?,
        operation: String
    ) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID &+= 1
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            // Unsafe rather than checked: the checked kind allocates per wait, and every path below resumes the
            // continuation exactly once (the waiter is taken out of the registration under the lock first).
            try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
                let immediate: Result<Void, any Error>? = state.withLock { state in
                    guard var registration = state.registrations[descriptor], registration.token == token else {
                        return .failure(SocketError.closed(operation))
                    }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    switch direction {
                    case .read where registration.readReady:
                        registration.readReady = false
                    case .write where registration.writeReady:
                        registration.writeReady = false
                    case .read:
                        precondition(registration.reader == nil, "two tasks read one socket at once")
                        registration.reader = Waiter(
                            id: id,
                            continuation: continuation,
                            deadline: deadline,
                            operation: operation
                        )
                    case .write:
                        precondition(registration.writer == nil, "two tasks write one socket at once")
                        registration.writer = Waiter(
                            id: id,
                            continuation: continuation,
                            deadline: deadline,
                            operation: operation
                        )
                    }
                    state.registrations[descriptor] = registration
                    let parked = direction == .read ? registration.reader?.id == id : registration.writer?.id == id
                    return parked ? nil : .success(())
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard var registration = state.registrations[descriptor], registration.token == token else {
                    return nil
                }
                var taken: Waiter?
                if registration.reader?.id == id {
                    taken = registration.reader
                    registration.reader = nil
                } else if registration.writer?.id == id {
                    taken = registration.writer
                    registration.writer = nil
                }
                state.registrations[descriptor] = registration
                return taken
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let wake = runQueue.withLock { queue -> Bool in
            queue.jobs.append(job)
            defer { queue.isPolling = false }
            return queue.isPolling
        }
        if wake { _ = eventfd_write(wakeDescriptor, 1) }
    }

    private func runLoop() {
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        var nextDeadlineScan = monotonicNanoseconds()
        var batch: [UnownedJob] = []
        while true {
            let timeout = runQueue.withLock { queue -> Int32 in
                queue.isPolling = queue.jobs.isEmpty
                return queue.isPolling ? Self.tickMilliseconds : 0
            }
            let count = epoll_wait(epollDescriptor, events, Int32(capacity), timeout)
            if count < 0 && errno != EINTR {
                preconditionFailure("epoll_wait failed: errno \(errno)")
            }
            runQueue.withLock { $0.isPolling = false }
            var ready: [(Waiter, Result<Void, any Error>)] = []
            let now = monotonicNanoseconds()
            state.withLock { state in
                for index in 0..<max(0, Int(count)) {
                    let event = events[index]
                    let descriptor = event.data.fd
                    if descriptor == wakeDescriptor {
                        var drained: eventfd_t = 0
                        _ = eventfd_read(wakeDescriptor, &drained)
                        continue
                    }
                    guard var registration = state.registrations[descriptor] else { continue }
                    let flags = event.events
                    let failure = EPOLLERR.rawValue | EPOLLHUP.rawValue
                    if flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | failure) != 0 {
                        if let reader = registration.reader {
                            ready.append((reader, .success(())))
                            registration.reader = nil
                        } else {
                            registration.readReady = true
                        }
                    }
                    if flags & (EPOLLOUT.rawValue | failure) != 0 {
                        if let writer = registration.writer {
                            ready.append((writer, .success(())))
                            registration.writer = nil
                        } else {
                            registration.writeReady = true
                        }
                    }
                    state.registrations[descriptor] = registration
                }
                if now >= nextDeadlineScan {
                    nextDeadlineScan = now + UInt64(Self.tickMilliseconds) * 1_000_000
                    for (descriptor, var registration) in state.registrations {
                        var changed = false
                        if let reader = registration.reader, let deadline = reader.deadline, deadline <= now {
                            ready.append((reader, .failure(SocketError.timedOut(reader.operation))))
                            registration.reader = nil
                            changed = true
                        }
                        if let writer = registration.writer, let deadline = writer.deadline, deadline <= now {
                            ready.append((writer, .failure(SocketError.timedOut(writer.operation))))
                            registration.writer = nil
                            changed = true
                        }
                        if changed { state.registrations[descriptor] = registration }
                    }
                }
            }
            for (waiter, result) in ready {
                waiter.continuation.resume(with: result)
            }
            // The jobs queued so far, once each: jobs they queue in turn wait for the next round, after a poll
            // that does not block, so a busy task cannot starve readiness.
            runQueue.withLock { swap(&batch, &$0.jobs) }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}

/// The socket readiness thread as a task executor, for tasks whose work is short, never blocks, and mostly waits for
/// sockets: such a task resumes on the thread that saw its socket become ready, without a hand-off to another
/// thread. A server's connections run here when its configuration asks for it.
public enum EventLoop {
    /// The process-wide socket readiness thread.
    public static var executor: any TaskExecutor { IOReactor.shared }
}
