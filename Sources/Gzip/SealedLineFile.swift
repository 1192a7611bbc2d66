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
        try lines(sealed: readIfPresent(path + sealedSuffix), plain: readIfPresent(path), at: path)
    }

    /// The lines of a line file at `path` whose sealed and plain files hold these bytes (nil: no such file),
    /// for a reader that reads files its own way.
    public static func lines(sealed: [UInt8]?, plain: [UInt8]?, at path: String) throws(GzipError) -> [UInt8]? {
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
        do throws(WholeFile.Failure) {
            return try WholeFile.readIfPresent(path)
        } catch {
            throw fileError(error)
        }
    }

    private static func writeAtomically(_ bytes: [UInt8], to path: String) throws(GzipError) {
        do throws(WholeFile.Failure) {
            try WholeFile.writeAtomically(bytes, to: path)
        } catch {
            throw fileError(error)
        }
    }

    private static func fileError(_ failure: WholeFile.Failure) -> GzipError {
        guard let code = failure.errno else { return .shortWrite(path: failure.path, offset: 0) }
        return .systemCall(failure.call, errno: code, path: failure.path)
    }
}
