import Cassettes
import Foundation
import TestSupport
import Testing

@Suite struct CassetteSelectionTests {
    /// A session directory selects all its cassettes, or one run's; a cassette file selects itself, whatever the
    /// run; relative paths are taken from the current directory.
    @Test func selectsDirectoriesRunsAndFiles() throws {
        let base = try TemporaryDirectory()
        let directory = base.path("session")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        for run in [nil, try RunID(validating: "r_1")] {
            let writer = try CassetteWriter(directory: directory, run: run, toolVersion: "1")
            try writer.finish()
        }
        let all = try CassetteSelection(path: "session", currentDirectory: base.url.path, run: nil)
        #expect(all.directory == directory)
        #expect(all.paths == [directory + "/_default.jsonl.gz", directory + "/r_1.jsonl.gz"])
        let untagged = try CassetteSelection(path: directory, currentDirectory: "/", run: "_default")
        #expect(untagged.paths == [directory + "/_default.jsonl.gz"])
        #expect(untagged.run == "_default")
        let file = try CassetteSelection(path: "session/r_1.jsonl.gz", currentDirectory: base.url.path, run: "../x")
        #expect(file.directory == directory)
        #expect(file.paths == [directory + "/r_1.jsonl.gz"])
        #expect(try file.load().map(\.run) == [try RunID(validating: "r_1")])
    }

    /// What cannot be selected is a typed error carrying the path and run as given.
    @Test func refusalsCarryWhatWasGiven() throws {
        let base = try TemporaryDirectory()
        let directory = base.path("session")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        try CassetteWriter(directory: directory, run: nil, toolVersion: "1").finish()
        let missing = try #require(throws: CassetteSelectionError.self) {
            try CassetteSelection(path: "nothing", currentDirectory: base.url.path, run: "r_1")
        }
        #expect(missing == .missing(path: "nothing"))
        let invalid = try #require(throws: CassetteSelectionError.self) {
            try CassetteSelection(path: directory, currentDirectory: "/", run: "../x")
        }
        let reason = try #require(throws: CassetteError.self) { try RunID.parseArgument("../x") }
        #expect(invalid == .invalidRun("../x", reason))
        let absent = try #require(throws: CassetteSelectionError.self) {
            try CassetteSelection(path: "session", currentDirectory: base.url.path, run: "r_9")
        }
        #expect(absent == .noCassette(path: "session", run: "r_9", fileName: "r_9.jsonl.gz"))
    }
}
