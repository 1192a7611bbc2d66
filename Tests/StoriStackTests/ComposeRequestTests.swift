import HTTPWire
import JSON
import Testing

@testable import StoriStack

@Suite struct ComposeRequestTests {
    private static let url = "/api/v1/maestro/stream"

    /// Malformed JSON is a 422 `json_invalid` with Python's message and position, even without a token.
    @Test func malformedJSONIs422BeforeAuth() async throws {
        try await withStack { stack in
            let response = try await stack.post(stack.maestro + Self.url, json: #"{"prompt": "x",}"#)
            #expect(response.status == 422)
            #expect(
                response.text
                    == #"{"detail":[{"type":"json_invalid","loc":["body",15],"msg":"JSON decode error","input":{},"ctx":{"error":"Expecting property name enclosed in double quotes"}}]}"#
            )
            // The server keeps serving.
            #expect(try await stack.get(stack.maestro + "/api/v1/health").status == 200)
            let stream = try await stack.compose(prompt: maestroPrompt(roles: ["bass"]))
            #expect(stream.events.last?["type"] == "complete")
        }
    }

    /// A missing prompt is a pydantic `missing` error whose input is the whole body; auth comes first.
    @Test func missingPromptIs422AfterAuth() async throws {
        try await withStack { stack in
            let unauthenticated = try await stack.post(stack.maestro + Self.url, json: #"{"mode":"generate"}"#)
            #expect(unauthenticated.status == 401)
            let response = try await stack.post(
                stack.maestro + Self.url,
                json: #"{"mode":"generate"}"#,
                token: stack.token()
            )
            #expect(response.status == 422)
            #expect(
                response.text
                    == #"{"detail":[{"type":"missing","loc":["body","prompt"],"msg":"Field required","input":{"mode":"generate"}}]}"#
            )
            let empty = try await stack.request(
                "POST",
                stack.maestro + Self.url,
                headers: ["Authorization": "Bearer " + stack.token()]
            )
            #expect(
                empty.text == #"{"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}"#
            )
        }
    }

    /// Oversize, empty, mistyped and NUL-bearing prompts and bad optional fields are 422 with pydantic's types.
    @Test func schemaViolationsAre422() async throws {
        try await withStack { stack in
            let token = stack.token()
            let huge = String(repeating: "a", count: 32769)
            let cases: [(JSONValue, String, [JSONValue])] = [
                (["prompt": .string(huge)], "string_too_long", ["body", "prompt"]),
                (["prompt": ""], "string_too_short", ["body", "prompt"]),
                (["prompt": 42], "string_type", ["body", "prompt"]),
                (["prompt": "a\u{0}b"], "value_error", ["body", "prompt"]),
                (
                    ["prompt": "x", "conversationId": "NOT-A-UUID"], "string_pattern_mismatch",
                    ["body", "conversationId"]
                ),
                (["prompt": "x", "qualityPreset": "ultra"], "literal_error", ["body", "qualityPreset"]),
                (["prompt": "x", "storePrompt": "maybe"], "bool_parsing", ["body", "storePrompt"]),
                (["prompt": "x", "conversation_id": "abc"], "string_pattern_mismatch", ["body", "conversation_id"]),
                (["prompt", "x"], "model_attributes_type", ["body"]),
            ]
            for (body, type, loc) in cases {
                let response = try await stack.post(stack.maestro + Self.url, body, token: token)
                #expect(response.status == 422, "\(type)")
                let error = response.json?["detail"]?.arrayValue?.first
                #expect(error?["type"] == .string(type))
                #expect(error?["loc"] == .array(loc))
                #expect(error?["msg"]?.stringValue?.isEmpty == false)
            }
            let tooLong = try await stack.post(stack.maestro + Self.url, ["prompt": .string(huge)], token: token)
            #expect(tooLong.json?["detail"]?[0]?["ctx"] == ["max_length": 32768])
            let exactly = try await stack.compose(["prompt": .string(String(repeating: "a", count: 32768))])
            #expect(exactly.status == 200)
        }
    }

    /// A STORI PROMPT header is a 400 `invalid_prompt` naming the line found.
    @Test func storiHeaderIs400() async throws {
        try await withStack { stack in
            let response = try await stack.post(
                stack.maestro + Self.url,
                ["prompt": "\nStori Prompt\nMode: compose\n"],
                token: stack.token()
            )
            #expect(response.status == 400)
            #expect(
                response.text
                    == #"{"detail":{"error":"invalid_prompt","message":"Structured prompts must start with 'MAESTRO PROMPT'. Found: 'Stori Prompt'."}}"#
            )
        }
    }

    /// The 21st stream of a minute from one IP is a 429 with key `error`; requests rejected earlier do not count.
    @Test func rateLimitAppliesPerMinute() async throws {
        var configuration = testConfiguration()
        configuration.streamRateLimitPerMinute = 3
        try await withStack(configuration) { stack in
            for _ in 0..<5 {
                #expect(try await stack.post(stack.maestro + Self.url, json: "{}", token: stack.token()).status == 422)
            }
            for _ in 0..<3 {
                #expect(try await stack.compose(prompt: "What is a chord?").status == 200)
            }
            let limited = try await stack.post(stack.maestro + Self.url, ["prompt": "What?"], token: stack.token())
            #expect(limited.status == 429)
            #expect(limited.text == #"{"error":"Rate limit exceeded: 3 per 1 minute"}"#)
        }
    }

    /// A third concurrent composition of one user gets HTTP 200 with the two-frame error stream.
    @Test func concurrentCompositionLimitStream() async throws {
        var configuration = testConfiguration()
        // The first two are held open (their first event read) while generating for 3 s, so the third surely
        // meets two active compositions, however slow the machine.
        configuration.generationLatencyMilliseconds = 3000...3000
        try await withStack(configuration) { stack in
            let token = stack.token(subject: "carol")
            let prompt = maestroPrompt(roles: ["bass"])
            var first = try await stack.openStream(prompt: prompt, token: token, conversationID: testConversation)
            var second = try await stack.openStream(prompt: prompt, token: token)
            #expect(first.firstType == "state")
            #expect(second.firstType == "state")
            let third = try await stack.compose(prompt: prompt, token: token)
            #expect(third.status == 200)
            #expect(
                String(decoding: third.raw, as: UTF8.self)
                    == "data: {\"type\":\"error\",\"seq\":0,\"protocolVersion\":\"0.1.4\",\"message\":\"User carol has 2 active compositions (limit: 2)\"}\n\n"
                    + "data: {\"type\":\"complete\",\"seq\":1,\"protocolVersion\":\"0.1.4\",\"success\":false,\"traceId\":\"composition-limit\",\"inputTokens\":0,\"contextWindowTokens\":0,\"error\":\"Too many concurrent compositions (limit: 2)\"}\n\n"
            )
            let other = try await stack.compose(prompt: "What?", token: stack.token(subject: "dave"))
            #expect(other.events.first?["type"] == "state")
            #expect(try await first.lastEvent()?["success"] == .bool(true))
            #expect(try await second.lastEvent()?["success"] == .bool(true))
            let after = try await stack.compose(prompt: "What?", token: token)
            #expect(after.events.first?["type"] == "state")
        }
    }

    /// A user budget under one cent answers 402 with the documented detail object.
    @Test func budgetBelowOneCentIs402() async throws {
        var configuration = testConfiguration()
        configuration.faults = [try StackFault(parsing: "budget=0")]
        try await withStack(configuration) { stack in
            let response = try await stack.post(stack.maestro + Self.url, ["prompt": "What?"], token: stack.token())
            #expect(response.status == 402)
            #expect(response.text == #"{"detail":{"message":"Insufficient budget","budgetRemaining":0.0}}"#)
        }
    }

    /// Control and invisible characters are stripped from the prompt (the `meta.intent` shows the clean text).
    @Test func promptIsSanitised() {
        #expect(ComposeRequest.sanitize("a\u{200B}b\u{7}c\nd\u{FEFF}") == "abc\nd")
    }
}
