import Glibc

/// Files read whole and replaced whole (a session's index, blobs, sealed line files): one implementation of the
/// read loop and of the write-beside-then-rename that several modules need, each turning ``Failure`` into its own
/// error type.
public enum WholeFile {
    /// Why a whole-file read or write failed: the system call, the file it was about and the `errno`.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The call that failed: `open`, `create`, `read`, `write` or `rename`.
        public let call: String
        /// The file the call was about (the temporary file, for `create` and `write`).
        public let path: String
        /// The call's `errno`; nil for a write that accepted no bytes without one.
        public let errno: Int32?
        /// For `rename`, the temporary file that could not be renamed into place.
        public let renamedFrom: String?

        /// `cannot <call>: <the system's words>`, or for a rename `cannot rename <temporary> into place: …`.
        public var reason: String {
            let words = errno.map { String(cString: strerror($0)) } ?? "the write accepted no bytes"
            if let renamedFrom { return "cannot rename \(renamedFrom) into place: \(words)" }
            return "cannot \(call): \(words)"
        }

        /// `<path>: <reason>`.
        public var description: String { "\(path): \(reason)" }

        /// Makes a failure.
        public init(call: String, path: String, errno: Int32?, renamedFrom: String? = nil) {
            self.call = call
            self.path = path
            self.errno = errno
            self.renamedFrom = renamedFrom
        }
    }

    /// The bytes of the file at `path`; nil when there is no such file. `open`, `read`
    public static func readIfPresent(_ path: String) throws(Failure) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if Glibc.errno == ENOENT { return nil }
            throw Failure(call: "open", path: path, errno: Glibc.errno)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if Glibc.errno == EINTR { continue }
                throw Failure(call: "read", path: path, errno: Glibc.errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[0..<count])
        }
    }

    /// Writes `bytes` to `path` atomically: to a temporary file beside it (a dot file, which directory listings
    /// of artifacts skip), then renamed over `path`, so a reader sees the old file or the new one, never a part.
    /// With `durable`, the file is flushed to the disk (`fsync`) before the rename, which can take milliseconds.
    /// `open`, `write`, `fsync`, `rename`
    public static func writeAtomically(_ bytes: [UInt8], to path: String, durable: Bool = false) throws(Failure) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(directory)/.\(name).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(call: "create", path: temporary, errno: Glibc.errno) }
        do {
            try FileSystemCalls.live.writeAll(bytes, to: descriptor)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw Failure(call: "write", path: temporary, errno: error.errno)
        }
        if durable { fsync(descriptor) }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let code = Glibc.errno
            unlink(temporary)
            throw Failure(call: "rename", path: path, errno: code, renamedFrom: temporary)
        }
    }
}
