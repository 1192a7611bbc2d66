import Cassettes
import HTTPWire
import JSON

extension RecordingDiff {
    /// Response headers whose presence or value says nothing about the contract (framing, hop-by-hop, time).
    static let ignoredHeaders: Set<String> = [
        "date", "expires", "last-modified", "age", "server", "server-timing", "content-length", "transfer-encoding",
        "connection", "keep-alive", "proxy-connection", "x-request-id", "etag",
    ]

    /// Compares recording `a` with recording `b`: runs paired by run id, a run's exchanges by sequence alignment.
    public static func compare(_ a: Recording, _ b: Recording, options: DiffOptions = DiffOptions()) -> RecordingDiff {
        var diff = RecordingDiff(pathA: a.path, pathB: b.path)
        diff.listedPerExchange = options.maximumListedPerExchange
        var comparer = Comparer(diff: diff, options: options)
        for run in Set(a.exchanges.keys).union(b.exchanges.keys).sorted() {
            comparer.compareRun(run, a, b)
        }
        comparer.compareLatency(a, b)
        return comparer.diff
    }
}

/// Collects the differences of one comparison, counting all and listing up to a cap per exchange.
private struct Comparer {
    var diff: RecordingDiff
    let options: DiffOptions
    private var listedInExchange = 0

    init(diff: RecordingDiff, options: DiffOptions) {
        self.diff = diff
        self.options = options
    }

    var json: JSONComparison { JSONComparison(options: options) }

    mutating func note(_ difference: Difference) {
        diff.counts[difference.category, default: 0] += 1
        // Contract differences are always listed; content ones are capped per exchange (a changed prompt changes
        // hundreds of values).
        if difference.exchange != nil, difference.category.kind == .content {
            listedInExchange += 1
            if listedInExchange > options.maximumListedPerExchange {
                diff.omitted += 1
                return
            }
        }
        diff.differences.append(difference)
    }

    // MARK: - Runs

    mutating func compareRun(_ run: String, _ a: Recording, _ b: Recording) {
        guard let left = a.exchanges[run] else {
            note(Difference(.runs, run: run, message: "run only in B (\(b.exchanges[run]?.count ?? 0) exchanges)"))
            return
        }
        guard let right = b.exchanges[run] else {
            note(Difference(.runs, run: run, message: "run only in A (\(left.count) exchanges)"))
            return
        }
        diff.pairedRuns += 1
        if let before = a.runStatuses[run], let after = b.runStatuses[run], before != after {
            note(
                Difference(
                    .runs,
                    run: run,
                    before: before,
                    after: after,
                    message: "run status \(before) → \(after)"
                )
            )
        }
        let alignment = SequenceAlignment.pairs(
            left.map(alignmentKey),
            right.map(alignmentKey),
            maximumCells: options.maximumAlignmentCells
        )
        // Between two aligned pairs, exchanges left on both sides took each other's place (paired and compared);
        // the rest are only on one side.
        var nextA = 0
        var nextB = 0
        for (i, j) in alignment + [(left.count, right.count)] {
            let gapA = left[nextA..<i]
            let gapB = right[nextB..<j]
            for (x, y) in zip(gapA, gapB) { pair(run, x, y) }
            for exchange in gapA.dropFirst(gapB.count) { onlyOnOneSide(run, exchange, side: "A") }
            for exchange in gapB.dropFirst(gapA.count) { onlyOnOneSide(run, exchange, side: "B") }
            if i < left.count, j < right.count { pair(run, left[i], right[j]) }
            nextA = i + 1
            nextB = j + 1
        }
        compareMIDI(run, a.midi[run], b.midi[run])
    }

    /// What pairs two exchanges of a run: the same service, method, target (volatile ids and ports masked, as
    /// ``compareExchange`` compares it) and harness step. The step tells the fourteen edits of one endpoint apart;
    /// the query tells apart the calls of a client that has no steps (`?page=3` from `?page=4`). So removing one
    /// call pairs the others with their own.
    func alignmentKey(_ exchange: Exchange) -> String {
        "\(exchange.service) \(exchange.request.method) \(options.volatility.mask(exchange.request.target)) "
            + (exchange.step ?? "")
    }

    private mutating func pair(_ run: String, _ a: Exchange, _ b: Exchange) {
        listedInExchange = 0
        diff.pairedExchanges += 1
        compareExchange(run, a, b)
    }

    private mutating func onlyOnOneSide(_ run: String, _ exchange: Exchange, side: String) {
        listedInExchange = 0
        note(Difference(.exchanges, run: run, exchange: Self.location(exchange), message: "exchange only in \(side)"))
    }

    static func location(_ exchange: Exchange) -> ExchangeLocation {
        ExchangeLocation(
            ordinal: exchange.ordinal,
            service: exchange.service,
            method: exchange.request.method,
            target: exchange.request.target,
            step: exchange.step
        )
    }

    // MARK: - Exchanges

    mutating func compareExchange(_ run: String, _ a: Exchange, _ b: Exchange) {
        let location = Self.location(a)
        func difference(
            _ category: DiffCategory,
            path: String? = nil,
            _ before: String?,
            _ after: String?,
            _ message: String
        ) -> Difference {
            Difference(
                category,
                run: run,
                exchange: location,
                path: path,
                before: before,
                after: after,
                message: message
            )
        }
        if a.service != b.service || a.request.method != b.request.method
            || options.volatility.mask(a.request.target) != options.volatility.mask(b.request.target)
        {
            let before = "\(a.service) \(a.request.method) \(a.request.target)"
            let after = "\(b.service) \(b.request.method) \(b.request.target)"
            note(difference(.exchanges, before, after, "another request in this place: \(before) → \(after)"))
            return
        }
        compareFaults(a.fault, b.fault, difference)
        compareTotalTime(a.timing.totalMilliseconds, b.timing.totalMilliseconds, difference)
        if a.response.status != b.response.status {
            let before = "\(a.response.status) \(a.response.reason)"
            let after = "\(b.response.status) \(b.response.reason)"
            note(difference(.status, before, after, "status \(before) → \(after)"))
        }
        compareHeaders(a.response.headers, b.response.headers, difference)
        compareMuseOutcome(a, b, difference)
        compareRequestBodies(a.request.body, b.request.body, difference)
        switch (a.response.content, b.response.content) {
        case (.events(let left, _), .events(let right, _)):
            var streams = StreamComparison(options: options, run: run, exchange: location)
            streams.compare(left, right)
            for found in streams.differences { note(found) }
        case (.events, _), (_, .events):
            note(difference(.headers, nil, nil, "the response is an event stream on one side only"))
        default:
            compareBodies(a.response.bodyBytes, b.response.bodyBytes, difference)
        }
    }

    private mutating func compareFaults(
        _ a: Fault?,
        _ b: Fault?,
        _ difference: (DiffCategory, String?, String?, String?, String) -> Difference
    ) {
        func describe(_ fault: Fault?) -> String? {
            fault.map { "\($0.kind) after \($0.afterBytes) bytes" }
        }
        guard a?.kind != b?.kind || (a != nil && a?.afterBytes != b?.afterBytes) else { return }
        let message: String
        switch (a, b) {
        case (nil, let fault?): message = "new fault: \(fault.kind) after \(fault.afterBytes) bytes (\(fault.detail))"
        case (_?, nil): message = "the fault is gone"
        default: message = "fault \(describe(a) ?? "none") → \(describe(b) ?? "none")"
        }
        note(difference(.faults, nil, describe(a), describe(b), message))
    }

    /// One exchange much slower or faster than its partner: a single slow call hides in an endpoint's percentiles.
    private mutating func compareTotalTime(
        _ a: Double,
        _ b: Double,
        _ difference: (DiffCategory, String?, String?, String?, String) -> Difference
    ) {
        let change = abs(b - a)
        guard change > options.latencyAbsoluteToleranceMilliseconds, change > options.latencyRelativeTolerance * a
        else { return }
        let sign = b > a ? "+" : "-"
        var found = difference(
            .latencyOutlier,
            nil,
            RecordingDiff.points(a),
            RecordingDiff.points(b),
            "total \(RecordingDiff.points(a)) ms → \(RecordingDiff.points(b)) ms "
                + "(\(sign)\(RecordingDiff.points(abs(b - a))) ms)"
        )
        found.delta = b - a
        found.valuesAreJSON = true
        note(found)
    }

    private mutating func compareHeaders(
        _ a: HTTPHeaders,
        _ b: HTTPHeaders,
        _ difference: (DiffCategory, String?, String?, String?, String) -> Difference
    ) {
        func names(_ headers: HTTPHeaders) -> [String] {
            var seen: [String] = []
            for field in headers.fields {
                let name = field.name.lowercased()
                if !RecordingDiff.ignoredHeaders.contains(name), !seen.contains(name) { seen.append(name) }
            }
            return seen
        }
        let left = names(a)
        let right = names(b)
        for name in left where !right.contains(name) {
            note(difference(.headers, "header \(name)", a.values(named: name).first, nil, "header only in A"))
        }
        for name in right where !left.contains(name) {
            note(difference(.headers, "header \(name)", nil, b.values(named: name).first, "header only in B"))
        }
        let before = a.values(named: "content-type").first
        let after = b.values(named: "content-type").first
        if let before, let after, before.lowercased() != after.lowercased() {
            note(difference(.headers, "header content-type", before, after, "changed"))
        }
    }

    private mutating func compareMuseOutcome(
        _ a: Exchange,
        _ b: Exchange,
        _ difference: (DiffCategory, String?, String?, String?, String) -> Difference
    ) {
        guard let before = Self.museOutcome(a), let after = Self.museOutcome(b), before != after else { return }
        note(difference(.muse, nil, before, after, "MUSE outcome \(before) → \(after)"))
    }

    /// `clean` / `conflict` for a merge, `moved` / `blocked` for a checkout, `error <status>` otherwise; nil for
    /// an exchange that is neither.
    static func museOutcome(_ exchange: Exchange) -> String? {
        let path = PathTemplate.collapse(exchange.request.target)
        let isMerge = path.hasSuffix("/muse/merge")
        guard isMerge || path.hasSuffix("/muse/checkout") else { return nil }
        let status = exchange.response.status
        if (200..<300).contains(status) { return isMerge ? "clean" : "moved" }
        let error = (try? JSONParser.parse(exchange.response.bodyBytes))?["detail"]?["error"]?.stringValue
        switch (status, error) {
        case (409, "merge_conflict"): return "conflict"
        case (409, "checkout_blocked"): return "blocked"
        default: return "error \(status)" + (error.map { " \($0)" } ?? "")
        }
    }

    private mutating func compareRequestBodies(
        _ a: [UInt8],
        _ b: [UInt8],
        _ difference: (DiffCategory, String?, String?, String?, String) -> Difference
    ) {
        guard a != b else { return }
        guard let left = try? JSONParser.parse(a), let right = try? JSONParser.parse(b) else {
            if options.volatility.mask(String(decoding: a, as: UTF8.self))
                != options.volatility.mask(String(decoding: b, as: UTF8.self))
            {
                note(
                    difference(.request, "request body", "\(a.count) bytes", "\(b.count) bytes", "request body changed")
                )
            }
            return
        }
        // The request is what the harness sent, mostly the state the responses already show: one line per
        // exchange, naming the first value that differs, keeps the responses readable.
        let changes = json.valueChanges(left, right, limit: Self.requestValueLimit)
        guard let first = changes.first else { return }
        let count =
            switch changes.count {
            case 1: "1 value differs"
            case Self.requestValueLimit...: "\(Self.requestValueLimit) or more values differ"
            default: "\(changes.count) values differ"
            }
        var found = difference(
            .request,
            "request " + first.path,
            first.before?.compactText,
            first.after?.compactText,
            "\(count) in the request body; the first is shown"
        )
        found.valuesAreJSON = true
        note(found)
    }

    /// How many request values are counted before the request line says "or more".
    static let requestValueLimit = 1000

    private mutating func compareBodies(
        _ a: [UInt8],
        _ b: [UInt8],
        _ difference: (DiffCategory, String?, String?, String?, String) -> Difference
    ) {
        guard a != b else { return }
        let left = a.isEmpty ? nil : try? JSONParser.parse(a)
        let right = b.isEmpty ? nil : try? JSONParser.parse(b)
        switch (left, right) {
        case (let left?, let right?):
            var shapeA = JSONComparison.Shape()
            shapeA.add(left)
            var shapeB = JSONComparison.Shape()
            shapeB.add(right)
            let shapes = JSONComparison.shapeChanges(shapeA, shapeB)
            for change in shapes {
                note(difference(.jsonShape, change.path, change.before, change.after, change.message))
            }
            let reported = shapes.map(\.path)
            for change in json.valueChanges(left, right, limit: options.maximumListedPerExchange)
            where !reported.contains(where: { change.genericPath.hasPrefix($0) }) {
                var found = difference(
                    .body,
                    change.path,
                    change.before?.compactText,
                    change.after?.compactText,
                    change.message
                )
                found.valuesAreJSON = true
                note(found)
            }
        case (nil, nil):
            let textA = String(validating: a, as: UTF8.self)
            let textB = String(validating: b, as: UTF8.self)
            if let textA, let textB, options.volatility.equivalent(textA, textB) { return }
            note(difference(.body, "body", "\(a.count) bytes", "\(b.count) bytes", "body bytes differ"))
        default:
            let describe = { (value: JSONValue?, bytes: [UInt8]) in
                value == nil ? "\(bytes.count) bytes, not JSON" : "JSON"
            }
            note(
                difference(.jsonShape, "$", describe(left, a), describe(right, b), "the body is JSON on one side only")
            )
        }
    }

    // MARK: - MIDI

    mutating func compareMIDI(_ run: String, _ a: MIDISummary?, _ b: MIDISummary?) {
        guard let a, let b else { return }
        let metrics: [(String, Double, Double)] = [
            ("score", a.score, b.score),
            ("note_count", Double(a.noteCount), Double(b.noteCount)),
            ("track_count", Double(a.trackCount), Double(b.trackCount)),
            ("duration_seconds", a.durationSeconds, b.durationSeconds),
            ("tempo_bpm", a.tempoBPM, b.tempoBPM),
            ("pitch_class_entropy_bits", a.pitchClassEntropy, b.pitchClassEntropy),
            ("flagged_notes", Double(a.flaggedNotes), Double(b.flaggedNotes)),
        ]
        for (name, before, after) in metrics where abs(after - before) > (options.midiTolerance[name] ?? 0) {
            let delta = after - before
            note(
                Difference(
                    .midi,
                    run: run,
                    path: "midi_summary " + name,
                    before: RecordingDiff.points(before),
                    after: RecordingDiff.points(after),
                    message: "\(RecordingDiff.points(before)) → \(RecordingDiff.points(after)) "
                        + "(\(delta > 0 ? "+" : "")\(RecordingDiff.points(delta)))",
                    delta: delta,
                    valuesAreJSON: true
                )
            )
        }
    }

    // MARK: - Latency

    mutating func compareLatency(_ a: Recording, _ b: Recording) {
        func totals(_ recording: Recording) -> [String: [Double]] {
            var result: [String: [Double]] = [:]
            for exchange in recording.exchanges.values.joined() {
                let endpoint =
                    "\(exchange.service) \(exchange.request.method) \(PathTemplate.collapse(exchange.request.target))"
                result[endpoint, default: []].append(exchange.timing.totalMilliseconds)
            }
            return result
        }
        let left = totals(a)
        let right = totals(b)
        for endpoint in Set(left.keys).intersection(right.keys).sorted() {
            let before = Distribution(left[endpoint] ?? [])
            let after = Distribution(right[endpoint] ?? [])
            let comparison = LatencyComparison(
                endpoint: endpoint,
                countA: before.count,
                countB: after.count,
                p50A: before.p50,
                p50B: after.p50,
                p95A: before.p95,
                p95B: after.p95
            )
            diff.latency.append(comparison)
            for (category, x, y) in [
                (DiffCategory.latencyP50, before.p50, after.p50), (.latencyP95, before.p95, after.p95),
            ]
            where abs(y - x) > options.latencyAbsoluteToleranceMilliseconds
                && abs(y - x) > options.latencyRelativeTolerance * x
            {
                let percent = x > 0 ? " (\(y > x ? "+" : "")\(Int(saturating: ((y - x) / x * 100).rounded()))%)" : ""
                note(
                    Difference(
                        category,
                        run: nil,
                        path: endpoint,
                        before: RecordingDiff.points(x),
                        after: RecordingDiff.points(y),
                        message: "\(endpoint) \(category.name.dropFirst(8)) \(RecordingDiff.points(x)) ms → "
                            + "\(RecordingDiff.points(y)) ms\(percent)",
                        delta: y - x,
                        valuesAreJSON: true
                    )
                )
            }
        }
    }
}
