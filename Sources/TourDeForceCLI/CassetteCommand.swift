import Cassettes
import Foundation
import Gzip
import HTTPWire
import JSON
import Vocabulary

extension TourDeForce {
    /// `tdf cassette`: list, show, verify and export recorded cassettes.
    public static var cassetteCommand: CommandSpec {
        let target = PositionalSpec("DIR", help: "A session directory of cassettes, or one .jsonl.gz cassette.")
        let run = OptionSpec.option(
            "--run",
            value: "ID",
            help: "Only this run's cassette (_default for untagged traffic)."
        )
        let json = OptionSpec.flag("--json", help: "Print JSON instead of text.")
        return CommandSpec(
            name: "cassette",
            abstract: "List, show, verify and export recorded cassettes.",
            discussion: "Reads the cassettes themselves (the files are the truth; index.json is checked by verify).",
            examples: [
                "tdf cassette ls out/cassettes", "tdf cassette show out/cassettes --run r_000042",
                "tdf cassette verify out/cassettes", "tdf cassette har out/cassettes --run r_000042 --out run.har",
            ],
            subcommands: [
                CommandSpec(
                    name: "ls",
                    abstract: "List the runs with their exchange counts, services, digests and times.",
                    examples: [
                        "tdf cassette ls out/cassettes", "tdf cassette ls out/cassettes --json | jq '.[].run_id'",
                    ],
                    options: [run, json],
                    positionals: [target],
                    action: { arguments, context in try listCassettes(arguments, context: context) }
                ),
                CommandSpec(
                    name: "show",
                    abstract: "Print every exchange, with SSE events one per line.",
                    examples: [
                        "tdf cassette show out/cassettes --run r_000042 | less",
                        "tdf cassette show out/cassettes/r_000042.jsonl.gz --json | jq .response.status",
                    ],
                    options: [run, json],
                    positionals: [target],
                    action: { arguments, context in try showCassettes(arguments, context: context) }
                ),
                CommandSpec(
                    name: "verify",
                    abstract: "Check integrity: gzip stream, records, end record, digest, index; exit 1 on any damage.",
                    examples: [
                        "tdf cassette verify out/cassettes", "tdf cassette verify out/cassettes --run r_000042 --json",
                    ],
                    options: [run, json],
                    positionals: [target],
                    action: { arguments, context in try verifyCassettes(arguments, context: context) }
                ),
                CommandSpec(
                    name: "har",
                    abstract: "Export exchanges as an HTTP Archive (HAR 1.2).",
                    examples: ["tdf cassette har out/cassettes --run r_000042 --out run.har"],
                    options: [run, .option("--out", value: "FILE", help: "Write the HAR here instead of stdout.")],
                    positionals: [target],
                    action: { arguments, context in try exportHAR(arguments, context: context) }
                ),
            ]
        )
    }

    // MARK: - Selecting cassettes

    private struct Selection {
        let directory: String
        let paths: [String]
    }

    private static func selectCassettes(_ arguments: ParsedArguments, context: CommandContext) throws -> Selection {
        var target = arguments.positionals[0]
        if !target.hasPrefix("/") { target = context.currentDirectory + "/" + target }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory) else {
            throw UsageError("\(arguments.positionals[0]) does not exist; give a session directory of cassettes")
        }
        if !isDirectory.boolValue {
            return Selection(
                directory: String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)]),
                paths: [target]
            )
        }
        var names: [String]
        do {
            names = try SessionDirectory.cassetteFileNames(in: target)
        } catch {
            throw CommandFailure(error.description)
        }
        if let runText = arguments.value("--run") {
            let run: RunID?
            do {
                run = try RunID.parseArgument(runText)
            } catch {
                throw UsageError("--run: \(error.reason)")
            }
            let name = RunID.fileName(for: run)
            guard names.contains(name) else {
                throw CommandFailure("\(arguments.positionals[0]) has no cassette \(name) for --run \(runText)")
            }
            names = [name]
        }
        return Selection(directory: target, paths: names.map { target + "/" + $0 })
    }

    private static func load(_ path: String) throws -> Cassette {
        do {
            return try Cassette.load(path: path)
        } catch {
            throw CommandFailure(error.description)
        }
    }

    private static func fileName(_ path: String) -> String {
        String(path[(path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex)...])
    }

    // MARK: - ls

    private static func listCassettes(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let selection = try selectCassettes(arguments, context: context)
        let cassettes = try selection.paths.map(load)
        if arguments.flag("--json") {
            let rows = cassettes.map { CassetteSession.row($0.summary) }
            context.print(JSONWriter.string(.array(rows), style: .pretty))
            return ExitCode.success
        }
        var table = [["RUN", "EXCHANGES", "SERVICES", "COMPLETE", "FIRST", "LAST", "DIGEST"]]
        for cassette in cassettes {
            let summary = cassette.summary
            table.append([
                summary.run?.rawValue ?? RunID.untaggedName, String(summary.exchangeCount),
                summary.services.joined(separator: ","), summary.isComplete ? "yes" : "no",
                summary.first?.description ?? "-", summary.last?.description ?? "-", String(summary.digest.prefix(16)),
            ])
        }
        let widths = (0..<table[0].count).map { column in table.map { $0[column].count }.max() ?? 0 }
        for row in table {
            context.print(
                zip(row, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                    .trimmingTrailingSpaces()
            )
        }
        context.print("\(cassettes.count) cassettes, \(cassettes.reduce(0) { $0 + $1.exchanges.count }) exchanges")
        return ExitCode.success
    }

    // MARK: - show

    private static func showCassettes(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let selection = try selectCassettes(arguments, context: context)
        for path in selection.paths {
            let cassette = try load(path)
            if arguments.flag("--json") {
                for exchange in cassette.exchanges { context.print(JSONWriter.string(exchange.jsonValue)) }
                continue
            }
            let run = cassette.run?.rawValue ?? RunID.untaggedName
            context.print("== \(fileName(path)) (run \(run), \(cassette.exchanges.count) exchanges)")
            for exchange in cassette.exchanges {
                for line in describe(exchange) { context.print(line) }
            }
            if let damage = cassette.damage { context.print("!! \(damage)") }
            for problem in cassette.problems { context.print("!! \(problem)") }
        }
        return ExitCode.success
    }

    private static func describe(_ exchange: Exchange) -> [String] {
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

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "\r", with: "\\r")
    }

    private static func preview(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "(empty)" }
        guard let text = String(validating: bytes, as: UTF8.self) else { return "<\(bytes.count) bytes, binary>" }
        let limit = 200
        let shown = escaped(String(text.prefix(limit)))
        return text.count > limit ? "\(shown)… (\(bytes.count) bytes)" : shown
    }

    // MARK: - verify

    private static func verifyCassettes(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let selection = try selectCassettes(arguments, context: context)
        var rows: [JSONValue] = []
        var failures = 0
        var indexRows: [String: JSONValue] = [:]
        let indexPath = selection.directory + "/" + SessionDirectory.indexFileName
        var indexProblems: [String] = []
        var hasIndex = false
        do {
            if let index = try SessionIndex.read(directory: selection.directory) {
                indexRows = index.rows
                hasIndex = true
            }
        } catch {
            indexProblems.append(error.description)
            hasIndex = true
        }
        // A cassette without its end record means something else while its recording process is alive.
        let holder = SessionLock.holder(of: selection.directory)
        var stillOpen = 0
        for path in selection.paths {
            let name = fileName(path)
            var problems: [String] = []
            var exchanges = 0
            var digest = ""
            var isLive = false
            do {
                let cassette = try Cassette.load(path: path)
                exchanges = cassette.exchanges.count
                digest = cassette.digest
                // A cassette being written has no end record and no gzip trailer yet: neither is damage.
                if case .live = holder, cassette.end == nil, cassette.damage?.kind != .corrupt { isLive = true }
                if let damage = cassette.damage, !isLive { problems.append(damage.description) }
                if cassette.header == nil { problems.append("\(path): no header record") }
                problems += cassette.problems
                if isLive {
                    stillOpen += 1
                } else if cassette.end == nil {
                    let why = Self.whyUnfinished(holder, damaged: cassette.damage != nil)
                    problems.append("\(path): no end record (\(why))")
                }
                if isLive {
                    // Its index row follows the cassette within a second or so; nothing to compare yet.
                } else if let row = indexRows[name] {
                    if row["exchanges"]?.integerValue != exchanges || row["digest"]?.stringValue != digest {
                        problems.append(
                            "\(indexPath): the row for \(name) says \(row["exchanges"]?.integerValue ?? -1) exchanges, digest "
                                + "\(row["digest"]?.stringValue ?? "?"); the cassette holds \(exchanges), digest \(digest)"
                        )
                    }
                } else if hasIndex {
                    problems.append("\(indexPath): no row for \(name)")
                }
            } catch {
                problems.append(error.description)
            }
            if !problems.isEmpty { failures += 1 }
            rows.append(
                .object([
                    ("file", .string(name)), ("ok", .bool(problems.isEmpty)), ("live", .bool(isLive)),
                    ("exchanges", .int(exchanges)),
                    ("digest", .string(digest)), ("problems", .array(problems.map(JSONValue.string))),
                ])
            )
            if !arguments.flag("--json") {
                if problems.isEmpty && isLive {
                    context.print("live  \(name): \(exchanges) exchanges so far, still being recorded")
                } else if problems.isEmpty {
                    context.print("ok    \(name): \(exchanges) exchanges, digest \(digest)")
                } else {
                    context.print("FAIL  \(name): \(exchanges) whole exchanges")
                    for problem in problems { context.print("      \(problem)") }
                }
            }
        }
        if arguments.value("--run") == nil {
            let present = Set(selection.paths.map(fileName))
            for file in indexRows.keys.sorted() where !present.contains(file) {
                indexProblems.append("\(indexPath): lists \(file), which does not exist")
            }
        }
        if arguments.flag("--json") {
            let value: JSONValue = .object([
                ("ok", .bool(failures == 0 && indexProblems.isEmpty)), ("cassettes", .array(rows)),
                ("index_problems", .array(indexProblems.map(JSONValue.string))),
            ])
            context.print(JSONWriter.string(value, style: .pretty))
        } else {
            for problem in indexProblems { context.print("FAIL  \(problem)") }
            if case .live(let processID) = holder, stillOpen > 0 {
                context.print(
                    "\(stillOpen) cassettes are still being recorded by \(processID.map { "process \($0)" } ?? "a live process")"
                        + "; SIGHUP to it finishes the idle ones"
                )
            }
            context.print(
                failures == 0 && indexProblems.isEmpty
                    ? "\(selection.paths.count) cassettes verified"
                    : "\(failures) of \(selection.paths.count) cassettes damaged or incomplete"
            )
        }
        if failures > 0 || !indexProblems.isEmpty {
            // One line per damaged cassette on stderr (its first problem; stdout has them all).
            for row in rows {
                if let first = row["problems"]?.arrayValue?.first?.stringValue {
                    context.printError("tdf cassette verify: \(first)")
                }
            }
            if let first = indexProblems.first { context.printError("tdf cassette verify: \(first)") }
            return ExitCode.failure
        }
        return ExitCode.success
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

    // MARK: - har

    private static func exportHAR(_ arguments: ParsedArguments, context: CommandContext) throws -> Int32 {
        let selection = try selectCassettes(arguments, context: context)
        let cassettes = try selection.paths.map(load)
        var bytes = JSONWriter.bytes(HARExport.document(of: cassettes, toolVersion: version), style: .pretty)
        bytes.append(0x0A)
        guard var out = arguments.value("--out") else {
            context.standardOutput.write(String(decoding: bytes, as: UTF8.self))
            return ExitCode.success
        }
        if !out.hasPrefix("/") { out = context.currentDirectory + "/" + out }
        do {
            try SessionDirectory.writeAtomically(bytes, to: out)
        } catch {
            throw CommandFailure("cannot write --out: \(error)", exitCode: ExitCode.environment)
        }
        context.printError("wrote \(cassettes.reduce(0) { $0 + $1.exchanges.count }) entries to \(out)")
        return ExitCode.success
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.hasSuffix(" ") { copy.removeLast() }
        return copy
    }
}
