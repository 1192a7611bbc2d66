import Hashing
import JSON

/// `/api/v1/protocol*` and `/api/v1/openapi.json`: a description of the event registry (service-contracts.md §3.5, §6).
enum ProtocolDescription {
    /// Every event type the stream registry knows, in registry order.
    static let eventFields: [(String, [String])] = [
        ("state", ["state", "intent", "confidence", "traceId", "executionMode"]),
        ("status", ["message", "agentId", "sectionName"]),
        ("reasoning", ["content", "agentId", "sectionName"]),
        ("reasoningEnd", ["agentId", "sectionName"]),
        ("content", ["content"]),
        ("error", ["message", "traceId", "code"]),
        ("plan", ["planId", "title", "steps"]),
        ("planStepUpdate", ["stepId", "status", "phase", "result", "agentId"]),
        (
            "preflight",
            ["stepId", "agentId", "agentRole", "label", "toolName", "parallelGroup", "confidence", "trackColor"]
        ),
        ("toolStart", ["name", "label", "phase", "agentId", "sectionName"]),
        ("toolCall", ["id", "name", "params", "label", "phase", "proposal", "agentId", "sectionName"]),
        ("toolError", ["name", "error", "errors", "agentId", "sectionName"]),
        ("generatorStart", ["role", "agentId", "style", "bars", "startBeat", "label", "sectionName"]),
        ("generatorComplete", ["role", "agentId", "noteCount", "durationMs", "sectionName"]),
        ("agentComplete", ["agentId", "success"]),
        ("summary", ["tracks", "regions", "notes", "effects"]),
        (
            "summary.final",
            [
                "traceId", "trackCount", "tracksCreated", "tracksReused", "regionsCreated", "notesGenerated",
                "effectsAdded", "effectCount", "sendsCreated", "ccEnvelopes", "automationLanes", "text",
            ]
        ),
        (
            "meta",
            [
                "variationId", "baseStateId", "intent", "aiExplanation", "affectedTracks", "affectedRegions",
                "noteCounts",
            ]
        ),
        (
            "phrase",
            [
                "phraseId", "trackId", "regionId", "startBeat", "endBeat", "label", "tags", "explanation",
                "noteChanges",
                "ccEvents", "pitchBends", "aftertouch",
            ]
        ),
        ("done", ["variationId", "phraseCount", "status"]),
        (
            "complete",
            [
                "success", "traceId", "inputTokens", "contextWindowTokens", "toolCalls", "stateVersion", "variationId",
                "phraseCount", "totalChanges", "error", "warnings",
            ]
        ),
        ("mcp.message", ["payload"]),
        ("mcp.ping", []),
    ]

    static var summary: JSONValue {
        let types = eventFields.map(\.0)
        return [
            "protocolVersion": .string(EventStream.protocolVersion),
            "protocolHash": .string(String(SHA256.hash(types.joined(separator: ",")).hex.prefix(16))),
            "eventTypes": .strings(types), "eventCount": .int(types.count),
        ]
    }

    static var eventSchemas: JSONValue {
        .object(
            JSONObject(
                eventFields.map { type, fields in
                    let properties = JSONObject(
                        (["type", "seq", "protocolVersion"] + fields).map { ($0, ["title": .string($0)]) }
                    )
                    return (
                        type,
                        [
                            "title": .string(type), "type": "object", "properties": .object(properties),
                            "required": ["type", "seq", "protocolVersion"],
                        ]
                    )
                }
            )
        )
    }

    static var schema: JSONValue {
        [
            "protocolVersion": .string(EventStream.protocolVersion), "events": eventSchemas,
            "enums": [
                "state": ["reasoning", "editing", "composing"], "executionMode": ["variation", "apply", "reasoning"],
                "planStepStatus": ["pending", "active", "completed", "failed", "skipped"],
                "phase": ["setup", "composition", "arrangement", "soundDesign", "expression", "mixing"],
            ],
            "tools": .strings([
                "stori_set_tempo", "stori_set_key", "stori_add_midi_track", "stori_set_track_icon",
                "stori_add_midi_region",
                "stori_add_notes", "stori_clear_notes", "stori_add_midi_cc", "stori_add_pitch_bend",
                "stori_add_aftertouch",
                "stori_add_insert_effect", "stori_ensure_bus", "stori_add_send", "stori_set_track_volume",
                "stori_set_track_pan",
            ]),
        ]
    }

    static var openAPI: JSONValue {
        let paths = [
            "/", "/api/v1/health", "/api/v1/health/full", "/api/v1/validate-token", "/api/v1/maestro/prompts",
            "/api/v1/maestro/prompts/{prompt_id}", "/api/v1/maestro/ui/placeholders", "/api/v1/maestro/stream",
            "/api/v1/protocol", "/api/v1/muse/variations", "/api/v1/muse/head", "/api/v1/muse/log",
            "/api/v1/muse/checkout", "/api/v1/muse/merge",
        ]
        return [
            "openapi": "3.1.0",
            "info": ["title": "Maestro (tdf stack simulator)", "version": .string(MaestroService.version)],
            "paths": .object(JSONObject(merging: paths.map { ($0, [:]) })),
        ]
    }
}
