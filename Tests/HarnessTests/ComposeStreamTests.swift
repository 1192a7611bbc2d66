import Foundation
import HTTPTransport
import HTTPWire
import JSON
import Testing

@testable import Harness

/// A small compose stream following service-contracts.md §3.7: state, track, region, notes (wire names), phrase,
/// complete.
func composeFrames(
    toolNames: (track: String, region: String, notes: String) = (
        "stori_add_midi_track", "stori_add_midi_region", "stori_add_notes"
    )
) -> [String] {
    let events = [
        ##"{"type":"state","seq":0,"protocolVersion":"0.1.4","state":"composing","intent":"compose.generate_music","confidence":0.99,"traceId":"trace-1","executionMode":"variation"}"##,
        ##"{"type":"toolCall","seq":1,"protocolVersion":"0.1.4","id":"toolu_A","name":"\##(toolNames.track)","params":{"name":"Bass","gmProgram":33,"trackId":"trk-1","color":"#E85D75","icon":"guitars"},"phase":"setup"}"##,
        ##"{"type":"toolCall","seq":2,"protocolVersion":"0.1.4","id":"toolu_B","name":"\##(toolNames.region)","params":{"trackId":"trk-1","startBeat":0,"durationBeats":16,"name":"Bass","regionId":"reg-1"},"phase":"setup"}"##,
        ##"{"type":"generatorComplete","seq":3,"protocolVersion":"0.1.4","role":"bass","agentId":"bass","noteCount":2,"durationMs":5}"##,
        ##"{"type":"toolCall","seq":4,"protocolVersion":"0.1.4","id":"toolu_C","name":"\##(toolNames.notes)","params":{"trackId":"trk-1","regionId":"reg-1","notes":[{"pitch":45,"velocity":96,"startBeat":0.0,"durationBeats":0.75},{"pitch":52,"velocity":88,"startBeat":2.0,"durationBeats":1.0}]},"phase":"composition"}"##,
        ##"{"type":"phrase","seq":5,"protocolVersion":"0.1.4","phraseId":"ph","trackId":"trk-1","regionId":"reg-1","startBeat":0.0,"endBeat":16.0,"label":"Bars 1-4","tags":[],"noteChanges":[{"noteId":"n1","changeType":"added","after":{"pitch":45,"startBeat":0.0,"durationBeats":0.75,"velocity":96,"channel":0}},{"noteId":"n2","changeType":"added","after":{"pitch":52,"startBeat":2.0,"durationBeats":1.0,"velocity":88,"channel":0}}],"ccEvents":[],"pitchBends":[],"aftertouch":[]}"##,
        ##"{"type":"done","seq":6,"protocolVersion":"0.1.4","variationId":"var-1","phraseCount":1}"##,
        ##"{"type":"complete","seq":7,"protocolVersion":"0.1.4","success":true,"traceId":"trace-1","inputTokens":0,"contextWindowTokens":0,"variationId":"var-1","phraseCount":1,"totalChanges":2}"##,
    ]
    return events.map(dataFrame)
}

@Suite struct ComposeStreamTests {
    /// Track, region and note ids come from `params`, both tool-name spellings are understood, and MUSE phrases
    /// are built from the stream's phrase events in snake_case.
    @Test(arguments: [
        ("stori_add_midi_track", "stori_add_midi_region", "stori_add_notes"),
        ("addMidiTrack", "addMidiRegion", "addNotes"),
    ])
    func extractsTracksRegionsAndNotes(names: (String, String, String)) throws {
        var result = ComposeResult()
        for frame in composeFrames(toolNames: names) {
            let data = String(frame.dropFirst("data: ".count).dropLast(2))
            result.absorb(try JSONParser.parse(data, options: .python))
        }
        #expect(result.tracks == [ComposedTrack(trackID: "trk-1", name: "Bass", gmProgram: 33, isDrums: false)])
        #expect(result.regions.map(\.regionID) == ["reg-1"])
        #expect(result.notes["reg-1"]?.map(\.pitch) == [45, 52])
        #expect(result.succeeded && result.violations.isEmpty)
        #expect(result.traceID == "trace-1" && result.variationID == "var-1")
        let phrases = CommitBuilder.phrases(from: result, idPrefix: "ph-x")
        #expect(phrases.count == 1)
        #expect(phrases[0]["region_id"]?.stringValue == "reg-1")
        #expect(phrases[0]["note_changes"]?.arrayValue?.first?["after"]?["start_beat"] != nil)
    }

    /// A sequence gap, an event after complete and a first event other than state are contract violations.
    @Test func flagsSequenceViolations() throws {
        var result = ComposeResult()
        result.absorb(
            try #require(
                (try? JSONParser.parse(
                    #"{"type":"status","seq":0,"protocolVersion":"0.1.4","message":"x"}"#,
                    options: .python
                ))
            )
        )
        result.absorb(
            try #require(
                (try? JSONParser.parse(
                    #"{"type":"complete","seq":2,"protocolVersion":"0.1.4","success":true}"#,
                    options: .python
                ))
            )
        )
        result.absorb(try JSONParser.parse(#"{"type":"budgetUpdate","seq":3}"#, options: .python))
        #expect(result.violations.contains { $0.contains("not 'state'") })
        #expect(result.violations.contains { $0.contains("seq 2 where 1") })
        #expect(result.violations.contains { $0.contains("after complete") })
        #expect(result.violations.contains { $0.contains("unknown event type 'budgetUpdate'") })
    }

    /// The stream is parsed as it arrives (heartbeat comments included), the request carries the token and run
    /// headers, and raw plus parsed SSE payloads are saved.
    @Test func streamsWithHeadersAndSavesPayloads() async throws {
        let fake = try FakeService { _ in sseResponse([": heartbeat\n\n"] + composeFrames(), pause: .milliseconds(2)) }
        let fixture = try ClientFixture(baseURL: fake.baseURL)
        let result = try await ComposeClient(context: fixture.context).compose(
            label: "compose",
            prompt: "MAESTRO PROMPT\nMode: compose",
            project: nil,
            conversationID: "conv"
        )
        #expect(result.noteCount == 2 && result.heartbeats == 1)
        let request = try #require(fake.requests.first)
        #expect(request.head.headers["Authorization"] == "Bearer \(fixture.token)")
        #expect(request.head.headers["X-TDF-Run"] == "r_000001")
        let body = try JSONParser.parse(request.body, options: .python)
        #expect(body["conversationId"]?.stringValue == "conv")
        #expect(body["qualityPreset"]?.stringValue == "balanced")
        #expect(fixture.file("payloads/maestro_sse/r_000001_compose.sse")?.contains(": heartbeat") == true)
        #expect(fixture.file("payloads/maestro_sse/r_000001_compose.json")?.contains("\"complete\"") == true)
        #expect(!fixture.allText().contains(fixture.token))
        await fake.stop()
    }

    /// A stream cut before `complete` is a `maestro_error` naming the last events, and they are kept on disk.
    @Test func cutStreamKeepsTheLastEvents() async throws {
        let fake = try FakeService { _ in sseResponse(Array(composeFrames().prefix(3))) }
        let fixture = try ClientFixture(baseURL: fake.baseURL)
        await #expect {
            try await fixture.composeOnce()
        } throws: { error in
            let error = error as? HarnessError
            return error?.status == .maestroError && error?.message.contains("without 'complete'") == true
                && error?.message.contains("toolCall") == true
        }
        #expect(fixture.file("payloads/maestro_sse/r_000001_compose.json")?.contains("stori_add_midi_region") == true)
        await fake.stop()
    }

    /// A 401 before the stream fails the step with Maestro's own message.
    @Test func preStreamErrorKeepsTheServiceMessage() async throws {
        let fake = try FakeService { _ in
            jsonResponse(
                401,
                #"{"detail":"Invalid or expired access code."}"#,
                headers: [("WWW-Authenticate", "Bearer")]
            )
        }
        let fixture = try ClientFixture(baseURL: fake.baseURL)
        await #expect {
            try await fixture.composeOnce()
        } throws: { error in
            (error as? HarnessError)?.message.contains("401: Invalid or expired access code.") == true
        }
        await fake.stop()
    }

    /// A stream that stops sending for longer than the read timeout is a `timeout`.
    @Test func stalledStreamTimesOut() async throws {
        // The stall outlasts the 300 ms timeout by minutes, so a loaded machine cannot end it first; were the timeout
        // not applied, the stream would end without `complete` and fail as `maestro_error` instead.
        let fake = try FakeService { _ in
            sseResponse([composeFrames()[0], composeFrames()[1]], pause: .seconds(120))
        }
        let fixture = try ClientFixture(baseURL: fake.baseURL, maestroTimeout: .milliseconds(300))
        await #expect {
            try await fixture.composeOnce()
        } throws: { error in
            (error as? HarnessError)?.status == .timeout
        }
        await fake.stop()
    }

    /// The 200 concurrency-limit stream (no `state`) is retried, and the retry's stream is used.
    @Test func concurrencyLimitStreamIsRetried() async throws {
        let calls = RequestRecorder()
        let fake = try FakeService { request in
            calls.append(request)
            if calls.all.count == 1 {
                return sseResponse([
                    dataFrame(
                        #"{"type":"error","seq":0,"protocolVersion":"0.1.4","message":"User u has 2 active compositions (limit: 2)"}"#
                    ),
                    dataFrame(
                        #"{"type":"complete","seq":1,"protocolVersion":"0.1.4","success":false,"error":"Too many concurrent compositions (limit: 2)","traceId":"composition-limit","inputTokens":0,"contextWindowTokens":0}"#
                    ),
                ])
            }
            return sseResponse(composeFrames())
        }
        let fixture = try ClientFixture(baseURL: fake.baseURL)
        let result = try await fixture.composeOnce()
        #expect(result.succeeded)
        #expect(fake.requests.map { $0.head.headers["X-TDF-Ordinal"] } == ["1", "2"])
        await fake.stop()
    }

    /// A failed `complete` without an `error` field still fails with the warnings and preceding error events.
    @Test func failedCompleteUsesWarningsAndErrors() async throws {
        let fake = try FakeService { _ in
            sseResponse([
                composeFrames()[0],
                dataFrame(
                    #"{"type":"error","seq":1,"protocolVersion":"0.1.4","message":"Music generation service (Storpheus) is not responding."}"#
                ),
                dataFrame(
                    #"{"type":"complete","seq":2,"protocolVersion":"0.1.4","success":false,"traceId":"trace-1","inputTokens":0,"contextWindowTokens":0,"warnings":["no notes"]}"#
                ),
            ])
        }
        let fixture = try ClientFixture(baseURL: fake.baseURL)
        await #expect {
            try await fixture.composeOnce()
        } throws: { error in
            let error = error as? HarnessError
            return error?.status == .storpheusError && error?.message.contains("no notes") == true
        }
        await fake.stop()
    }
}
