import Dispatch
public import JSON
import Synchronization

/// ``SecretScanner`` run over cassettes: every exchange of each, one cassette per core in memory at a time.
public struct SecretScan: Sendable, Equatable {
    /// How many findings a scan keeps whole; the rest are counted (a leaking client must not grow it without end).
    public static let keptFindings = 1000
    /// How many findings a warning after a recording names before "and N more".
    public static let warnedFindings = 10

    /// The findings, by cassette then seq: the first ``keptFindings``.
    public let findings: [SecretFinding]
    /// How many findings there were in all.
    public let total: Int
    /// How many cassettes were read.
    public let cassettes: Int
    /// How many exchanges were scanned.
    public let exchanges: Int
    /// Cassettes that could not be read, one line each: nothing in them was scanned.
    public let problems: [String]

    /// Scans the selected cassettes.
    public init(of selection: CassetteSelection) {
        self.init(paths: selection.paths)
    }

    /// Scans the cassettes at `paths`, several at once (a large recording took minutes on one thread); findings
    /// come in the order of `paths`. A damaged cassette is scanned up to its damage (verify reports it).
    public init(paths: [String]) {
        let slots = Mutex([CassetteScan?](repeating: nil, count: paths.count))
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let scan = CassetteScan(path: paths[index])
            slots.withLock { $0[index] = scan }
        }
        var findings: [SecretFinding] = []
        var total = 0
        var exchanges = 0
        var problems: [String] = []
        for case let scan? in slots.withLock({ $0 }) {
            if let problem = scan.problem { problems.append(problem) }
            total += scan.total
            exchanges += scan.exchanges
            findings += scan.findings.prefix(Self.keptFindings - findings.count)
        }
        self.findings = findings
        self.total = total
        self.cassettes = paths.count - problems.count
        self.exchanges = exchanges
        self.problems = problems
    }

    /// Whether nothing looked like a credential and every cassette could be read.
    public var isClean: Bool { total == 0 && problems.isEmpty }

    /// One line per finding, then how many there were.
    public var lines: [String] {
        var lines = findings.map(\.description)
        if total > findings.count { lines.append("… and \(total - findings.count) more not listed") }
        let scanned = "scanned \(exchanges) exchanges in \(cassettes) cassettes"
        lines.append(
            total == 0 ? "\(scanned): nothing looks like a credential" : "\(scanned): \(total) possible secrets"
        )
        return lines
    }

    /// What a command that recorded these cassettes warns about: nothing when clean, else the first
    /// ``warnedFindings`` findings, how many more there are, and how to see them all.
    public func warnings(directory: String) -> [String] {
        guard total > 0 else { return [] }
        var lines = findings.prefix(Self.warnedFindings).map { "possible secret recorded: \($0)" }
        if total > Self.warnedFindings { lines.append("and \(total - Self.warnedFindings) more possible secrets") }
        lines.append("'tdf cassette scan \(directory)' lists them; redact them with --redact-json or fix the client")
        return lines
    }

    /// `{"clean", "cassettes", "exchanges", "total", "findings": [SecretFinding], "problems"}`.
    public var jsonValue: JSONValue {
        .object([
            ("clean", .bool(isClean)), ("cassettes", .int(cassettes)), ("exchanges", .int(exchanges)),
            ("total", .int(total)), ("findings", .array(findings.map(\.jsonValue))),
            ("problems", .array(problems.map(JSONValue.string))),
        ])
    }
}

/// What one cassette's scan found: at most ``SecretScan/keptFindings`` findings, and how many there were.
private struct CassetteScan: Sendable {
    var findings: [SecretFinding] = []
    var total = 0
    var exchanges = 0
    /// Why the cassette could not be read, if it could not.
    var problem: String?

    init(path: String) {
        let cassette: Cassette
        do {
            cassette = try Cassette.load(path: path)
        } catch {
            problem = error.description
            return
        }
        let file = CassetteSelection.fileName(of: path)
        var memo = LargeBodyFindings()
        for exchange in cassette.exchanges {
            let found = SecretScanner.findings(in: exchange, cassette: file, memo: &memo)
            total += found.count
            findings += found.prefix(SecretScan.keptFindings - findings.count)
        }
        exchanges = cassette.exchanges.count
    }
}
