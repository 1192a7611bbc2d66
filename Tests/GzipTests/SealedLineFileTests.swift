import Foundation
import Gzip
import TestSupport
import Testing

/// Line files appended in plain text while a batch runs and sealed into gzip when it ends.
@Suite struct SealedLineFileTests {
    private func append(_ text: String, to path: String) throws {
        let existing = FileManager.default.contents(atPath: path) ?? Data()
        try (existing + Data(text.utf8)).write(to: URL(fileURLWithPath: path))
    }

    private func text(_ path: String) throws -> String? {
        try SealedLineFile.contents(of: path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Sealing replaces the plain file by a gzip file `zcat` reads; lines appended after it (a second batch) are
    /// read after the sealed ones, and sealing again adds them as one more gzip member.
    @Test func sealedLinesReadBackInOrderAcrossBatches() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("events.jsonl")
        #expect(try text(path) == nil)
        try append("{\"n\":1}\n{\"n\":2}\n", to: path)
        try SealedLineFile.seal(path)
        #expect(!FileManager.default.fileExists(atPath: path))
        let sealed = try Data(contentsOf: URL(fileURLWithPath: path + ".gz"))
        #expect(String(decoding: try GzipData.decompress(sealed), as: UTF8.self) == "{\"n\":1}\n{\"n\":2}\n")

        try append("{\"n\":3}\n", to: path)
        #expect(try text(path) == "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n")
        try SealedLineFile.seal(path)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try text(path) == "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n")
        let entries = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(entries == ["events.jsonl.gz"], "a temporary file was left behind")
    }

    /// Sealing a file that does not exist, or an empty one, writes no gzip file.
    @Test func nothingToSealWritesNothing() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("metrics.jsonl")
        try SealedLineFile.seal(path)
        try Data().write(to: URL(fileURLWithPath: path))
        try SealedLineFile.seal(path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).isEmpty)
    }

    /// A crash after the sealed file was renamed into place but before the plain file was removed leaves both:
    /// the reader loses nothing (it reads those lines twice).
    @Test func aCrashWhileSealingLosesNoLine() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("client.log")
        try append("a\nb\n", to: path)
        try Data(GzipData.compress(Array("a\nb\n".utf8))).write(to: URL(fileURLWithPath: path + ".gz"))
        #expect(try text(path) == "a\nb\na\nb\n")
    }

    /// A damaged sealed file is an error naming it, not an empty file.
    @Test func aDamagedSealedFileIsNamed() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("events.jsonl")
        var bytes = GzipData.compress(Array(String(repeating: "{\"n\":1}\n", count: 100).utf8))
        bytes.removeLast(12)
        try Data(bytes).write(to: URL(fileURLWithPath: path + ".gz"))
        let error = #expect(throws: GzipError.self) { try SealedLineFile.contents(of: path) }
        #expect(error?.description.hasPrefix(path + ".gz: ") == true, "\(String(describing: error))")
    }
}
