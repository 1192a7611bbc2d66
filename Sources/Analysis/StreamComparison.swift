import Cassettes
import HTTPWire
import JSON

/// Compares two recorded SSE streams: the events are aligned on their type (and tool name) with a longest common
/// subsequence, so inserted, dropped and moved events are named; aligned events have their data compared
/// structurally. Heartbeat comments are left out: how many arrive depends on timing.
struct StreamComparison {
    /// One event of a stream, with what the comparison needs.
    struct Item {
        /// Its index in the recorded `events` list (comments included).
        var index: Int
        /// The event type: the `event:` field, else the JSON data's `type`, else `message`.
        var type: String
        /// The alignment key: the type, plus the `name` member for tool events (`toolCall stori_add_notes`).
        var key: String
        /// The data as recorded.
        var data: String
        /// The data parsed, when it is JSON.
        var json: JSONValue?
    }

    let options: DiffOptions
    let run: String
    let exchange: ExchangeLocation
    private(set) var differences: [Difference] = []

    init(options: DiffOptions, run: String, exchange: ExchangeLocation) {
        self.options = options
        self.run = run
        self.exchange = exchange
    }

    static func items(_ events: [StreamEvent]) -> [Item] {
        events.enumerated().compactMap { index, event in
            guard case .event(let sse) = event.frame else { return nil }
            let json = try? JSONParser.parse(sse.data)
            let type = sse.event ?? json?["type"]?.stringValue ?? "message"
            let name = json?["name"]?.stringValue
            return Item(index: index, type: type, key: name.map { "\(type) \($0)" } ?? type, data: sse.data, json: json)
        }
    }

    private mutating func note(
        _ category: DiffCategory,
        _ a: Item?,
        _ b: Item?,
        path: String? = nil,
        before: String? = nil,
        after: String? = nil,
        valuesAreJSON: Bool = false,
        _ message: String
    ) {
        let event = EventLocation(indexA: a?.index, indexB: b?.index, type: (a ?? b)?.key ?? "")
        differences.append(
            Difference(
                category,
                run: run,
                exchange: exchange,
                event: event,
                path: path,
                before: before,
                after: after,
                message: message,
                valuesAreJSON: valuesAreJSON
            )
        )
    }

    mutating func compare(_ a: [StreamEvent], _ b: [StreamEvent]) {
        let left = Self.items(a)
        let right = Self.items(b)
        let typesA = Set(left.map(\.type))
        let typesB = Set(right.map(\.type))
        for type in typesA.subtracting(typesB).sorted() {
            let events = left.filter { $0.type == type }
            note(.sseTypes, events.first, nil, "event type only in A (\(events.count) events)")
        }
        for type in typesB.subtracting(typesA).sorted() {
            let events = right.filter { $0.type == type }
            note(.sseTypes, nil, events.first, "event type only in B (\(events.count) events)")
        }
        let alignment = SequenceAlignment.pairs(
            left.map(\.key),
            right.map(\.key),
            maximumCells: options.maximumAlignmentCells
        )
        var droppedA = Set(0..<left.count).subtracting(alignment.map(\.0))
        var insertedB = Set(0..<right.count).subtracting(alignment.map(\.1))
        var moved = false
        for i in droppedA.sorted() {
            let item = left[i]
            guard
                let j = insertedB.sorted().first(where: {
                    right[$0].key == item.key && options.volatility.equivalent(right[$0].data, item.data)
                })
            else { continue }
            droppedA.remove(i)
            insertedB.remove(j)
            moved = true
            note(.sseOrder, item, right[j], "event moved: index \(item.index) in A, \(right[j].index) in B")
        }
        if !moved { compareFirstAppearances(left, right, common: typesA.intersection(typesB)) }
        for i in droppedA.sorted() where typesB.contains(left[i].type) {
            note(Self.insertionCategory(left[i]), left[i], nil, "event dropped (only in A)")
        }
        for j in insertedB.sorted() where typesA.contains(right[j].type) {
            note(Self.insertionCategory(right[j]), nil, right[j], "event inserted (only in B)")
        }
        compareShapes(left, right)
        for (i, j) in alignment { compareData(left[i], right[j]) }
    }

    private static func insertionCategory(_ item: Item) -> DiffCategory {
        item.type == "toolCall" ? .toolCalls : .sseEvents
    }

    /// The order in which event types first appear is what the contract fixes (state first, complete last);
    /// how often a type repeats depends on the composition.
    private mutating func compareFirstAppearances(_ a: [Item], _ b: [Item], common: Set<String>) {
        func firsts(_ items: [Item]) -> [Item] {
            var seen: Set<String> = []
            return items.filter { common.contains($0.type) && seen.insert($0.type).inserted }
        }
        let left = firsts(a)
        let right = firsts(b)
        guard
            let position = zip(left, right).enumerated().first(where: { $0.element.0.type != $0.element.1.type })?
                .offset
        else {
            if let last = a.last, let other = b.last, last.type != other.type {
                note(.sseOrder, last, other, "the stream ends with \(last.type) in A, \(other.type) in B")
            }
            return
        }
        let expected = left[position]
        let found = right[position]
        note(
            .sseOrder,
            expected,
            found,
            before: left.map(\.type).joined(separator: ","),
            after: right.map(\.type).joined(separator: ","),
            "event types first appear in another order: \(expected.type) before \(found.type) in A, after it in B"
        )
    }

    /// JSON shapes compared per event key over the whole stream (the union of every event of that key), so a
    /// stream with more events of a kind is not a shape change.
    private mutating func compareShapes(_ a: [Item], _ b: [Item]) {
        var shapesA: [String: JSONComparison.Shape] = [:]
        var shapesB: [String: JSONComparison.Shape] = [:]
        var keys: [String] = []
        for item in a {
            guard let json = item.json else { continue }
            if shapesA[item.key] == nil { keys.append(item.key) }
            shapesA[item.key, default: JSONComparison.Shape()].add(json)
        }
        for item in b {
            guard let json = item.json else { continue }
            shapesB[item.key, default: JSONComparison.Shape()].add(json)
        }
        for key in keys {
            guard let left = shapesA[key], let right = shapesB[key] else { continue }
            let first = a.first { $0.key == key }
            let other = b.first { $0.key == key }
            for change in JSONComparison.shapeChanges(left, right) {
                // A tool's parameters depend on what it is asked to do (a drum track has a kit, not a program):
                // a parameter on one side only is a tool-call change; a parameter that changed type is a contract one.
                let isParameter = first?.type == "toolCall" && change.path.hasPrefix("$.params.")
                let category: DiffCategory =
                    isParameter && (change.before == nil || change.after == nil) ? .toolCalls : .jsonShape
                note(
                    category,
                    first,
                    other,
                    path: change.path,
                    before: change.before,
                    after: change.after,
                    change.message
                )
            }
        }
    }

    private mutating func compareData(_ a: Item, _ b: Item) {
        guard a.data != b.data else { return }
        guard let left = a.json, let right = b.json else {
            if !options.volatility.equivalent(a.data, b.data) {
                note(.sseData, a, b, path: "data", before: a.data, after: b.data, "data changed")
            }
            return
        }
        let comparison = JSONComparison(options: options)
        for change in comparison.valueChanges(left, right, limit: options.maximumListedPerExchange) {
            note(
                Self.category(of: change.path, in: a),
                a,
                b,
                path: change.path,
                before: change.before?.compactText,
                after: change.after?.compactText,
                valuesAreJSON: true,
                change.message
            )
        }
    }

    /// Notes of `stori_add_notes` (and the older `addNotes`) are `notes`; other tool parameters `tool-calls`.
    private static func category(of path: String, in item: Item) -> DiffCategory {
        guard item.type == "toolCall" else { return .sseData }
        let tool = item.json?["name"]?.stringValue
        if tool == "stori_add_notes" || tool == "addNotes", path.hasPrefix("$.params.notes") { return .notes }
        return path.hasPrefix("$.params") ? .toolCalls : .sseData
    }
}
