import JSON

/// Merges the cassette sessions of several shards of one batch into one session directory (issue 10).
///
/// Each run's cassette is copied byte for byte, with every blob of its session (cassette-format.md §2.1); a run whose cassette is in two sessions is refused. Untagged
/// traffic (`_default.jsonl.gz`) from one session is copied too; from several, its exchanges are written into one new
/// `_default.jsonl.gz`, session after session, numbered again in that order (untagged traffic is replayed by its
/// request, not its number; concatenating the files would give one cassette two header records). The new
/// `index.json` has a row per cassette, read from the cassettes themselves, the earliest `created` and latest
/// `updated` of the sessions, and their configurations under `config.sessions`.
public enum SessionMerge {
    /// Merges `sessions` (in the order given) into the empty or missing directory `destination`. Returns the
    /// summaries of the merged cassettes.
    @discardableResult
    public static func merge(
        _ sessions: [String],
        into destination: String,
        toolVersion: String
    ) throws(CassetteError) -> [CassetteSummary] {
        try SessionDirectory.create(destination)
        var owner: [String: String] = [:]
        var untagged: [Cassette] = []
        var untaggedSource: String?
        var summaries: [CassetteSummary] = []
        for session in sessions {
            try BlobStore.copyAll(fromSession: session, toSession: destination)
            for name in try SessionDirectory.cassetteFileNames(in: session) {
                let path = session + "/" + name
                if name == RunID.untaggedFileName {
                    untagged.append(try Cassette.load(path: path))
                    untaggedSource = untaggedSource ?? path
                    continue
                }
                if let earlier = owner[name] {
                    throw .conflict("\(name) is in both \(earlier) and \(session); each run must come from one session")
                }
                owner[name] = session
                let cassette = try Cassette.load(path: path)
                try SessionDirectory.writeAtomically(SessionDirectory.read(path), to: destination + "/" + name)
                summaries.append(cassette.summary)
            }
        }
        if untagged.count == 1, let untaggedSource {
            let target = destination + "/" + RunID.untaggedFileName
            try SessionDirectory.writeAtomically(SessionDirectory.read(untaggedSource), to: target)
            summaries.append(untagged[0].summary)
        } else if untagged.count > 1 {
            var exchanges = untagged.flatMap(\.exchanges)
            for number in exchanges.indices {
                exchanges[number].seq = number
                exchanges[number].ordinal = number
            }
            let writer = try CassetteWriter(
                directory: destination,
                run: nil,
                toolVersion: toolVersion,
                carrying: exchanges
            )
            summaries.append(try writer.finish())
        }
        summaries.sort { $0.fileName < $1.fileName }
        try writeIndex(of: sessions, summaries: summaries, into: destination, toolVersion: toolVersion)
        return summaries
    }

    private static func writeIndex(
        of sessions: [String],
        summaries: [CassetteSummary],
        into destination: String,
        toolVersion: String
    ) throws(CassetteError) {
        var created: [String] = []
        var updated: [String] = []
        var configurations: [JSONValue] = []
        for session in sessions {
            guard let index = try SessionIndex.read(directory: session) else { continue }
            created += index.created.map { [$0] } ?? []
            updated += index.updated.map { [$0] } ?? []
            configurations.append(index.configuration)
        }
        try SessionIndex.write(
            in: destination,
            toolVersion: toolVersion,
            created: created.min().map(JSONValue.string) ?? .null,
            updated: updated.max().map(JSONValue.string) ?? .null,
            configuration: .object([("sessions", .array(configurations))]),
            journalRevision: nil,
            rows: summaries.map(CassetteSession.row),
            durable: true
        )
    }
}
