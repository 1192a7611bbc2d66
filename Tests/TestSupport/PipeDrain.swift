public import Foundation

/// Reads each handle to its end on a thread of its own and returns the bytes, in order.
///
/// A pipe's end-of-file comes only when every copy of its write end is closed, and a process spawned meanwhile by
/// another test may hold one (if it inherited the pipe) until it exits. Reading to the end on the
/// cooperative pool would then block one of its two threads for that long and stall every other test in the process.
public func readToEnd(_ handles: [FileHandle]) async -> [Data] {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(returning: handles.map { $0.readDataToEndOfFile() })
        }
    }
}
