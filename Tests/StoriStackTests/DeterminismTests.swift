import JSON
import Testing

@testable import StoriStack

@Suite struct DeterminismTests {
    private static func run(seed: UInt64, prompt: String) async throws -> (stream: [UInt8], muse: String, jobs: String)
    {
        try await withStack(testConfiguration(seed: seed)) { stack in
            let stream = try await stack.compose(prompt: prompt, conversationID: testConversation)
            _ = try await stack.muse("variations", ["project_id": "p", "variation_id": "root", "intent": "root"])
            _ = try await stack.muse(
                "variations",
                ["project_id": "p", "variation_id": "a", "intent": "a", "parent_variation_id": "root"]
            )
            _ = try await stack.muse(
                "variations",
                ["project_id": "p", "variation_id": "b", "intent": "b", "parent_variation_id": "root"]
            )
            let merge = try await stack.muse(
                "merge",
                ["project_id": "p", "left_id": "a", "right_id": "b", "conversation_id": .string(testConversation)]
            )
            let log = try await stack.get(stack.maestro + "/api/v1/muse/log?project_id=p", token: stack.token())
            let job = try await stack.post(stack.storpheus + "/generate", ["genre": "house", "bars": 1])
            return (stream.raw, merge.text + log.text, job.text)
        }
    }

    /// The same seed and the same requests give byte-identical streams and bodies on two separate stacks.
    @Test func sameSeedSameBytes() async throws {
        let prompt = try #require(PromptCatalogue.items.first { $0.id == "synthwave_night_drive" }).fullPrompt
        let first = try await Self.run(seed: 42, prompt: prompt)
        let second = try await Self.run(seed: 42, prompt: prompt)
        let identical = first.stream == second.stream
        #expect(identical)
        #expect(first.muse == second.muse)
        #expect(first.jobs == second.jobs)
        #expect(first.stream.count > 10_000)
    }

    /// A different seed changes the ids and the notes.
    @Test func differentSeedDifferentNotes() async throws {
        let prompt = maestroPrompt(roles: ["drums", "bass", "keys", "melody"], bars: 4)
        let a = try await withStack(testConfiguration(seed: 1)) { try await $0.compose(prompt: prompt) }
        let b = try await withStack(testConfiguration(seed: 2)) { try await $0.compose(prompt: prompt) }
        func notes(_ stream: TestStream) -> [JSONValue] {
            stream.events.filter { $0["name"] == "stori_add_notes" }.compactMap { $0.object("params")?["notes"] }
        }
        #expect(notes(a) != notes(b))
        #expect(a.events.first?["traceId"] != b.events.first?["traceId"])
        #expect(a.types == b.types)
    }

    /// Concurrent streams on other store keys do not shift a stream's ids: alone or among others, the bytes match.
    @Test func concurrentTrafficDoesNotPerturbIDs() async throws {
        let prompt = maestroPrompt(roles: ["bass", "drums"])
        let alone = try await withStack(testConfiguration(seed: 5)) { stack in
            try await stack.compose(prompt: prompt, conversationID: testConversation).raw
        }
        let crowded = try await withStack(testConfiguration(seed: 5)) { stack in
            async let noise1 = stack.compose(
                prompt: prompt,
                conversationID: "11111111-2222-4333-8444-555555555555",
                token: stack.token(subject: "n1")
            )
            async let noise2 = stack.compose(prompt: maestroPrompt(roles: ["keys"]), token: stack.token(subject: "n2"))
            async let target = stack.compose(prompt: prompt, conversationID: testConversation)
            _ = try await (noise1, noise2)
            return try await target.raw
        }
        let identical = alone == crowded
        #expect(identical)
    }

    /// The second identical request on a store key gets new ids (the counter is scoped to that key and request).
    @Test func repeatedRequestGetsNewTrace() async throws {
        try await withStack { stack in
            let prompt = maestroPrompt(roles: ["bass"])
            let first = try await stack.compose(prompt: prompt, conversationID: testConversation)
            let second = try await stack.compose(prompt: prompt, conversationID: testConversation)
            #expect(first.events.first?["traceId"] != second.events.first?["traceId"])
            #expect(streamViolations(second.events).isEmpty)
        }
    }
}
