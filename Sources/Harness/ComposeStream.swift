import Foundation
import HTTPTransport
import HTTPWire
import JSON
import Vocabulary

/// A track, region and notes as the compose stream created them.
struct ComposedTrack: Sendable, Equatable {
    var trackID: String
    var name: String
    var gmProgram: Int?
    var isDrums: Bool
}

/// A region created by `stori_add_midi_region` (ids from `params`, service-contracts.md §7.3).
struct ComposedRegion: Sendable, Equatable {
    var regionID: String
    var trackID: String
    var name: String
    var startBeat: Double
    var durationBeats: Double
}

/// A note as `stori_add_notes` carries it (region-relative beats).
struct WireNote: Sendable, Equatable {
    var pitch: Int
    var startBeat: Double
    var durationBeats: Double
    var velocity: Int

    /// Reads a note in camelCase or snake_case, filling absent fields as the server backfills them.
    init(json: JSONValue) {
        pitch = json["pitch"]?.intValue ?? 60
        startBeat = json.first("startBeat", "start_beat")?.doubleValue ?? 0
        durationBeats = json.first("durationBeats", "duration_beats")?.doubleValue ?? 1
        velocity = json["velocity"]?.intValue ?? 100
    }

    init(pitch: Int, startBeat: Double, durationBeats: Double, velocity: Int) {
        self.pitch = pitch
        self.startBeat = startBeat
        self.durationBeats = durationBeats
        self.velocity = velocity
    }

    /// The camelCase form of a project snapshot.
    var projectJSON: JSONValue {
        [
            "pitch": .int(pitch), "startBeat": .double(startBeat), "durationBeats": .double(durationBeats),
            "velocity": .int(velocity), "channel": 0,
        ]
    }

    /// The snake_case form of a MUSE note snapshot.
    var museJSON: JSONValue {
        [
            "pitch": .int(pitch), "start_beat": .double(startBeat), "duration_beats": .double(durationBeats),
            "velocity": .int(velocity), "channel": 0,
        ]
    }
}

/// Everything a compose stream said, gathered incrementally as its events arrived.
struct ComposeResult: Sendable {
    /// Every data event in order.
    var events: [JSONValue] = []
    /// Comment frames (heartbeats) seen.
    var heartbeats = 0
    /// `state.state`, `state.intent`, `state.executionMode`.
    var state: String?
    var intent: String?
    var executionMode: String?
    /// The stream's trace id (`state.traceId`, else `complete.traceId`).
    var traceID: String?
    var tracks: [ComposedTrack] = []
    var regions: [ComposedRegion] = []
    /// Notes per region id in the order they arrived.
    var notes: [String: [WireNote]] = [:]
    /// `generatorComplete` events: role and note count.
    var generators: [(role: String, noteCount: Int)] = []
    /// `phrase` events as sent.
    var phrases: [JSONValue] = []
    /// `meta.variationId` / `done.variationId` / `complete.variationId`.
    var variationID: String?
    /// The `complete` event, if one arrived.
    var complete: JSONValue?
    /// `error` event messages.
    var errors: [String] = []
    /// `toolError` messages.
    var toolErrors: [String] = []
    /// Sequence and framing problems (service-contracts.md §8).
    var violations: [String] = []
    /// Tool calls by name.
    var toolCalls: [String: Int] = [:]

    /// Whether `complete.success` is true.
    var succeeded: Bool { complete?["success"]?.boolValue == true }

    /// The total number of notes added.
    var noteCount: Int { notes.values.reduce(0) { $0 + $1.count } }

    /// The last few events (kept in failure messages).
    var lastEventTypes: [String] { events.suffix(5).compactMap { $0["type"]?.stringValue } }

    /// `complete.warnings`, if any.
    var warnings: [String] { complete?["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? [] }

    /// Whether this is the 200 "too many concurrent compositions" stream (service-contracts.md §3.8), which is retried.
    var isConcurrencyLimit: Bool {
        state == nil && complete?["traceId"]?.stringValue == "composition-limit"
    }

    private static let knownTypes: Set<String> = [
        "state", "status", "reasoning", "reasoningEnd", "content", "error", "plan", "planStepUpdate", "preflight",
        "toolStart", "toolCall", "toolError", "generatorStart", "generatorComplete", "agentComplete", "summary",
        "summary.final", "meta", "phrase", "done", "complete",
    ]

    /// Takes in one data event.
    mutating func absorb(_ event: JSONValue) {
        let type = event["type"]?.stringValue ?? ""
        let expectedSeq = events.count
        if complete != nil { violations.append("event '\(type)' after complete") }
        if let seq = event["seq"]?.intValue, seq != expectedSeq {
            violations.append("seq \(seq) where \(expectedSeq) was expected")
        } else if event["seq"] == nil {
            violations.append("event '\(type)' without seq")
        }
        if event["protocolVersion"] == nil { violations.append("event '\(type)' without protocolVersion") }
        if !Self.knownTypes.contains(type) { violations.append("unknown event type '\(type)'") }
        if events.isEmpty && type != "state" && type != "error" {
            violations.append("first event is '\(type)', not 'state'")
        }
        events.append(event)
        switch type {
        case "state":
            state = event["state"]?.stringValue
            intent = event["intent"]?.stringValue
            executionMode = event["executionMode"]?.stringValue
            traceID = event["traceId"]?.stringValue
        case "toolCall": absorbToolCall(event)
        case "toolError":
            toolErrors.append("\(event["name"]?.stringValue ?? "?"): \(event["error"]?.stringValue ?? "")")
        case "error": errors.append(event["message"]?.stringValue ?? event.compactText)
        case "generatorComplete":
            generators.append((event["role"]?.stringValue ?? "", event["noteCount"]?.intValue ?? 0))
        case "phrase": phrases.append(event)
        case "meta", "done": variationID = event["variationId"]?.stringValue ?? variationID
        case "complete":
            complete = event
            variationID = event["variationId"]?.stringValue ?? variationID
            if traceID == nil { traceID = event["traceId"]?.stringValue }
        default: break
        }
    }

    /// Tool calls in both spellings: the wire's `stori_*` and the older camelCase names
    /// (service-contracts.md §3.6, §7.2).
    private mutating func absorbToolCall(_ event: JSONValue) {
        let name = event["name"]?.stringValue ?? ""
        toolCalls[name, default: 0] += 1
        let params = event["params"] ?? .object(JSONObject())
        switch name {
        case "stori_add_midi_track", "addMidiTrack":
            guard let id = params.first("trackId", "track_id")?.stringValue else { return }
            let program = params.first("gmProgram", "gm_program")?.intValue
            let drums = params["_isDrums"]?.boolValue ?? params["isDrums"]?.boolValue ?? false
            tracks.append(
                ComposedTrack(
                    trackID: id,
                    name: params["name"]?.stringValue ?? id,
                    gmProgram: program.flatMap { (0...127).contains($0) ? $0 : nil },
                    isDrums: drums
                )
            )
        case "stori_add_midi_region", "addMidiRegion":
            guard let id = params.first("regionId", "region_id")?.stringValue else { return }
            regions.append(
                ComposedRegion(
                    regionID: id,
                    trackID: params.first("trackId", "track_id")?.stringValue ?? "",
                    name: params["name"]?.stringValue ?? id,
                    startBeat: params.first("startBeat", "start_beat")?.doubleValue ?? 0,
                    durationBeats: params.first("durationBeats", "duration_beats", "lengthBeats")?.doubleValue ?? 16
                )
            )
        case "stori_add_notes", "addNotes":
            guard let region = params.first("regionId", "region_id")?.stringValue else { return }
            let notes = (params["notes"]?.arrayValue ?? []).map(WireNote.init(json:))
            self.notes[region, default: []].append(contentsOf: notes)
        default: break
        }
    }

    /// The track a region belongs to.
    func track(ofRegion region: String) -> ComposedTrack? {
        guard let trackID = regions.first(where: { $0.regionID == region })?.trackID else { return nil }
        return tracks.first { $0.trackID == trackID }
    }
}

/// Opens the compose stream and parses its events as they arrive.
struct ComposeClient {
    let context: RunContext

    /// How messages name the stream: "compose" for the run's composition, "compose edit_b1" for another.
    static func name(_ label: String) -> String {
        label == "compose" ? "compose" : "compose \(label)"
    }

    /// Posts a compose request and reads the stream to its end. The raw frames and the parsed events are saved
    /// whatever happens, so a cut stream keeps its last events, and `received` is told how many data events each
    /// stream carried, also when the compose then fails. Throws for pre-stream errors (the service's message kept), a
    /// stream that breaks, never completes or completes without success, and a stalled read (`timeout`).
    func compose(
        label: String,
        prompt: String,
        project: JSONValue?,
        conversationID: String,
        received: (Int) -> Void = { _ in }
    ) async throws(HarnessError) -> ComposeResult {
        let url = context.configuration.endpoints.maestro
        let body: JSONValue = [
            "prompt": .string(prompt),
            "mode": "generate",
            "project": project ?? .null,
            "conversationId": .string(conversationID),
            "qualityPreset": .string(context.configuration.qualityPreset.rawValue),
            "storePrompt": false,
        ]
        var attempt = 1
        while true {
            let result = try await context.limits.maestro.withPermit { () async throws(HarnessError) -> ComposeResult in
                try await streamOnce(
                    url: url,
                    body: body,
                    label: attempt == 1 ? label : "\(label)_retry\(attempt)",
                    received: received
                )
            }
            guard result.isConcurrencyLimit, attempt < context.configuration.retry.maxAttempts else {
                return try check(result, label: label)
            }
            let delay = context.configuration.retry.delay(retry: attempt, retryAfter: nil)
            context.log("WARN", "\(Self.name(label)): concurrency limit reached; retrying in \(delay.secondsValue) s")
            context.announceWait(
                RunWait(runID: context.runID, delay: delay, reason: "maestro: compose concurrency limit reached")
            )
            do { try await context.configuration.retry.wait(delay) } catch {
                throw HarnessError(.timeout, "\(Self.name(label)): cancelled while waiting to retry")
            }
            attempt += 1
        }
    }

    private func check(_ result: ComposeResult, label: String) throws(HarnessError) -> ComposeResult {
        guard let complete = result.complete else {
            throw HarnessError(
                .maestro,
                "\(Self.name(label)): the stream ended after \(result.events.count) events without 'complete' "
                    + "(last: \(result.lastEventTypes.joined(separator: ", ")))"
            )
        }
        guard result.succeeded else {
            var reasons: [String] = []
            // The same reason often arrives as an `error` event, in `complete.error` and as a warning: say it once.
            for reason in [complete["error"]?.stringValue].compactMap(\.self) + result.errors + result.toolErrors
                + result.warnings where !reasons.contains(reason)
            {
                reasons.append(reason)
            }
            let text = reasons.isEmpty ? "no reason given" : reasons.joined(separator: "; ")
            let storpheus = reasons.contains { $0.localizedCaseInsensitiveContains("storpheus") }
            throw HarnessError(
                storpheus ? .storpheus : .maestro,
                "\(Self.name(label)): complete.success is false: \(text)"
            )
        }
        return result
    }

    private func streamOnce(
        url: HTTPURL,
        body: JSONValue,
        label: String,
        received: (Int) -> Void
    ) async throws(HarnessError) -> ComposeResult {
        context.payload(.maestroRequests, label, json: ["url": .string(url.description), "body": body])
        let (response, ordinal) = try await context.send(
            .maestro,
            method: "POST",
            url: url,
            body: body,
            readTimeout: context.configuration.maestroTimeout,
            accept: "text/event-stream"
        )
        let contentType = response.headers["Content-Type"] ?? ""
        guard response.status == 200, contentType.lowercased().hasPrefix("text/event-stream") else {
            let bytes = (try? await response.body.collect()) ?? []
            let reply = Reply(status: response.status, headers: response.headers, body: bytes)
            context.payload(
                .maestroSSE,
                "\(label).error.json",
                json: ["status": .int(reply.status), "body": reply.json ?? .string(reply.text)]
            )
            throw HarnessError(
                .maestro,
                "\(Self.name(label)): Maestro answered \(response.status): \(reply.serviceMessage)"
            )
        }
        var result = ComposeResult()
        var raw = ""
        let started = ContinuousClock.now
        var failure: HarnessError?
        do {
            for try await frame in response.body.sseFrames() {
                switch frame {
                case .comment(let text):
                    result.heartbeats += 1
                    raw += ": \(text)\n\n"
                case .event(let event):
                    raw +=
                        event.data.split(separator: "\n", omittingEmptySubsequences: false)
                        .map { "data: \($0)\n" }.joined() + "\n"
                    guard let json = try? JSONParser.parse(event.data, options: .python) else {
                        result.violations.append("data frame \(result.events.count) is not JSON")
                        continue
                    }
                    result.absorb(json)
                    context.emit(
                        .maestro,
                        "sse_event",
                        severity: "DEBUG",
                        data: [
                            "ordinal": .int(ordinal), "seq": json["seq"] ?? .null,
                            "type": json["type"] ?? .null,
                        ]
                    )
                    if json["type"]?.stringValue == "toolCall" {
                        context.emit(
                            .maestro,
                            "tool_call",
                            data: ["name": json["name"] ?? .null, "label": json["label"] ?? .null]
                        )
                    }
                }
            }
        } catch {
            let timedOut = (error as? HTTPClientError)?.kind == .readTimeout
            failure = HarnessError(
                timedOut ? .timeout : .maestro,
                "\(Self.name(label)): the stream broke after \(result.events.count) events "
                    + "(last: \(result.lastEventTypes.joined(separator: ", "))): \(error)"
            )
        }
        received(result.events.count)
        let elapsed = (ContinuousClock.now - started).wholeMilliseconds
        context.payload(.maestroSSE, "\(label).sse", text: raw)
        context.payload(.maestroSSE, "\(label)", json: .array(result.events))
        context.metric("maestro_stream_ms", Double(elapsed), unit: "ms", tags: ["label": .string(label)])
        context.metric(
            "maestro_stream_events",
            Double(result.events.count),
            unit: "count",
            tags: ["label": .string(label)]
        )
        context.metric(
            "maestro_stream_heartbeats",
            Double(result.heartbeats),
            unit: "count",
            tags: ["label": .string(label)]
        )
        context.emit(
            .maestro,
            "stream_complete",
            severity: failure == nil ? "INFO" : "ERROR",
            data: [
                "label": .string(label), "events": .int(result.events.count),
                "notes": .int(result.noteCount), "generators": .int(result.generators.count),
                "tracks": .int(result.tracks.count), "regions": .int(result.regions.count),
                "phrases": .int(result.phrases.count), "success": .bool(result.succeeded),
                "state": result.state.map { .string($0) } ?? .null,
                "violations": .array(result.violations.map { .string($0) }),
            ]
        )
        if let failure { throw failure }
        return result
    }
}
