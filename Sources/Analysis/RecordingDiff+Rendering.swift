public import JSON

extension RecordingDiff {
    /// A number as a person reads it: whole numbers without a fraction, others to three decimals.
    static func points(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int(value)) }
        return String((value * 1000).rounded() / 1000)
    }

    /// `contract: 2 (status 1, sse-order 1)` for the differences of `kind`, or `contract: none`.
    public func countLine(_ kind: DiffCategory.Kind) -> String {
        let parts = counts.filter { $0.key.kind == kind && $0.value > 0 }.sorted { $0.key < $1.key }
            .map { "\($0.key.name) \($0.value)" }
        guard !parts.isEmpty else { return "\(kind.rawValue): none" }
        return "\(kind.rawValue): \(count(of: kind)) (" + parts.joined(separator: ", ") + ")"
    }

    /// The listed differences grouped for reading: by run (in order), then by exchange ordinal; run-level
    /// differences (runs, MIDI) come under a nil exchange, first.
    public var grouped: [(run: String, exchanges: [(exchange: ExchangeLocation?, differences: [Difference])])] {
        var runs: [String] = []
        var byRun: [String: [Difference]] = [:]
        for difference in differences {
            guard let run = difference.run else { continue }
            if byRun[run] == nil { runs.append(run) }
            byRun[run, default: []].append(difference)
        }
        return runs.map { run in
            var exchanges: [ExchangeLocation?] = []
            var byExchange: [Int: [Difference]] = [:]
            for difference in byRun[run] ?? [] {
                let key = difference.exchange?.ordinal ?? Int.min
                if byExchange[key] == nil { exchanges.append(difference.exchange) }
                byExchange[key, default: []].append(difference)
            }
            let ordered = exchanges.sorted { ($0?.ordinal ?? Int.min) < ($1?.ordinal ?? Int.min) }
            return (run, ordered.map { ($0, byExchange[$0?.ordinal ?? Int.min] ?? []) })
        }
    }

    /// The text report, for a person reading top to bottom: every difference when there are at most
    /// ``DiffListing/automaticLimit``, else the summary.
    public var text: String { text(.automatic) }

    /// The text report, listing every difference (`.full`), counts and the first few of each category
    /// (`.summary`), or whichever suits the diff's size (`.automatic`).
    public func text(_ listing: DiffListing) -> String {
        var lines = [
            "tdf diff",
            "  A: \(pathA)",
            "  B: \(pathB)",
            "\(pairedRuns) runs paired, \(pairedExchanges) exchanges paired",
            countLine(.contract),
            countLine(.content),
            countLine(.performance),
        ]
        if omitted > 0 {
            lines.append("(\(omitted) differences not listed: at most \(listedPerExchange) per exchange)")
        }
        if listing.isSummary(of: differences.count) {
            lines += summaryLines
        } else {
            lines += fullLines
        }
        if !latency.isEmpty {
            lines.append("")
            lines.append("latency per endpoint (total ms, A → B; * changed beyond the tolerance)")
            let flagged = Set(differences.filter { $0.category.kind == .performance }.compactMap(\.path))
            let width = latency.map(\.endpoint.count).max() ?? 0
            for row in latency {
                let mark = flagged.contains(row.endpoint) ? "*" : " "
                let padding = String(repeating: " ", count: width - row.endpoint.count)
                lines.append(
                    "  \(mark) \(row.endpoint)\(padding)  n \(row.countA)/\(row.countB)  "
                        + "p50 \(Self.points(row.p50A)) → \(Self.points(row.p50B))  "
                        + "p95 \(Self.points(row.p95A)) → \(Self.points(row.p95B))"
                )
            }
        }
        lines.append("")
        lines.append(verdict)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The last line: `no differences`, or how many of each class.
    public var verdict: String {
        if isIdentical { return "no differences" }
        let total = counts.values.reduce(0, +)
        let parts = DiffCategory.Kind.allCases.filter { count(of: $0) > 0 }.map { "\(count(of: $0)) \($0.rawValue)" }
        return "\(total) difference\(total == 1 ? "" : "s") (" + parts.joined(separator: ", ") + ")"
    }

    /// Every listed difference, by run and exchange.
    private var fullLines: [String] {
        var lines: [String] = []
        for (run, exchanges) in grouped {
            lines.append("")
            lines.append(run)
            for (exchange, differences) in exchanges {
                lines.append("  " + (exchange?.label ?? "run"))
                for difference in differences {
                    let name = difference.category.name
                    lines.append(
                        "    " + name + String(repeating: " ", count: max(1, 12 - name.count)) + difference.detail
                    )
                }
            }
        }
        return lines
    }

    /// Per category, its count and its first few differences, each with its run and exchange.
    private var summaryLines: [String] {
        var lines = [
            "",
            "summary: counts and the first \(DiffListing.summaryExamples) of each category; "
                + "--full lists \(differences.count == 1 ? "the" : "all \(differences.count)") listed",
        ]
        var byCategory: [DiffCategory: [Difference]] = [:]
        for difference in differences { byCategory[difference.category, default: []].append(difference) }
        for category in DiffCategory.all {
            guard let found = byCategory[category] else { continue }
            lines.append("")
            lines.append("\(category.name) (\(category.kind.rawValue)): \(count(category))")
            for difference in found.prefix(DiffListing.summaryExamples) {
                let place = [difference.run, difference.exchange?.label].compactMap { $0 }.joined(separator: " ")
                lines.append("  " + (place.isEmpty ? "" : place + ": ") + difference.detail)
            }
            if count(category) > DiffListing.summaryExamples {
                lines.append("  … \(count(category) - DiffListing.summaryExamples) more")
            }
        }
        return lines
    }

    /// The diff as JSON, for machines.
    public var jsonValue: JSONValue {
        var byCategory = JSONObject()
        for category in DiffCategory.all where count(category) > 0 { byCategory[category.name] = .int(count(category)) }
        return [
            "a": .string(pathA),
            "b": .string(pathB),
            "identical": .bool(isIdentical),
            "paired_runs": .int(pairedRuns),
            "paired_exchanges": .int(pairedExchanges),
            "counts": [
                "contract": .int(count(of: .contract)),
                "content": .int(count(of: .content)),
                "performance": .int(count(of: .performance)),
                "by_category": .object(byCategory),
            ],
            "omitted": .int(omitted),
            "differences": .array(differences.map(\.jsonValue)),
            "latency": .array(
                latency.map { row in
                    [
                        "endpoint": .string(row.endpoint),
                        "count_a": .int(row.countA),
                        "count_b": .int(row.countB),
                        "p50_ms_a": .double(row.p50A),
                        "p50_ms_b": .double(row.p50B),
                        "p95_ms_a": .double(row.p95A),
                        "p95_ms_b": .double(row.p95B),
                    ]
                }
            ),
        ]
    }
}

extension Difference {
    /// Longest value shown in a text line; JSON output keeps the whole value.
    static let shownValueLength = 160

    private static func shown(_ value: String?) -> String {
        guard let value else { return "(absent)" }
        return value.count > shownValueLength ? String(value.prefix(shownValueLength)) + "…" : value
    }

    /// One line without the category: where (event, path), then what changed.
    public var detail: String {
        var parts: [String] = []
        if let event { parts.append(event.label) }
        if let path { parts.append(path) }
        let change: String
        if message.contains("→") {
            change = message
        } else if before != nil || after != nil {
            change = "\(Self.shown(before)) → \(Self.shown(after))" + (message == "changed" ? "" : " (\(message))")
        } else {
            change = message
        }
        return (parts + [change]).joined(separator: ": ")
    }

    /// A value as JSON: parsed when it is a JSON text, so `"synthwave"` is a string, not a string holding quotes.
    private func value(_ text: String?) -> JSONValue {
        guard let text else { return .null }
        if valuesAreJSON, let parsed = try? JSONParser.parse(text) { return parsed }
        return .string(text)
    }

    /// The difference as JSON.
    public var jsonValue: JSONValue {
        [
            "category": .string(category.name),
            "kind": .string(category.kind.rawValue),
            "run": .optional(run),
            "ordinal": .optional(exchange?.ordinal),
            "service": .optional(exchange?.service),
            "method": .optional(exchange?.method),
            "target": .optional(exchange?.target),
            "step": .optional(exchange?.step),
            "event_index_a": .optional(event?.indexA),
            "event_index_b": .optional(event?.indexB),
            "event_type": .optional(event?.type),
            "path": .optional(path),
            "before": value(before),
            "after": value(after),
            "message": .string(message),
            "delta": .optional(delta),
        ]
    }
}

/// How much of a diff the text report lists.
public enum DiffListing: Sendable {
    /// Every listed difference.
    case full
    /// Counts per category and the first few of each.
    case summary
    /// Full up to ``automaticLimit`` differences, the summary beyond.
    case automatic

    /// The most differences `.automatic` lists in full (a seed change lists thousands).
    public static let automaticLimit = 60
    /// How many differences of each category the summary shows.
    public static let summaryExamples = 3

    func isSummary(of count: Int) -> Bool {
        switch self {
        case .full: false
        case .summary: true
        case .automatic: count > Self.automaticLimit
        }
    }
}
