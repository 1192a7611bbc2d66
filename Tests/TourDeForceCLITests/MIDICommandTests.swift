import CommandLineKit
import Foundation
import MIDI
import Testing
import TourDeForceCLI

@Suite struct MIDICommandTests {
    private func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tdf-midi-cli-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    private func scaleFile() -> [UInt8] {
        let notes = [60, 62, 64, 65, 67, 69, 71, 72].enumerated().map { index, pitch in
            Note(pitch: pitch, velocity: 80 + index * 4, startBeat: Double(index) * 0.5, durationBeats: 0.5)
        }
        return SMFWriter(tempo: 100).bytes(for: [NoteTrack(name: "lead", notes: notes)])
    }

    /// A good file and a damaged one: the good one is analysed, the damaged one named with its error, exit 1.
    @Test func analysesGoodFilesAndNamesDamagedOnes() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("scale.mid")
        let bad = directory.appendingPathComponent("cut.mid")
        let bytes = scaleFile()
        try Data(bytes).write(to: good)
        try Data(bytes.prefix(30)).write(to: bad)

        let result = await runTDF(["midi", "analyze", good.path, bad.path, "--json"])
        #expect(result.status == 1)
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(reports.count == 2)
        let analysis = try #require(reports[0]["analysis"] as? [String: Any])
        let structure = try #require(analysis["structure"] as? [String: Any])
        #expect(structure["note_count"] as? Int == 8)
        let score = try #require(analysis["score"] as? [String: Any])
        #expect((score["components"] as? [Any])?.count == 6)
        let error = try #require(reports[1]["error"] as? String)
        #expect(error.contains("byte"))
        #expect(result.stderr.contains("cut.mid"))
    }

    /// The table for people shows the score and its reasons.
    @Test func printsTableForPeople() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("scale.mid")
        try Data(scaleFile()).write(to: good)
        let result = await runTDF(["midi", "analyze", good.path])
        #expect(result.status == 0)
        // Eight evenly spaced notes: everything is fine except the rhythm, which is monotonous.
        #expect(result.stdout.contains("score                   90.00 / 100.00"))
        #expect(result.stdout.contains("rhythmic_diversity    0.00 / 10.00"))
        #expect(result.stdout.contains("monotonous"))
        #expect(result.stdout.contains("8 in 2 tracks [0, 8]"))  // format 1: conductor track, then the notes
    }

    /// Without a file the command is a usage error.
    @Test func needsAFile() async {
        let result = await runTDF(["midi", "analyze"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("needs FILE"))
    }
}
