import Foundation
import Gzip
import Hashing
import JSON
import Synchronization
import Vocabulary

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// Writes the artifact tree under `--out`: whole files atomically (temporary file, then rename) and JSON Lines
/// files one appended line at a time. Every text that reaches a file passes through the redactor first, so the
/// access token never lands on disk.
final class ArtifactStore: Sendable {
    /// Where each file of the tree goes.
    let layout: ArtifactLayout
    private let secrets: [(value: String, replacement: String)]
    private let descriptors = Mutex<[String: Int32]>([:])
    /// Numbers the temporary files of ``write(bytes:to:)``, which may run for many files at once.
    private let temporaryFiles = Atomic<Int>(0)

    /// Opens (and creates) the tree at `root`; `secrets` are replaced by `<redacted:XXXXXXXX>` wherever they appear.
    init(root: String, secrets: [String]) throws(HarnessError) {
        self.layout = ArtifactLayout(root: root)
        self.secrets = secrets.filter { !$0.isEmpty }.map { ($0, Self.redactionTag(for: $0)) }
        try makeDirectory("")
    }

    deinit {
        descriptors.withLock { open in
            for descriptor in open.values { Glibc.close(descriptor) }
            open.removeAll()
        }
    }

    /// The token that replaces a secret: `<redacted:` and the first 8 hex digits of its SHA-256
    /// (cassette-format.md §4).
    static func redactionTag(for secret: String) -> String {
        "<redacted:\(SHA256.hash(secret).hex.prefix(8))>"
    }

    /// `text` with every secret replaced.
    func redact(_ text: String) -> String {
        var text = text
        for secret in secrets where text.mayContain(secret.value) && text.contains(secret.value) {
            text = text.replacingOccurrences(of: secret.value, with: secret.replacement)
        }
        return text
    }

    /// The artifact directory.
    var root: String { layout.root }

    /// The absolute path of `relative`.
    func path(_ relative: String) -> String {
        layout.path(relative)
    }

    /// Creates a directory (and its parents) inside the tree.
    func makeDirectory(_ relative: String) throws(HarnessError) {
        do {
            try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
        } catch {
            throw HarnessError(.io, "cannot create directory \(path(relative)): \(error.localizedDescription)")
        }
    }

    /// Writes text atomically (redacted).
    func write(_ text: String, to relative: String) throws(HarnessError) {
        try write(bytes: Array(redact(text).utf8), to: relative)
    }

    /// Writes text atomically (redacted), gzip-compressed, to `relative` + `.gz`: the payloads repeat what the
    /// cassettes hold, and uncompressed they were 90 % of a batch's tree (Benchmarks/report); `zcat` reads them.
    func writeCompressed(_ text: String, to relative: String) throws(HarnessError) {
        try write(bytes: GzipData.compress(Array(redact(text).utf8)), to: relative + ArtifactLayout.compressedSuffix)
    }

    /// Writes JSON atomically, indented for people.
    func write(json: JSONValue, to relative: String) throws(HarnessError) {
        try write(JSONWriter.string(json, style: .pretty) + "\n", to: relative)
    }

    /// Writes bytes as they are (downloaded files) atomically: a temporary file in the same directory, then rename,
    /// so a reader, or a run killed mid-write, sees the old file or the new one. The file is not flushed to the disk:
    /// Foundation's `Data.write` calls `fsync` for every file, which held a cooperative thread for a millisecond or
    /// more per payload, and the rename is what the crash guarantee for a killed run needs (security.md).
    /// `open`, `write`, `rename`
    func write(bytes: [UInt8], to relative: String) throws(HarnessError) {
        let target = path(relative)
        let directory = (target as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw HarnessError(.io, "cannot write \(target): \(error.localizedDescription)")
        }
        let temporary = "\(directory)/.tdf-\(getpid())-\(temporaryFiles.add(1, ordering: .relaxed).newValue).tmp"
        let renameProblem = { rename(temporary, target) == 0 ? nil : String(cString: strerror(errno)) }
        if let reason = Self.create(temporary, holding: bytes) ?? renameProblem() {
            unlink(temporary)
            throw HarnessError(.io, "cannot write \(target): \(reason)")
        }
    }

    /// Creates the file `path` holding `bytes`; returns why it could not (the system's words), or nil.
    private static func create(_ path: String, holding bytes: [UInt8]) -> String? {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { Glibc.close(descriptor) }
        do throws(FileSystemCalls.WriteFailure) {
            try FileSystemCalls.live.writeAll(bytes, to: descriptor)
            return nil
        } catch {
            return error.description
        }
    }

    /// Appends one line (a newline is added) to a JSON Lines file, redacted, in a single `write`.
    func appendLine(_ line: String, to relative: String) {
        let bytes = Array((redact(line) + "\n").utf8)
        descriptors.withLock { open in
            var descriptor = open[relative] ?? -1
            if descriptor < 0 {
                let target = path(relative)
                let directory = (target as NSString).deletingLastPathComponent
                try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                descriptor = Glibc.open(target, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else { return }
                open[relative] = descriptor
            }
            // Losing a line must not fail the run that wrote it.
            try? FileSystemCalls.live.writeAll(bytes, to: descriptor)
        }
    }

    /// Appends one compact JSON value as a line.
    func appendLine(json: JSONValue, to relative: String) {
        appendLine(json.compactText, to: relative)
    }

    /// Closes every appended file.
    func closeAppenders() {
        descriptors.withLock { open in
            for descriptor in open.values { Glibc.close(descriptor) }
            open.removeAll()
        }
    }

    /// The line files a batch appends to and seals into gzip when it ends (``SealedLineFile``).
    static let sealedLineFiles = [ArtifactLayout.eventsName, ArtifactLayout.metricsName, ArtifactLayout.clientLogName]

    /// Closes the appended files and seals each line file into its `.gz`.
    func sealLineFiles() throws(HarnessError) {
        closeAppenders()
        for relative in Self.sealedLineFiles {
            do {
                try SealedLineFile.seal(path(relative))
            } catch {
                throw HarnessError(.io, "cannot seal \(path(relative)): \(error)")
            }
        }
    }
}
