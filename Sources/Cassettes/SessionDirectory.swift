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
        do throws(WholeFile.Failure) {
            guard let bytes = try WholeFile.readIfPresent(path) else {
                throw WholeFile.Failure(call: "open", path: path, errno: ENOENT)
            }
            return bytes
        } catch {
            throw CassetteError.io(error.path, error.reason)
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

    /// Writes `bytes` to `path` atomically (``WholeFile/writeAtomically(_:to:durable:)``): a reader sees the old
    /// file or the new one, never a part; with `durable`, flushed to the disk before the rename.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, durable: Bool = false) throws(CassetteError) {
        do throws(WholeFile.Failure) {
            try WholeFile.writeAtomically(bytes, to: path, durable: durable)
        } catch {
            throw CassetteError.io(error.path, error.reason)
        }
    }
}
