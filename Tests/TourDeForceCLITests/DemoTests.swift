import CommandLineKit
import Foundation
import TestSupport
import Testing

@testable import TourDeForceCLI

/// The committed demo recording (`Scripts/record-demo.sh` regenerates it).
private let demoRecording = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("cassettes/demo").path

@Suite("tdf demo and the committed demo recording")
struct DemoTests {
    @Test("cassettes/demo replays offline, every run identical, and the replayed tree gives a full report")
    func committedRecordingReplaysOffline() async throws {
        let directory = try TemporaryDirectory()
        let replayed = directory.path("replayed")
        let replay = await tdf(["run", "--replay", demoRecording, "--out", replayed])
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
        for runID in ["r_000001", "r_000002", "r_000003"] {
            #expect(replay.stdout.contains("\(runID) identical"), "\(replay.stdout)")
        }
        #expect(replay.stdout.contains("3 runs replayed: 3 identical, 0 divergent"))

        let report = await tdf(["report", "--in", replayed])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("3 runs"), "\(report.stdout)")
        let html = try String(contentsOfFile: replayed + "/report/report.html", encoding: .utf8)
        for runID in ["r_000001", "r_000002", "r_000003"] { #expect(html.contains(runID)) }
        // The replay regenerated what the recording leaves out.
        let events = try lineFileText(replayed + "/events.jsonl")
        #expect(events.contains("\"event_type\":\"stream_complete\""))
    }

    @Test("recording seed 1337 again gives the committed recording's cassette digests")
    func recordingAgainReproducesTheCommittedOne() async throws {
        let directory = try TemporaryDirectory()
        let out = directory.path("again")
        let run = await tdf(["run", "--stack", "embedded", "--runs", "3", "--seed", "1337", "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        let committed = try cassetteDigests(demoRecording + "/cassettes")
        #expect(committed.count == 3)
        #expect(try cassetteDigests(out + "/cassettes") == committed, "regenerate with Scripts/record-demo.sh")
    }

    @Test("a recording whose MIDI summary was edited replays as divergent, naming the file and field")
    func editedRecordingIsDivergent() async throws {
        let directory = try TemporaryDirectory()
        let copy = directory.path("recording")
        try FileManager.default.copyItem(atPath: demoRecording, toPath: copy)
        let summary = copy + "/midi/run_r_000002/midi_summary.json"
        let text = try String(contentsOfFile: summary, encoding: .utf8)
        let count = try #require(text.range(of: #""note_count" : [0-9]+"#, options: .regularExpression))
        try text.replacingCharacters(in: count, with: #""note_count" : 999999"#)
            .write(toFile: summary, atomically: true, encoding: .utf8)

        let replay = await tdf(["replay", "--run-id", "r_000002", "--in", copy, "--out", directory.path("out")])
        #expect(replay.status == 1)
        #expect(replay.stdout.contains("divergent: midi/run_r_000002/midi_summary.json"), "\(replay.stdout)")
        #expect(replay.stdout.contains("999999"))
    }

    @Test("tdf demo records, reports and replays, then says what to open and what to try")
    func demoRunsTheWholeProduct() async throws {
        let directory = try TemporaryDirectory()
        let out = directory.path("demo")
        let demo = await tdf(["demo", "--runs", "2", "--out", out])
        #expect(demo.status == 0, "\(demo.stdout)\(demo.stderr)")
        #expect(demo.stdout.contains("2 runs: 2 succeeded"))
        #expect(demo.stdout.contains("identical"))
        #expect(demo.stdout.contains("\(out)/report/report.html"))
        #expect(demo.stdout.contains("tdf run --replay \(out)"))
        #expect(FileManager.default.fileExists(atPath: out + "/report/report.html"))
        #expect(FileManager.default.fileExists(atPath: out + "/cassettes/r_000002.jsonl.gz"))
    }

    @Test("tdf demo never writes into a non-empty directory")
    func demoRefusesNonEmptyOut() async throws {
        let directory = try TemporaryDirectory()
        try "keep me".write(toFile: directory.path("precious.txt"), atomically: true, encoding: .utf8)
        let demo = await tdf(["demo", "--out", directory.url.path])
        #expect(demo.status == 2)
        #expect(demo.stderr.contains("is not empty"))
        #expect(try String(contentsOfFile: directory.path("precious.txt"), encoding: .utf8) == "keep me")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["precious.txt"])
    }
}
