import Foundation
import HTTPTransport
import HTTPWire
import JSON
import Vocabulary

/// A finished Storpheus job: its status and `result` (service-contracts.md §4.3, §4.4).
struct StorpheusJob: Sendable {
    var jobID: String
    var status: String
    var result: JSONValue?
    var error: String?

    /// The notes of the result: `channel_notes` flattened in label order when present, else `notes`
    /// (`tool_calls` is always null and never read).
    var notes: [WireNote] {
        guard let result else { return [] }
        if let channels = result["channel_notes"]?.objectValue, !channels.isEmpty {
            return channels.members.sorted { $0.key < $1.key }.flatMap {
                ($0.value.arrayValue ?? []).map(WireNote.init)
            }
        }
        return (result["notes"]?.arrayValue ?? []).map(WireNote.init)
    }
}

/// A file downloaded from Storpheus's artifacts.
struct DownloadedArtifact: Sendable {
    var name: String
    var contentType: String
    var bytes: [UInt8]
}

/// Storpheus: generation with wait polling, and artifact listing and download.
struct StorpheusClient {
    let context: RunContext

    private func url(_ path: String) -> HTTPURL {
        context.configuration.endpoints.storpheus.appending(path: path)
    }

    private func call(
        _ method: String,
        _ path: String,
        body: JSONValue? = nil,
        name: String
    ) async throws(HarnessError) -> Reply {
        let target = url(path)
        let timeout = context.configuration.storpheusTimeout
        return try await context.limits.storpheus.withPermit { () async throws(HarnessError) -> Reply in
            let (reply, ordinal) = try await context.fetch(
                .storpheus,
                method: method,
                url: target,
                body: body,
                readTimeout: timeout
            )
            context.payload(
                .storpheusRequests,
                "\(ordinal)_\(name)",
                json: ["method": .string(method), "url": .string(target.description), "body": body ?? .null]
            )
            let isJSON = (reply.headers["Content-Type"] ?? "").lowercased().contains("json")
            context.payload(
                .storpheusResponses,
                "\(ordinal)_\(name)",
                json: [
                    "status": .int(reply.status),
                    "body": isJSON ? (reply.json ?? .string(reply.text)) : .string("<\(reply.body.count) bytes>"),
                ]
            )
            return reply
        }
    }

    /// `POST /generate`, then `GET /jobs/{id}/wait` until the job is complete or failed (or the Storpheus timeout
    /// passes). A complete job with `result.success:false` is a failure carrying Storpheus's error.
    func generate(_ request: JSONValue) async throws(HarnessError) -> StorpheusJob {
        let reply = try await call("POST", "/generate", body: request, name: "generate")
        guard reply.status == 200, let json = reply.json else {
            throw HarnessError(.storpheus, "Storpheus /generate answered \(reply.status): \(reply.serviceMessage)")
        }
        var job = Self.job(from: json)
        let deadline = ContinuousClock.now + context.configuration.storpheusTimeout
        while job.status == "queued" || job.status == "running" {
            guard ContinuousClock.now < deadline else {
                throw HarnessError(
                    .timeout,
                    "Storpheus job \(job.jobID) still \(job.status) after the Storpheus timeout"
                )
            }
            let wait = max(1, min(30, Int((deadline - ContinuousClock.now).secondsValue.rounded(.up))))
            let polled = try await call("GET", "/jobs/\(job.jobID)/wait?timeout=\(wait)", name: "wait")
            guard polled.status == 200, let json = polled.json else {
                throw HarnessError(
                    .storpheus,
                    "Storpheus /jobs/\(job.jobID)/wait answered \(polled.status): \(polled.serviceMessage)"
                )
            }
            job = Self.job(from: json)
        }
        guard job.status == "complete", job.result?["success"]?.boolValue == true else {
            let message = job.result?["error"]?.stringValue ?? job.error ?? "status \(job.status)"
            throw HarnessError(.storpheus, "Storpheus job \(job.jobID) failed: \(message)")
        }
        return job
    }

    static func job(from json: JSONValue) -> StorpheusJob {
        StorpheusJob(
            jobID: json["jobId"]?.stringValue ?? "",
            status: json["status"]?.stringValue ?? "unknown",
            result: json["result"].flatMap { $0.isNull ? nil : $0 },
            error: json["error"]?.stringValue
        )
    }

    /// `GET /artifacts/{composition}`: the file names (an unknown composition lists none).
    func listArtifacts(composition: String) async throws(HarnessError) -> [String] {
        let reply = try await call("GET", "/artifacts/\(Self.pathSegment(composition))", name: "artifacts")
        guard reply.status == 200, let json = reply.json else {
            throw HarnessError(
                .storpheus,
                "Storpheus artifact listing answered \(reply.status): \(reply.serviceMessage)"
            )
        }
        return (json["files"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// Downloads one artifact. A JSON answer is not the file: Storpheus says a file is missing with a 200 JSON
    /// `{"error": ...}` (service-contracts.md §4.5), which returns nil.
    func download(composition: String, file: String) async throws(HarnessError) -> DownloadedArtifact? {
        guard let safe = Self.safeFileName(file) else { return nil }
        let reply = try await call(
            "GET",
            "/artifacts/\(Self.pathSegment(composition))/\(Self.pathSegment(safe))",
            name: "download"
        )
        guard reply.status == 200 else {
            throw HarnessError(
                .storpheus,
                "Storpheus artifact \(safe) answered \(reply.status): \(reply.serviceMessage)"
            )
        }
        let contentType = (reply.headers["Content-Type"] ?? "application/octet-stream").lowercased()
        if contentType.hasPrefix("application/json"), !safe.lowercased().hasSuffix(".json") {
            return nil
        }
        return DownloadedArtifact(name: safe, contentType: contentType, bytes: reply.body)
    }

    /// A file name safe to write under the run's directory: the last path component only, no `..`, no leading
    /// dot, only letters, digits, `.`, `_` and `-`; nil when nothing safe remains.
    static func safeFileName(_ name: String) -> String? {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(
            last.unicodeScalars.filter {
                ($0.value < 128 && (CharacterSet.alphanumerics.contains($0))) || $0 == "." || $0 == "_" || $0 == "-"
            }
        )
        var trimmed = Substring(cleaned)
        while trimmed.hasPrefix(".") { trimmed = trimmed.dropFirst() }
        guard !trimmed.isEmpty, trimmed != "..", !trimmed.contains("..") else { return nil }
        return String(trimmed.prefix(128))
    }

    /// Percent-encodes a path segment.
    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
