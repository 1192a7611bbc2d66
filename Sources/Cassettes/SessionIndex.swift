import CLinux
import Foundation
public import JSON
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// A session's readable index: `index.json` and, while a session records, its journal `index.journal.jsonl`.
///
/// Rewriting `index.json` whole for every new run made a proxy's requests slower with every run it had seen. A
/// recording session therefore appends each changed row to the journal, one JSON line
/// `{"revision": N, "row": {…}}` with one `write(2)`, and folds the journal into `index.json` now and then (when
/// it has grown as long as the index, on `SIGHUP`, at close): `index.json` is written atomically with
/// `journal_revision` set to the last revision it holds, and only then is the journal removed. A reader reads the
/// journal first and the index second, and lays the journal's rows with a revision above the index's over it;
/// whichever fold happened between the two reads, it sees every row, and at least as new as when it started.
/// After a crash the journal holds what the index lacks; a torn last line is the write the crash interrupted.
public struct SessionIndex: Sendable {
    /// The name of the journal file beside `index.json`.
    public static let journalFileName = "index.journal.jsonl"

    /// The tool version that wrote the index.
    public var toolVersion: String?
    /// When the session was first created.
    public var created: String?
    /// When the index was last written.
    public var updated: String?
    /// The configuration the session recorded with.
    public var configuration: JSONValue
    /// One row per cassette, by file name.
    public var rows: [String: JSONValue]
    /// The highest revision the rows include.
    public var revision: Int

    /// Reads the index of the session in `directory`, with its journal laid over it; nil when it has neither.
    public static func read(directory: String) throws(CassetteError) -> SessionIndex? {
        let journalPath = directory + "/" + journalFileName
        let indexPath = directory + "/" + SessionDirectory.indexFileName
        // The journal first: see the type's comment.
        let journal = SessionDirectory.exists(journalPath) ? try readJournal(journalPath) : []
        var index = SessionIndex(configuration: .null, rows: [:], revision: 0)
        if SessionDirectory.exists(indexPath) {
            let value: JSONValue
            do {
                value = try JSONParser.parse(SessionDirectory.read(indexPath))
            } catch let error as CassetteError {
                throw error
            } catch {
                throw CassetteError.io(indexPath, "is not readable JSON: \(error)")
            }
            index.toolVersion = value["tool_version"]?.stringValue
            index.created = value["created"]?.stringValue
            index.updated = value["updated"]?.stringValue
            index.configuration = value["config"] ?? .null
            index.revision = value["journal_revision"]?.integerValue ?? 0
            for row in value["runs"]?.arrayValue ?? [] {
                if let file = row["file"]?.stringValue { index.rows[file] = row }
            }
        } else if journal.isEmpty {
            return nil
        }
        for entry in journal where entry.revision > index.revision {
            index.rows[entry.file] = entry.row
            index.revision = entry.revision
        }
        return index
    }

    /// Writes a whole `index.json` atomically (cassette-format.md §6): `journalRevision` is the last journal revision
    /// its rows include (nil for an index with no journal behind it, as a merge writes); `durable` also flushes it to
    /// the disk.
    static func write(
        in directory: String,
        toolVersion: String,
        created: JSONValue,
        updated: JSONValue,
        configuration: JSONValue,
        journalRevision: Int?,
        rows: [JSONValue],
        durable: Bool
    ) throws(CassetteError) {
        var fields: [(String, JSONValue)] = [
            ("format", .string("tdf-session-index")),
            ("version", .int(CassetteFormat.version)),
            ("tool_version", .string(toolVersion)),
            ("created", created),
            ("updated", updated),
            ("config", configuration),
        ]
        if let journalRevision { fields.append(("journal_revision", .int(journalRevision))) }
        fields.append(("runs", .array(rows)))
        var bytes = JSONWriter.bytes(.object(fields), style: .pretty)
        bytes.append(0x0A)
        try SessionDirectory.writeAtomically(
            bytes,
            to: directory + "/" + SessionDirectory.indexFileName,
            durable: durable
        )
    }

    /// Copies the cassettes of `runs` from the session in `source` into a new session `target` (replacing it), with
    /// an `index.json` of their rows as the source's index states them.
    public static func copy(runs: [RunID], from source: String, to target: String) throws(CassetteError) {
        let index = try read(directory: source)
        try? FileManager.default.removeItem(atPath: target)
        try SessionDirectory.create(target)
        for run in runs {
            let name = RunID.fileName(for: run)
            try SessionDirectory.writeAtomically(SessionDirectory.read(source + "/" + name), to: target + "/" + name)
        }
        guard let index else { return }
        let wanted = Set(runs.map(RunID.fileName(for:)))
        try write(
            in: target,
            toolVersion: index.toolVersion ?? "",
            created: index.created.map(JSONValue.string) ?? .null,
            updated: index.updated.map(JSONValue.string) ?? .null,
            configuration: index.configuration,
            journalRevision: nil,
            rows: index.sortedRows.filter { wanted.contains($0["file"]?.stringValue ?? "") },
            durable: false
        )
    }

    /// The rows sorted by file name, as `index.json` lists them.
    public var sortedRows: [JSONValue] {
        rows.sorted { $0.key < $1.key }.map(\.value)
    }

    struct JournalEntry {
        let revision: Int
        let file: String
        let row: JSONValue
    }

    /// The journal's entries in file order. A last line without its newline is a write a crash cut short and is
    /// left out; any other line that is not an entry is an error naming the file and the line.
    static func readJournal(_ path: String) throws(CassetteError) -> [JournalEntry] {
        let bytes = try SessionDirectory.read(path)
        var entries: [JournalEntry] = []
        var lineNumber = 0
        var start = 0
        while let end = bytes[start...].firstIndex(of: 0x0A) {
            lineNumber += 1
            let line = bytes[start..<end]
            start = end + 1
            guard let entry = try? JSONParser.parse(Array(line)),
                let revision = entry["revision"]?.integerValue, revision > 0,
                let row = entry["row"], let file = row["file"]?.stringValue
            else {
                throw CassetteError.malformed(
                    path,
                    record: lineNumber,
                    "is not a journal entry {\"revision\", \"row\"}"
                )
            }
            entries.append(JournalEntry(revision: revision, file: file, row: row))
        }
        return entries
    }
}

/// Keeps a recording session's index: appends changed rows to the journal and folds it into `index.json`
/// (``SessionIndex``). The rows live in those two files only, not in memory, so a session that has seen a million
/// runs holds no more than one that has seen ten. Not thread-safe: its owner serialises every call.
final class SessionIndexWriter {
    private let directory: String
    private let toolVersion: String
    private let created: String
    private let configuration: JSONValue
    private var revision: Int
    /// How many rows `index.json` had at the last fold: the journal is folded once it is as long.
    private var rowsAtLastFold = 0
    private var journalLines = 0
    private var journalDescriptor: Int32 = -1

    /// Starts from the rows of an earlier index (and its journal) and writes them into `index.json` at once.
    init(
        directory: String,
        toolVersion: String,
        created: String,
        configuration: JSONValue,
        rows: [String: JSONValue],
        revision: Int
    ) throws(CassetteError) {
        self.directory = directory
        self.toolVersion = toolVersion
        self.created = created
        self.configuration = configuration
        self.revision = revision
        try write(rows: rows, durable: false)
    }

    deinit {
        if journalDescriptor >= 0 { close(journalDescriptor) }
    }

    private var journalPath: String { directory + "/" + SessionIndex.journalFileName }

    /// Appends `changed` rows to the journal with one write; folds the journal into the index once it holds as
    /// many lines as the index has rows (so the work per row stays constant however many runs the session has).
    func append(_ changed: [JSONValue]) throws(CassetteError) {
        guard !changed.isEmpty else { return }
        var bytes: [UInt8] = []
        for row in changed where row["file"]?.stringValue != nil {
            revision += 1
            bytes += Array(#"{"revision":\#(revision),"row":"#.utf8) + JSONWriter.bytes(row)
            bytes += Array("}\n".utf8)
        }
        do {
            try appendToJournal(bytes)
        } catch {
            // The journal may now end in a part line that later lines would follow: fold instead, which drops it.
            try fold(durable: false)
            return
        }
        journalLines += changed.count
        if journalLines >= max(64, rowsAtLastFold) { try fold(durable: false) }
    }

    /// Every row as the index and the journal hold them now, by file name.
    func rows() throws(CassetteError) -> [String: JSONValue] {
        try SessionIndex.read(directory: directory)?.rows ?? [:]
    }

    /// Writes every row into `index.json` atomically, then removes the journal it now holds.
    func fold(durable: Bool) throws(CassetteError) {
        try write(rows: rows(), durable: durable)
        // The fold parsed every row into small values and freed them; malloc keeps such memory unless asked, so
        // a long session's resident size would grow with its index. `malloc_trim`
        malloc_trim(0)
    }

    private func write(rows: [String: JSONValue], durable: Bool) throws(CassetteError) {
        try SessionIndex.write(
            in: directory,
            toolVersion: toolVersion,
            created: .string(created),
            updated: .string(Timestamp.now().description),
            configuration: configuration,
            journalRevision: revision,
            rows: rows.sorted { $0.key < $1.key }.map(\.value),
            durable: durable
        )
        if journalDescriptor >= 0 {
            close(journalDescriptor)
            journalDescriptor = -1
        }
        unlink(journalPath)
        journalLines = 0
        rowsAtLastFold = rows.count
    }

    private func appendToJournal(_ bytes: [UInt8]) throws(CassetteError) {
        if journalDescriptor < 0 {
            journalDescriptor = open(journalPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard journalDescriptor >= 0 else {
                throw CassetteError.io(journalPath, "cannot open: \(String(cString: strerror(errno)))")
            }
        }
        try SessionDirectory.writeAll(bytes, to: journalDescriptor, path: journalPath)
    }
}
