import Testing
import Vocabulary

@Suite struct ArtifactLayoutTests {
    /// Every name of the tree is the one README and architecture.md document and existing recordings hold
    /// (cassettes/demo is one): a changed byte would make replay, diff and merge miss the file.
    @Test func namesRelativeToTheTree() {
        typealias Layout = ArtifactLayout
        let batch = [
            Layout.configurationName, Layout.manifestName, Layout.runsName, Layout.eventsName, Layout.metricsName,
            Layout.logsDirectoryName, Layout.clientLogName, Layout.payloadsDirectoryName, Layout.midiDirectoryName,
            Layout.museDirectoryName, Layout.museGraphName, Layout.museGraphTextName, Layout.museGraphVisualisationName,
            Layout.cassettesDirectoryName, Layout.reportDirectoryName, Layout.reportHTMLName, Layout.reportMarkdownName,
            Layout.junitName, Layout.plotsDirectoryName, Layout.plotName("status_breakdown"),
            Layout.analyticsDatabaseName,
        ]
        #expect(
            batch == [
                "config.json", "manifest.json", "runs.jsonl", "events.jsonl", "metrics.jsonl", "logs",
                "logs/client.log", "payloads", "midi", "muse", "muse/graph.json", "muse/graph.txt",
                "muse/graph_viz.json", "cassettes", "report", "report/report.html", "report/report.md",
                "report/junit.xml", "report/plots", "report/plots/status_breakdown.svg", "tourdeforce.db",
            ]
        )
        let run = "r_000042"
        let perRun = [
            Layout.midiDirectoryName(run: run), Layout.midiSummaryName(run: run),
            Layout.midiArtifactName(run: run, file: "b0_x.mid"), Layout.midiFileSummaryName(run: run, file: "b0_x.mid"),
            Layout.museDirectoryName(run: run), Layout.museLogName(run: run), Layout.museGraphName(run: run),
            Layout.museGraphTextName(run: run), Layout.museGraphVisualisationName(run: run),
            Layout.mergeConflictsName(run: run), Layout.replayDirectoryName(run: run),
        ]
        #expect(
            perRun == [
                "midi/run_r_000042", "midi/run_r_000042/midi_summary.json", "midi/run_r_000042/b0_x.mid",
                "midi/run_r_000042/b0_x.mid.summary.json", "muse/run_r_000042", "muse/run_r_000042/log.json",
                "muse/run_r_000042/graph.json", "muse/run_r_000042/graph.txt", "muse/run_r_000042/graph_viz.json",
                "muse/run_r_000042/merge_conflicts.json", "replay_r_000042",
            ]
        )
    }

    /// Each payload kind has its folder, and a payload is named by its run id, `_`, and its own name.
    @Test func payloads() {
        #expect(
            ArtifactLayout.PayloadKind.allCases.map(ArtifactLayout.payloadDirectoryName) == [
                "payloads/prompt_fetch", "payloads/maestro_requests", "payloads/maestro_sse",
                "payloads/storpheus_requests", "payloads/storpheus_responses",
            ]
        )
        #expect(
            ArtifactLayout.payloadName(.maestroSSE, run: "r_000001", name: "compose.sse")
                == "payloads/maestro_sse/r_000001_compose.sse"
        )
    }

    /// A file Storpheus sends under the name of an analysis the harness writes beside it, in any case, is kept
    /// under another name, so it cannot replace the analysis.
    @Test func downloadsCannotTakeAnAnalysisName() {
        for file in ["midi_summary.json", "MIDI_Summary.JSON", "b0_x.mid.summary.json"] {
            #expect(ArtifactLayout.midiArtifactName(run: "r_1", file: file) == "midi/run_r_1/\(file).artifact")
        }
        #expect(ArtifactLayout.midiArtifactName(run: "r_1", file: "summary.json") == "midi/run_r_1/summary.json")
    }

    /// The folders of `midi/` and `muse/` give back their run ids; other names give none.
    @Test func runDirectories() {
        #expect(ArtifactLayout.run(ofRunDirectory: "run_r_000042") == "r_000042")
        #expect(ArtifactLayout.run(ofRunDirectory: "run_") == "")
        #expect(ArtifactLayout.run(ofRunDirectory: "graph.json") == nil)
        #expect(ArtifactLayout.run(ofRunDirectory: "Run_r_1") == nil)
    }

    /// A tree made without `--out` is named by its UTC start time.
    @Test func defaultTreeName() {
        let time = Timestamp(millisecondsSinceEpoch: 1_772_000_000_000)
        #expect(ArtifactLayout.defaultTreeName(createdAt: time) == "tdf_20260225_061320")
    }

    /// The paths under a root join it and a name with one `/`, as the tree has always been written; the empty
    /// name is the root itself.
    @Test func pathsUnderTheRoot() {
        let layout = ArtifactLayout(root: "/data/tdf_20260225_061320")
        let root = layout.root
        #expect(layout.path("") == root)
        #expect(
            [
                layout.configurationFile, layout.manifestFile, layout.runsFile, layout.eventsFile, layout.metricsFile,
                layout.clientLogFile, layout.payloadsDirectory, layout.midiDirectory, layout.museDirectory,
                layout.museGraphFile, layout.museGraphTextFile, layout.museGraphVisualisationFile,
                layout.cassettesDirectory, layout.reportDirectory, layout.plotsDirectory, layout.analyticsDatabaseFile,
                layout.payloadDirectory(.promptFetch), layout.midiDirectory(run: "r_1"),
                layout.midiSummaryFile(run: "r_1"), layout.museDirectory(run: "r_1"),
                layout.museGraphTextFile(run: "r_1"), layout.replayDirectory(run: "r_1"),
            ]
                == [
                    "config.json", "manifest.json", "runs.jsonl", "events.jsonl", "metrics.jsonl", "logs/client.log",
                    "payloads", "midi", "muse", "muse/graph.json", "muse/graph.txt", "muse/graph_viz.json", "cassettes",
                    "report", "report/plots", "tourdeforce.db", "payloads/prompt_fetch", "midi/run_r_1",
                    "midi/run_r_1/midi_summary.json", "muse/run_r_1", "muse/run_r_1/graph.txt", "replay_r_1",
                ].map { root + "/" + $0 }
        )
        #expect(ArtifactLayout(root: "out").runsFile == "out/runs.jsonl")
    }
}
