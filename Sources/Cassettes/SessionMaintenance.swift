import JSON
import Vocabulary

#if canImport(Glibc)
    import Glibc
#endif

/// What a maintenance command did to one cassette, or would do (`--dry-run`), or why it left it alone.
public struct CassetteChange: Sendable, Equatable, CustomStringConvertible {
    /// The cassette's file name.
    public let file: String
    /// The `end` record the cassette had; nil when it had none (or could not be read).
    public let before: CassetteEnd?
    /// The `end` record it has now; nil when it was removed (every recording pruned) or refused.
    public let after: CassetteEnd?
    /// The seqs pruned from it, ascending.
    public let removedSeqs: [Int]
    /// Why it was left as it is (a record that does not decode, a cassette changed since the replay), naming the
    /// file, the record and where it starts.
    public let refusal: String?
    /// Whether nothing was written: the change is what would happen.
    public let isDryRun: Bool

    /// Whether the cassette was (or would be) rewritten or removed.
    public var isChanged: Bool { refusal == nil && before != after }

    /// One line: `unchanged`, `resealed`, `pruned`, `removed` (`would reseal`, … in a dry run) or `FAIL`.
    public var description: String {
        if let refusal { return "FAIL \(file): \(refusal)" }
        let verb = { (done: String, planned: String) in isDryRun ? "would " + planned : done }
        guard let after else {
            return "\(verb("removed", "remove")) \(file): all \(removedSeqs.count) recordings unused "
                + "(seqs \(Self.list(removedSeqs)))"
        }
        guard isChanged else { return "unchanged \(file): \(after.exchangeCount) exchanges, digest \(after.digest)" }
        let was = before.map { "\($0.exchangeCount) → \(after.exchangeCount) exchanges, digest \($0.digest) → " }
        let change = (was ?? "no end record → \(after.exchangeCount) exchanges, digest ") + after.digest
        if removedSeqs.isEmpty { return "\(verb("resealed", "reseal")) \(file): \(change)" }
        return "\(verb("pruned", "prune")) \(file): removed seqs \(Self.list(removedSeqs)); \(change)"
    }

    private static func list(_ seqs: [Int]) -> String { seqs.map(String.init).joined(separator: ", ") }
}

/// What ``SessionMaintenance`` did to a session directory.
public struct MaintenanceReport: Sendable, Equatable {
    /// One change per cassette looked at, by file name.
    public let changes: [CassetteChange]
    /// Whether `index.json` was (or would be) rewritten.
    public let indexRewritten: Bool

    /// Whether every cassette could be handled.
    public var isOK: Bool { changes.allSatisfy { $0.refusal == nil } }

    /// A line per cassette, then one for the index and a count.
    public var lines: [String] {
        let dryRun = changes.first?.isDryRun ?? false
        var lines = changes.map(\.description)
        lines.append(
            indexRewritten ? "\(dryRun ? "would rewrite" : "rewrote") index.json" : "index.json unchanged"
        )
        let changed = changes.count(where: \.isChanged)
        let refused = changes.count { $0.refusal != nil }
        lines.append(
            "\(changed) of \(changes.count) cassettes \(dryRun ? "would change" : "changed")"
                + (refused > 0 ? ", \(refused) refused" : "")
        )
        return lines
    }
}

/// Rewrites a session's cassettes after a hand edit (``reseal(directory:toolVersion:)``) or a replay that left
/// recordings unused (``prune(directory:usage:dryRun:toolVersion:)``), and its `index.json` after them
/// (cassette-format.md §11). It holds the session's lock meanwhile, so no proxy records into the directory while
/// it works, and refuses a directory a live proxy holds. Each cassette is replaced atomically, then the index.
public enum SessionMaintenance {
    /// Recomputes each cassette's `end` record (exchange count and digest) from its exchange records as written,
    /// rewriting only the cassettes whose `end` record does not match, then rewrites `index.json` with a row per
    /// cassette from the cassettes. A cassette that cannot be read whole is refused (and its index row kept); the
    /// others are still resealed.
    public static func reseal(directory: String, toolVersion: String) throws(CassetteError) -> MaintenanceReport {
        try withLock(on: directory) { () throws(CassetteError) in
            var changes: [CassetteChange] = []
            var summaries: [String: CassetteSummary?] = [:]
            for name in try SessionDirectory.cassetteFileNames(in: directory) {
                let path = directory + "/" + name
                do throws(CassetteError) {
                    let cassette = try WrittenCassette.read(path: path)
                    let after = cassette.recomputedEnd
                    if !cassette.isSealed {
                        try WrittenCassette.write(header: cassette.header, exchanges: cassette.exchanges, to: path)
                    }
                    changes.append(change(name, before: cassette.end, after: after))
                    summaries.updateValue(summary(of: cassette.header, cassette.exchanges), forKey: name)
                } catch {
                    changes.append(refusal(name, error.description))
                }
            }
            let rewritten = try rewriteIndex(
                of: directory,
                with: summaries,
                // A refused cassette keeps its row; rows of cassettes that are gone go.
                keeping: Set(changes.filter { $0.refusal != nil }.map(\.file)),
                toolVersion: toolVersion,
                dryRun: false
            )
            return MaintenanceReport(changes: changes, indexRewritten: rewritten)
        }
    }

    /// Removes from each cassette `usage` accounts for the recordings it lists as unused, keeping every other record
    /// and its seq, and the cassette whose recordings were all unused; then rewrites those cassettes' index rows.
    /// A cassette whose `end` record no longer has the digest the replay read (recorded again, edited or resealed
    /// since) is refused, as is one whose `end` record does not match its exchanges (reseal it and replay again).
    /// Cassettes `usage` does not name are left alone. With `dryRun`, nothing is written.
    public static func prune(
        directory: String,
        usage: ReplayUsage,
        dryRun: Bool,
        toolVersion: String
    ) throws(CassetteError) -> MaintenanceReport {
        let work = { () throws(CassetteError) -> MaintenanceReport in
            var changes: [CassetteChange] = []
            var summaries: [String: CassetteSummary?] = [:]
            for entry in usage.cassettes.sorted(by: { $0.file < $1.file }) where !entry.unused.isEmpty {
                let (change, summary) = prune(entry, in: directory, dryRun: dryRun)
                changes.append(change)
                // `updateValue`: a nil summary is a row to remove, not a key to drop.
                if change.isChanged { summaries.updateValue(summary, forKey: entry.file) }
            }
            let rewritten = try rewriteIndex(
                of: directory,
                with: summaries,
                keeping: nil,
                toolVersion: toolVersion,
                dryRun: dryRun
            )
            return MaintenanceReport(changes: changes, indexRewritten: rewritten)
        }
        // A dry run writes nothing, not even the lock file.
        return dryRun ? try work() : try withLock(on: directory, work)
    }

    /// Prunes one cassette: the change, and the summary of what is left (nil when nothing is).
    private static func prune(
        _ entry: CassetteUsage,
        in directory: String,
        dryRun: Bool
    ) -> (CassetteChange, CassetteSummary?) {
        let path = directory + "/" + entry.file
        let cassette: WrittenCassette
        do {
            cassette = try WrittenCassette.read(path: path)
        } catch {
            return (refusal(entry.file, error.description), nil)
        }
        guard cassette.isSealed else {
            return (
                refusal(
                    entry.file,
                    "its end record does not match its exchanges (edited by hand?): run tdf cassette reseal, replay "
                        + "again and prune with that replay's file"
                ),
                nil
            )
        }
        guard let replayed = entry.digest, replayed == cassette.end?.digest else {
            return (
                refusal(
                    entry.file,
                    "it changed since the replay (its digest is \(cassette.end?.digest ?? "none"), the replay read "
                        + "\(entry.digest ?? "an unsealed cassette")): replay again and prune with that replay's file"
                ),
                nil
            )
        }
        let unused = Set(entry.unused.map(\.seq))
        let kept = cassette.exchanges.filter { !unused.contains($0.seq) }
        let removed = cassette.exchanges.map(\.seq).filter(unused.contains).sorted()
        let after = kept.isEmpty ? nil : CassetteEnd(exchangeCount: kept.count, digest: CassetteDigest.digest(of: kept))
        let change = CassetteChange(
            file: entry.file,
            before: cassette.end,
            after: after,
            removedSeqs: removed,
            refusal: nil,
            isDryRun: dryRun
        )
        guard !dryRun, !removed.isEmpty else { return (change, summary(of: cassette.header, kept)) }
        do throws(CassetteError) {
            if kept.isEmpty {
                guard unlink(path) == 0 else {
                    throw CassetteError.io(path, "cannot remove: \(String(cString: strerror(errno)))")
                }
                return (change, nil)
            }
            try WrittenCassette.write(header: cassette.header, exchanges: kept, to: path)
            return (change, summary(of: cassette.header, kept))
        } catch {
            return (refusal(entry.file, error.description), nil)
        }
    }

    private static func change(_ file: String, before: CassetteEnd?, after: CassetteEnd) -> CassetteChange {
        CassetteChange(file: file, before: before, after: after, removedSeqs: [], refusal: nil, isDryRun: false)
    }

    private static func refusal(_ file: String, _ reason: String) -> CassetteChange {
        CassetteChange(file: file, before: nil, after: nil, removedSeqs: [], refusal: reason, isDryRun: false)
    }

    private static func summary(of header: CassetteHeader, _ exchanges: [Exchange]) -> CassetteSummary {
        CassetteSummary(run: header.run, exchanges: exchanges, isComplete: true)
    }

    /// Runs `work` holding the session's lock; refuses a directory that does not exist or that a proxy records into.
    private static func withLock<T>(
        on directory: String,
        _ work: () throws(CassetteError) -> T
    ) throws(CassetteError) -> T {
        guard SessionDirectory.exists(directory) else {
            throw CassetteError.io(directory, "does not exist; give a session directory of cassettes")
        }
        let lock = try SessionLock(directory: directory)
        defer { lock.release() }
        return try work()
    }

    /// Writes `index.json` with the rows of `summaries` (a nil summary removes the row), keeping of the other rows
    /// those of `keeping` (all of them when nil), and the index's creation time and configuration. Folds a journal left by a crashed
    /// session into it and removes it. Returns whether the index changed (or, in a dry run, would).
    private static func rewriteIndex(
        of directory: String,
        with summaries: [String: CassetteSummary?],
        keeping: Set<String>?,
        toolVersion: String,
        dryRun: Bool
    ) throws(CassetteError) -> Bool {
        // An index that cannot be read is rebuilt from the cassettes: they are the truth (cassette-format.md §6).
        let index = (try? SessionIndex.read(directory: directory)) ?? nil
        let old = index?.rows ?? [:]
        var rows = keeping.map { kept in old.filter { kept.contains($0.key) } } ?? old
        for (file, summary) in summaries { rows[file] = summary.map(CassetteSession.row) }
        let hasJournal = SessionDirectory.exists(directory + "/" + SessionIndex.journalFileName)
        let changed = hasJournal || index == nil || Self.text(of: rows) != Self.text(of: old)
        guard changed, !dryRun else { return changed }
        try SessionIndex.write(
            in: directory,
            toolVersion: toolVersion,
            created: index?.created.map(JSONValue.string) ?? .string(Timestamp.now().description),
            updated: .string(Timestamp.now().description),
            configuration: index?.configuration ?? .null,
            // The journal's rows are in these; naming its last revision keeps a reader from laying them over again
            // if the journal outlives this write.
            journalRevision: index.map(\.revision).flatMap { $0 > 0 ? $0 : nil },
            rows: rows.sorted { $0.key < $1.key }.map(\.value),
            durable: true
        )
        if hasJournal { unlink(directory + "/" + SessionIndex.journalFileName) }
        return true
    }

    private static func text(of rows: [String: JSONValue]) -> [String: String] {
        rows.mapValues { JSONWriter.string($0) }
    }
}
