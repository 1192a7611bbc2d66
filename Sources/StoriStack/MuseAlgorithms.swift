import Hashing
import JSON

/// The pure parts of MUSE (service-contracts.md §5.6): note identity, drift, checkout plans and three-way merge.
enum MuseAlgorithms {
    /// Notes (and controller events) within this many beats of each other are the same event.
    static let tolerance = 0.05

    // MARK: - Matching

    /// The outcome of matching `from` against `to`.
    struct Matching<T> {
        /// Matched (from index, to index) pairs.
        var pairs: [(Int, Int)] = []
        /// Indices of `from` with no partner (removed).
        var unmatchedFrom: [Int] = []
        /// Indices of `to` with no partner (added).
        var unmatchedTo: [Int] = []
    }

    /// Greedy first-fit matching in list order under `same`.
    static func match<T>(_ from: [T], _ to: [T], same: (T, T) -> Bool) -> Matching<T> {
        var result = Matching<T>()
        var used = [Bool](repeating: false, count: to.count)
        for (fromIndex, item) in from.enumerated() {
            if let toIndex = to.indices.first(where: { !used[$0] && same(item, to[$0]) }) {
                used[toIndex] = true
                result.pairs.append((fromIndex, toIndex))
            } else {
                result.unmatchedFrom.append(fromIndex)
            }
        }
        result.unmatchedTo = to.indices.filter { !used[$0] }
        return result
    }

    static func sameNote(_ lhs: TreeNote, _ rhs: TreeNote) -> Bool {
        lhs.pitch == rhs.pitch && abs(lhs.startBeat - rhs.startBeat) <= tolerance
    }

    static func noteModified(_ lhs: TreeNote, _ rhs: TreeNote) -> Bool {
        abs(lhs.durationBeats - rhs.durationBeats) > tolerance || lhs.velocity != rhs.velocity
    }

    static func sameCC(_ lhs: CCEvent, _ rhs: CCEvent) -> Bool {
        lhs.cc == rhs.cc && abs(lhs.beat - rhs.beat) <= tolerance
    }

    static func samePitchBend(_ lhs: PitchBendEvent, _ rhs: PitchBendEvent) -> Bool {
        abs(lhs.beat - rhs.beat) <= tolerance
    }

    static func sameAftertouch(_ lhs: AftertouchEvent, _ rhs: AftertouchEvent) -> Bool {
        lhs.pitch == rhs.pitch && abs(lhs.beat - rhs.beat) <= tolerance
    }

    /// Counts of a comparison.
    struct ChangeCounts: Equatable {
        var added = 0
        var removed = 0
        var modified = 0
        var total: Int { added + removed + modified }
    }

    static func count<T>(_ from: [T], _ to: [T], same: (T, T) -> Bool, modified: (T, T) -> Bool) -> ChangeCounts {
        let matching = match(from, to, same: same)
        return ChangeCounts(
            added: matching.unmatchedTo.count,
            removed: matching.unmatchedFrom.count,
            modified: matching.pairs.filter { modified(from[$0.0], to[$0.1]) }.count
        )
    }

    // MARK: - Drift

    /// Compares HEAD's snapshot with the captured working tree: `(dirty, total_changes)`.
    static func drift(head: RegionMap, working: RegionMap) -> (dirty: Bool, totalChanges: Int) {
        var dirty = false
        var total = 0
        for region in Set(head.keys).union(working.keys).sorted() {
            switch (head[region], working[region]) {
            case (nil, let added?):
                dirty = true
                total += added.notes.count + added.cc.count + added.pitchBends.count + added.aftertouch.count
            case (let removed?, nil):
                dirty = true
                total += removed.notes.count + removed.cc.count + removed.pitchBends.count + removed.aftertouch.count
            case (let before?, let after?):
                let changes =
                    count(before.notes, after.notes, same: sameNote, modified: noteModified).total
                    + count(before.cc, after.cc, same: sameCC, modified: { $0.value != $1.value }).total
                    + count(
                        before.pitchBends,
                        after.pitchBends,
                        same: samePitchBend,
                        modified: { $0.value != $1.value }
                    )
                    .total
                    + count(
                        before.aftertouch,
                        after.aftertouch,
                        same: sameAftertouch,
                        modified: { $0.value != $1.value }
                    )
                    .total
                if changes > 0 { dirty = true }
                total += changes
            case (nil, nil):
                break
            }
        }
        return (dirty, total)
    }

    // MARK: - Checkout plans

    /// One tool call of a plan.
    struct ToolCall: Equatable {
        var tool: String
        var arguments: JSONObject
        /// The notes a `stori_add_notes` call adds, with their channels (the arguments carry none).
        var notes: [TreeNote] = []
    }

    /// The calls that turn `working` into `target`, and the regions they clear.
    struct Plan {
        var calls: [ToolCall] = []
        var resets: [String] = []
    }

    /// Builds the checkout plan working → target (service-contracts.md §5.6).
    static func plan(from working: RegionMap, to target: RegionMap) -> Plan {
        var plan = Plan()
        for region in Set(working.keys).union(target.keys).sorted() {
            let current = working[region] ?? RegionContent()
            let wanted = target[region] ?? RegionContent()
            let matching = match(current.notes, wanted.notes, same: sameNote)
            let modified = matching.pairs.filter { noteModified(current.notes[$0.0], wanted.notes[$0.1]) }.count
            let changes = matching.unmatchedFrom.count + matching.unmatchedTo.count + modified
            if matching.unmatchedFrom.count > 0 || modified > 0 || changes >= 20 {
                plan.calls.append(ToolCall(tool: "stori_clear_notes", arguments: ["regionId": .string(region)]))
                plan.resets.append(region)
                if !wanted.notes.isEmpty {
                    plan.calls.append(addNotes(region, wanted.notes))
                }
            } else if !matching.unmatchedTo.isEmpty {
                plan.calls.append(addNotes(region, matching.unmatchedTo.map { wanted.notes[$0] }))
            }
            let newCC = changedOrAdded(current.cc, wanted.cc, same: sameCC) { $0.value != $1.value }
            for number in Array(Set(newCC.map(\.cc))).sorted() {
                // Each event repeats its controller number, as the real planner writes whole CC events.
                let events = newCC.filter { $0.cc == number }.map { event -> JSONValue in
                    ["cc": .int(number), "beat": .double(event.beat), "value": .int(event.value)]
                }
                plan.calls.append(
                    ToolCall(
                        tool: "stori_add_midi_cc",
                        arguments: ["regionId": .string(region), "cc": .int(number), "events": .array(events)]
                    )
                )
            }
            let newBends = changedOrAdded(current.pitchBends, wanted.pitchBends, same: samePitchBend) {
                $0.value != $1.value
            }
            if !newBends.isEmpty {
                let events = newBends.map { event -> JSONValue in
                    ["beat": .double(event.beat), "value": .int(event.value)]
                }
                plan.calls.append(
                    ToolCall(
                        tool: "stori_add_pitch_bend",
                        arguments: ["regionId": .string(region), "events": .array(events)]
                    )
                )
            }
            let newTouch = changedOrAdded(current.aftertouch, wanted.aftertouch, same: sameAftertouch) {
                $0.value != $1.value
            }
            if !newTouch.isEmpty {
                let events = newTouch.map { event -> JSONValue in
                    ["beat": .double(event.beat), "value": .int(event.value), "pitch": .optional(event.pitch)]
                }
                plan.calls.append(
                    ToolCall(
                        tool: "stori_add_aftertouch",
                        arguments: ["regionId": .string(region), "events": .array(events)]
                    )
                )
            }
        }
        return plan
    }

    private static func addNotes(_ region: String, _ notes: [TreeNote]) -> ToolCall {
        ToolCall(
            tool: "stori_add_notes",
            arguments: ["regionId": .string(region), "notes": .array(notes.map(\.toolJSON))],
            notes: notes
        )
    }

    private static func changedOrAdded<T>(
        _ current: [T],
        _ wanted: [T],
        same: (T, T) -> Bool,
        differs: (T, T) -> Bool
    ) -> [T] {
        let matching = match(current, wanted, same: same)
        let changed = matching.pairs.filter { differs(current[$0.0], wanted[$0.1]) }.map { wanted[$0.1] }
        return matching.unmatchedTo.map { wanted[$0] } + changed
    }

    /// Applies a plan to a working tree: cleared regions lose their notes, additions are appended, controller
    /// events are only ever added. Aftertouch lands without its `pitch`, as the real executor copies only `beat`
    /// and `value`: poly aftertouch that a checkout applied no longer matches its snapshot, so the next
    /// checkout finds it drifted (one added, one removed) and a forced one sends it again.
    static func apply(_ plan: Plan, to working: inout RegionMap) {
        for call in plan.calls {
            guard let region = call.arguments["regionId"]?.stringValue else { continue }
            var content = working[region] ?? RegionContent()
            switch call.tool {
            case "stori_clear_notes":
                content.notes = []
            case "stori_add_notes":
                content.notes += call.notes
            case "stori_add_midi_cc":
                let number = call.arguments["cc"]?.intValue ?? 0
                for event in call.arguments["events"]?.arrayValue ?? [] {
                    content.cc.append(
                        CCEvent(cc: number, beat: event["beat"]?.doubleValue ?? 0, value: event["value"]?.intValue ?? 0)
                    )
                }
            case "stori_add_pitch_bend":
                for event in call.arguments["events"]?.arrayValue ?? [] {
                    content.pitchBends.append(
                        PitchBendEvent(beat: event["beat"]?.doubleValue ?? 0, value: event["value"]?.intValue ?? 0)
                    )
                }
            case "stori_add_aftertouch":
                for event in call.arguments["events"]?.arrayValue ?? [] {
                    content.aftertouch.append(
                        AftertouchEvent(
                            beat: event["beat"]?.doubleValue ?? 0,
                            value: event["value"]?.intValue ?? 0,
                            pitch: nil
                        )
                    )
                }
            default:
                break
            }
            working[region] = content
        }
    }

    /// `plan_hash`: the first 32 hex digits of SHA-256 over Python's
    /// `json.dumps({"project_id", "target", "calls": [{"tool", "arguments"}], "resets"}, sort_keys=True)`.
    static func planHash(projectID: String, target: String, plan: Plan) -> String {
        let document: JSONValue = [
            "project_id": .string(projectID), "target": .string(target),
            "calls": .array(plan.calls.map { ["tool": .string($0.tool), "arguments": .object($0.arguments)] }),
            "resets": .strings(plan.resets),
        ]
        return String(SHA256.hash(JSONWriter.string(document, style: .pythonSorted)).hex.prefix(32))
    }

    // MARK: - Merge

    /// Merges `left` and `right` against `base`, region by region; conflicts make the merge fail.
    static func merge(base: RegionMap, left: RegionMap, right: RegionMap) -> Result<RegionMap, ConflictList> {
        var merged: RegionMap = [:]
        var conflicts: [MergeConflict] = []
        for region in Set(base.keys).union(left.keys).union(right.keys).sorted() {
            let baseContent = base[region] ?? RegionContent()
            let leftContent = left[region] ?? RegionContent()
            let rightContent = right[region] ?? RegionContent()
            var content = RegionContent()
            content.notes = mergeLane(
                region: region,
                type: "note",
                base: baseContent.notes,
                left: leftContent.notes,
                right: rightContent.notes,
                same: sameNote,
                modified: noteModified,
                describe: { "pitch=\($0.pitch) beat=\(JSONValue.pythonFloat($0.startBeat))" },
                checkAdditions: true,
                conflicts: &conflicts
            )
            content.cc = mergeLane(
                region: region,
                type: "cc",
                base: baseContent.cc,
                left: leftContent.cc,
                right: rightContent.cc,
                same: sameCC,
                modified: { $0.value != $1.value },
                describe: { "beat=\(JSONValue.pythonFloat($0.beat))" },
                checkAdditions: false,
                conflicts: &conflicts
            )
            content.pitchBends = mergeLane(
                region: region,
                type: "pb",
                base: baseContent.pitchBends,
                left: leftContent.pitchBends,
                right: rightContent.pitchBends,
                same: samePitchBend,
                modified: { $0.value != $1.value },
                describe: { "beat=\(JSONValue.pythonFloat($0.beat))" },
                checkAdditions: false,
                conflicts: &conflicts
            )
            content.aftertouch = mergeLane(
                region: region,
                type: "at",
                base: baseContent.aftertouch,
                left: leftContent.aftertouch,
                right: rightContent.aftertouch,
                same: sameAftertouch,
                modified: { $0.value != $1.value },
                describe: { "beat=\(JSONValue.pythonFloat($0.beat))" },
                checkAdditions: false,
                conflicts: &conflicts
            )
            merged[region] = content
        }
        return conflicts.isEmpty ? .success(merged) : .failure(ConflictList(conflicts: conflicts))
    }

    /// Conflicts as an error value.
    struct ConflictList: Error, Equatable {
        var conflicts: [MergeConflict]
    }

    private enum Fate<T> {
        case kept
        case modified(T)
        case removed
    }

    private static func mergeLane<T: Equatable>(
        region: String,
        type: String,
        base: [T],
        left: [T],
        right: [T],
        same: (T, T) -> Bool,
        modified: (T, T) -> Bool,
        describe: (T) -> String,
        checkAdditions: Bool,
        conflicts: inout [MergeConflict]
    ) -> [T] {
        func fates(_ side: [T]) -> ([Fate<T>], [T]) {
            let matching = match(base, side, same: same)
            var result = [Fate<T>](repeating: .removed, count: base.count)
            for (baseIndex, sideIndex) in matching.pairs {
                result[baseIndex] = modified(base[baseIndex], side[sideIndex]) ? .modified(side[sideIndex]) : .kept
            }
            return (result, matching.unmatchedTo.map { side[$0] })
        }
        let (leftFates, leftAdded) = fates(left)
        let (rightFates, rightAdded) = fates(right)
        let noun = type == "note" ? "note" : "\(type) event"
        var result: [T] = []
        for (index, original) in base.enumerated() {
            switch (leftFates[index], rightFates[index]) {
            case (.kept, .kept):
                result.append(original)
            case (.modified(let mine), .modified(let theirs)):
                if mine == theirs {
                    result.append(mine)
                } else {
                    conflicts.append(
                        MergeConflict(
                            regionID: region,
                            type: type,
                            description: "Both sides modified \(noun) at \(describe(original))"
                        )
                    )
                }
            case (.removed, .modified), (.modified, .removed):
                conflicts.append(
                    MergeConflict(
                        regionID: region,
                        type: type,
                        description: "One side removed and the other modified \(noun) at \(describe(original))"
                    )
                )
            case (.removed, _), (_, .removed):
                break
            case (.modified(let changed), .kept), (.kept, .modified(let changed)):
                result.append(changed)
            }
        }
        if checkAdditions {
            for mine in leftAdded {
                for theirs in rightAdded where same(mine, theirs) && mine != theirs {
                    conflicts.append(
                        MergeConflict(
                            regionID: region,
                            type: type,
                            description: "Both sides added conflicting \(noun) at \(describe(mine))"
                        )
                    )
                }
            }
        }
        return result + leftAdded + rightAdded
    }
}
