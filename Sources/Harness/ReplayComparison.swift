import Foundation
import Hashing
import JSON

/// The first place where a replayed run's artifacts differ from the original's (DESIGN §5).
public struct ArtifactDivergence: Sendable, Equatable, CustomStringConvertible {
    /// The file, relative to the artifact tree, e.g. `events.jsonl`.
    public let file: String
    /// Which record of the file, e.g. `event 17 (stream_complete)`, or `whole file`.
    public let record: String
    /// The JSON path of the differing field, e.g. `data.notes`, or `file` for a file present on one side only.
    public let field: String
    /// The original value, as compact JSON text (or `absent`).
    public let original: String
    /// The replayed value, as compact JSON text (or `absent`).
    public let replayed: String

    /// Makes a divergence.
    public init(file: String, record: String, field: String, original: String, replayed: String) {
        self.file = file
        self.record = record
        self.field = field
        self.original = original
        self.replayed = replayed
    }

    /// One line: file, record, field and both values.
    public var description: String {
        "\(file): \(record): \(field): original \(original), replay \(replayed)"
    }
}

/// Compares two artifact trees for one run on the deterministic projection: that run's events without timestamps
/// and durations, its `runs.jsonl` line without times, its MIDI summaries, its MUSE graph, and the hashes of its
/// payloads. Loopback ports (the proxy picks new ones) are masked everywhere.
public enum ReplayComparison {
    /// Keys whose values depend on the wall clock; they are dropped at every depth.
    static let volatileKeys: Set<String> = [
        "ts", "started_at", "finished_at", "duration_ms", "ttfb_ms", "total_ms", "elapsed_ms",
    ]

    /// The runs recorded in `<tree>/runs.jsonl` with their batch indexes, in file order (empty when the file is
    /// missing).
    public static func recordedRuns(in tree: String) -> [(runID: String, index: Int)] {
        lines(tree + "/runs.jsonl").compactMap { line in
            let record = parse(line)
            guard let runID = record["run_id"]?.stringValue, let index = record["index"]?.intValue else { return nil }
            return (runID, index)
        }
    }

    /// The parts of an artifact tree the comparison can use, in the order it compares them. `runs.jsonl` is always
    /// compared; a recording may leave the others out (the committed demo recording keeps only what replay needs
    /// plus `midi/` and `muse/`), and the replay then regenerates them.
    public static let comparableParts = ["events.jsonl", "midi", "muse", "payloads"]

    /// The parts of `comparableParts` present in `tree`.
    public static func presentParts(in tree: String) -> [String] {
        comparableParts.filter { FileManager.default.fileExists(atPath: tree + "/" + $0) }
    }

    /// The first divergence between the original tree and the replayed tree for `runID`, or nil when identical.
    /// Parts the original tree does not have are not compared (see `presentParts(in:)`).
    public static func firstDivergence(original: String, replayed: String, runID: String) -> ArtifactDivergence? {
        let parts = Set(presentParts(in: original))
        if let divergence = compareRunLine(original, replayed, runID) { return divergence }
        if parts.contains("events.jsonl"), let divergence = compareEvents(original, replayed, runID) {
            return divergence
        }
        for (part, file) in [("midi", "midi/run_\(runID)/midi_summary.json"), ("muse", "muse/run_\(runID)/graph.json")]
        where parts.contains(part) {
            if let divergence = compareJSONFile(file, original, replayed) { return divergence }
        }
        if parts.contains("muse"), let divergence = compareGraphEntry(original, replayed, runID) { return divergence }
        return compareHashes(original, replayed, runID, parts: parts)
    }

    // MARK: - Projection

    /// `value` without volatile keys, with loopback ports masked in every string.
    static func project(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(
                JSONObject(object.members.filter { !volatileKeys.contains($0.key) }.map { ($0.key, project($0.value)) })
            )
        case .array(let items):
            return .array(items.map(project))
        case .string(let text):
            return .string(maskPorts(text))
        default:
            return value
        }
    }

    /// An SSE stream's text without its comment frames: heartbeats come when the service is slow, so two runs
    /// that are the same differ in them (the cassette digest leaves them out for the same reason).
    static func withoutComments(_ text: String) -> String {
        text.replacingOccurrences(of: #"(?m)^:[^\n]*\n\n?"#, with: "", options: .regularExpression)
    }

    /// `text` with the port of every `http://host:port` replaced by `PORT`.
    static func maskPorts(_ text: String) -> String {
        guard text.contains("://") else { return text }
        return text.replacingOccurrences(
            of: #"(https?://[A-Za-z0-9.\-\[\]]+):[0-9]+"#,
            with: "$1:PORT",
            options: .regularExpression
        )
    }

    // MARK: - Files

    private static func lines(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    private static func parse(_ line: String) -> JSONValue {
        (try? JSONParser.parse(line, options: .python)) ?? .string(line)
    }

    private static func runRecords(_ path: String, _ runID: String) -> [JSONValue] {
        lines(path).map(parse).filter { $0["run_id"]?.stringValue == runID }
    }

    private static func compareRunLine(_ original: String, _ replayed: String, _ runID: String) -> ArtifactDivergence? {
        let left = runRecords(original + "/runs.jsonl", runID).first
        let right = runRecords(replayed + "/runs.jsonl", runID).first
        let record = "run \(runID)"
        switch (left, right) {
        case (nil, nil): return nil
        case (let left?, nil):
            return ArtifactDivergence(
                file: "runs.jsonl",
                record: record,
                field: "line",
                original: project(left).compactText,
                replayed: "absent"
            )
        case (nil, let right?):
            return ArtifactDivergence(
                file: "runs.jsonl",
                record: record,
                field: "line",
                original: "absent",
                replayed: project(right).compactText
            )
        case (let left?, let right?):
            return difference(project(left), project(right), path: "").map {
                ArtifactDivergence(
                    file: "runs.jsonl",
                    record: record,
                    field: $0.path,
                    original: $0.left,
                    replayed: $0.right
                )
            }
        }
    }

    private static func compareEvents(_ original: String, _ replayed: String, _ runID: String) -> ArtifactDivergence? {
        let left = runRecords(original + "/events.jsonl", runID).map(project)
        let right = runRecords(replayed + "/events.jsonl", runID).map(project)
        for index in 0..<max(left.count, right.count) {
            let type = (index < left.count ? left[index] : right[index])["event_type"]?.stringValue ?? "?"
            let record = "run \(runID) event \(index + 1) (\(type))"
            guard index < left.count, index < right.count else {
                return ArtifactDivergence(
                    file: "events.jsonl",
                    record: record,
                    field: "event",
                    original: index < left.count ? left[index].compactText : "absent",
                    replayed: index < right.count ? right[index].compactText : "absent"
                )
            }
            if let found = difference(left[index], right[index], path: "") {
                return ArtifactDivergence(
                    file: "events.jsonl",
                    record: record,
                    field: found.path,
                    original: found.left,
                    replayed: found.right
                )
            }
        }
        return nil
    }

    private static func compareJSONFile(_ file: String, _ original: String, _ replayed: String) -> ArtifactDivergence? {
        let left = try? String(contentsOfFile: original + "/" + file, encoding: .utf8)
        let right = try? String(contentsOfFile: replayed + "/" + file, encoding: .utf8)
        if left == nil && right == nil { return nil }
        guard let left, let right else {
            return ArtifactDivergence(
                file: file,
                record: "whole file",
                field: "file",
                original: left == nil ? "absent" : "present",
                replayed: right == nil ? "absent" : "present"
            )
        }
        return difference(project(parse(left)), project(parse(right)), path: "").map {
            ArtifactDivergence(file: file, record: "whole file", field: $0.path, original: $0.left, replayed: $0.right)
        }
    }

    private static func compareGraphEntry(
        _ original: String,
        _ replayed: String,
        _ runID: String
    ) -> ArtifactDivergence? {
        func entry(_ tree: String) -> JSONValue {
            let text = (try? String(contentsOfFile: tree + "/muse/graph.json", encoding: .utf8)) ?? "{}"
            return parse(text)["runs"]?.arrayValue?.first { $0["run_id"]?.stringValue == runID } ?? .null
        }
        return difference(project(entry(original)), project(entry(replayed)), path: "").map {
            ArtifactDivergence(
                file: "muse/graph.json",
                record: "run \(runID)",
                field: $0.path,
                original: $0.left,
                replayed: $0.right
            )
        }
    }

    /// Hashes of every payload, MIDI and MUSE file of the run (JSON projected first, text with ports masked).
    static func hashes(_ tree: String, _ runID: String, parts: Set<String>) -> [String: String] {
        let manager = FileManager.default
        var result: [String: String] = [:]
        var files: [String] = []
        if parts.contains("payloads"), let kinds = try? manager.contentsOfDirectory(atPath: tree + "/payloads") {
            for kind in kinds {
                let names = (try? manager.contentsOfDirectory(atPath: tree + "/payloads/" + kind)) ?? []
                files += names.filter { $0.hasPrefix(runID + "_") }.map { "payloads/\(kind)/\($0)" }
            }
        }
        for (part, directory) in [("midi", "midi/run_\(runID)"), ("muse", "muse/run_\(runID)")]
        where parts.contains(part) {
            let names = (try? manager.contentsOfDirectory(atPath: tree + "/" + directory)) ?? []
            files += names.map { "\(directory)/\($0)" }
        }
        for file in files {
            guard let data = manager.contents(atPath: tree + "/" + file) else { continue }
            let bytes = [UInt8](data)
            if let text = String(validating: bytes, as: UTF8.self) {
                if file.hasSuffix(".json"), let value = try? JSONParser.parse(text, options: .python) {
                    result[file] = SHA256.hash(project(value).compactText).hex
                } else if file.hasSuffix(".sse") {
                    result[file] = SHA256.hash(maskPorts(withoutComments(text))).hex
                } else {
                    result[file] = SHA256.hash(maskPorts(text)).hex
                }
            } else {
                result[file] = SHA256.hash(bytes).hex
            }
        }
        return result
    }

    private static func compareHashes(
        _ original: String,
        _ replayed: String,
        _ runID: String,
        parts: Set<String>
    ) -> ArtifactDivergence? {
        let left = hashes(original, runID, parts: parts)
        let right = hashes(replayed, runID, parts: parts)
        for file in Set(left.keys).union(right.keys).sorted() where left[file] != right[file] {
            return ArtifactDivergence(
                file: file,
                record: "whole file",
                field: "sha256",
                original: left[file].map { String($0.prefix(16)) } ?? "absent",
                replayed: right[file].map { String($0.prefix(16)) } ?? "absent"
            )
        }
        return nil
    }

    // MARK: - Structural difference

    /// The first differing path between two JSON values, with both values as compact text.
    static func difference(
        _ left: JSONValue,
        _ right: JSONValue,
        path: String
    ) -> (
        path: String, left: String, right: String
    )? {
        if left == right { return nil }
        let here = path.isEmpty ? "$" : path
        switch (left, right) {
        case (.object(let a), .object(let b)):
            for key in a.keys + b.keys.filter({ a[$0] == nil }) {
                let child = path.isEmpty ? key : path + "." + key
                switch (a[key], b[key]) {
                case (let x?, let y?):
                    if let found = difference(x, y, path: child) { return found }
                case (let x?, nil): return (child, x.compactText, "absent")
                case (nil, let y?): return (child, "absent", y.compactText)
                case (nil, nil): break
                }
            }
            return (here, left.compactText, right.compactText)
        case (.array(let a), .array(let b)):
            for index in 0..<max(a.count, b.count) {
                let child = "\(here)[\(index)]"
                guard index < a.count, index < b.count else {
                    return (
                        child, index < a.count ? a[index].compactText : "absent",
                        index < b.count ? b[index].compactText : "absent"
                    )
                }
                if let found = difference(a[index], b[index], path: child) { return found }
            }
            return (here, left.compactText, right.compactText)
        default:
            return (here, left.compactText, right.compactText)
        }
    }
}
