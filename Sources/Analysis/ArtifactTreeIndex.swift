import Foundation
import Gzip
import JSON
import Vocabulary

/// How the replay comparison reaches the files of an artifact tree: the local file system, or a stand-in (a test
/// counts the reads through one).
public struct ArtifactFileReader: Sendable {
    /// The bytes of the file at `path`, or nil when it cannot be read (missing, a directory, no permission).
    public var contents: @Sendable (_ path: String) -> [UInt8]?
    /// The names in the directory at `path`, or nil when it cannot be listed.
    public var entries: @Sendable (_ path: String) -> [String]?
    /// Whether a file or directory exists at `path`.
    public var exists: @Sendable (_ path: String) -> Bool

    /// A reader made of these three functions.
    public init(
        contents: @escaping @Sendable (_ path: String) -> [UInt8]?,
        entries: @escaping @Sendable (_ path: String) -> [String]?,
        exists: @escaping @Sendable (_ path: String) -> Bool
    ) {
        self.contents = contents
        self.entries = entries
        self.exists = exists
    }

    /// The local file system.
    public static let fileSystem = ArtifactFileReader(
        contents: { path in FileManager.default.contents(atPath: path).map { [UInt8]($0) } },
        entries: { path in try? FileManager.default.contentsOfDirectory(atPath: path) },
        exists: { path in FileManager.default.fileExists(atPath: path) }
    )
}

/// One artifact tree as the replay comparison reads it. Making the index reads `runs.jsonl`, `events.jsonl` and
/// `muse/graph.json` once and groups their records by run id, and lists the payload directories once; a run's own
/// files (its payloads, `midi/run_<id>/`, `muse/run_<id>/`) are read when that run is compared. So comparing every
/// run of a batch reads each file of both trees once, however many runs the batch has.
public struct ArtifactTreeIndex: Sendable {
    /// The tree's directory.
    public let root: String
    private let layout: ArtifactLayout
    /// The parts of ``ReplayComparison/comparableParts`` the index read (`runs.jsonl` is always read).
    public let parts: Set<String>
    /// The runs `runs.jsonl` lists with their batch indexes, in file order (empty when the file is missing).
    public let recordedRuns: [(runID: String, index: Int)]
    private let reader: ArtifactFileReader
    /// The first `runs.jsonl` record of each run.
    private let runRecords: [String: JSONValue]
    private let eventLines: RecordLinesByRun
    /// The first entry of each run in the `runs` array of `muse/graph.json`.
    private let graphEntries: [String: JSONValue]
    /// The payload files of each run (`payloads/<kind>/<run id>_…`), relative to the tree.
    private let payloadFiles: [String: [String]]

    /// Indexes the tree at `root`, reading `parts` of it; nil reads every comparable part the tree has, which is
    /// what an original recording is indexed with (a replayed tree is indexed with the original's parts).
    public init(root: String, parts: Set<String>? = nil, reader: ArtifactFileReader = .fileSystem) {
        self.root = root
        let layout = ArtifactLayout(root: root)
        self.layout = layout
        self.reader = reader
        let parts =
            parts
            ?? Set(
                ReplayComparison.comparableParts.filter {
                    reader.exists(layout.path($0)) || reader.exists(layout.path($0) + SealedLineFile.sealedSuffix)
                }
            )
        self.parts = parts

        var recordedRuns: [(runID: String, index: Int)] = []
        var runRecords: [String: JSONValue] = [:]
        let runsFile = Self.text(reader.contents(layout.runsFile)) ?? []
        for line in Self.lineRanges(runsFile) {
            let record = Self.record(runsFile[line])
            guard let runID = record["run_id"]?.stringValue else { continue }
            if runRecords[runID] == nil { runRecords[runID] = record }
            if let index = record["index"]?.intValue { recordedRuns.append((runID, index)) }
        }
        self.recordedRuns = recordedRuns
        self.runRecords = runRecords

        let eventsFile =
            parts.contains(ArtifactLayout.eventsName)
            ? Self.text(Self.lineFile(layout.eventsFile, reader: reader)) : nil
        eventLines = RecordLinesByRun(eventsFile)

        var graphEntries: [String: JSONValue] = [:]
        if parts.contains(ArtifactLayout.museDirectoryName),
            let graph = Self.text(reader.contents(layout.museGraphFile))
        {
            for entry in Self.record(graph[...])["runs"]?.arrayValue ?? [] {
                guard let runID = entry["run_id"]?.stringValue, graphEntries[runID] == nil else { continue }
                graphEntries[runID] = entry
            }
        }
        self.graphEntries = graphEntries

        var payloadFiles: [String: [String]] = [:]
        if parts.contains(ArtifactLayout.payloadsDirectoryName) {
            for kind in reader.entries(layout.payloadsDirectory) ?? [] {
                for name in reader.entries(layout.payloadsDirectory + "/" + kind) ?? [] {
                    // A file belongs to every run id that, followed by `_`, begins its name.
                    for separator in name.indices where name[separator] == "_" {
                        payloadFiles[String(name[..<separator]), default: []].append(
                            ArtifactLayout.payloadsDirectoryName + "/\(kind)/\(name)"
                        )
                    }
                }
            }
        }
        self.payloadFiles = payloadFiles
    }

    /// The first `runs.jsonl` record of `runID`, or nil.
    func runRecord(_ runID: String) -> JSONValue? { runRecords[runID] }

    /// A line file's lines, sealed (`<path>.gz`, ``SealedLineFile``) then plain; nil when neither can be read,
    /// or the sealed part is damaged (the comparison then reports the file's lines as missing).
    static func lineFile(_ path: String, reader: ArtifactFileReader) -> [UInt8]? {
        try? SealedLineFile.lines(
            sealed: reader.contents(path + SealedLineFile.sealedSuffix),
            plain: reader.contents(path),
            at: path
        )
    }

    /// The `events.jsonl` records of `runID`, in file order.
    func events(of runID: String) -> [JSONValue] { eventLines.records(of: runID) }

    /// The entry of `runID` in `muse/graph.json`, or null.
    func graphEntry(_ runID: String) -> JSONValue { graphEntries[runID] ?? .null }

    /// The most a compressed payload is inflated to for the comparison: the largest tdf writes (a compose
    /// stream's events) are a few megabytes.
    static let maximumPayloadBytes = 256 << 20

    /// The files of `runID` that are hashed, read now, by path relative to the tree: its payloads, and whatever
    /// `midi/run_<id>/` and `muse/run_<id>/` hold (for the parts the index read). Unreadable files are left out.
    func files(ofRun runID: String) -> [String: [UInt8]] {
        var paths = payloadFiles[runID] ?? []
        for (part, directory) in [
            (ArtifactLayout.midiDirectoryName, ArtifactLayout.midiDirectoryName(run: runID)),
            (ArtifactLayout.museDirectoryName, ArtifactLayout.museDirectoryName(run: runID)),
        ]
        where parts.contains(part) {
            paths += (reader.entries(layout.path(directory)) ?? []).map { "\(directory)/\($0)" }
        }
        var files: [String: [UInt8]] = [:]
        for path in paths {
            let contents = reader.contents(layout.path(path))
            // A payload is compared by its content and its name without `.gz`, so that a recording made before
            // payloads were compressed still compares with its replay.
            // A payload that would inflate past ``maximumPayloadBytes`` (a gzip bomb) is compared compressed.
            if path.hasSuffix(ArtifactLayout.compressedSuffix), let contents,
                let content = try? GzipData.decompress(contents, maximumSize: Self.maximumPayloadBytes)
            {
                files[String(path.dropLast(ArtifactLayout.compressedSuffix.count))] = content
            } else {
                files[path] = contents
            }
        }
        return files
    }

    // MARK: - Reading text

    /// `bytes` if they are text as `String(contentsOfFile:encoding: .utf8)` reads it (valid UTF-8), without a
    /// leading byte order mark, which that initializer drops; nil otherwise.
    static func text(_ bytes: [UInt8]?) -> [UInt8]? {
        guard let bytes, String(validating: bytes, as: UTF8.self) != nil else { return nil }
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        return bytes.starts(with: byteOrderMark) ? Array(bytes.dropFirst(byteOrderMark.count)) : bytes
    }

    /// The non-empty lines of `text`, split where `String.split(separator: "\n")` splits it: at every line feed
    /// except one after a carriage return, which together are a single `Character`.
    static func lineRanges(_ text: [UInt8]) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var start = 0
        for (position, byte) in text.enumerated() where byte == UInt8(ascii: "\n") {
            if position > 0 && text[position - 1] == UInt8(ascii: "\r") { continue }
            if start < position { lines.append(start..<position) }
            start = position + 1
        }
        if start < text.count { lines.append(start..<text.count) }
        return lines
    }

    /// One record (a line, or a whole JSON file) as the comparison reads it: JSON parsed as the Python services
    /// parse it, or else the text itself as a JSON string, so that a damaged file still compares by its text.
    static func record(_ line: ArraySlice<UInt8>) -> JSONValue {
        (try? JSONParser.parse(line, options: .python)) ?? .string(String(decoding: line, as: UTF8.self))
    }
}

/// A JSON Lines file kept as its bytes, with the lines of each run located once: a run's records are parsed when
/// that run is compared, so the file is neither read again per run nor held in memory as parsed values.
private struct RecordLinesByRun: Sendable {
    private let text: [UInt8]
    private let linesByRun: [String: [Range<Int>]]

    /// Locates the lines of each run in `text` (nil holds no records).
    init(_ text: [UInt8]?) {
        let text = text ?? []
        var linesByRun: [String: [Range<Int>]] = [:]
        for line in ArtifactTreeIndex.lineRanges(text) {
            guard let runID = ArtifactTreeIndex.record(text[line])["run_id"]?.stringValue else { continue }
            linesByRun[runID, default: []].append(line)
        }
        self.text = text
        self.linesByRun = linesByRun
    }

    /// The records of `runID`, in file order.
    func records(of runID: String) -> [JSONValue] {
        (linesByRun[runID] ?? []).map { ArtifactTreeIndex.record(text[$0]) }
    }
}
