public import JSON
public import Vocabulary

/// How one replay session used one cassette: the seqs it served and the recordings no request asked for.
public struct CassetteUsage: Sendable, Equatable {
    /// The cassette's file name.
    public var file: String
    /// The digest in the cassette's `end` record when the replay read it; nil when it had none (unsealed).
    public var digest: String?
    /// The seqs of the recordings served at least once, ascending.
    public var served: [Int]
    /// The recordings never served, by seq.
    public var unused: [UnusedRecording]

    /// Makes a usage.
    public init(file: String, digest: String?, served: [Int], unused: [UnusedRecording]) {
        self.file = file
        self.digest = digest
        self.served = served
        self.unused = unused
    }
}

/// What a replay session served, as `tdf proxy --mode replay --served FILE` writes it at shutdown and
/// `tdf cassette prune --unused-in FILE` reads it (cassette-format.md §11.2):
///
/// ```json
/// {"format": "tdf-replay-usage", "version": 1, "directory": "/abs/cassettes", "finished": "2026-…Z",
///  "cassettes": [{"file": "r_000001.jsonl.gz", "digest": "…", "served": [0, 2],
///                 "unused": [{"seq": 1, "ordinal": 1, "service": "maestro", "method": "GET", "target": "/x"}]}]}
/// ```
public struct ReplayUsage: Sendable, Equatable {
    /// The `format` member.
    public static let format = "tdf-replay-usage"

    /// The session directory replayed.
    public var directory: String
    /// When the replay session stopped.
    public var finished: Timestamp
    /// One entry per cassette the replay accounted for, by file name.
    public var cassettes: [CassetteUsage]

    /// Makes a usage document.
    public init(directory: String, finished: Timestamp, cassettes: [CassetteUsage]) {
        self.directory = directory
        self.finished = finished
        self.cassettes = cassettes
    }

    /// The document as JSON.
    public var jsonValue: JSONValue {
        .object([
            ("format", .string(Self.format)),
            ("version", .int(1)),
            ("directory", .string(directory)),
            ("finished", .string(finished.description)),
            (
                "cassettes",
                .array(
                    cassettes.map { usage in
                        .object([
                            ("file", .string(usage.file)),
                            ("digest", usage.digest.map(JSONValue.string) ?? .null),
                            ("served", .array(usage.served.map(JSONValue.int))),
                            (
                                "unused",
                                .array(
                                    usage.unused.map { recording in
                                        .object([
                                            ("seq", .int(recording.seq)),
                                            ("ordinal", .int(recording.ordinal)),
                                            ("service", .string(recording.service)),
                                            ("method", .string(recording.method)),
                                            ("target", .string(recording.target)),
                                        ])
                                    }
                                )
                            ),
                        ])
                    }
                )
            ),
        ])
    }

    /// Reads the document at `path`; an error names the file and what is wrong.
    public init(path: String) throws(CassetteError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(SessionDirectory.read(path))
        } catch let error as CassetteError {
            throw error
        } catch {
            throw CassetteError.io(path, "is not readable JSON: \(error)")
        }
        func refuse(_ what: String) -> CassetteError {
            CassetteError.io(path, "is not a replay usage file (tdf proxy --served FILE writes one): \(what)")
        }
        guard value["format"]?.stringValue == Self.format else { throw refuse("`format` is not '\(Self.format)'") }
        guard value["version"]?.integerValue == 1 else { throw refuse("`version` is not 1") }
        guard let directory = value["directory"]?.stringValue,
            let finished = value["finished"]?.stringValue.flatMap(Timestamp.init(iso8601:)),
            let rows = value["cassettes"]?.arrayValue
        else { throw refuse("`directory`, `finished` or `cassettes` is missing") }
        var cassettes: [CassetteUsage] = []
        for (position, row) in rows.enumerated() {
            guard let file = row["file"]?.stringValue, RunID.run(forFileName: file) != nil,
                let served = row["served"]?.arrayValue?.map(\.integerValue), let unusedRows = row["unused"]?.arrayValue
            else { throw refuse("`cassettes[\(position)]` lacks a cassette `file`, `served` or `unused`") }
            var unused: [UnusedRecording] = []
            for recording in unusedRows {
                guard let seq = recording["seq"]?.integerValue else {
                    throw refuse("`cassettes[\(position)].unused` has an entry without a `seq`")
                }
                unused.append(
                    UnusedRecording(
                        cassette: file,
                        seq: seq,
                        ordinal: recording["ordinal"]?.integerValue ?? 0,
                        service: recording["service"]?.stringValue ?? "",
                        method: recording["method"]?.stringValue ?? "",
                        target: recording["target"]?.stringValue ?? ""
                    )
                )
            }
            cassettes.append(
                CassetteUsage(
                    file: file,
                    digest: row["digest"]?.stringValue,
                    served: served.compactMap { $0 },
                    unused: unused
                )
            )
        }
        self.init(directory: directory, finished: finished, cassettes: cassettes)
    }
}
