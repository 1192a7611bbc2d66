import Foundation
import Hashing
import JSON
import Vocabulary

/// The first place where a replayed run's artifacts differ from the original's (cli.md, `tdf replay`).
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

/// Compares a replayed artifact tree with the original, run by run, on the deterministic projection: each run's
/// events without timestamps and durations, its `runs.jsonl` line without times, its MIDI summaries, its MUSE graph,
/// and the hashes of its payloads. Loopback ports (the proxy picks new ones) are masked everywhere. What counts as a
/// time or a port is ``VolatilityPolicy/replay``; its volatile members are dropped, so neither their values nor
/// their presence are compared.
///
/// Both trees are indexed once (``ArtifactTreeIndex``), so comparing every run of a batch reads each file once.
public struct ReplayComparison: Sendable {
    /// What may differ in a faithful replay.
    static let volatility = VolatilityPolicy.replay

    /// The parts of an artifact tree the comparison can use, in the order it compares them. `runs.jsonl` is always
    /// compared; a recording may leave the others out (the committed demo recording keeps only what replay needs
    /// plus `midi/` and `muse/`), and the replay then regenerates them.
    public static let comparableParts = [
        ArtifactLayout.eventsName, ArtifactLayout.midiDirectoryName, ArtifactLayout.museDirectoryName,
        ArtifactLayout.payloadsDirectoryName,
    ]

    /// The original tree.
    public let original: ArtifactTreeIndex
    /// The replayed tree, indexed with the original's parts.
    public let replayed: ArtifactTreeIndex

    /// Indexes the replayed tree at `replayed` with the parts the original has (the others are not compared) and
    /// compares it with `original`.
    public init(original: ArtifactTreeIndex, replayed: String, reader: ArtifactFileReader = .fileSystem) {
        self.original = original
        self.replayed = ArtifactTreeIndex(root: replayed, parts: original.parts, reader: reader)
    }

    /// The first divergence between the two trees for `runID`, or nil when identical.
    public func firstDivergence(runID: String) -> ArtifactDivergence? {
        let parts = original.parts
        if let divergence = compareRunLine(runID) { return divergence }
        if parts.contains(ArtifactLayout.eventsName), let divergence = compareEvents(runID) { return divergence }
        let originalFiles = original.files(ofRun: runID)
        let replayedFiles = replayed.files(ofRun: runID)
        for (part, file) in [
            (ArtifactLayout.midiDirectoryName, ArtifactLayout.midiSummaryName(run: runID)),
            (ArtifactLayout.museDirectoryName, ArtifactLayout.museGraphName(run: runID)),
        ]
        where parts.contains(part) {
            if let divergence = Self.compareJSONFile(file, originalFiles[file], replayedFiles[file]) {
                return divergence
            }
        }
        if parts.contains(ArtifactLayout.museDirectoryName), let divergence = compareGraphEntry(runID) {
            return divergence
        }
        return Self.compareHashes(originalFiles, replayedFiles)
    }

    /// The first divergence of each of `runIDs`, in the same order. Runs are independent, so they are compared on
    /// every core: one child task per processor, each taking the next run when it finishes one.
    public func firstDivergences(of runIDs: [String]) async -> [ArtifactDivergence?] {
        await withTaskGroup(of: (position: Int, divergence: ArtifactDivergence?).self) { group in
            var divergences = [ArtifactDivergence?](repeating: nil, count: runIDs.count)
            var next = 0
            func compareNext() {
                guard next < runIDs.count else { return }
                let position = next
                next += 1
                group.addTask { (position, firstDivergence(runID: runIDs[position])) }
            }
            for _ in 0..<ProcessInfo.processInfo.activeProcessorCount { compareNext() }
            while let (position, divergence) = await group.next() {
                divergences[position] = divergence
                compareNext()
            }
            return divergences
        }
    }

    // MARK: - Projection

    /// `value` without volatile members, with the volatile text of every string masked. (The replay policy names
    /// no paths: a replay takes no `--ignore`.)
    static func project(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(
                JSONObject(
                    object.members.filter { !volatility.members.contains($0.key) }.map { ($0.key, project($0.value)) }
                )
            )
        case .array(let items):
            return .array(items.map(project))
        case .string(let text):
            return .string(volatility.mask(text))
        default:
            return value
        }
    }

    /// An SSE stream's text without its comment frames: heartbeats come when the service is slow, so two runs
    /// that are the same differ in them (the cassette digest leaves them out for the same reason).
    static func withoutComments(_ text: String) -> String {
        text.replacingOccurrences(of: #"(?m)^:[^\n]*\n\n?"#, with: "", options: .regularExpression)
    }

    // MARK: - Records and files

    private func compareRunLine(_ runID: String) -> ArtifactDivergence? {
        let left = original.runRecord(runID)
        let right = replayed.runRecord(runID)
        let record = "run \(runID)"
        switch (left, right) {
        case (nil, nil): return nil
        case (let left?, nil):
            return ArtifactDivergence(
                file: ArtifactLayout.runsName,
                record: record,
                field: "line",
                original: Self.project(left).compactText,
                replayed: "absent"
            )
        case (nil, let right?):
            return ArtifactDivergence(
                file: ArtifactLayout.runsName,
                record: record,
                field: "line",
                original: "absent",
                replayed: Self.project(right).compactText
            )
        case (let left?, let right?):
            return Self.difference(Self.project(left), Self.project(right), path: "").map {
                ArtifactDivergence(
                    file: ArtifactLayout.runsName,
                    record: record,
                    field: $0.path,
                    original: $0.left,
                    replayed: $0.right
                )
            }
        }
    }

    private func compareEvents(_ runID: String) -> ArtifactDivergence? {
        let left = original.events(of: runID).map(Self.project)
        let right = replayed.events(of: runID).map(Self.project)
        for index in 0..<max(left.count, right.count) {
            let type = (index < left.count ? left[index] : right[index])["event_type"]?.stringValue ?? "?"
            let record = "run \(runID) event \(index + 1) (\(type))"
            guard index < left.count, index < right.count else {
                return ArtifactDivergence(
                    file: ArtifactLayout.eventsName,
                    record: record,
                    field: "event",
                    original: index < left.count ? left[index].compactText : "absent",
                    replayed: index < right.count ? right[index].compactText : "absent"
                )
            }
            if let found = Self.difference(left[index], right[index], path: "") {
                return ArtifactDivergence(
                    file: ArtifactLayout.eventsName,
                    record: record,
                    field: found.path,
                    original: found.left,
                    replayed: found.right
                )
            }
        }
        return nil
    }

    /// Compares one JSON file of a run, given its bytes in each tree (nil when absent or unreadable).
    private static func compareJSONFile(
        _ file: String,
        _ original: [UInt8]?,
        _ replayed: [UInt8]?
    )
        -> ArtifactDivergence?
    {
        // The same bytes (or none on both sides) read and project to the same value.
        guard original != replayed else { return nil }
        let left = ArtifactTreeIndex.text(original)
        let right = ArtifactTreeIndex.text(replayed)
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
        let leftValue = project(ArtifactTreeIndex.record(left[...]))
        let rightValue = project(ArtifactTreeIndex.record(right[...]))
        return difference(leftValue, rightValue, path: "").map {
            ArtifactDivergence(file: file, record: "whole file", field: $0.path, original: $0.left, replayed: $0.right)
        }
    }

    private func compareGraphEntry(_ runID: String) -> ArtifactDivergence? {
        let left = Self.project(original.graphEntry(runID))
        let right = Self.project(replayed.graphEntry(runID))
        return Self.difference(left, right, path: "").map {
            ArtifactDivergence(
                file: ArtifactLayout.museGraphName,
                record: "run \(runID)",
                field: $0.path,
                original: $0.left,
                replayed: $0.right
            )
        }
    }

    /// The first of a run's files (``ArtifactTreeIndex/files(ofRun:)``), in path order, whose hash differs between
    /// the trees. A file with the same bytes in both has the same hash, so only the others are hashed: in a faithful
    /// replay most files are byte for byte the same, and hashing them was most of the comparison's work.
    private static func compareHashes(_ left: [String: [UInt8]], _ right: [String: [UInt8]]) -> ArtifactDivergence? {
        for file in Set(left.keys).union(right.keys).sorted() where left[file] != right[file] {
            let leftHash = left[file].map { hash(of: file, bytes: $0) }
            let rightHash = right[file].map { hash(of: file, bytes: $0) }
            guard leftHash != rightHash else { continue }
            return ArtifactDivergence(
                file: file,
                record: "whole file",
                field: "sha256",
                original: leftHash.map { String($0.prefix(16)) } ?? "absent",
                replayed: rightHash.map { String($0.prefix(16)) } ?? "absent"
            )
        }
        return nil
    }

    /// The SHA-256 of a file of a run, in hex: JSON projected first, text with its volatile text masked (SSE without
    /// comment frames), anything else as it is.
    private static func hash(of file: String, bytes: [UInt8]) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { return SHA256.hash(bytes).hex }
        if file.hasSuffix(".json"), let value = try? JSONParser.parse(text, options: .python) {
            return SHA256.hash(project(value).compactText).hex
        } else if file.hasSuffix(".sse") {
            return SHA256.hash(volatility.mask(withoutComments(text))).hex
        } else {
            return SHA256.hash(volatility.mask(text)).hex
        }
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
