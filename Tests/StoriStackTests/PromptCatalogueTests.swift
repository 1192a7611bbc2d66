import HTTPWire
import JSON
import Testing

@testable import StoriStack

@Suite struct PromptCatalogueTests {
    /// The ids of the samples `calls` successive catalogue calls return on a fresh stack with this seed.
    private static func samples(seed: UInt64, calls: Int = 6) async throws -> [[String]] {
        try await withStack(testConfiguration(seed: seed)) { stack in
            var samples: [[String]] = []
            for _ in 0..<calls {
                let response = try await stack.request("GET", stack.maestro + "/api/v1/maestro/prompts")
                let items = response.json?["prompts"]?.arrayValue ?? []
                samples.append(items.compactMap { $0["id"]?.stringValue })
            }
            return samples
        }
    }

    /// Like the real catalogue: 51 prompts with unique slug ids, each 6–9 kB, about 7.5 kB on average.
    @Test func catalogueHasTheRealSizeAndShape() {
        let items = PromptCatalogue.items
        #expect(items.count == 51)
        #expect(Set(items.map(\.id)).count == 51)
        for item in items {
            #expect(
                item.id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" } && item.id.first!.isLetter,
                "\(item.id)"
            )
        }
        let sizes = items.map { $0.fullPrompt.utf8.count }
        for (item, size) in zip(items, sizes) { #expect((6_000...9_000).contains(size), "\(item.id): \(size) bytes") }
        let mean = Double(sizes.reduce(0, +)) / Double(sizes.count)
        #expect((7_000...8_000).contains(mean), "mean \(mean) bytes")
        #expect(Set(items.map(\.fullPrompt)).count == 51)
    }

    /// Every prompt has the real shape: the header, a `Request: |` block and the long extension blocks.
    @Test func everyPromptHasTheExtensionBlocks() {
        let blocks = [
            "Harmony:", "Melody:", "Rhythm:", "Dynamics:", "Orchestration:", "Effects:", "Expression:", "Texture:",
            "Form:", "Humanization:", "MidiExpressiveness:", "Automation:",
        ]
        for item in PromptCatalogue.items {
            let lines = item.fullPrompt.split(separator: "\n").map(String.init)
            #expect(Array(lines.prefix(2)) == ["MAESTRO PROMPT", "Mode: compose"], "\(item.id)")
            #expect(lines.contains("Request: |"), "\(item.id)")
            for block in blocks { #expect(lines.contains(block), "\(item.id) lacks \(block)") }
        }
    }

    /// Every prompt parses with the simulator's own parser into the header its item (title, preview) shows.
    @Test func everyPromptParsesIntoItsHeader() {
        for item in PromptCatalogue.items {
            guard case .structured(let prompt) = PromptKind(text: item.fullPrompt) else {
                Issue.record("\(item.id) does not parse as a MAESTRO PROMPT")
                continue
            }
            #expect(prompt.mode == .compose)
            #expect(prompt.key == item.key, "\(item.id)")
            #expect(prompt.tempo == item.tempo, "\(item.id)")
            #expect(prompt.roles == item.roles, "\(item.id)")
            #expect(prompt.bars == item.bars, "\(item.id)")
            #expect(prompt.style == item.style, "\(item.id)")
            #expect(prompt.formSections == item.form, "\(item.id)")
            #expect(item.title.contains("· \(item.key) · \(item.tempo) BPM"))
            #expect(item.preview.hasSuffix("Role: \(prompt.roles.joined(separator: ", "))"))
            #expect(prompt.request?.hasPrefix(String(item.request.prefix(20))) == true, "\(item.id)")
        }
    }

    /// Successive calls return different samples of four distinct items.
    @Test func successiveCallsDiffer() async throws {
        let samples = try await Self.samples(seed: 7)
        for sample in samples { #expect(sample.count == 4 && Set(sample).count == 4) }
        #expect(Set(samples).count == samples.count, "\(samples)")
    }

    /// The same seed and call sequence give the same samples on two fresh stacks; another seed gives others.
    @Test func samplesAreDeterministicPerSeed() async throws {
        let first = try await Self.samples(seed: 42)
        let second = try await Self.samples(seed: 42)
        let other = try await Self.samples(seed: 43)
        #expect(first == second)
        #expect(first != other)
    }

    /// Each harness run has its own sequence, so concurrent runs do not shift each other's samples: a run names itself
    /// in its `User-Agent` (which passes the recording proxy) or, without one, in its `X-TDF-Run` tag.
    @Test(arguments: [["X-TDF-Run": "r_000002"], ["User-Agent": "tdf (run r_000002)"]] as [HTTPHeaders])
    func eachRunHasItsOwnSequence(naming run: HTTPHeaders) async throws {
        func samples(_ stack: TestStack, calls: Int) async throws -> [[String]] {
            var samples: [[String]] = []
            for _ in 0..<calls {
                let response = try await stack.request("GET", stack.maestro + "/api/v1/maestro/prompts", headers: run)
                samples.append((response.json?["prompts"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
            }
            return samples
        }
        let alone = try await withStack(testConfiguration(seed: 5)) { stack in try await samples(stack, calls: 2) }
        let afterOthers = try await withStack(testConfiguration(seed: 5)) { stack in
            _ = try await stack.get(stack.maestro + "/api/v1/maestro/prompts")
            _ = try await stack.request(
                "GET",
                stack.maestro + "/api/v1/maestro/prompts",
                headers: ["User-Agent": "tdf (run r_000001)"]
            )
            return try await samples(stack, calls: 2)
        }
        #expect(alone == afterOthers)
        #expect(alone[0] != alone[1])
    }

    /// The item route serves every one of the 51 ids with the listing's item shape.
    @Test func itemRouteServesEveryID() async throws {
        try await withStack { stack in
            for item in PromptCatalogue.items {
                let response = try await stack.get(stack.maestro + "/api/v1/maestro/prompts/" + item.id)
                #expect(response.status == 200)
                #expect(response.json == item.json, "\(item.id)")
            }
        }
    }
}
