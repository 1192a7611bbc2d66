public import Cassettes
public import JSON

extension ProxyConfiguration {
    /// Which matching and redaction settings a replay uses when its own differ from those the recording was made with
    /// (kept in the session's `index.json`, cassette-format.md §6).
    public enum RecordedSettingsChoice: Sendable {
        /// The recorded ones: the recording was written and redacted with them, so they are what matches it.
        case prefer
        /// The given ones, for a replay that means to change them.
        case override
    }

    /// The matching and redaction settings a recording session was made with, read from the `config` of its
    /// `index.json`; a nil member was not recorded (an index written before it, or a merged one).
    public struct RecordedSettings: Sendable, Equatable {
        /// The matching rules in force while recording; nil or none leaves the replay's own in force, since
        /// recording writes requests as sent whatever the rules.
        public var matchingRules: MatchingRules?
        /// The JSON paths whose values were redacted.
        public var redactJSONPaths: [JSONPath]?
        /// The headers whose values were redacted.
        public var redactHeaders: Set<String>?
        /// The query parameters whose values were redacted.
        public var redactQueryParameters: Set<String>?
        /// The regular expressions whose matches were redacted.
        public var redactPatterns: [RedactionPattern]?

        /// Reads the settings from an index's `config` (``ProxyConfiguration`` writes it); a member that is missing
        /// or cannot be read is nil.
        public init(indexConfiguration configuration: JSONValue) {
            matchingRules = configuration["matching_rules"].flatMap { try? MatchingRules(document: $0) }
            redactJSONPaths = configuration["redact_json"]?.arrayValue.flatMap { values in
                let paths = values.compactMap { $0.stringValue.flatMap(JSONPath.init) }
                return paths.count == values.count ? paths : nil
            }
            redactHeaders = Self.names(configuration["redact_headers"])
            // An index written before query parameters were redacted redacted none.
            redactQueryParameters =
                Self.names(configuration["redact_query"]) ?? (configuration["redact_headers"] == nil ? nil : [])
            redactPatterns = configuration["redact_patterns"]?.arrayValue.flatMap { values in
                let patterns = values.compactMap { $0.stringValue.flatMap { try? RedactionPattern($0) } }
                return patterns.count == values.count ? patterns : nil
            }
        }

        /// A JSON array of strings as a set; nil when it is missing or holds anything else.
        private static func names(_ value: JSONValue?) -> Set<String>? {
            value?.arrayValue.flatMap { values in
                let names = values.compactMap(\.stringValue)
                return names.count == values.count ? Set(names) : nil
            }
        }
    }

    /// This configuration with the settings `recorded` where they apply, and one warning line when the given ones
    /// differ from them (nil when nothing differs).
    ///
    /// A setting left at its default (no rules, no redacted paths, ``Redactor/defaultHeaders``) takes the recorded
    /// one silently: that is how a replay picks up what its recording was made with. A setting given otherwise that
    /// differs from the recorded one is named in the warning, and ``recordedSettings`` says which is used. Recorded
    /// redaction counts even when it redacted nothing: a recorded body holds what redaction left of it, so only the same
    /// redaction of a live request matches it. Recorded rules count only when there are some, since rules never
    /// change what is recorded; a replay may add rules to a recording made without any.
    public func applying(_ recorded: RecordedSettings) -> (configuration: ProxyConfiguration, warning: String?) {
        var resolved = self
        var differing: [String] = []
        func choose<Setting: Equatable>(
            _ given: Setting,
            _ recorded: Setting?,
            default: Setting,
            named name: String
        ) -> Setting {
            guard let recorded, recorded != given else { return given }
            if given == `default` { return recorded }
            differing.append(name)
            return recordedSettings == .prefer ? recorded : given
        }
        let recordedRules = recorded.matchingRules.flatMap { $0.rules.isEmpty ? nil : $0 }
        resolved.matchingRules = choose(matchingRules, recordedRules, default: MatchingRules(), named: "matching rules")
        // Compared as sets: the order of the paths does not change what is redacted.
        let givenPaths = Set(redactJSONPaths.map(\.description))
        let recordedPaths = recorded.redactJSONPaths.map { Set($0.map(\.description)) }
        if choose(givenPaths, recordedPaths, default: [], named: "redacted JSON paths") != givenPaths {
            resolved.redactJSONPaths = recorded.redactJSONPaths ?? []
        }
        resolved.redactHeaders = choose(
            redactHeaders,
            recorded.redactHeaders,
            default: Redactor.defaultHeaders,
            named: "redacted headers"
        )
        resolved.redactQueryParameters = choose(
            redactQueryParameters,
            recorded.redactQueryParameters,
            default: Redactor.defaultQueryParameters,
            named: "redacted query parameters"
        )
        resolved.redactPatterns = choose(
            redactPatterns,
            recorded.redactPatterns,
            default: [],
            named: "redaction patterns"
        )
        guard !differing.isEmpty else { return (resolved, nil) }
        let used =
            recordedSettings == .prefer
            ? "replaying with the recorded ones (override the recorded settings to use the given ones)"
            : "replaying with the given ones, as asked"
        return (
            resolved,
            "tdf proxy: warning: the \(Self.list(differing)) given differ from those the recording was made with "
                + "(\(cassetteDirectory ?? ".")/index.json); \(used)"
        )
    }

    /// `a`, `a and b`, `a, b and c`.
    private static func list(_ names: [String]) -> String {
        names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
    }
}
