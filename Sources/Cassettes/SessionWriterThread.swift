import CLinux
import Dispatch
import Foundation
import Synchronization

/// The thread that writes a session's queued exchanges (Docs/adr/0002).
///
/// Each time the thread wakes it takes every exchange queued since its last batch and hands them to the session,
/// which redacts and encodes them, compresses each cassette's share with one sync flush and writes it with one
/// `write(2)`, then reports each one written or failed. Requests therefore never wait for a lock held across
/// compression and disk I/O, and a burst of exchanges that finish together costs one flush per cassette instead
/// of one per exchange. Redacting and encoding here rather than in the finishing task keeps that work off the
/// proxy's event loop, whose one thread bounds its throughput and latency. The queue is bounded by the exchanges
/// in flight: every request waits for its own exchange to be reported.
final class SessionWriterThread: Sendable {
    struct Job: Sendable {
        let record: QueuedRecord
        let run: RunID?
        let whenWritten: @Sendable (Result<Exchange, CassetteError>) -> Void
    }

    /// An exchange as queued: to be redacted and encoded on the writer thread, or already encoded by the caller.
    enum QueuedRecord: Sendable {
        case exchange(Exchange, redactor: Redactor?)
        case encoded(EncodedExchange)

        /// The record ready to write.
        var encoded: EncodedExchange {
            switch self {
            case .exchange(let exchange, let redactor): EncodedExchange(redactor?.redact(exchange) ?? exchange)
            case .encoded(let encoded): encoded
            }
        }
    }

    private struct Queue {
        var jobs: [Job] = []
        var isSleeping = false
        var isStopped = false
    }

    private enum Turn {
        case wrote
        case sleep
        case stop
    }

    private let queue = Mutex(Queue())
    private let wakeUp = DispatchSemaphore(value: 0)
    /// Held while a batch is written, so ``stop()`` returns only once no batch is in flight.
    private let batchInFlight = Mutex(())
    private let write: @Sendable ([Job]) -> Void

    /// Starts the thread, named `name` (cut to 15 bytes); `write` is called on it with each batch, in queue order.
    init(name: String, write: @escaping @Sendable ([Job]) -> Void) {
        self.write = write
        // Named through pthreads (at most 15 bytes): Foundation's `Thread.name` never reaches the thread on Linux.
        let threadName = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        let thread = Thread { [self] in
            _ = tdf_name_current_thread(threadName)
            run()
        }
        thread.start()
    }

    /// Queues a job and wakes the thread if it sleeps; false once the thread is stopped.
    func enqueue(_ job: Job) -> Bool {
        let wake = queue.withLock { queue -> Bool? in
            guard !queue.isStopped else { return nil }
            queue.jobs.append(job)
            defer { queue.isSleeping = false }
            return queue.isSleeping
        }
        guard let wake else { return false }
        if wake { wakeUp.signal() }
        return true
    }

    /// Lets the batch in flight finish, stops the thread and returns the jobs still queued (the caller writes
    /// them). Later ``enqueue(_:)`` calls return false.
    func stop() -> [Job] {
        batchInFlight.withLock { _ in abandon() }
    }

    /// Stops the thread after its current batch without waiting for it (a session dropped unclosed may be
    /// released on this very thread); returns the jobs still queued.
    func abandon() -> [Job] {
        let left = queue.withLock { queue -> [Job] in
            queue.isStopped = true
            defer { queue.jobs = [] }
            return queue.jobs
        }
        wakeUp.signal()
        return left
    }

    private func run() {
        while true {
            let turn = batchInFlight.withLock { _ -> Turn in
                let batch = queue.withLock { queue -> [Job]? in
                    if queue.isStopped { return nil }
                    queue.isSleeping = queue.jobs.isEmpty
                    defer { queue.jobs = [] }
                    return queue.jobs
                }
                guard let batch else { return .stop }
                if batch.isEmpty { return .sleep }
                write(batch)
                return .wrote
            }
            switch turn {
            case .wrote: continue
            case .sleep: wakeUp.wait()
            case .stop: return
            }
        }
    }
}
