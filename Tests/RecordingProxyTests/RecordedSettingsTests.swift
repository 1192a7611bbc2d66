import Cassettes
import Foundation
import HTTPTransport
import JSON
import RecordingProxy
import Synchronization
import TestSupport
import Testing
import Vocabulary

/// The choice between the matching and redaction settings a replay is given and those its recording was made with
/// (``ProxyConfiguration/applying(_:)``), decided without a proxy.
@Suite struct RecordedSettingsChoiceTests {
    private static let ignoringTheID = MatchingRules([.init(ignoredBodyPaths: [JSONPath("$.variation_id")!])])
    private static let ignoringThePrompt = MatchingRules([.init(ignoredBodyPaths: [JSONPath("$.prompt")!])])

    private func replay(
        rules: MatchingRules = MatchingRules(),
        redact: [String] = [],
        headers: Set<String> = Redactor.defaultHeaders,
        choice: ProxyConfiguration.RecordedSettingsChoice = .prefer
    ) -> ProxyConfiguration {
        var configuration = proxyConfiguration(.replay, directory: "/c", services: [("maestro", nil)], redact: redact)
        configuration.matchingRules = rules
        configuration.redactHeaders = headers
        configuration.recordedSettings = choice
        return configuration
    }

    /// The settings of an index's `config` that holds these (the proxy tests below check what a recording writes).
    private func recorded(
        rules: MatchingRules = MatchingRules(),
        redact: [String] = [],
        headers: Set<String> = Redactor.defaultHeaders
    ) -> ProxyConfiguration.RecordedSettings {
        .init(
            indexConfiguration: .object([
                ("redact_json", .array(redact.map(JSONValue.string))),
                ("redact_headers", .array(headers.sorted().map(JSONValue.string))),
                ("matching_rules", rules.document),
            ])
        )
    }

    @Test func aReplayGivenNoRulesUsesTheRecordedOnesSilently() {
        let (configuration, warning) = replay().applying(recorded(rules: Self.ignoringTheID, redact: ["..token"]))
        #expect(configuration.matchingRules == Self.ignoringTheID)
        #expect(configuration.redactJSONPaths.map(\.description) == ["..token"])
        #expect(warning == nil)
    }

    @Test func differentRulesWarnOnceAndTheRecordedOnesAreUsed() {
        let (configuration, warning) = replay(rules: Self.ignoringThePrompt).applying(
            recorded(rules: Self.ignoringTheID)
        )
        #expect(configuration.matchingRules == Self.ignoringTheID)
        #expect(
            warning
                == "tdf proxy: warning: the matching rules given differ from those the recording was made with "
                + "(/c/index.json); replaying with the recorded ones (override the recorded settings to use the "
                + "given ones)"
        )
    }

    @Test func overridingUsesTheGivenSettingsAndStillWarns() {
        let given = replay(rules: Self.ignoringThePrompt, redact: ["..secret"], choice: .override)
        let (configuration, warning) = given.applying(recorded(rules: Self.ignoringTheID, redact: ["..token"]))
        #expect(configuration.matchingRules == Self.ignoringThePrompt)
        #expect(configuration.redactJSONPaths.map(\.description) == ["..secret"])
        #expect(
            warning
                == "tdf proxy: warning: the matching rules and redacted JSON paths given differ from those the "
                + "recording was made with (/c/index.json); replaying with the given ones, as asked"
        )
    }

    @Test func differentRedactionIsNamedAndTheRecordedRedactionUsed() {
        let given = replay(redact: ["..secret"], headers: ["authorization"])
        let (configuration, warning) = given.applying(recorded(redact: []))
        #expect(configuration.redactJSONPaths.isEmpty)
        #expect(configuration.redactHeaders == Redactor.defaultHeaders)
        #expect(
            warning
                == "tdf proxy: warning: the redacted JSON paths and redacted headers given differ from those the "
                + "recording was made with (/c/index.json); replaying with the recorded ones (override the recorded "
                + "settings to use the given ones)"
        )
    }

    @Test func theSameSettingsInAnotherOrderDoNotWarn() {
        let given = replay(rules: Self.ignoringTheID, redact: ["..b", "..a"])
        let (configuration, warning) = given.applying(recorded(rules: Self.ignoringTheID, redact: ["..a", "..b"]))
        #expect(configuration.redactJSONPaths.map(\.description) == ["..b", "..a"])
        #expect(warning == nil)
    }

    @Test func rulesAddedToARecordingMadeWithoutAnyAreUsedSilently() {
        let (configuration, warning) = replay(rules: Self.ignoringThePrompt).applying(recorded())
        #expect(configuration.matchingRules == Self.ignoringThePrompt)
        #expect(warning == nil)
    }

    @Test func anIndexWithoutRecordedRulesOrAMergedOneLeavesTheGivenSettings() throws {
        // The `config` of cassettes/demo/cassettes/index.json, written before the rules were kept.
        let olderText =
            #"{"mode":"record","services":[],"pace":"fast","redact_json":[],"redact_headers":["authorization","#
            + #""cookie","proxy-authorization","set-cookie","x-api-key"]}"#
        let older = try JSONParser.parse(Array(olderText.utf8))
        let olderSettings = ProxyConfiguration.RecordedSettings(indexConfiguration: older)
        #expect(olderSettings.matchingRules == nil)
        let (configuration, warning) = replay(rules: Self.ignoringThePrompt).applying(olderSettings)
        #expect(configuration.matchingRules == Self.ignoringThePrompt)
        #expect(warning == nil)

        let merged = ProxyConfiguration.RecordedSettings(
            indexConfiguration: .object([("sessions", .array([older]))])
        )
        #expect(merged == ProxyConfiguration.RecordedSettings(indexConfiguration: JSONValue.null))
        #expect(replay(redact: ["..secret"]).applying(merged).warning == nil)
    }
}

/// A session keeps the rules and redaction it recorded with in `index.json`, and its replays use them
/// (cassette-format.md §6, Docs/matching.md).
@Suite struct RecordedSettingsProxyTests {
    private static let ignoringTheID = MatchingRules([.init(ignoredBodyPaths: [JSONPath("$.variation_id")!])])
    private static let ignoringThePrompt = MatchingRules([.init(ignoredBodyPaths: [JSONPath("$.prompt")!])])

    /// Posts two variations with fresh uuids through a proxy; returns the statuses and the rules it ran with.
    private func postTwice(
        _ configuration: ProxyConfiguration
    ) async throws -> (statuses: [Int], rules: MatchingRules) {
        try await withProxy(configuration) { proxy in
            let client = HTTPClient()
            defer { client.close() }
            var statuses: [Int] = []
            for _ in 0..<2 {
                let body = Array(#"{"variation_id":"\#(UUID().uuidString.lowercased())","prompt":"jazz"}"#.utf8)
                let answer = try await fetch(
                    client,
                    proxy.baseURL(for: "maestro")!,
                    "/echo",
                    method: "POST",
                    body: body
                )
                statuses.append(answer.status)
            }
            return (statuses, proxy.configuration.matchingRules)
        }.result
    }

    private func replay(
        _ directory: TemporaryDirectory,
        rules: MatchingRules = MatchingRules(),
        choice: ProxyConfiguration.RecordedSettingsChoice = .prefer,
        log: LogLines
    ) -> ProxyConfiguration {
        var configuration = proxyConfiguration(.replay, directory: directory.url.path, services: [("maestro", nil)])
        configuration.matchingRules = rules
        configuration.recordedSettings = choice
        configuration.log = { log.append($0) }
        return configuration
    }

    @Test func theRecordedRulesAreKeptInTheIndexAndUsedByItsReplays() async throws {
        let directory = try TemporaryDirectory()
        let recorded = try await withUpstream { upstream in
            var configuration = proxyConfiguration(
                .record,
                directory: directory.url.path,
                services: [("maestro", upstream.url)]
            )
            configuration.matchingRules = Self.ignoringTheID
            return try await postTwice(configuration)
        }
        #expect(recorded.statuses == [201, 201])
        let index = try #require(try SessionIndex.read(directory: directory.url.path))
        #expect(
            index.configuration["matching_rules"]?.compactText
                == #"{"version":1,"rules":[{"ignore_body_paths":["$.variation_id"]}]}"#
        )

        let silent = LogLines()
        let withoutRules = try await postTwice(replay(directory, log: silent))
        #expect(withoutRules.statuses == [201, 201])
        #expect(withoutRules.rules == Self.ignoringTheID)
        #expect(silent.all == [])

        let warned = LogLines()
        let otherRules = try await postTwice(replay(directory, rules: Self.ignoringThePrompt, log: warned))
        #expect(otherRules.statuses == [201, 201])
        #expect(otherRules.rules == Self.ignoringTheID)
        #expect(
            warned.all == [
                "tdf proxy: warning: the matching rules given differ from those the recording was made with "
                    + "(\(directory.url.path)/index.json); replaying with the recorded ones (override the recorded "
                    + "settings to use the given ones)"
            ]
        )

        let overriding = LogLines()
        let overridden = try await postTwice(
            replay(directory, rules: Self.ignoringThePrompt, choice: .override, log: overriding)
        )
        // The given rules leave the uuid in, so the fresh uuids match nothing.
        #expect(overridden.statuses == [599, 599])
        #expect(overridden.rules == Self.ignoringThePrompt)
        #expect(
            overriding.all.first
                == "tdf proxy: warning: the matching rules given differ from those the recording was made with "
                + "(\(directory.url.path)/index.json); replaying with the given ones, as asked"
        )
    }

    @Test func theCommittedDemoRecordingWithoutKeptRulesReplaysWithTheGivenOnes() async throws {
        // cassettes/demo/cassettes/index.json was written before the rules were kept in it.
        let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("cassettes/demo/cassettes").path
        let log = LogLines()
        var configuration = proxyConfiguration(
            .replay,
            directory: demo,
            services: [("maestro", nil), ("storpheus", nil)]
        )
        configuration.matchingRules = Self.ignoringThePrompt
        configuration.log = { log.append($0) }
        let rules = try await withProxy(configuration) { proxy in proxy.configuration.matchingRules }.result
        #expect(rules == Self.ignoringThePrompt)
        #expect(log.all == [])
    }
}
