public import Analysis
import Foundation

/// Builds `tourdeforce.db`, the SQLite analytics database of an artifact tree.
///
/// The database is rebuilt from scratch in one transaction into a temporary file beside the target, which is then
/// renamed over it: a reader never sees a half-built database. Every row goes in through a parameterised statement.
public enum AnalyticsDatabase {
    /// The schema: one table per kind of record, each indexed on `run_id`.
    public static let schema = """
        CREATE TABLE runs (run_id TEXT PRIMARY KEY, run_index INTEGER, scenario TEXT, status TEXT NOT NULL,
            error TEXT, started_at TEXT, duration_ms REAL, prompt_id TEXT, prompt_title TEXT, notes INTEGER,
            quality_score REAL, requests INTEGER, muse_head TEXT);
        CREATE TABLE exchanges (run_id TEXT NOT NULL, seq INTEGER, ordinal INTEGER, service TEXT, step TEXT,
            method TEXT, target TEXT, path_template TEXT, endpoint TEXT, status INTEGER, ttfb_ms REAL,
            total_ms REAL, fault TEXT, sse_event_count INTEGER);
        CREATE TABLE sse_events (run_id TEXT NOT NULL, exchange_seq INTEGER, event_index INTEGER, at_ms REAL,
            type TEXT, data TEXT);
        CREATE TABLE storpheus_calls (run_id TEXT NOT NULL, seq INTEGER, step TEXT, method TEXT, target TEXT,
            path_template TEXT, status INTEGER, ttfb_ms REAL, total_ms REAL, fault TEXT);
        CREATE TABLE maestro_steps (run_id TEXT NOT NULL, step_index INTEGER, name TEXT, status TEXT,
            duration_ms REAL);
        CREATE TABLE midi_metrics (run_id TEXT NOT NULL, score REAL, note_count INTEGER, track_count INTEGER,
            duration_s REAL, tempo_bpm REAL, pitch_class_entropy REAL, flagged_notes INTEGER);
        CREATE TABLE muse_commits (run_id TEXT NOT NULL, commit_id TEXT, name TEXT, branch TEXT, parent_id TEXT,
            parent2_id TEXT, is_merge INTEGER, is_head INTEGER, intent TEXT);
        CREATE TABLE muse_merges (run_id TEXT NOT NULL, name TEXT, left_ref TEXT, right_ref TEXT, outcome TEXT,
            conflicts INTEGER, descriptions TEXT);
        CREATE TABLE muse_checkouts (run_id TEXT NOT NULL, ref TEXT, force INTEGER, head_moved INTEGER);
        CREATE INDEX exchanges_run ON exchanges(run_id);
        CREATE INDEX sse_events_run ON sse_events(run_id);
        CREATE INDEX storpheus_calls_run ON storpheus_calls(run_id);
        CREATE INDEX maestro_steps_run ON maestro_steps(run_id);
        CREATE INDEX midi_metrics_run ON midi_metrics(run_id);
        CREATE INDEX muse_commits_run ON muse_commits(run_id);
        CREATE INDEX muse_merges_run ON muse_merges(run_id);
        CREATE INDEX muse_checkouts_run ON muse_checkouts(run_id);
        """

    /// Writes the database for `analysis` to `path`, replacing any previous file.
    public static func build(_ analysis: RunAnalysis, at path: String) throws(SQLiteError) {
        let temporary = path + ".tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            let database = try SQLiteDatabase(path: temporary)
            try database.execute("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;")
            try database.execute("BEGIN")
            try database.execute(schema)
            try fill(database, analysis.tree)
            try database.execute("COMMIT")
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        if rename(temporary, path) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw SQLiteError(code: -1, message: "cannot rename \(temporary) to \(path): errno \(errno)")
        }
    }

    private static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    private static func real(_ value: Double?) -> SQLValue { value.map { .real($0) } ?? .null }
    private static func integer(_ value: Int?) -> SQLValue { value.map { .integer($0) } ?? .null }
    private static func flag(_ value: Bool) -> SQLValue { .integer(value ? 1 : 0) }

    private static func fill(_ database: SQLiteDatabase, _ tree: ArtifactTree) throws(SQLiteError) {
        try database.insert(
            "INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows: tree.runs.map { run in
                [
                    .text(run.runID), .integer(run.index), .text(run.scenario), .text(run.status), text(run.error),
                    .text(run.startedAt), .real(run.durationMilliseconds), text(run.promptID), text(run.promptTitle),
                    integer(run.notes), real(run.qualityScore), .integer(run.requests), text(run.museHead),
                ]
            }
        )
        try database.insert(
            "INSERT INTO exchanges VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows: tree.exchanges.map { exchange in
                [
                    .text(exchange.runID), .integer(exchange.seq), .integer(exchange.ordinal), .text(exchange.service),
                    text(exchange.step), .text(exchange.method), .text(exchange.target), .text(exchange.pathTemplate),
                    .text(exchange.endpoint), .integer(exchange.status), real(exchange.ttfbMilliseconds),
                    .real(exchange.totalMilliseconds), text(exchange.fault), .integer(exchange.frames.count),
                ]
            }
        )
        var frames: [[SQLValue]] = []
        for exchange in tree.exchanges {
            for (index, frame) in exchange.frames.enumerated() {
                frames.append([
                    .text(exchange.runID), .integer(exchange.seq), .integer(index), .real(frame.atMilliseconds),
                    .text(frame.type), .text(frame.data),
                ])
            }
        }
        try database.insert("INSERT INTO sse_events VALUES (?,?,?,?,?,?)", rows: frames)
        try database.insert(
            "INSERT INTO storpheus_calls VALUES (?,?,?,?,?,?,?,?,?,?)",
            rows: tree.exchanges.filter { $0.service == "storpheus" }.map { exchange in
                [
                    .text(exchange.runID), .integer(exchange.seq), text(exchange.step), .text(exchange.method),
                    .text(exchange.target), .text(exchange.pathTemplate), .integer(exchange.status),
                    real(exchange.ttfbMilliseconds), .real(exchange.totalMilliseconds), text(exchange.fault),
                ]
            }
        )
        try database.insert(
            "INSERT INTO maestro_steps VALUES (?,?,?,?,?)",
            rows: tree.runs.flatMap { run in
                run.steps.enumerated().map { index, step in
                    [
                        .text(run.runID), .integer(index), .text(step.name), .text(step.status),
                        .real(step.durationMilliseconds),
                    ]
                }
            }
        )
        try database.insert(
            "INSERT INTO midi_metrics VALUES (?,?,?,?,?,?,?,?)",
            rows: tree.midi.map { midi in
                [
                    .text(midi.runID), .real(midi.score), .integer(midi.noteCount), .integer(midi.trackCount),
                    .real(midi.durationSeconds), .real(midi.tempoBPM), .real(midi.pitchClassEntropy),
                    .integer(midi.flaggedNotes),
                ]
            }
        )
        try database.insert(
            "INSERT INTO muse_commits VALUES (?,?,?,?,?,?,?,?,?)",
            rows: tree.graphs.flatMap { graph in
                graph.nodes.map { node in
                    [
                        .text(graph.runID), .text(node.id), .text(node.name), .text(node.name), text(node.parent),
                        text(node.secondParent), flag(node.secondParent != nil),
                        flag(node.isHead || node.id == graph.head), .text(node.intent),
                    ]
                }
            }
        )
        try database.insert(
            "INSERT INTO muse_merges VALUES (?,?,?,?,?,?,?)",
            rows: tree.merges.map { merge in
                [
                    .text(merge.runID), text(merge.name), .text(merge.left), .text(merge.right), .text(merge.outcome),
                    .integer(merge.conflicts), .text(merge.descriptions.joined(separator: "\n")),
                ]
            }
        )
        try database.insert(
            "INSERT INTO muse_checkouts VALUES (?,?,?,?)",
            rows: tree.checkouts.map { checkout in
                [.text(checkout.runID), .text(checkout.ref), flag(checkout.force), flag(checkout.headMoved)]
            }
        )
    }
}
