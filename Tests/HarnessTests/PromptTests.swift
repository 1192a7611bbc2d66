import Foundation
import HTTPTransport
import HTTPWire
import JSON
import Testing

@testable import Harness

@Suite struct PromptTests {
    static let fullPrompt = """
        MAESTRO PROMPT
        Mode: compose
        Section: verse
        Style: lofi hip hop
        Key: Cm
        Tempo: 75 bpm
        Role: [drums, bass, piano]
        Request: |
          Dusty.
        """

    /// The catalogue's `{"prompts":[...]}` shape and a bare list both parse, with every text field fallback.
    @Test func parsesBothResponseShapes() throws {
        let wrapped = try #require(
            (try? JSONParser.parse(
                #"{"prompts":[{"id":"a","title":"A","fullPrompt":"MAESTRO PROMPT\nStyle: x"}]}"#,
                options: .python
            ))
        )
        #expect(PromptClient.parse(wrapped).map(\.id) == ["a"])
        let bare = try #require(
            (try? JSONParser.parse(
                #"[{"id":"b","full_prompt":"one"},{"id":"c","text":"two"},{"id":"d","prompt":"three"},{"id":"e"}]"#,
                options: .python
            ))
        )
        let prompts = PromptClient.parse(bare)
        #expect(prompts.map(\.id) == ["b", "c", "d"])
        #expect(prompts.map(\.text) == ["one", "two", "three"])
    }

    /// Selection is `stable_hash(sorted ids, seed)`: the service's order does not matter, the seed does.
    @Test func selectionIgnoresOrderAndFollowsTheSeed() {
        let prompts = (1...7).map { Prompt(id: "p\($0)", title: "", text: "") }
        let chosen = PromptClient.select(prompts, seed: 1337, runID: "r_000001")
        #expect(PromptClient.select(prompts.reversed(), seed: 1337, runID: "r_000001") == chosen)
        let picks = Set((1...20).compactMap { PromptClient.select(prompts, seed: UInt64($0), runID: "r_000001")?.id })
        #expect(picks.count > 1)
        #expect(PromptClient.select([], seed: 1, runID: "r_000001") == nil)
    }

    /// Style, Key, Tempo and Role are re-read from the prompt text, whatever the list syntax.
    @Test func readsMusicalParameters() {
        let prompt = Prompt(id: "x", title: "", text: Self.fullPrompt)
        #expect(prompt.style == "lofi hip hop")
        #expect(prompt.key == "Cm")
        #expect(prompt.tempo == 75)
        #expect(prompt.roles == ["drums", "bass", "piano"])
        #expect(Prompt(id: "y", title: "", text: "MAESTRO PROMPT\nrole: keys, pad\n").roles == ["keys", "pad"])
        #expect(
            Prompt(id: "z", title: "", text: "MAESTRO PROMPT\nRole:\n  - bass\n  - lead\nKey: F\n").roles == [
                "bass", "lead",
            ]
        )
        let empty = Prompt(id: "e", title: "", text: "just words")
        #expect(empty.style == "boom bap" && empty.key == "Am" && empty.tempo == 90 && empty.roles.isEmpty)
    }

    /// Edit prompts are MAESTRO PROMPTs in compose mode carrying the compose prompt's style, key, tempo and a role.
    @Test func editPromptsCarryTheComposeParameters() {
        let prompt = Prompt(id: "x", title: "", text: Self.fullPrompt)
        let edit = EditPrompt.build(from: prompt, number: 2, name: "B2")
        #expect(edit.hasPrefix("MAESTRO PROMPT\nMode: compose\n"))
        #expect(edit.contains("Style: lofi hip hop\nKey: Cm\nTempo: 75\nRole: [bass]\n"))
        #expect(edit.contains("MOTIVE EDIT (B2)"))
    }

    /// The prompt fetch sends the run headers but no token, saves the raw answer, falls back from the earlier
    /// harness's default route to the real one on 404, and keeps the service's message for other failures.
    @Test func fetchSendsRunHeadersWithoutTokenAndKeepsErrors() async throws {
        let fake = try FakeService { request in
            request.head.path == "/api/v1/maestro/prompts"
                ? jsonResponse(#"{"prompts":[{"id":"a","title":"A","fullPrompt":"MAESTRO PROMPT"}]}"#)
                : jsonResponse(404, #"{"detail":"Not Found"}"#)
        }
        let fixture = try ClientFixture(baseURL: fake.baseURL)
        let (prompt, _) = try await PromptClient(context: fixture.context).fetchAndSelect()
        #expect(prompt.id == "a")
        let request = try #require(fake.requests.first)
        #expect(request.head.headers["X-TDF-Run"] == "r_000001")
        #expect(request.head.headers["X-TDF-Ordinal"] == "1")
        #expect(request.head.headers["Authorization"] == nil)
        #expect(fixture.file("payloads/prompt_fetch/r_000001_1.json")?.contains("\"id\": \"a\"") == true)

        let client = HTTPClient()
        defer { client.close() }
        func context(promptPath: String) -> RunContext {
            var configuration = fixture.context.configuration
            configuration.endpoints.prompts = HTTPURL(string: fake.baseURL + promptPath)!
            return RunContext(
                identity: fixture.context.identity,
                scenario: .minimal,
                configuration: configuration,
                store: fixture.context.store,
                client: client,
                limits: fixture.context.limits,
                token: nil
            )
        }
        let legacy = context(promptPath: "/api/v1/prompts/random")
        #expect(try await PromptClient(context: legacy).fetchAndSelect().prompt.id == "a")
        #expect(fake.requests.suffix(2).map(\.head.target) == ["/api/v1/prompts/random", "/api/v1/maestro/prompts"])
        let other = context(promptPath: "/api/v1/catalogue")
        await #expect {
            try await PromptClient(context: other).fetchAndSelect()
        } throws: { error in
            let error = error as? HarnessError
            return error?.status == .promptError && error?.message.contains("404: Not Found") == true
        }
        await fake.stop()
    }
}
