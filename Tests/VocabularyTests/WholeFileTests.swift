import Foundation
import TestSupport
import Testing
import Vocabulary

/// Whole files read and replaced whole.
@Suite struct WholeFileTests {
    /// A missing file reads as nil; a written one reads back, replaced whole, with no temporary file left.
    @Test func writtenFilesReadBackAndMissingOnesAreNil() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("index.json")
        #expect(try WholeFile.readIfPresent(path) == nil)
        try WholeFile.writeAtomically(Array("first".utf8), to: path)
        try WholeFile.writeAtomically(Array("second".utf8), to: path, durable: true)
        #expect(try WholeFile.readIfPresent(path) == Array("second".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["index.json"])
    }

    /// A failure names the call and the file in the system's words.
    @Test func failuresNameTheCallAndTheFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("missing/blob")
        let failure = #expect(throws: WholeFile.Failure.self) {
            try WholeFile.writeAtomically([1], to: path)
        }
        #expect(failure?.call == "create")
        #expect(
            failure?.description == directory.path("missing/.blob.\(getpid()).tmp")
                + ": cannot create: No such file or directory"
        )
        let unreadable = #expect(throws: WholeFile.Failure.self) { try WholeFile.readIfPresent(directory.url.path) }
        #expect(unreadable?.reason == "cannot read: Is a directory")
    }
}
