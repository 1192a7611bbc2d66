/// Builds the MAESTRO PROMPTs of edit branches from the compose prompt's Style, Key, Tempo and Role
/// (service-contracts.md §2.3). `Mode: compose` is on purpose: it keeps the Agent-Teams path, which generates notes
/// on top of the project snapshot the request carries.
enum EditPrompt {
    /// The edit motives, taken in turn.
    static let motives = [
        "tighten the bass groove and add subtle syncopation",
        "add ghost notes and a fill at the end of each phrase",
        "answer the main motif with a call-and-response line",
        "brighten the voicings and open up the chord spacing",
        "switch to a half-time feel in the second half",
        "add a walking line that outlines the changes",
        "arpeggiate the harmony in steady eighth notes",
        "double the hook an octave up for the last bars",
        "thin the texture and leave space on the downbeats",
        "push the energy with busier hi-hats and accents",
    ]

    /// The roles the edit regenerates: one of the prompt's roles in turn (two roles when it names none).
    static func roles(for prompt: Prompt, number: Int) -> [String] {
        let roles = prompt.roles.isEmpty ? ["bass", "drums"] : prompt.roles
        return [roles[(max(1, number) - 1) % roles.count]]
    }

    /// The edit prompt for edit `number` (1-based), named `name` in the request text.
    static func build(from prompt: Prompt, number: Int, name: String) -> String {
        let motive = motives[(max(1, number) - 1) % motives.count]
        let roles = roles(for: prompt, number: number)
        return """
            MAESTRO PROMPT
            Mode: compose
            Style: \(prompt.style)
            Key: \(prompt.key)
            Tempo: \(prompt.tempo)
            Role: [\(roles.joined(separator: ", "))]
            Constraints:
              bars: 4
            Request: |
              Build on the existing composition shown in the project state.
              MOTIVE EDIT (\(name)): \(motive).

            """
    }
}
