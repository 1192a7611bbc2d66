import HTTPWire
import JSON
import Testing

@testable import StoriStack

/// `POST /variations` as the real Maestro answers it (fixture `real-maestro/exchanges.jsonl`, seq 51–106): only the
/// top-level fields are validated; phrases are read leniently, and what the models or Postgres reject is a 500.
@Suite struct MuseSaveVariationTests {
    /// A phrase with every field the real handler reads, for tests to spoil one field at a time.
    private static func phrase(_ changes: [String: JSONValue] = [:]) -> JSONObject {
        var phrase: JSONObject = [
            "phrase_id": "ph-1", "track_id": "k", "region_id": "k", "start_beat": 0.0, "end_beat": 8.0,
            "label": "k rewrite", "tags": [],
            "note_changes": [
                [
                    "note_id": "ignored", "change_type": "added", "before": .null,
                    "after": ["pitch": 60, "start_beat": 0.0, "duration_beats": 0.5, "velocity": 90],
                ]
            ],
            "cc_events": [], "pitch_bends": [], "aftertouch": [],
        ]
        for (key, value) in changes { phrase[key] = value }
        return phrase
    }

    private static func variation(_ id: String, phrases: [JSONObject], extra: [String: JSONValue] = [:]) -> JSONValue {
        var body: JSONObject = [
            "project_id": "p", "variation_id": .string(id), "intent": "compose",
            "phrases": .array(phrases.map(JSONValue.object)),
        ]
        for (key, value) in extra { body[key] = value }
        return .object(body)
    }

    /// `beat_range` is a `tuple[float, float]`: three items are one `too_long` error, one item a `missing` second
    /// item, a string a `tuple_type` (the recorded bodies of seq 51 and 89).
    @Test func beatRangeIsAPairOfNumbers() async throws {
        try await withStack { stack in
            let long = try await stack.muse(
                "variations",
                Self.variation("v1", phrases: [], extra: ["beat_range": [0, 4, 8]])
            )
            #expect(long.status == 422)
            #expect(
                long.text
                    == #"{"detail":[{"type":"too_long","loc":["body","beat_range"],"msg":"Tuple should have at most 2 items after validation, not 3","input":[0,4,8],"ctx":{"field_type":"Tuple","max_length":2,"actual_length":3}}]}"#
            )
            let short = try await stack.muse(
                "variations",
                Self.variation("v2", phrases: [], extra: ["beat_range": [1]])
            )
            #expect(
                short.text
                    == #"{"detail":[{"type":"missing","loc":["body","beat_range",1],"msg":"Field required","input":[1]}]}"#
            )
            let text = try await stack.muse(
                "variations",
                Self.variation("v3", phrases: [], extra: ["beat_range": "ab"])
            )
            #expect(
                text.text
                    == #"{"detail":[{"type":"tuple_type","loc":["body","beat_range"],"msg":"Input should be a valid tuple","input":"ab"}]}"#
            )
            let pair = try await stack.muse(
                "variations",
                Self.variation("v4", phrases: [], extra: ["beat_range": ["1", 2]])
            )
            #expect(pair.status == 200)
        }
    }

    /// A phrase must be an object (`dict_type`, seq 83); nothing inside it is validated.
    @Test func phrasesMustBeObjects() async throws {
        try await withStack { stack in
            let response = try await stack.muse(
                "variations",
                ["project_id": "p", "variation_id": "v", "intent": "compose", "phrases": [1]]
            )
            #expect(
                response.text
                    == #"{"detail":[{"type":"dict_type","loc":["body","phrases",0],"msg":"Input should be a valid dictionary","input":1}]}"#
            )
        }
    }

    /// Loose phrase contents are stored, not refused (seq 56, 78–80, 84, 85, 87): no `phrase_id`, non-object note
    /// changes, non-string tags, a string `start_beat`, a CC event without `cc` (0), a fractional pitch bend
    /// (truncated), a pitch written as a string, poly aftertouch with a `null` pitch (0); a checkout then plays
    /// them back that way.
    @Test func looseContentsAreCoercedAndStored() async throws {
        try await withStack { stack in
            var loose = Self.phrase([
                "tags": ["a", 1], "start_beat": "4",
                "note_changes": [
                    1,
                    [
                        "change_type": "added", "before": .null,
                        "after": ["pitch": "60", "start_beat": 0, "duration_beats": 1],
                    ],
                ],
                "cc_events": [["beat": 0.0, "value": 3]], "pitch_bends": [["beat": 0.0, "value": 12.7]],
                "aftertouch": [["beat": 1.0, "value": 5, "pitch": .null]],
            ])
            loose["phrase_id"] = nil
            let saved = try await stack.muse("variations", Self.variation("loose", phrases: [loose]))
            #expect(saved.text == #"{"variation_id":"loose"}"#)
            let checkout = try await stack.muse("checkout", ["project_id": "p", "target_variation_id": "loose"])
            let events = checkout.json?["execution"]?["events"]?.arrayValue ?? []
            #expect(
                events.compactMap { $0["params"] } == [
                    [
                        "regionId": "k",
                        "notes": [["pitch": 60, "startBeat": 0.0, "durationBeats": 1.0, "velocity": 100]],
                    ],
                    ["regionId": "k", "cc": 0, "events": [["cc": 0, "beat": 0.0, "value": 3]]],
                    ["regionId": "k", "events": [["beat": 0.0, "value": 12]]],
                    ["regionId": "k", "events": [["beat": 1.0, "value": 5, "pitch": 0]]],
                ]
            )
        }
    }

    /// Ids that are not strings are stored as Python's `str()` of them: the region `["a", 1]` is `['a', 1]` in
    /// `/log`, a `null` one `None`.
    @Test func nonStringIdsAreStoredAsPythonText() async throws {
        try await withStack { stack in
            let listRegion = Self.phrase(["phrase_id": "ph-a", "region_id": ["a", 1]])
            let nullRegion = Self.phrase(["phrase_id": "ph-b", "region_id": .null])
            #expect(
                try await stack.muse("variations", Self.variation("v", phrases: [listRegion, nullRegion])).status == 200
            )
            let log = try await stack.get(stack.maestro + "/api/v1/muse/log?project_id=p", token: stack.token())
            #expect(log.json?["nodes"]?[0]?["regions"] == ["None", "['a', 1]"])
        }
    }

    /// What `MidiNoteSnapshot` or Postgres refuses is a bare 500 (seq 81, 82): channel 20, velocity 90.5, and a
    /// `conversation_id`, `track_id` or `region_id` over 36 characters or a `label` over 255; at the limits, 200.
    @Test func snapshotRangesAndColumnWidthsAre500s() async throws {
        try await withStack { stack in
            let note: JSONObject = ["pitch": 60, "start_beat": 0, "duration_beats": 1]
            func change(_ key: String, _ value: JSONValue) -> [String: JSONValue] {
                var after = note
                after[key] = value
                return ["note_changes": [["change_type": "added", "after": .object(after)]]]
            }
            let long = String(repeating: "r", count: 37)
            let failures: [(String, JSONValue)] = [
                ("channel", Self.variation("ch20", phrases: [Self.phrase(change("channel", 20))])),
                ("velocity", Self.variation("v905", phrases: [Self.phrase(change("velocity", 90.5))])),
                ("conversation", Self.variation("cv", phrases: [], extra: ["conversation_id": .string(long)])),
                ("track", Self.variation("tr", phrases: [Self.phrase(["track_id": .string(long)])])),
                ("region", Self.variation("rg", phrases: [Self.phrase(["region_id": .string(long)])])),
                (
                    "label",
                    Self.variation("lb", phrases: [Self.phrase(["label": .string(String(repeating: "l", count: 256))])])
                ),
            ]
            for (name, body) in failures {
                let response = try await stack.muse("variations", body)
                #expect(response.status == 500, "\(name)")
                #expect(response.text == "Internal Server Error", "\(name)")
            }
            let widest = Self.variation(
                String(repeating: "v", count: 36),
                phrases: [
                    Self.phrase(
                        [
                            "phrase_id": .string(String(repeating: "p", count: 36)),
                            "track_id": .string(String(repeating: "t", count: 36)),
                            "region_id": .string(String(repeating: "r", count: 36)),
                            "label": .string(String(repeating: "l", count: 255)),
                        ].merging(change("channel", 15)) { $1 }
                    )
                ],
                extra: ["conversation_id": .string(String(repeating: "c", count: 36))]
            )
            #expect(try await stack.muse("variations", widest).status == 200)
        }
    }

    /// A body not declared as JSON (no `Content-Type`, or `text/plain`) reaches the model as text: 422
    /// `model_attributes_type` with the text as input (seq 105, 106), and nothing is stored.
    @Test func bodyNotDeclaredAsJSONIs422() async throws {
        try await withStack { stack in
            let body = #"{"project_id": "p", "variation_id": "tp", "intent": "compose"}"#
            let expected =
                #"{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":"{\"project_id\": \"p\", \"variation_id\": \"tp\", \"intent\": \"compose\"}"}]}"#
            for contentType in [nil, "text/plain"] as [String?] {
                var headers: HTTPHeaders = ["Authorization": "Bearer \(stack.token())"]
                if let contentType { headers.append(name: "Content-Type", value: contentType) }
                let response = try await stack.request(
                    "POST",
                    stack.maestro + "/api/v1/muse/variations",
                    body: Array(body.utf8),
                    headers: headers
                )
                #expect(response.status == 422)
                #expect(response.text == expected)
            }
            let declared = try await stack.post(
                stack.maestro + "/api/v1/muse/variations",
                json: body,
                token: stack.token()
            )
            #expect(declared.status == 200)
        }
    }

    /// A known path written with a trailing slash is a 307 to the absolute URL without it (seq 104), before
    /// authentication, with an empty body; nothing is stored.
    @Test func trailingSlashRedirects() async throws {
        try await withStack { stack in
            let response = try await stack.request(
                "POST",
                stack.maestro + "/api/v1/muse/variations/?x=1",
                body: Array(#"{"project_id": "p", "variation_id": "slash", "intent": "compose"}"#.utf8),
                headers: ["Content-Type": "application/json"]
            )
            #expect(response.status == 307)
            #expect(response.headers["Location"] == stack.maestro + "/api/v1/muse/variations?x=1")
            #expect(response.headers["Content-Type"] == nil)
            #expect(response.body.isEmpty)
            let log = try await stack.get(stack.maestro + "/api/v1/muse/log?project_id=p", token: stack.token())
            #expect(log.json?["nodes"] == [])
            let unknown = try await stack.request("GET", stack.maestro + "/api/v1/muse/nothing/")
            #expect(unknown.status == 404)
        }
    }

    /// A repeated query parameter counts by its last value (seq 97).
    @Test func repeatedQueryParameterTakesTheLast() async throws {
        try await withStack { stack in
            _ = try await stack.muse("variations", Self.variation("v", phrases: []))
            let log = try await stack.get(
                stack.maestro + "/api/v1/muse/log?project_id=zz&project_id=p",
                token: stack.token()
            )
            #expect(log.json?["projectId"] == "p")
            #expect(log.json?["nodes"]?.arrayValue?.count == 1)
        }
    }
}
