import Cassettes
import Foundation
import JSON
import TestSupport
import Testing

/// Writes a session at `path` with one cassette for `run` and untagged traffic with `untaggedBodies`, and its index.
private func makeSession(at path: String, run: String, untaggedBodies: [String]) throws {
    try SessionDirectory.create(path)
    let exchanges = (0..<2).map { Fixtures.jsonExchange(seq: $0, body: #"{"run":"\#(run)"}"#) }
    _ = try CassetteWriter(directory: path, run: RunID(validating: run), toolVersion: "1", carrying: exchanges)
        .finish()
    let untagged = untaggedBodies.enumerated().map { Fixtures.jsonExchange(seq: $0.offset, body: $0.element) }
    _ = try CassetteWriter(directory: path, run: nil, toolVersion: "1", carrying: untagged).finish()
    try CassetteSession(directory: path, configuration: .object([("name", .string(run))]), toolVersion: "1").close()
}

@Suite struct SessionMergeTests {
    /// Run cassettes are copied byte for byte, untagged traffic of both sessions becomes one complete cassette in
    /// session order, numbered again, and the index has a row per cassette and both configurations.
    @Test func mergesRunCassettesAndUntaggedTraffic() throws {
        let directory = try TemporaryDirectory()
        try makeSession(at: directory.path("a"), run: "r_000001", untaggedBodies: ["a0", "a1"])
        try makeSession(at: directory.path("b"), run: "r_000002", untaggedBodies: ["b0"])
        let merged = directory.path("merged")
        let summaries = try SessionMerge.merge(
            [directory.path("a"), directory.path("b")],
            into: merged,
            toolVersion: "2"
        )
        #expect(summaries.map(\.fileName) == ["_default.jsonl.gz", "r_000001.jsonl.gz", "r_000002.jsonl.gz"])
        #expect(
            FileManager.default.contents(atPath: merged + "/r_000002.jsonl.gz")
                == FileManager.default.contents(atPath: directory.path("b") + "/r_000002.jsonl.gz")
        )
        let untagged = try Cassette.load(path: merged + "/_default.jsonl.gz")
        #expect(untagged.isComplete && untagged.problems.isEmpty)
        #expect(
            untagged.exchanges.map { String(decoding: $0.response.bodyBytes, as: UTF8.self) } == ["a0", "a1", "b0"]
        )
        #expect(untagged.exchanges.map(\.seq) == [0, 1, 2])
        let index = try JSONParser.parse(SessionDirectory.read(merged + "/index.json"))
        #expect(index["runs"]?.arrayValue?.compactMap { $0["file"]?.stringValue } == summaries.map(\.fileName))
        #expect(
            index["config"]?["sessions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == [
                "r_000001", "r_000002",
            ]
        )
    }

    /// A run whose cassette is in two sessions is refused, naming the cassette.
    @Test func refusesARunInTwoSessions() throws {
        let directory = try TemporaryDirectory()
        try makeSession(at: directory.path("a"), run: "r_000001", untaggedBodies: [])
        try makeSession(at: directory.path("b"), run: "r_000001", untaggedBodies: [])
        do {
            try SessionMerge.merge(
                [directory.path("a"), directory.path("b")],
                into: directory.path("m"),
                toolVersion: "2"
            )
            Issue.record("the merge of two sessions holding r_000001 succeeded")
        } catch {
            #expect(error.code == .conflict)
            #expect(error.description.contains("r_000001.jsonl.gz is in both"))
        }
    }
}
