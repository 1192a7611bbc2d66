import Cassettes
import Foundation
import Harness
import TestSupport
import Testing
import TourDeForce
import Vocabulary

/// `tdf cassette learn A B` proposes matching rules from two recordings (Docs/matching.md, "Learning rules").
@Suite struct LearnCommandTests {
    private static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A session directory with one cassette of run r_1: a POST whose body carries `id`.
    private func recording(id: String) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let writer = try CassetteWriter(directory: directory.url.path, run: RunID(validating: "r_1"), toolVersion: "1")
        try writer.append(
            Exchange(
                seq: 0,
                ordinal: 0,
                service: "maestro",
                started: Timestamp(millisecondsSinceEpoch: 1_764_072_000_000),
                request: RecordedRequest(
                    method: "POST",
                    target: "/api/v1/muse/variations",
                    body: Array(#"{"variation_id":"\#(id)","intent":"jazz"}"#.utf8)
                ),
                response: RecordedResponse(status: 200, reason: "OK", content: .body(Array(#"{"ok":true}"#.utf8))),
                timing: Timing(ttfbMilliseconds: 1, totalMilliseconds: 2)
            )
        )
        try writer.finish()
        return directory
    }

    @Test func learnWritesTheRulesToOutAndExplainsThemOnStandardError() async throws {
        let first = try recording(id: "88a8e742-ef55-473f-b2fe-7264cda81fa9")
        let second = try recording(id: "d84e545d-7128-4c10-8e6f-ffb48cf94d93")
        let out = first.url.appendingPathComponent("rules.json").path

        let learned = await tdf(["cassette", "learn", first.url.path, second.url.path, "--out", out])

        #expect(learned.status == 0)
        #expect(learned.stdout == "")
        #expect(
            learned.stderr
                == #"maestro POST /api/v1/muse/variations $.variation_id: uuid ("88a8e742-ef55-473f-b2fe-7264cda81fa9" "#
                + #"vs "d84e545d-7128-4c10-8e6f-ffb48cf94d93")"# + "\n"
                + "proposed 1 rule for 1 differing values from 1 paired exchanges; 0 unpaired; wrote \(out)\n"
        )
        #expect(
            try String(contentsOfFile: out, encoding: .utf8)
                == """
                {
                  "version": 1,
                  "rules": [
                    {
                      "service": "maestro",
                      "method": "POST",
                      "path": "/api/v1/muse/variations",
                      "ignore_body_paths": [
                        "$.variation_id"
                      ]
                    }
                  ]
                }

                """
        )
    }

    @Test func theCommittedDemoRecordingComparedWithItselfProposesNothing() async {
        let demo = Self.repositoryRoot.appendingPathComponent("cassettes/demo/cassettes").path

        let learned = await tdf(["cassette", "learn", demo, demo])

        #expect(learned.status == 0)
        #expect(learned.stdout == "{\n  \"version\": 1,\n  \"rules\": []\n}\n")
        #expect(learned.stderr == "proposed 0 rules for 0 differing values from 100 paired exchanges; 0 unpaired\n")
    }

    /// The harness's client is deterministic: two recordings with the fixed seed differ in nothing a rule would
    /// leave out.
    @Test func twoRecordingsWithTheFixedSeedProposeNothing() async throws {
        let directory = try TemporaryDirectory()
        var recordings: [String] = []
        for name in ["first", "second"] {
            let out = directory.path(name)
            let configuration = HarnessConfiguration(runs: 2, seed: 1337, outputDirectory: out, stack: .embedded)
            #expect(try await LiveBatch(configuration, token: nil).run().result.allSucceeded)
            recordings.append(out + "/cassettes")
        }

        let learned = await tdf(["cassette", "learn"] + recordings)

        #expect(learned.status == 0)
        #expect(learned.stdout == "{\n  \"version\": 1,\n  \"rules\": []\n}\n")
        #expect(learned.stderr.hasPrefix("proposed 0 rules for 0 differing values from "))
        #expect(learned.stderr.hasSuffix(" paired exchanges; 0 unpaired\n"))
        #expect(!learned.stderr.contains(" from 0 paired"))
        #expect(learned.stderr.split(separator: "\n").count == 1, "\(learned.stderr)")
    }
}
