import JSON

/// Maestro's in-memory state: the working trees (the StateStore, keyed by `project.id`, `conversationId` or
/// `conversation_id`) and MUSE's commit graph with one HEAD per project.
///
/// MUSE `timestamp`s come from a logical clock, not the wall clock: commit *n* of a project (counting from 0) is
/// stamped ``epoch`` + *n* seconds. `/log` orders ties by (timestamp, id), so the order is the same in every run.
actor MaestroStore {
    /// 2025-02-27T00:00:00Z, the logical epoch of MUSE timestamps.
    static let epoch = 1_740_614_400.0

    struct WorkingTree {
        var regions: RegionMap = [:]
        var version = 0
    }

    private let determinism: Determinism
    private let counters = ScopedCounters()
    private var trees: [String: WorkingTree] = [:]
    private var variations: [String: MuseVariation] = [:]
    private var projectCommits: [String: [String]] = [:]
    private var heads: [String: String] = [:]
    private var phraseIDs: Set<String> = []

    init(determinism: Determinism) {
        self.determinism = determinism
    }

    // MARK: - Working trees (compose side)

    /// Replaces the notes of the tree with a project snapshot's (controllers are kept) and returns the version.
    func replaceNotes(key: String, with snapshot: RegionMap) -> Int {
        var tree = trees[key] ?? WorkingTree()
        for region in tree.regions.keys { tree.regions[region]?.notes = [] }
        for (region, content) in snapshot {
            tree.regions[region, default: RegionContent()].notes = content.notes
        }
        tree.version += 1
        trees[key] = tree
        return tree.version
    }

    /// Appends generated notes to a region of a tree.
    func addNotes(key: String, region: String, notes: [TreeNote]) {
        trees[key, default: WorkingTree()].regions[region, default: RegionContent()].notes += notes
    }

    /// Marks the tree as changed and returns its new version.
    func bumpVersion(key: String) -> Int {
        trees[key, default: WorkingTree()].version += 1
        return trees[key]!.version
    }

    /// The tree's current version (0 for a tree never touched).
    func version(key: String) -> Int {
        trees[key]?.version ?? 0
    }

    /// The regions with notes, as captured for drift and merge (empty regions are invisible).
    func captured(key: String) -> RegionMap {
        (trees[key]?.regions ?? [:]).filter { !$0.value.notes.isEmpty }
    }

    // MARK: - MUSE

    /// Why a save failed: the real service raises and answers a bare 500.
    struct SaveFailure: Error {}

    /// Stores a commit (HEAD does not move). Duplicate variation or phrase ids and unknown parents fail.
    func save(_ variation: MuseVariation) throws(SaveFailure) -> Void {
        guard variations[variation.id] == nil else { throw SaveFailure() }
        for parent in [variation.parent, variation.parent2].compactMap({ $0 }) where variations[parent] == nil {
            throw SaveFailure()
        }
        var seen = Set<String>()
        for phrase in variation.phrases {
            guard !phraseIDs.contains(phrase.id), seen.insert(phrase.id).inserted else { throw SaveFailure() }
        }
        var stored = variation
        stored.timestamp = nextTimestamp(project: variation.projectID)
        variations[stored.id] = stored
        projectCommits[stored.projectID, default: []].append(stored.id)
        phraseIDs.formUnion(seen)
    }

    private func nextTimestamp(project: String) -> Double {
        Self.epoch + Double(projectCommits[project]?.count ?? 0)
    }

    /// Marks `id` as its project's HEAD; an unknown id changes nothing.
    func setHead(_ id: String) {
        guard let variation = variations[id] else { return }
        heads[variation.projectID] = id
    }

    /// The `/log` body of a project.
    func log(project: String) -> JSONValue {
        let ids = projectCommits[project] ?? []
        let members = Set(ids)
        var indegree: [String: Int] = [:]
        var children: [String: [String]] = [:]
        for id in ids {
            let variation = variations[id]!
            indegree[id] = 0
            for parent in [variation.parent, variation.parent2].compactMap({ $0 }) where members.contains(parent) {
                indegree[id, default: 0] += 1
                children[parent, default: []].append(id)
            }
        }
        func before(_ lhs: String, _ rhs: String) -> Bool {
            let left = variations[lhs]!.timestamp
            let right = variations[rhs]!.timestamp
            return left != right ? left < right : lhs < rhs
        }
        var ready = ids.filter { indegree[$0] == 0 }
        var ordered: [String] = []
        while !ready.isEmpty {
            ready.sort(by: before)
            let next = ready.removeFirst()
            ordered.append(next)
            for child in children[next] ?? [] {
                indegree[child]! -= 1
                if indegree[child] == 0 { ready.append(child) }
            }
        }
        let head = heads[project]
        let nodes = ordered.map { id -> JSONValue in
            let variation = variations[id]!
            let regions = Array(Set(variation.phrases.map(\.regionID))).sorted()
            return [
                "id": .string(id), "parent": variation.parent.map(JSONValue.string) ?? .null,
                "parent2": variation.parent2.map(JSONValue.string) ?? .null, "isHead": .bool(id == head),
                "timestamp": .double(variation.timestamp),
                "intent": variation.intent.isEmpty ? .null : .string(variation.intent), "regions": .strings(regions),
            ]
        }
        return ["projectId": .string(project), "head": head.map(JSONValue.string) ?? .null, "nodes": .array(nodes)]
    }

    /// The first-parent chain of `id`, root first (empty for an unknown id).
    func lineage(_ id: String) -> [String] {
        var chain: [String] = []
        var visited = Set<String>()
        var current: String? = id
        while let next = current, let variation = variations[next], visited.insert(next).inserted {
            chain.append(next)
            current = variation.parent
        }
        return chain.reversed()
    }

    /// The snapshot of `id`: every added/modified note and every controller event along its lineage.
    func snapshot(_ id: String) -> RegionMap {
        var regions: RegionMap = [:]
        for node in lineage(id) {
            for phrase in variations[node]!.phrases {
                var content = regions[phrase.regionID] ?? RegionContent()
                for change in phrase.noteChanges where change.kind != .removed {
                    if let after = change.after { content.notes.append(after) }
                }
                content.cc += phrase.cc
                content.pitchBends += phrase.pitchBends
                content.aftertouch += phrase.aftertouch
                regions[phrase.regionID] = content
            }
        }
        return regions
    }

    /// What a checkout did.
    enum CheckoutOutcome {
        case done(JSONValue)
        case unknownTarget
        case blocked(totalChanges: Int)
    }

    /// `POST /checkout`: resolve the target, check drift unless forced, execute the plan, move HEAD.
    func checkout(project: String, target: String, conversation: String, force: Bool) -> CheckoutOutcome {
        guard let variation = variations[target] else { return .unknownTarget }
        let working = captured(key: conversation)
        let from = heads[project]
        if !force, let head = from {
            let drift = MuseAlgorithms.drift(head: snapshot(head), working: working)
            if drift.dirty { return .blocked(totalChanges: drift.totalChanges) }
        }
        let execution = execute(
            project: project,
            target: target,
            conversation: conversation,
            wanted: snapshot(target),
            working: working
        )
        heads[variation.projectID] = target
        return .done([
            "project_id": .string(project), "from_variation_id": from.map(JSONValue.string) ?? .null,
            "to_variation_id": .string(target), "execution": execution, "head_moved": true,
        ])
    }

    /// What a merge did.
    enum MergeOutcome {
        case done(JSONValue)
        case conflicts([MergeConflict])
    }

    /// `POST /merge`: three-way merge against the merge base; a clean merge is committed and becomes HEAD.
    func merge(project: String, left: String, right: String, conversation: String) -> MergeOutcome {
        let leftChain = lineage(left)
        let leftSet = Set(leftChain)
        guard let base = lineage(right).reversed().first(where: { leftSet.contains($0) }) else {
            return .conflicts([
                MergeConflict(
                    regionID: "*",
                    type: "note",
                    description: "No common ancestor found between the two variations"
                )
            ])
        }
        switch MuseAlgorithms.merge(base: snapshot(base), left: snapshot(left), right: snapshot(right)) {
        case .failure(let list):
            return .conflicts(list.conflicts)
        case .success(let merged):
            let target = "merge:\(left.prefix(8))+\(right.prefix(8))"
            let execution = execute(
                project: project,
                target: target,
                conversation: conversation,
                wanted: merged,
                working: captured(key: conversation)
            )
            let index = counters.next("merge:\(project)")
            let mergeID = determinism.uuid("muse-merge", project, left, right, String(index))
            let commit = MuseVariation(
                id: mergeID,
                projectID: project,
                intent: "merge",
                conversationID: "merge",
                parent: left,
                parent2: right,
                affectedTracks: [],
                affectedRegions: [],
                beatRange: [0, 8],
                phrases: [],
                timestamp: nextTimestamp(project: project)
            )
            variations[mergeID] = commit
            projectCommits[project, default: []].append(mergeID)
            heads[project] = mergeID
            return .done([
                "project_id": .string(project), "merge_variation_id": .string(mergeID), "left_id": .string(left),
                "right_id": .string(right), "execution": execution, "head_moved": true,
            ])
        }
    }

    /// Plans working → wanted, applies it to the conversation's tree and returns the `execution` object.
    private func execute(
        project: String,
        target: String,
        conversation: String,
        wanted: RegionMap,
        working: RegionMap
    )
        -> JSONValue
    {
        let plan = MuseAlgorithms.plan(from: working, to: wanted)
        let operation = counters.next("operation:\(project)")
        var tree = trees[conversation] ?? WorkingTree()
        MuseAlgorithms.apply(plan, to: &tree.regions)
        if !plan.calls.isEmpty { tree.version += 1 }
        trees[conversation] = tree
        let events = plan.calls.enumerated().map { index, call -> JSONValue in
            [
                "type": "toolCall",
                "id": .string(determinism.uuid("muse-call", project, target, String(operation), String(index))),
                "tool": .string(call.tool), "params": .object(call.arguments),
            ]
        }
        return [
            "executed": .int(plan.calls.count), "failed": 0,
            "plan_hash": .string(MuseAlgorithms.planHash(projectID: project, target: target, plan: plan)),
            "events": .array(events),
        ]
    }
}
