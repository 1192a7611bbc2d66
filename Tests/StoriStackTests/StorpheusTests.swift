import HTTPWire
import JSON
import MIDI
import Testing

@testable import StoriStack

@Suite struct StorpheusTests {
    private static let request: JSONValue = [
        "genre": "boom_bap", "tempo": 92, "instruments": ["drums", "bass"], "bars": 2, "key": "Am",
        "unified_output": true, "composition_id": "comp-1", "trace_id": "abcdef0123456789", "seed": 42,
    ]

    /// `/health` answers; Storpheus has no `/health/full`.
    @Test func health() async throws {
        try await withStack { stack in
            let health = try await stack.get(stack.storpheus + "/health")
            #expect(health.text == #"{"status":"ok","service":"storpheus"}"#)
            #expect(try await stack.get(stack.storpheus + "/health/full").status == 404)
        }
    }

    /// A miss is queued, `/wait` returns the completed job with the documented result, the same request again
    /// is an immediate cache hit with a fresh jobId that `/jobs` does not know.
    @Test func missQueuesThenCacheHitIsImmediate() async throws {
        try await withStack { stack in
            let submitted = try await stack.post(stack.storpheus + "/generate", Self.request)
            #expect(submitted.status == 200)
            let job = try #require(submitted.json)
            #expect(job["status"] == "queued")
            #expect(job["position"] == .int(1))
            #expect(job["elapsed"] == .double(0.0))
            #expect(job.objectValue?.keys == ["jobId", "status", "position", "elapsed"])
            let id = try #require(job["jobId"]?.stringValue)
            let waited = try await stack.get(stack.storpheus + "/jobs/\(id)/wait?timeout=60")
            let done = try #require(waited.json)
            #expect(done["status"] == "complete")
            let result = try #require(done["result"])
            #expect(
                result.objectValue?.keys == ["success", "notes", "channel_notes", "tool_calls", "error", "metadata"]
            )
            #expect(result["success"] == .bool(true))
            #expect(result["tool_calls"] == .null)
            #expect(Set(result["channel_notes"]?.objectValue?.keys ?? []) == ["drums", "bass"])
            #expect(result["metadata"]?["cache_hit"] == .bool(false))
            #expect(result["metadata"]?["seed"] == .int(42))
            #expect(result["metadata"]?["program_changes"] == ["0": 33])
            let notes = result["notes"]?.arrayValue ?? []
            #expect(result["metadata"]?["note_count"] == .int(notes.count))
            #expect(notes.first?.objectValue?.keys == ["pitch", "startBeat", "durationBeats", "velocity"])
            #expect(try await stack.get(stack.storpheus + "/jobs/\(id)").json?["status"] == "complete")

            let hit = try #require(try await stack.post(stack.storpheus + "/generate", Self.request).json)
            #expect(hit["status"] == "complete")
            #expect(hit["jobId"] != .string(id))
            #expect(hit["result"]?["metadata"]?["cache_hit"] == .bool(true))
            #expect(hit["result"]?["notes"] == result["notes"])
            let unregistered = try await stack.get(stack.storpheus + "/jobs/\(hit["jobId"]?.stringValue ?? "")")
            #expect(unregistered.status == 404)
            #expect(unregistered.text == #"{"error":"Job not found"}"#)
        }
    }

    /// An identical request while the first is in flight returns the same job; a full queue answers 503 with
    /// `Retry-After: 30`.
    @Test func dedupeAndQueueFull() async throws {
        var configuration = testConfiguration()
        // Jobs take far longer than the test, so the queue cannot drain between submissions on a busy machine.
        configuration.generationLatencyMilliseconds = 60_000...60_000
        configuration.storpheusQueueSize = 2
        try await withStack(configuration) { stack in
            func submit(_ tempo: Int) async throws -> TestResponse {
                var body = Self.request.objectValue!
                body["tempo"] = .int(tempo)
                return try await stack.post(stack.storpheus + "/generate", .object(body))
            }
            let first = try #require(try await submit(100).json)
            let duplicate = try #require(try await submit(100).json)
            #expect(duplicate["jobId"] == first["jobId"])
            _ = try await submit(101)
            _ = try await submit(102)
            let full = try await submit(103)
            #expect(full.status == 503)
            #expect(full.headers["Retry-After"] == "30")
            #expect(full.text == #"{"error":"Generation queue is full — try again shortly"}"#)
            let status = try #require(try await stack.get(stack.storpheus + "/queue/status").json)
            #expect(status == ["depth": 2, "running": 1, "max_concurrent": 1, "max_queue": 2, "total_tracked": 3])
        }
    }

    /// `/wait` returns the current status when the timeout passes first; out-of-range timeouts are 422.
    @Test func waitTimeoutAndValidation() async throws {
        var configuration = testConfiguration()
        // The job runs far longer than the test, so it is still running whenever the one-second wait gives up.
        configuration.generationLatencyMilliseconds = 60_000...60_000
        try await withStack(configuration) { stack in
            let id = try #require(
                try await stack.post(stack.storpheus + "/generate", Self.request).json?["jobId"]?.stringValue
            )
            try await Self.awaitStatus("running", of: id, on: stack)
            let clock = ContinuousClock()
            let start = clock.now
            let waited = try await stack.get(stack.storpheus + "/jobs/\(id)/wait?timeout=1")
            #expect(start.duration(to: clock.now) >= .milliseconds(900))
            #expect(waited.json?["status"] == "running")
            for bad in ["0", "121", "abc"] {
                let response = try await stack.get(stack.storpheus + "/jobs/\(id)/wait?timeout=\(bad)")
                #expect(response.status == 422)
                #expect(response.json?["detail"]?[0]?["loc"] == ["query", "timeout"])
                #expect(response.json?["detail"]?[0]?["input"] == .string(bad))
            }
            let canceled = try await stack.post(stack.storpheus + "/jobs/\(id)/cancel", json: "")
            #expect(canceled.json?["status"] == "canceled")
            #expect(try await stack.get(stack.storpheus + "/jobs/\(id)").json?["status"] == "canceled")
            #expect(try await stack.get(stack.storpheus + "/jobs/nope/wait").status == 404)
            #expect(try await stack.post(stack.storpheus + "/jobs/nope/cancel", json: "").status == 404)
        }
    }

    /// Polls `/jobs/{id}` until the job has `status`, giving up after a minute (a safety net for a loaded machine).
    private static func awaitStatus(_ status: String, of id: String, on stack: TestStack) async throws {
        let clock = ContinuousClock()
        let giveUp = clock.now.advanced(by: .seconds(60))
        var seen: JSONValue?
        while clock.now < giveUp {
            seen = try await stack.get(stack.storpheus + "/jobs/\(id)").json?["status"]
            if seen == .string(status) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("job \(id) never reached \(status); last seen \(String(describing: seen))")
    }

    /// Artifacts: the listing is sorted with a path, an unknown composition is `{"files":[]}`, a file downloads as
    /// a real MIDI file with its media type and attachment disposition, a missing file is a 200 JSON error.
    @Test func artifacts() async throws {
        try await withStack { stack in
            let id = try #require(
                try await stack.post(stack.storpheus + "/generate", Self.request).json?["jobId"]?.stringValue
            )
            _ = try await stack.get(stack.storpheus + "/jobs/\(id)/wait?timeout=60")
            let listing = try await stack.get(stack.storpheus + "/artifacts/comp-1")
            #expect(listing.text == #"{"files":["b0_abcdef01.mid"],"path":"/data/cache/artifacts/comp-1"}"#)
            #expect(try await stack.get(stack.storpheus + "/artifacts/unknown").text == #"{"files":[]}"#)
            let file = try await stack.get(stack.storpheus + "/artifacts/comp-1/b0_abcdef01.mid")
            #expect(file.status == 200)
            #expect(file.headers["Content-Type"] == "audio/midi")
            #expect(file.headers["Content-Disposition"] == #"attachment; filename="b0_abcdef01.mid""#)
            let midi = try StandardMIDIFile(bytes: file.body)
            #expect(midi.tracks.count == 3)
            #expect(midi.notes.contains { $0.channel == 9 })
            #expect(abs(midi.tempoMap.seconds(atBeat: 92) - 60) < 0.01)
            let missing = try await stack.get(stack.storpheus + "/artifacts/comp-1/nope.mid")
            #expect(missing.status == 200)
            #expect(missing.headers["Content-Type"] == "application/json")
            #expect(missing.text == #"{"error":"Not found: nope.mid"}"#)
        }
    }

    /// Wrong field types are 422 with pydantic loc; malformed JSON is `json_invalid`; unknown routes 404/405.
    @Test func badRequests() async throws {
        try await withStack { stack in
            let wrong = try await stack.post(stack.storpheus + "/generate", ["tempo": "fast", "instruments": "drums"])
            #expect(wrong.status == 422)
            let errors = wrong.json?["detail"]?.arrayValue ?? []
            #expect(errors.compactMap { $0["type"]?.stringValue } == ["int_parsing", "list_type"])
            #expect(errors.first?["loc"] == ["body", "tempo"])
            let malformed = try await stack.post(stack.storpheus + "/generate", json: "{nope")
            #expect(malformed.json?["detail"]?[0]?["type"] == "json_invalid")
            #expect(try await stack.get(stack.storpheus + "/generate").status == 405)
            #expect(try await stack.get(stack.storpheus + "/nothing").text == #"{"detail":"Not Found"}"#)
        }
    }

    /// Finished jobs are purged after the retention period (`/jobs/{id}` then says 404); canceled jobs stay.
    @Test func finishedJobsArePurged() async throws {
        var configuration = testConfiguration()
        // Long enough for the wait below to see the finished job on a loaded machine; the purge is then polled for.
        configuration.jobRetention = .seconds(2)
        try await withStack(configuration) { stack in
            let id = try #require(
                try await stack.post(stack.storpheus + "/generate", Self.request).json?["jobId"]?.stringValue
            )
            #expect(try await stack.get(stack.storpheus + "/jobs/\(id)/wait?timeout=60").json?["status"] == "complete")
            var purged = try await stack.get(stack.storpheus + "/jobs/\(id)")
            let giveUp = ContinuousClock.now.advanced(by: .seconds(20))
            while purged.status != 404 && ContinuousClock.now < giveUp {
                try await Task.sleep(for: .milliseconds(100))
                purged = try await stack.get(stack.storpheus + "/jobs/\(id)")
            }
            #expect(purged.status == 404)
            #expect(purged.text == #"{"error":"Job not found"}"#)
        }
    }

    /// A compose stores its section's artifact under `/artifacts/<traceId>`.
    @Test func composeWritesArtifactsUnderTheTraceID() async throws {
        try await withStack { stack in
            let stream = try await stack.compose(prompt: maestroPrompt(roles: ["drums", "bass", "keys"]))
            let trace = try #require(stream.events.last?["traceId"]?.stringValue)
            let listing = try #require(try await stack.get(stack.storpheus + "/artifacts/\(trace)").json)
            #expect(listing["files"] == .array([.string("b0_\(trace.prefix(8)).mid")]))
            let file = try await stack.get(stack.storpheus + "/artifacts/\(trace)/b0_\(trace.prefix(8)).mid")
            let midi = try StandardMIDIFile(bytes: file.body)
            let streamed = stream.events.filter { $0["name"] == "stori_add_notes" }.reduce(0) {
                $0 + ($1.object("params")?["notes"]?.arrayValue?.count ?? 0)
            }
            #expect(midi.notes.count == streamed)
        }
    }
}
