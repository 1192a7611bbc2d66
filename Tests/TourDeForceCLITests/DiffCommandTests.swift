import Cassettes
import CommandLineKit
import Foundation
import HTTPWire
import JSON
import TestSupport
import Testing

@testable import TourDeForceCLI

/// Records one run (r_000001, the deep-branching scenario with its deliberate merge conflict) on the embedded stack.
private func record(
    in directory: TemporaryDirectory,
    _ name: String = "recording",
    seed: Int = 1337
) async throws
    -> String
{
    let out = directory.path(name)
    let result = await tdf(["run", "--stack", "embedded", "--runs", "1", "--seed", String(seed), "--out", out])
    try #require(result.status == 0, "\(result.stderr)")
    return out
}

/// Copies the recording to `<directory>/<name>` and rewrites the copy's r_000001 cassette with `edit` applied to
/// its exchanges (through the cassette writer, so the copy is a whole, valid cassette).
private func tamperedCopy(
    of recording: String,
    in directory: TemporaryDirectory,
    _ name: String,
    edit: (inout [Exchange]) throws -> Void
) throws -> String {
    let copy = directory.path(name)
    try FileManager.default.copyItem(atPath: recording, toPath: copy)
    let cassettes = copy + "/cassettes"
    var exchanges = try Cassette.load(path: cassettes + "/r_000001.jsonl.gz").exchanges
    try edit(&exchanges)
    let writer = try CassetteWriter(
        directory: cassettes,
        run: try RunID(validating: "r_000001"),
        toolVersion: "test",
        carrying: exchanges
    )
    try writer.finish()
    return copy
}

/// The compose exchange's position and its events.
private func composeEvents(_ exchanges: [Exchange]) throws -> (position: Int, events: [StreamEvent]) {
    let position = try #require(exchanges.firstIndex { $0.step == "compose" })
    guard case .events(let events, _) = exchanges[position].response.content else {
        throw TamperError("the compose exchange has no events")
    }
    return (position, events)
}

/// The index of the first event whose JSON data satisfies `matches`, and that data.
private func firstEvent(
    in events: [StreamEvent],
    where matches: (JSONValue) -> Bool
) throws -> (index: Int, json: JSONValue) {
    for (index, event) in events.enumerated() {
        guard case .event(let sse) = event.frame, let json = try? JSONParser.parse(sse.data), matches(json) else {
            continue
        }
        return (index, json)
    }
    throw TamperError("no such event")
}

private func replaceData(of events: inout [StreamEvent], at index: Int, with json: JSONValue) {
    events[index].frame = .event(SSEEvent(data: json.compactText))
}

private struct TamperError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

private func setEvents(_ events: [StreamEvent], of exchange: inout Exchange) {
    exchange.response.content = .events(events, exact: nil)
}

// Serialized: each test records on the embedded stack; run side by side they would crowd the two cores that the
// timing-sensitive suites of this module share.
@Suite(.serialized) struct DiffCommandTests {
    /// A recording diffed with itself, and with a re-recording of the same seed, has no contract or content
    /// difference: exit 0, and `--json` says identical.
    @Test func sameRecordingAndSameSeedAreIdentical() async throws {
        let directory = try TemporaryDirectory()
        let first = try await record(in: directory, "first")
        let second = try await record(in: directory, "second")
        let itself = await tdf(["diff", first, first])
        #expect(itself.status == 0, "\(itself.stdout)\(itself.stderr)")
        #expect(itself.stdout.contains("contract: none\ncontent: none\nperformance: none\n"))
        #expect(itself.stdout.hasSuffix("no differences\n"))
        let again = await tdf(["diff", first, second])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.contains("contract: none\ncontent: none\n"))
        let json = await tdf(["diff", first, second, "--json"])
        #expect(json.status == 0)
        let parsed = try JSONParser.parse(json.stdout)
        // Latency on a shared machine varies between recordings: it is listed, never as contract or content, and
        // then the recordings are not identical.
        let kinds = Set((parsed["differences"]?.arrayValue ?? []).compactMap { $0["kind"]?.stringValue })
        #expect(kinds.isSubset(of: ["performance"]))
        #expect(parsed["identical"] == .bool(kinds.isEmpty))
        #expect(again.stdout.hasSuffix(kinds.isEmpty ? "no differences\n" : " performance)\n"))
        #expect(parsed["paired_exchanges"]?.intValue == 57)
    }

    /// A recorded run with one exchange taken out and the later ordinals renumbered (a driver that stopped making
    /// that call) differs by that one exchange, and a copy with one exchange 800 ms slower names it as a latency
    /// outlier that `--fail-on latency-outlier=+500ms` fails on while `--fail-on contract` passes.
    @Test func removedAndSlowedExchangesAreNamedAlone() async throws {
        let directory = try TemporaryDirectory()
        let recording = try await record(in: directory)
        var removedLabel = ""
        let removed = try tamperedCopy(of: recording, in: directory, "removed") { exchanges in
            let index = try #require(exchanges.lastIndex { $0.request.target.hasSuffix("/muse/variations") })
            let gone = exchanges.remove(at: index)
            removedLabel = "#\(gone.ordinal) maestro POST /api/v1/muse/variations (\(gone.step ?? ""))"
            for later in exchanges.indices where exchanges[later].ordinal > gone.ordinal {
                exchanges[later].ordinal -= 1
            }
        }
        let result = await tdf(["diff", recording, removed, "--json"])
        #expect(result.status == 1)
        let parsed = try JSONParser.parse(result.stdout)
        let found = (parsed["differences"]?.arrayValue ?? []).filter { $0["kind"] != "performance" }
        #expect(found.count == 1, "\(result.stdout)")
        #expect(found.first?["message"] == "exchange only in A")
        let text = await tdf(["diff", recording, removed])
        #expect(text.stdout.contains("  \(removedLabel)\n    exchanges   exchange only in A\n"), "\(text.stdout)")

        let slowed = try tamperedCopy(of: recording, in: directory, "slowed") { exchanges in
            let index = try #require(exchanges.firstIndex { $0.request.target.hasSuffix("/muse/checkout") })
            exchanges[index].timing.totalMilliseconds += 800
        }
        let slow = await tdf(["diff", recording, slowed, "--fail-on", "contract,latency-outlier=+500ms"])
        #expect(slow.status == 1)
        #expect(slow.stderr.contains("tdf diff: fails --fail-on: r_000001 #"), "\(slow.stderr)")
        #expect(slow.stderr.contains("maestro POST /api/v1/muse/checkout"))
        #expect(slow.stdout.contains("latency-outlier"))
        #expect(await tdf(["diff", recording, slowed, "--fail-on", "contract"]).status == 0)
    }

    /// One changed SSE event is named by run, exchange, event index and type, JSON path and both values;
    /// `--fail-on sse-data` fails (1), `--fail-on status` passes (0).
    @Test func changedEventDataIsNamed() async throws {
        let directory = try TemporaryDirectory()
        let recording = try await record(in: directory)
        var changedIndex = 0
        var original = ""
        let tampered = try tamperedCopy(of: recording, in: directory, "tampered") { exchanges in
            var (position, events) = try composeEvents(exchanges)
            let (index, json) = try firstEvent(in: events) { $0["type"] == "status" }
            var object = try #require(json.objectValue)
            original = object["message"]?.stringValue ?? ""
            object["message"] = "Preparing <b>tampered</b>"
            replaceData(of: &events, at: index, with: .object(object))
            setEvents(events, of: &exchanges[position])
            changedIndex = index
        }
        let result = await tdf(["diff", recording, tampered])
        #expect(result.status == 1)
        #expect(result.stdout.contains("contract: none\ncontent: 1 (sse-data 1)\n"))
        #expect(result.stdout.contains("r_000001\n  #2 maestro POST /api/v1/maestro/stream (compose)\n"))
        #expect(
            result.stdout.contains(
                "    sse-data    event \(changedIndex) status: $.message: \"\(original)\" → \"Preparing <b>tampered</b>\"\n"
            ),
            "\(result.stdout)"
        )
        #expect(await tdf(["diff", recording, tampered, "--fail-on", "sse-data"]).status == 1)
        #expect(await tdf(["diff", recording, tampered, "--fail-on", "status,sse-order"]).status == 0)
        let html = directory.path("diff.html")
        #expect(await tdf(["diff", recording, tampered, "--html", html]).status == 1)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.contains("Preparing &lt;b&gt;tampered&lt;/b&gt;"))
        #expect(!page.contains("<b>tampered"))
    }

    /// A MUSE 409 merge conflict turned into a 200 is a status difference (contract) at that exchange and a MUSE
    /// outcome change from conflict to clean; `--fail-on status` and `--fail-on muse` fail, `--fail-on notes` passes.
    @Test func mergeConflictTurnedCleanIsNamed() async throws {
        let directory = try TemporaryDirectory()
        let recording = try await record(in: directory)
        var location = ""
        let tampered = try tamperedCopy(of: recording, in: directory, "tampered") { exchanges in
            let position = try #require(
                exchanges.firstIndex { $0.request.target == "/api/v1/muse/merge" && $0.response.status == 409 }
            )
            exchanges[position].response.status = 200
            exchanges[position].response.reason = "OK"
            let exchange = exchanges[position]
            location = "#\(exchange.ordinal) maestro POST /api/v1/muse/merge (\(exchange.step ?? ""))"
        }
        let result = await tdf(["diff", recording, tampered])
        #expect(result.status == 1)
        #expect(result.stdout.contains("contract: 1 (status 1)\ncontent: 1 (muse 1)\n"), "\(result.stdout)")
        #expect(
            result.stdout.contains(
                "  \(location)\n    status      status 409 Conflict → 200 OK\n    muse        MUSE outcome conflict → clean\n"
            ),
            "\(result.stdout)"
        )
        let sessions = await tdf(["diff", recording + "/cassettes", tampered + "/cassettes", "--fail-on", "status"])
        #expect(sessions.status == 1)
        #expect(sessions.stdout.contains("  \(location)\n    status      status 409 Conflict → 200 OK\n"))
        #expect(sessions.stderr.contains("fails --fail-on: 1 status differences (allowed 0)"))
        #expect(await tdf(["diff", recording, tampered, "--fail-on", "muse"]).status == 1)
        let passing = await tdf(["diff", recording, tampered, "--fail-on", "notes"])
        #expect(passing.status == 0)
        #expect(passing.stderr.isEmpty)
    }

    /// One note's pitch changed in the compose stream's stori_add_notes call is a `notes` difference naming the
    /// event and the note's JSON path; `--fail-on notes` fails, `--fail-on contract` passes.
    @Test func changedNotePitchIsNamed() async throws {
        let directory = try TemporaryDirectory()
        let recording = try await record(in: directory)
        var expected = ""
        let tampered = try tamperedCopy(of: recording, in: directory, "tampered") { exchanges in
            var (position, events) = try composeEvents(exchanges)
            let (index, json) = try firstEvent(in: events) { $0["name"] == "stori_add_notes" }
            var object = try #require(json.objectValue)
            var params = try #require(object["params"]?.objectValue)
            var notes = try #require(params["notes"]?.arrayValue)
            var note = try #require(notes[2].objectValue)
            let pitch = try #require(note["pitch"]?.intValue)
            note["pitch"] = .int(pitch + 1)
            notes[2] = .object(note)
            params["notes"] = .array(notes)
            object["params"] = .object(params)
            replaceData(of: &events, at: index, with: .object(object))
            setEvents(events, of: &exchanges[position])
            expected =
                "notes       event \(index) toolCall stori_add_notes: $.params.notes[2].pitch: \(pitch) → \(pitch + 1)\n"
        }
        let result = await tdf(["diff", recording, tampered])
        #expect(result.status == 1)
        #expect(result.stdout.contains("contract: none\ncontent: 1 (notes 1)\n"), "\(result.stdout)")
        #expect(
            result.stdout.contains("  #2 maestro POST /api/v1/maestro/stream (compose)\n    " + expected),
            "\(result.stdout)"
        )
        #expect(await tdf(["diff", recording, tampered, "--fail-on", "notes"]).status == 1)
        #expect(await tdf(["diff", recording, tampered, "--fail-on", "contract"]).status == 0)
    }

    /// Two swapped SSE events are named as a move with both indexes (contract `sse-order`), with no content
    /// difference; `--fail-on sse-order` fails, `--fail-on content` passes.
    @Test func swappedEventsAreNamed() async throws {
        let directory = try TemporaryDirectory()
        let recording = try await record(in: directory)
        var indexes: [Int] = []
        let tampered = try tamperedCopy(of: recording, in: directory, "tampered") { exchanges in
            var (position, events) = try composeEvents(exchanges)
            let summary = try firstEvent(in: events) { $0["type"] == "summary" }.index
            let final = try firstEvent(in: events) { $0["type"] == "summary.final" }.index
            events.swapAt(summary, final)
            setEvents(events, of: &exchanges[position])
            indexes = [summary, final]
        }
        let result = await tdf(["diff", recording, tampered])
        #expect(result.status == 1)
        #expect(result.stdout.contains("contract: 1 (sse-order 1)\ncontent: none\n"), "\(result.stdout)")
        let moved = [
            "sse-order   event \(indexes[0])→\(indexes[1]) summary: event moved: index \(indexes[0]) in A, \(indexes[1]) in B",
            "sse-order   event \(indexes[1])→\(indexes[0]) summary.final: event moved: index \(indexes[1]) in A, \(indexes[0]) in B",
        ]
        #expect(
            moved.contains { result.stdout.contains("  #2 maestro POST /api/v1/maestro/stream (compose)\n    " + $0) },
            "\(result.stdout)"
        )
        #expect(await tdf(["diff", recording, tampered, "--fail-on", "sse-order"]).status == 1)
        #expect(await tdf(["diff", recording, tampered, "--fail-on", "content"]).status == 0)
    }

    /// Recordings of the embedded stack with different seeds differ in notes and MIDI metrics but not in the
    /// contract: statuses, headers, JSON shapes and SSE event types and order all agree.
    @Test func differentSeedsDifferInContentOnly() async throws {
        let directory = try TemporaryDirectory()
        let a = try await record(in: directory, "a", seed: 1337)
        let b = try await record(in: directory, "b", seed: 3)
        let result = await tdf(["diff", a, b, "--full"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\ncontract: none\n"), "\(result.stdout.prefix(2000))")
        #expect(result.stdout.contains("notes "))
        #expect(result.stdout.contains("    midi        midi_summary note_count: "))
        // Hundreds of differences: without --full, counts and the first three of each category.
        let summary = await tdf(["diff", a, b])
        #expect(summary.status == 1)
        #expect(summary.stdout.contains("\nsummary: counts and the first 3 of each category; --full lists all "))
        #expect(summary.stdout.contains("\nmidi (content): "))
        #expect(summary.stdout.contains("\n  r_000001: midi_summary "))
        #expect(summary.stdout.count(where: { $0 == "\n" }) < 120, "\(summary.stdout)")
        #expect(await tdf(["diff", a, b, "--full", "--summary"]).status == 2)
        #expect(await tdf(["diff", a, b, "--fail-on", "contract"]).status == 0)
        #expect(await tdf(["diff", a, b, "--fail-on", "notes"]).status == 1)
    }

    /// A truncated cassette is exit 3 with the file, record and offset named; a missing directory is exit 3; a bad
    /// `--fail-on` item is exit 2 naming the item; one recording is a usage error.
    @Test func unreadableInputsAndBadArguments() async throws {
        let directory = try TemporaryDirectory()
        let recording = try await record(in: directory)
        let copy = directory.path("truncated")
        try FileManager.default.copyItem(atPath: recording, toPath: copy)
        let path = copy + "/cassettes/r_000001.jsonl.gz"
        let bytes = try #require(FileManager.default.contents(atPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let truncated = await tdf(["diff", recording, copy])
        #expect(truncated.status == 3)
        #expect(truncated.stderr.contains("r_000001.jsonl.gz: damaged gzip stream in record "), "\(truncated.stderr)")
        #expect(truncated.stderr.contains("at compressed byte "))
        #expect(truncated.stdout.isEmpty)
        let missing = await tdf(["diff", recording, directory.path("nowhere")])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("nowhere: not a directory"))
        let bad = await tdf(["diff", recording, recording, "--fail-on", "status,sse-ordre"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("'sse-ordre'"))
        #expect(bad.stderr.split(separator: "\n").count == 1)
        #expect(await tdf(["diff", recording]).status == 2)
    }
}
