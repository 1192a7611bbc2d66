import Glibc
import Vocabulary

/// A JSON Lines file that is appended to in plain text while a batch runs (so `tail -f` follows it) and sealed into
/// gzip when the batch ends: `events.jsonl` becomes `events.jsonl.gz`, a twentieth of its size.
///
/// Sealing appends the plain lines to `<path>.gz` as one more gzip member (written under a temporary name, then
/// renamed) and only then removes the plain file, so a crash at any point loses no line: readers take the sealed
/// lines first, then any plain ones. A crash between the rename and the removal leaves those lines in both, which
/// a reader sees twice; nothing is lost.
public enum SealedLineFile {
    /// What sealing adds to the file's name.
    public static let sealedSuffix = ArtifactLayout.compressedSuffix

    /// The most a sealed file may decompress to: a reader's limit, since the file may come from elsewhere.
    public static let maximumBytes = 4 << 30

    /// The file's lines: the sealed ones, then the plain ones; nil when neither file exists.
    public static func contents(of path: String) throws(GzipError) -> [UInt8]? {
        let sealed = try readIfPresent(path + sealedSuffix)
        let plain = try readIfPresent(path)
        guard sealed != nil || plain != nil else { return nil }
        var lines: [UInt8] = []
        if let sealed {
            do {
                lines = try GzipData.decompress(sealed, maximumSize: maximumBytes)
            } catch {
                throw error.at(path: path + sealedSuffix)
            }
        }
        if let plain { lines += plain }
        return lines
    }

    /// Whether the file exists, sealed or plain.
    public static func exists(_ path: String) -> Bool {
        access(path + sealedSuffix, F_OK) == 0 || access(path, F_OK) == 0
    }

    /// Seals the plain lines at `path`, if there are any, onto `<path>.gz`.
    public static func seal(_ path: String) throws(GzipError) {
        guard let plain = try readIfPresent(path) else { return }
        if !plain.isEmpty {
            var sealed = try readIfPresent(path + sealedSuffix) ?? []
            sealed += GzipData.compress(plain)
            try writeAtomically(sealed, to: path + sealedSuffix)
        }
        guard unlink(path) == 0 || errno == ENOENT else { throw .systemCall("unlink", errno: errno, path: path) }
    }

    private static func readIfPresent(_ path: String) throws(GzipError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw .systemCall("open", errno: errno, path: path)
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .systemCall("read", errno: errno, path: path, offset: bytes.count)
            }
            if count == 0 { return bytes }
            bytes += buffer[..<count]
        }
    }

    /// Writes `bytes` under a dot-named temporary file beside `path`, then renames it into place.
    private static func writeAtomically(_ bytes: [UInt8], to path: String) throws(GzipError) {
        let temporary =
            path.lastIndex(of: "/").map { slash in
                String(path[...slash]) + "." + String(path[path.index(after: slash)...])
            } ?? "." + path
        let descriptor = open(temporary + ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .systemCall("open", errno: errno, path: temporary + ".tmp") }
        do {
            try FileSystemCalls.live.writeAll(bytes, to: descriptor)
        } catch {
            close(descriptor)
            unlink(temporary + ".tmp")
            guard let code = error.errno else { throw .shortWrite(path: temporary + ".tmp", offset: error.written) }
            throw .systemCall("write", errno: code, path: temporary + ".tmp", offset: error.written)
        }
        close(descriptor)
        guard rename(temporary + ".tmp", path) == 0 else {
            let code = errno
            unlink(temporary + ".tmp")
            throw .systemCall("rename", errno: code, path: path)
        }
    }
}
