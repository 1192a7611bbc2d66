import Analysis
import Foundation
import MIDI
import TestSupport
import Testing

@Suite struct RenderingTests {
    private let graph = MuseGraph(
        runID: "r_000001",
        nodes: [
            MuseNode(id: "c", name: "C1", parent: nil, secondParent: nil, isHead: false, intent: "compose"),
            MuseNode(id: "b", name: "B1", parent: "c", secondParent: nil, isHead: false, intent: "edit"),
            MuseNode(id: "m", name: "M1", parent: "c", secondParent: "b", isHead: true, intent: "merge"),
        ],
        head: "m"
    )

    /// The ASCII rendering names each commit's parents, marks the merge and HEAD.
    @Test func asciiShowsParentsMergesAndHead() {
        let lines = graph.asciiRendering.split(separator: "\n").map(String.init)
        #expect(lines == ["r_000001", "* C1 (root)", "* B1 <- C1", "M M1 <- C1 + B1  [HEAD]"])
    }

    /// The Mermaid rendering has one node per commit, a dotted edge for the second parent, and HEAD styled.
    @Test func mermaidIsAFlowchart() {
        let text = graph.mermaidRendering
        #expect(text.hasPrefix("flowchart LR\n"))
        #expect(text.contains(#"n2{{"M1 HEAD"}}"#) && text.contains("n0 --> n1") && text.contains("n1 -.-> n2"))
        #expect(text.contains("style n2 stroke-width:4px"))
    }

    /// A run's .mid files become a piano roll, and a damaged .mid is named instead of stopping the load.
    @Test func readsPianoRollAndNamesDamagedFile() throws {
        let directory = try TemporaryDirectory()
        let folder = directory.url.path + "/midi/run_r_000001"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let notes = [
            Note(pitch: 60, velocity: 90, startBeat: 0, durationBeats: 1),
            Note(pitch: 64, velocity: 80, startBeat: 1, durationBeats: 0.5),
        ]
        let bytes = SMFWriter().bytes(for: [NoteTrack(notes: notes)])
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/a.mid"))
        try Data("MThd garbage".utf8).write(to: URL(fileURLWithPath: folder + "/b.mid"))
        let (roll, problems) = PianoRoll.load(root: directory.url.path, runID: "r_000001")
        #expect(roll.notes.map(\.pitch) == [60, 64] && roll.files == ["a.mid"])
        #expect(problems.map(\.file) == ["midi/run_r_000001/b.mid"])
    }
}
