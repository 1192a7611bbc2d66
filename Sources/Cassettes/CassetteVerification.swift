import Gzip
public import JSON

/// The integrity of selected cassettes and of their session's index: each cassette's gzip stream, records, end
/// record and digest, and whether `index.json` (with its journal) states what the cassettes hold.
///
/// A cassette without its end record means something else while its recording process is alive: it is being
/// written, neither a missing end record nor a missing gzip trailer is damage, and its index row follows it within
/// a second or so; it counts as live, not damaged.
public struct CassetteVerification: Sendable, Equatable {
    /// What was found in one cassette.
    public struct Verdict: Sendable, Equatable {
        /// The cassette's file name.
        public let file: String
        /// Whether it is still being recorded (see ``CassetteVerification``).
        public let isLive: Bool
        /// How many whole exchanges it holds.
        public let exchanges: Int
        /// The digest recomputed from those exchanges; empty when the file could not be read.
        public let digest: String
        /// Everything wrong with it, one line each, naming the file; empty when it is whole.
        public let problems: [String]

        /// Whether nothing is wrong with it.
        public var isOK: Bool { problems.isEmpty }
    }

    /// One verdict per selected cassette, in the selection's order.
    public let cassettes: [Verdict]
    /// What is wrong with the index as a whole: it cannot be read, or it lists cassettes that do not exist.
    public let indexProblems: [String]
    /// Who is recording into the session directory, from its lock.
    public let holder: SessionLock.Holder

    /// Verifies the selected cassettes and their session's index. Index rows of cassettes that do not exist are
    /// problems only when no run was asked for.
    public init(of selection: CassetteSelection) {
        let indexPath = selection.directory + "/" + SessionDirectory.indexFileName
        // nil when the session has no index; empty when it has one that cannot be read.
        var indexRows: [String: JSONValue]?
        var indexProblems: [String] = []
        do {
            indexRows = try SessionIndex.read(directory: selection.directory)?.rows
        } catch {
            indexProblems.append(error.description)
            indexRows = [:]
        }
        let holder = SessionLock.holder(of: selection.directory)
        cassettes = selection.paths.map {
            Self.verify($0, holder: holder, indexRows: indexRows, indexPath: indexPath)
        }
        if selection.run == nil {
            let present = Set(cassettes.map(\.file))
            for file in (indexRows ?? [:]).keys.sorted() where !present.contains(file) {
                indexProblems.append("\(indexPath): lists \(file), which does not exist")
            }
        }
        self.indexProblems = indexProblems
        self.holder = holder
    }

    private static func verify(
        _ path: String,
        holder: SessionLock.Holder,
        indexRows: [String: JSONValue]?,
        indexPath: String
    ) -> Verdict {
        let file = CassetteSelection.fileName(of: path)
        let cassette: Cassette
        do {
            cassette = try Cassette.load(path: path)
        } catch {
            return Verdict(file: file, isLive: false, exchanges: 0, digest: "", problems: [error.description])
        }
        let exchanges = cassette.exchanges.count
        let digest = cassette.digest
        let isLive = if case .live = holder { cassette.end == nil && cassette.damage?.kind != .corrupt } else { false }
        var problems: [String] = []
        if let damage = cassette.damage, !isLive { problems.append(damage.description) }
        if cassette.header == nil { problems.append("\(path): no header record") }
        problems += cassette.problems
        if !isLive, cassette.end == nil {
            problems.append("\(path): no end record (\(whyUnfinished(holder, damaged: cassette.damage != nil)))")
        }
        if isLive {
            // Its index row follows the cassette; nothing to compare yet.
        } else if let row = indexRows?[file] {
            if row["exchanges"]?.integerValue != exchanges || row["digest"]?.stringValue != digest {
                problems.append(
                    "\(indexPath): the row for \(file) says \(row["exchanges"]?.integerValue ?? -1) exchanges, digest "
                        + "\(row["digest"]?.stringValue ?? "?"); the cassette holds \(exchanges), digest \(digest)"
                )
            }
        } else if indexRows != nil {
            problems.append("\(indexPath): no row for \(file)")
        }
        return Verdict(file: file, isLive: isLive, exchanges: exchanges, digest: digest, problems: problems)
    }

    /// Why a cassette has no `end` record, as far as the session's lock tells.
    private static func whyUnfinished(_ holder: SessionLock.Holder, damaged: Bool) -> String {
        switch holder {
        case .ended(let processID):
            "the recording process\(processID.map { " \($0)" } ?? "") ended without closing the session: killed or crashed"
        case .none, .live:
            damaged ? "the proxy did not shut down cleanly" : "the cassette is incomplete"
        }
    }

    /// Whether every cassette and the index are whole (live cassettes count as whole).
    public var isOK: Bool { cassettes.allSatisfy(\.isOK) && indexProblems.isEmpty }

    /// How many cassettes are still being recorded.
    public var stillOpen: Int { cassettes.count { $0.isLive } }

    /// A line per cassette (`ok`, `live` or `FAIL` with its problems indented below), a `FAIL` line per index
    /// problem, who is still recording, and a count of the cassettes verified or damaged.
    public var lines: [String] {
        var lines: [String] = []
        for verdict in cassettes {
            if verdict.isOK && verdict.isLive {
                lines.append("live  \(verdict.file): \(verdict.exchanges) exchanges so far, still being recorded")
            } else if verdict.isOK {
                lines.append("ok    \(verdict.file): \(verdict.exchanges) exchanges, digest \(verdict.digest)")
            } else {
                lines.append("FAIL  \(verdict.file): \(verdict.exchanges) whole exchanges")
                lines += verdict.problems.map { "      \($0)" }
            }
        }
        lines += indexProblems.map { "FAIL  \($0)" }
        if case .live(let processID) = holder, stillOpen > 0 {
            lines.append(
                "\(stillOpen) cassettes are still being recorded by \(processID.map { "process \($0)" } ?? "a live process")"
                    + "; SIGHUP to it finishes the idle ones"
            )
        }
        let failures = cassettes.count { !$0.isOK }
        lines.append(
            isOK
                ? "\(cassettes.count) cassettes verified"
                : "\(failures) of \(cassettes.count) cassettes damaged or incomplete"
        )
        return lines
    }

    /// The first problem of each damaged cassette, then the first index problem: the short account of damage.
    public var firstProblems: [String] {
        cassettes.compactMap(\.problems.first) + indexProblems.prefix(1)
    }

    /// `{"ok", "cassettes": [{"file", "ok", "live", "exchanges", "digest", "problems"}], "index_problems"}`.
    public var jsonValue: JSONValue {
        let rows = cassettes.map { verdict -> JSONValue in
            .object([
                ("file", .string(verdict.file)), ("ok", .bool(verdict.isOK)), ("live", .bool(verdict.isLive)),
                ("exchanges", .int(verdict.exchanges)), ("digest", .string(verdict.digest)),
                ("problems", .array(verdict.problems.map(JSONValue.string))),
            ])
        }
        return .object([
            ("ok", .bool(isOK)), ("cassettes", .array(rows)),
            ("index_problems", .array(indexProblems.map(JSONValue.string))),
        ])
    }
}
