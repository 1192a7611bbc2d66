import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// File-system helpers for a session directory (no sockets here: architecture.md).
public enum SessionDirectory {
    /// The name of the session's index file.
    public static let indexFileName = "index.json"

    /// The cassette file names in `path`, sorted (`_default.jsonl.gz` first).
    public static func cassetteFileNames(in path: String) throws(CassetteError) -> [String] {
        try entryNames(in: path).filter { RunID.run(forFileName: $0) != nil }.sorted { lhs, rhs in
            if lhs == RunID.untaggedFileName { return rhs != RunID.untaggedFileName }
            if rhs == RunID.untaggedFileName { return false }
            return lhs < rhs
        }
    }

    /// The names of the entries of the directory `path`, unsorted. `opendir`, `readdir`
    static func entryNames(in path: String) throws(CassetteError) -> [String] {
        guard let directory = opendir(path) else {
            throw CassetteError.io(path, "cannot open the directory: \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            names.append(
                withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                }
            )
        }
        return names
    }

    /// Creates `path` (and its parents) when missing. `mkdir`
    public static func create(_ path: String) throws(CassetteError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw CassetteError.io(current, "cannot create the directory: \(String(cString: strerror(errno)))")
            }
        }
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw CassetteError.io(path, "is not a directory")
        }
    }

    /// Whether a file or directory exists at `path`. `access`
    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Reads a whole small file. `open`, `read`
    public static func read(_ path: String) throws(CassetteError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CassetteError.io(path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CassetteError.io(path, "cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[0..<count])
        }
    }

    /// Writes all of `bytes` to an open descriptor, retrying short writes and `EINTR`; `path` names it in the
    /// error. `write`
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(CassetteError) {
        do throws(FileSystemCalls.WriteFailure) {
            try FileSystemCalls.live.writeAll(bytes, to: descriptor)
        } catch {
            throw CassetteError.io(path, "cannot write: \(error)")
        }
    }

    /// Writes `bytes` to `path` atomically: to a temporary file beside it, then renamed over `path`, so a reader
    /// sees the old file or the new one, never a part. With `durable`, the file is flushed to the disk (`fsync`)
    /// before the rename, which can take milliseconds. `open`, `write`, `fsync`, `rename`
    public static func writeAtomically(_ bytes: [UInt8], to path: String, durable: Bool = false) throws(CassetteError) {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(directory)/.\(name).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CassetteError.io(temporary, "cannot create: \(String(cString: strerror(errno)))")
        }
        do {
            try writeAll(bytes, to: descriptor, path: temporary)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        if durable { fsync(descriptor) }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CassetteError.io(path, "cannot rename \(temporary) into place: \(reason)")
        }
    }
}
