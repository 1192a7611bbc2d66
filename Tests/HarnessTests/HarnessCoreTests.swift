import Foundation
import JSON
import MIDI
import TestSupport
import Testing

@testable import Harness

@Suite struct HarnessCoreTests {
    /// Ids derive from the seed and run id only: stable, distinct per run and seed, lowercase UUIDs MUSE can store.
    @Test func identitiesAreDeterministic() {
        let one = RunIdentity(index: 42, seed: 1337)
        #expect(one.runID == "r_000042")
        #expect(one.conversationID == RunIdentity(index: 42, seed: 1337).conversationID)
        #expect(one.conversationID != RunIdentity(index: 43, seed: 1337).conversationID)
        #expect(one.conversationID != RunIdentity(index: 42, seed: 1338).conversationID)
        #expect(one.variationID("C1") != one.variationID("B1"))
        let uuid = one.variationID("C1")
        #expect(uuid.count == 36 && uuid == uuid.lowercased())
        #expect(one.traceID.hasPrefix("t_") && one.spanID(2).hasPrefix("s_") && one.spanID(2) != one.spanID(3))
    }

    /// Runs cycle through the five scenarios by index, and each covers the MUSE operations of the README's table.
    @Test func scenariosCoverTheMusePermutations() {
        #expect(Scenario.forRun(index: 1).name == "deep-branching")
        #expect(Scenario.forRun(index: 6).name == "deep-branching")
        #expect(
            (1...5).map { Scenario.forRun(index: $0).name }
                == ["deep-branching", "standard", "conflict-only", "checkout-stress", "minimal"]
        )
        #expect(Scenario.deepBranching.streamCount == 18)
        #expect(Scenario.standard.expectedMerges > 0 && Scenario.standard.conflict && Scenario.standard.drift)
        #expect(Scenario.checkoutStress.checkouts.contains { !$0.force })
        #expect(Scenario.conflictOnly.waves.isEmpty && Scenario.conflictOnly.conflict)
        #expect(Scenario.minimal.streamCount == 1 && Scenario.minimal.checkouts.isEmpty)
    }

    /// The artifact store redacts secrets in whole files and appended lines, and replaces files atomically.
    @Test func storeRedactsAndWritesAtomically() throws {
        let directory = try TemporaryDirectory()
        let secret = "eyJhbGciOiJIUzI1NiJ9.secret.sig"
        let store = try ArtifactStore(root: directory.path("out"), secrets: [secret])
        try store.write("Authorization: Bearer \(secret)\n", to: "a/b.txt")
        store.appendLine(json: ["token": .string(secret)], to: "events.jsonl")
        store.appendLine(json: ["n": 2], to: "events.jsonl")
        store.closeAppenders()
        let file = try String(contentsOfFile: directory.path("out/a/b.txt"), encoding: .utf8)
        let lines = try String(contentsOfFile: directory.path("out/events.jsonl"), encoding: .utf8)
        let tag = ArtifactStore.redactionTag(for: secret)
        #expect(file == "Authorization: Bearer \(tag)\n")
        #expect(lines == "{\"token\":\"\(tag)\"}\n{\"n\":2}\n")
        #expect(tag.hasPrefix("<redacted:") && tag.count == "<redacted:12345678>".count)
        try store.write("second", to: "a/b.txt")
        #expect(try String(contentsOfFile: directory.path("out/a/b.txt"), encoding: .utf8) == "second")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path("out/a"))
        #expect(leftovers == ["b.txt"])
    }

    /// The semaphore admits `permits` holders at once and a cancelled waiter leaves without taking a permit.
    @Test func semaphoreLimitsAndCancels() async throws {
        let semaphore = AsyncSemaphore(permits: 1)
        try await semaphore.acquire()
        let waiter = Task { try await semaphore.acquire() }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        semaphore.release()
        try await semaphore.acquire()
        semaphore.release()
    }

    /// The project snapshot carries only valid values: drums without a program, invalid notes left out.
    @Test func projectSnapshotIsValid() throws {
        var result = ComposeResult()
        for frame in composeFrames() {
            result.absorb(
                try JSONParser.parse(String(frame.dropFirst(6).dropLast(2)), options: .python)
            )
        }
        var state = ProjectState()
        state.add(result)
        state.tracks[0].regions[0].notes.append(WireNote(pitch: 200, startBeat: -1, durationBeats: 0, velocity: 0))
        let snapshot = state.snapshot(id: "conv", tempo: 90, key: "Am")
        let track = try #require(snapshot["tracks"]?.arrayValue?.first)
        #expect(track["gmProgram"]?.intValue == 33)
        #expect(track["instrument"] == nil)
        let region = try #require(track["regions"]?.arrayValue?.first)
        #expect(region["noteCount"]?.intValue == 2)
        #expect(region["durationBeats"]?.doubleValue == 16)
        #expect(state.noteTracks.first?.program == 33)
    }

    /// The graph text names commits symbolically and marks merges and HEAD.
    @Test func graphExportNamesCommits() {
        let export = MuseGraphExport(
            runID: "r_000001",
            scenario: "standard",
            project: "p",
            head: "m",
            nodes: [
                MuseNode(id: "c", parent: nil, parent2: nil, isHead: false, intent: "compose", regions: []),
                MuseNode(id: "b", parent: "c", parent2: nil, isHead: false, intent: "edit:B1", regions: []),
                MuseNode(id: "m", parent: "c", parent2: "b", isHead: true, intent: "merge", regions: []),
            ],
            names: ["c": "C1", "b": "B1", "m": "M1"]
        )
        #expect(export.text.contains("M M1   merge        <- C1 + B1  [HEAD]"))
        #expect(export.vizJSON["edges"]?.arrayValue?.count == 3)
    }
}
