import Synchronization
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// The lock a recording session holds on its directory: `session.lock`, holding the recording process's id, with
/// an exclusive `flock` for as long as the session is open. A second session cannot record into the directory
/// meanwhile, and a reader tells a live session (locked) from one whose process died (the file is left, unlocked)
/// and from one that closed cleanly (no file).
public final class SessionLock: Sendable {
    /// The lock file's name in a session directory.
    public static let fileName = "session.lock"

    private let path: String
    /// Nil once released.
    private let descriptor: Mutex<Int32?>

    /// Takes the lock on `directory`, or fails naming the process that holds it. `open`, `flock`
    init(directory: String) throws(CassetteError) {
        let path = directory + "/" + Self.fileName
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CassetteError.io(path, "cannot create the session lock: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.processID(in: path).map { "process \($0)" } ?? "another process"
            close(descriptor)
            throw CassetteError.io(path, "\(holder) is recording into this directory; one session at a time")
        }
        // The process id only helps a person tell who holds the lock: failing to write it is no reason to refuse.
        _ = ftruncate(descriptor, 0)
        try? FileSystemCalls.live.writeAll(Array("\(getpid())\n".utf8), to: descriptor)
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    /// A session released without closing leaves its lock file, as a crash would.
    deinit {
        if let descriptor = descriptor.withLock({ $0 }) { close(descriptor) }
    }

    /// Removes the lock file and releases the lock: the session closed cleanly. Later calls do nothing.
    func release() {
        guard
            let descriptor = descriptor.withLock({ value in
                defer { value = nil }
                return value
            })
        else { return }
        unlink(path)
        close(descriptor)
    }

    /// Who is recording into a session directory, as far as its lock file tells.
    public enum Holder: Equatable, Sendable {
        /// No lock file: no session records here, and the last one closed cleanly.
        case none
        /// A live process holds the lock.
        case live(processID: Int?)
        /// The lock file is there but nobody holds it: the recording process ended without closing the session.
        case ended(processID: Int?)
    }

    /// Reads the state of `directory`'s lock without taking it for longer than the probe. `flock`
    public static func holder(of directory: String) -> Holder {
        let path = directory + "/" + fileName
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .none }
        defer { close(descriptor) }
        let processID = Self.processID(in: path)
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return .live(processID: processID) }
        flock(descriptor, LOCK_UN)
        return .ended(processID: processID)
    }

    private static func processID(in path: String) -> Int? {
        guard let bytes = try? SessionDirectory.read(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.flatMap { Int($0) }
    }
}
