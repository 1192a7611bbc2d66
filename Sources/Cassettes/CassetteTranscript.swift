import Foundation
import HTTPWire
public import JSON
public import Vocabulary

/// Cassettes as text for people: a table of their summaries, and every exchange with its body, chunks or SSE
/// events one per line. Bodies are previewed, and text is escaped so that each item stays on its line.
public enum CassetteTranscript {
    /// A table with a row per cassette (run, exchange count, services, completeness, first and last start, age
    /// at `now`, digest prefix) in aligned columns under a heading, then a line counting cassettes and exchanges.
    public static func table(of summaries: [CassetteSummary], now: Timestamp = .now()) -> [String] {
        var rows = [["RUN", "EXCHANGES", "SERVICES", "COMPLETE", "FIRST", "LAST", "AGE", "DIGEST"]]
        for summary in summaries {
            rows.append([
                summary.run?.rawValue ?? RunID.untaggedName, String(summary.exchangeCount),
                summary.services.joined(separator: ","), summary.isComplete ? "yes" : "no",
                summary.first?.description ?? "-", summary.last?.description ?? "-",
                ageSeconds(of: summary, now: now).map(age) ?? "-", String(summary.digest.prefix(16)),
            ])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            var line = zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }
                .joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
        lines.append("\(summaries.count) cassettes, \(summaries.reduce(0) { $0 + $1.exchangeCount }) exchanges")
        return lines
    }

    /// The `index.json` rows of the summaries (``CassetteSession/row(_:)``), each with `age_s`: whole seconds from
    /// its newest exchange's start to `now` (null for a cassette without exchanges), as `tdf cassette ls --json`
    /// prints them.
    public static func rows(of summaries: [CassetteSummary], now: Timestamp = .now()) -> JSONValue {
        .array(
            summaries.map { summary in
                let row = CassetteSession.row(summary).members.map { ($0.key, $0.value) }
                return .object(row + [("age_s", ageSeconds(of: summary, now: now).map(JSONValue.int) ?? .null)])
            }
        )
    }

    /// Whole seconds from the cassette's newest exchange to `now` (0 for a clock that went back), or nil for a
    /// cassette without exchanges. The newest, not the oldest: a cassette continued by record-missing is as fresh as
    /// what it last recorded.
    static func ageSeconds(of summary: CassetteSummary, now: Timestamp) -> Int? {
        summary.last.map { Int(max(0, now.millisecondsSinceEpoch - $0.millisecondsSinceEpoch) / 1000) }
    }

    /// An age in the largest whole unit that fits: `40 s`, `12 min`, `5 h`, `3 d`.
    static func age(_ seconds: Int) -> String {
        switch seconds {
        case ..<60: "\(seconds) s"
        case ..<3600: "\(seconds / 60) min"
        case ..<86400: "\(seconds / 3600) h"
        default: "\(seconds / 86400) d"
        }
    }

    /// A heading naming the cassette's file, run and exchange count, each exchange, then the cassette's damage
    /// and problems, each marked `!!`.
    public static func lines(of cassette: Cassette) -> [String] {
        var lines = [heading(of: cassette)]
        for exchange in cassette.exchanges { lines += Self.lines(of: exchange) }
        if let damage = cassette.damage { lines.append("!! \(damage)") }
        for problem in cassette.problems { lines.append("!! \(problem)") }
        return lines
    }

    /// The cassette's heading and its exchange `seq` (the recording a replay mismatch names), or nil when the
    /// cassette has no such exchange.
    public static func lines(of cassette: Cassette, seq: Int) -> [String]? {
        cassette.exchange(seq: seq).map { [heading(of: cassette)] + lines(of: $0) }
    }

    private static func heading(of cassette: Cassette) -> String {
        let run = cassette.run?.rawValue ?? RunID.untaggedName
        return "== \(CassetteSelection.fileName(of: cassette.path)) (run \(run), \(cassette.exchanges.count) exchanges)"
    }

    /// A line with the exchange's seq, ordinal, start, service, step, request line, status and timing, then
    /// indented lines with the request body, the response body or its chunks or SSE events, and the fault.
    public static func lines(of exchange: Exchange) -> [String] {
        let response = exchange.response
        let timing = exchange.timing
        var head = "#\(exchange.seq) ordinal \(exchange.ordinal) \(exchange.started) \(exchange.service)"
        if let step = exchange.step { head += " [\(step)]" }
        head += " \(exchange.request.method) \(exchange.request.target) -> \(response.status) \(response.reason)"
        head +=
            " (ttfb \(timing.ttfbMilliseconds.map { format($0) } ?? "-") ms, total \(format(timing.totalMilliseconds)) ms)"
        var lines = [head]
        if !exchange.request.body.isEmpty { lines.append("  request body: \(preview(exchange.request.body))") }
        switch response.content {
        case .body(let bytes):
            lines.append("  body: \(preview(bytes))")
        case .chunks(let chunks):
            lines.append("  \(chunks.count) chunks, \(chunks.reduce(0) { $0 + $1.bytes.count }) bytes")
            for chunk in chunks { lines.append("    +\(format(chunk.atMilliseconds)) ms  \(preview(chunk.bytes))") }
        case .events(let events, let exact):
            lines.append("  \(events.count) events" + (exact == nil ? "" : " (exact bytes kept as chunks)"))
            for event in events {
                switch event.frame {
                case .comment(let text):
                    lines.append("    +\(format(event.atMilliseconds)) ms  : \(escaped(text))")
                case .event(let sse):
                    var fields = ""
                    if let name = sse.event { fields += "event=\(escaped(name)) " }
                    if let id = sse.id { fields += "id=\(escaped(id)) " }
                    if let retry = sse.retry { fields += "retry=\(retry) " }
                    lines.append("    +\(format(event.atMilliseconds)) ms  \(fields)data: \(escaped(sse.data))")
                }
            }
        }
        if let fault = exchange.fault {
            lines.append("  fault: \(fault.kind) after \(fault.afterBytes) bytes: \(fault.detail)")
        }
        return lines
    }

    private static func format(_ milliseconds: Double) -> String {
        String(format: "%.1f", milliseconds)
    }

    /// The text with backslashes, line feeds and carriage returns escaped, so that it stays on one line.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
    }

    /// Up to 200 characters of UTF-8 text, escaped; binary bodies only by their size.
    private static func preview(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "(empty)" }
        guard let text = String(validating: bytes, as: UTF8.self) else { return "<\(bytes.count) bytes, binary>" }
        let limit = 200
        let shown = escaped(String(text.prefix(limit)))
        return text.count > limit ? "\(shown)… (\(bytes.count) bytes)" : shown
    }
}
