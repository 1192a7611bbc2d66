import HTTPTransport
import JSON

/// A checkout or merge execution report (nested under `execution`, service-contracts.md §5.4, §7.4).
struct MuseExecution: Sendable, Equatable {
    var executed: Int
    var failed: Int
    var planHash: String
    var toolCalls: [String]

    init(json: JSONValue?) {
        let execution = json?["execution"]
        executed = execution?["executed"]?.intValue ?? 0
        failed = execution?["failed"]?.intValue ?? 0
        planHash = execution?["plan_hash"]?.stringValue ?? ""
        toolCalls = (execution?["events"]?.arrayValue ?? []).compactMap { $0.first("tool", "name")?.stringValue }
    }

    var json: JSONValue {
        [
            "executed": .int(executed), "failed": .int(failed), "plan_hash": .string(planHash),
            "tools": .array(toolCalls.map { .string($0) }),
        ]
    }
}

/// What a merge answered.
enum MergeOutcome: Sendable {
    /// 200: the merge commit id, whether HEAD moved, and the execution report.
    case merged(id: String, headMoved: Bool, execution: MuseExecution)
    /// 409 `merge_conflict` with its conflicts.
    case conflict([JSONValue])
}

/// What a checkout answered.
enum CheckoutOutcome: Sendable {
    /// 200.
    case checkedOut(from: String?, to: String, headMoved: Bool, execution: MuseExecution)
    /// 409 `checkout_blocked`: the working tree drifted from HEAD.
    case blocked(severity: String, totalChanges: Int)
}

/// One MUSE node of `/log` (camelCase keys there).
struct MuseNode: Sendable, Equatable {
    var id: String
    var parent: String?
    var parent2: String?
    var isHead: Bool
    var intent: String?
    var regions: [String]
}

/// MUSE: commits, HEAD, merge, checkout and log, all with the run's token (service-contracts.md §5).
struct MuseClient {
    let context: RunContext

    private func url(_ path: String) -> HTTPURL {
        context.configuration.endpoints.muse.appending(path: path)
    }

    private func call(_ method: String, _ path: String, body: JSONValue? = nil) async throws(HarnessError) -> Reply {
        let (reply, _) = try await context.fetch(
            .muse,
            method: method,
            url: url(path),
            body: body,
            readTimeout: context.configuration.museTimeout
        )
        return reply
    }

    /// `POST /variations`; HEAD does not move.
    func saveVariation(_ body: JSONValue) async throws(HarnessError) {
        let reply = try await call("POST", "/variations", body: body)
        guard reply.status == 200 else {
            throw HarnessError(.muse, "MUSE /variations answered \(reply.status): \(reply.serviceMessage)")
        }
    }

    /// `POST /head`.
    func setHead(_ variationID: String) async throws(HarnessError) {
        let reply = try await call("POST", "/head", body: ["variation_id": .string(variationID)])
        guard reply.status == 200 else {
            throw HarnessError(.muse, "MUSE /head answered \(reply.status): \(reply.serviceMessage)")
        }
    }

    /// `POST /merge` with the run's conversation id (so merges run against the run's own working tree).
    func merge(
        project: String,
        left: String,
        right: String,
        conversation: String
    ) async throws(HarnessError)
        -> MergeOutcome
    {
        let body: JSONValue = [
            "project_id": .string(project), "left_id": .string(left), "right_id": .string(right),
            "conversation_id": .string(conversation), "force": false,
        ]
        let reply = try await call("POST", "/merge", body: body)
        switch reply.status {
        case 200:
            let json = reply.json
            guard let id = json?["merge_variation_id"]?.stringValue else {
                throw HarnessError(.contract, "MUSE /merge answered 200 without merge_variation_id")
            }
            return .merged(
                id: id,
                headMoved: json?["head_moved"]?.boolValue ?? false,
                execution: MuseExecution(json: json)
            )
        case 409 where reply.json?["detail"]?["error"]?.stringValue == "merge_conflict":
            return .conflict(reply.json?["detail"]?["conflicts"]?.arrayValue ?? [])
        default:
            throw HarnessError(.muse, "MUSE /merge answered \(reply.status): \(reply.serviceMessage)")
        }
    }

    /// `POST /checkout`.
    func checkout(
        project: String,
        target: String,
        conversation: String,
        force: Bool
    ) async throws(HarnessError)
        -> CheckoutOutcome
    {
        let body: JSONValue = [
            "project_id": .string(project), "target_variation_id": .string(target),
            "conversation_id": .string(conversation), "force": .bool(force),
        ]
        let reply = try await call("POST", "/checkout", body: body)
        switch reply.status {
        case 200:
            let json = reply.json
            return .checkedOut(
                from: json?["from_variation_id"]?.stringValue,
                to: json?["to_variation_id"]?.stringValue ?? target,
                headMoved: json?["head_moved"]?.boolValue ?? false,
                execution: MuseExecution(json: json)
            )
        case 409 where reply.json?["detail"]?["error"]?.stringValue == "checkout_blocked":
            let detail = reply.json?["detail"]
            return .blocked(
                severity: detail?["severity"]?.stringValue ?? "",
                totalChanges: detail?["total_changes"]?.intValue ?? 0
            )
        default:
            throw HarnessError(.muse, "MUSE /checkout answered \(reply.status): \(reply.serviceMessage)")
        }
    }

    /// `GET /log?project_id=...`.
    func log(project: String) async throws(HarnessError) -> (head: String?, nodes: [MuseNode], raw: JSONValue) {
        let reply = try await call("GET", "/log?project_id=\(StorpheusClient.pathSegment(project))")
        guard reply.status == 200, let json = reply.json else {
            throw HarnessError(.muse, "MUSE /log answered \(reply.status): \(reply.serviceMessage)")
        }
        let nodes = (json["nodes"]?.arrayValue ?? []).compactMap { node -> MuseNode? in
            guard let id = node["id"]?.stringValue else { return nil }
            return MuseNode(
                id: id,
                parent: node["parent"]?.stringValue,
                parent2: node["parent2"]?.stringValue,
                isHead: node["isHead"]?.boolValue ?? false,
                intent: node["intent"]?.stringValue,
                regions: (node["regions"]?.arrayValue ?? []).compactMap(\.stringValue)
            )
        }
        return (json["head"]?.stringValue, nodes, json)
    }
}
