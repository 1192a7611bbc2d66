import Foundation

/// Blocking work (files, CPU-heavy scans, `getaddrinfo`) run on a short-lived thread of its own, awaited without
/// holding one of the cooperative pool's threads: the pool has as many threads as cores (two here), and one held
/// for seconds stalls every server and client sharing it.
public enum OwnThread {
    /// Runs `work` on a new thread named `name` and returns its result.
    public static func run<Value: Sendable, Failure: Error>(
        name: String,
        _ work: @escaping @Sendable () throws(Failure) -> Value
    ) async throws(Failure) -> Value {
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<Value, Failure>, Never>) in
            let thread = Thread {
                continuation.resume(returning: Result { () throws(Failure) in try work() })
            }
            thread.name = name
            thread.stackSize = 8 << 20
            thread.start()
        }
        return try result.get()
    }
}
