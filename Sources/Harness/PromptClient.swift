import Foundation
import HTTPTransport
import Hashing
import JSON
import Vocabulary

/// One catalogue prompt and the musical parameters the harness re-reads from its text.
struct Prompt: Sendable, Equatable {
    var id: String
    var title: String
    var text: String

    /// The `Style:` line (default `boom bap`).
    var style: String { Self.field("Style", in: text) ?? "boom bap" }
    /// The `Key:` line (default `Am`).
    var key: String { Self.field("Key", in: text) ?? "Am" }
    /// The `Tempo:` line as a number (default 90; text like `92 bpm` gives 92).
    var tempo: Int {
        guard let value = Self.field("Tempo", in: text) else { return 90 }
        let digits = value.prefix { $0.isNumber }
        guard let tempo = Int(digits), (20...300).contains(tempo) else { return 90 }
        return tempo
    }
    /// The `Role:` list: `[a, b]`, `a, b`, or YAML `- a` lines below it.
    var roles: [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let index = lines.firstIndex(where: { Self.key(of: $0) == "role" }) else { return [] }
        let inline = Self.value(of: lines[index])
        var roles: [String] = []
        if !inline.isEmpty {
            roles = inline.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        } else {
            for line in lines[(index + 1)...] {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix("- ") else { break }
                roles.append(String(trimmed.dropFirst(2)).trimmingCharacters(in: .whitespaces))
            }
        }
        return roles.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"'")) }.filter { !$0.isEmpty }
    }

    private static func key(of line: String) -> String? {
        guard !line.hasPrefix(" "), !line.hasPrefix("\t"), let colon = line.firstIndex(of: ":") else { return nil }
        return line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
    }

    private static func value(of line: String) -> String {
        guard let colon = line.firstIndex(of: ":") else { return "" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }

    /// The value of a top-level `Name:` line (case-insensitive), or nil when absent or empty.
    static func field(_ name: String, in text: String) -> String? {
        for line in text.split(separator: "\n").map(String.init) where key(of: line) == name.lowercased() {
            let value = value(of: line).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// The prompt as written to payloads.
    var json: JSONValue {
        ["id": .string(id), "title": .string(title), "fullPrompt": .string(text)]
    }
}

/// Fetches the prompt catalogue and selects one prompt deterministically.
struct PromptClient {
    let context: RunContext

    /// Parses either response shape: `{"prompts":[...]}` or a bare list; item text from
    /// `fullPrompt|full_prompt|text|prompt` (service-contracts.md §2.2).
    static func parse(_ json: JSONValue) -> [Prompt] {
        let items = json["prompts"]?.arrayValue ?? json.arrayValue ?? []
        return items.enumerated().compactMap { offset, item in
            if let text = item.stringValue { return Prompt(id: "prompt_\(offset)", title: "", text: text) }
            guard let text = item.first("fullPrompt", "full_prompt", "text", "prompt")?.stringValue else {
                return nil
            }
            let id =
                item["id"]?.stringValue ?? item["id"].flatMap { $0.intValue.map(String.init) } ?? "prompt_\(offset)"
            return Prompt(id: id, title: item["title"]?.stringValue ?? "", text: text)
        }
    }

    /// `stable_hash(sorted ids, seed) % N`: the same catalogue and seed always pick the same prompt, whatever
    /// order the service lists them in. The run id is mixed in so runs of one batch differ.
    static func select(_ prompts: [Prompt], seed: UInt64, runID: String) -> Prompt? {
        guard !prompts.isEmpty else { return nil }
        let sorted = prompts.sorted { $0.id < $1.id }
        let index = stableHash(sorted.map(\.id) + [String(seed), runID]) % UInt64(sorted.count)
        return sorted[Int(index)]
    }

    /// The route the earlier harness called by default, which the real server does not have
    /// (service-contracts.md §2.1).
    static let legacyRoute = "/api/v1/prompts/random"
    /// The real catalogue route.
    static let catalogueRoute = "/api/v1/maestro/prompts"

    /// Fetches the catalogue from `--prompt-endpoint` (no token), saves the raw answer and selects a prompt. When
    /// the endpoint is the earlier harness's default route and it answers 404, the real route on the same host is
    /// asked instead (service-contracts.md §7.1).
    func fetchAndSelect() async throws(HarnessError) -> (prompt: Prompt, catalogue: [Prompt]) {
        var url = context.configuration.endpoints.prompts
        var reply = try await fetch(url)
        if reply.status == 404, url.target == Self.legacyRoute {
            context.log("WARN", "\(Self.legacyRoute) answered 404; asking \(Self.catalogueRoute) instead")
            url = url.with(target: Self.catalogueRoute)
            reply = try await fetch(url)
        }
        guard reply.status == 200 else {
            throw HarnessError(.prompt, "prompt fetch \(url.target) answered \(reply.status): \(reply.serviceMessage)")
        }
        guard let json = reply.json else {
            throw HarnessError(.prompt, "prompt fetch \(url.target) answered 200 with a body that is not JSON")
        }
        let prompts = Self.parse(json)
        guard let prompt = Self.select(prompts, seed: context.identity.seed, runID: context.runID) else {
            throw HarnessError(.prompt, "prompt fetch \(url.target) returned no prompts")
        }
        return (prompt, prompts)
    }

    private func fetch(_ url: HTTPURL) async throws(HarnessError) -> Reply {
        let (reply, ordinal) = try await context.fetch(
            .prompts,
            method: "GET",
            url: url,
            readTimeout: context.configuration.promptTimeout
        )
        context.payload(
            .promptFetch,
            "\(ordinal)",
            json: [
                "status": .int(reply.status), "url": .string(url.description),
                "body": reply.json ?? .string(reply.text),
            ]
        )
        return reply
    }
}
