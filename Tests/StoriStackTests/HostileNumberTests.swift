import Foundation
import JSON
import StoriStack
import Testing

/// Numbers a client may write that no `Int` can hold (1e300 is valid JSON and valid YAML) reach the simulator's
/// arithmetic without trapping: each request gets an answer, and the stack keeps serving.
@Suite struct HostileNumberTests {
    /// A huge Storpheus emotion axis, a huge prompt tempo, and a huge region in an edit's project snapshot.
    @Test func hugeNumbersGetAnswers() async throws {
        try await withStack { stack in
            let generate = try await stack.post(
                stack.storpheus + "/generate",
                json: #"{"genre":"boom_bap","tempo":92,"bars":2,"emotion_vector":{"energy":1e300,"valence":-1e300}}"#
            )
            #expect((200..<500).contains(generate.status), "\(generate.text)")

            let tempo = try await stack.compose(
                prompt: maestroPrompt(roles: ["bass"]).replacingOccurrences(
                    of: "Tempo: 90",
                    with: "Tempo: 1e300"
                )
            )
            #expect(tempo.types.last == "complete", "\(tempo.types)")

            let project: JSONValue = [
                "id": "tdf-project", "tempo": 90, "key": "Am",
                "tracks": [
                    [
                        "id": "trk-1", "name": "Bass", "gmProgram": 33,
                        "regions": [["id": "reg-1", "startBeat": 1e300, "durationBeats": 1e300, "notes": []]],
                    ]
                ],
            ]
            let edit = try await stack.compose(prompt: maestroPrompt(mode: "edit", roles: ["bass"]), project: project)
            #expect(edit.types.last == "complete", "\(edit.types)")

            #expect(try await stack.get(stack.storpheus + "/health").status == 200)
        }
    }
}
