import HTTPTransport
import HTTPWire
import JSON

/// Storpheus's HTTP surface (service-contracts.md §4): no authentication, JSON everywhere except artifact downloads.
struct StorpheusRoutes: Sendable {
    let storpheus: Storpheus
    let gate: FaultGate
    let faults: FaultPlan

    func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        let method = request.head.method
        let segments = RequestTarget.segments(of: request.head.path)
        let isHealth = segments == ["health"]
        if let rejection = await gate.admit(request, service: .storpheus, spareErrors: isHealth) { return rejection }
        if faults.storpheusDown {
            return Reply.json(503, ["error": "Storpheus is unavailable (simulated fault storpheus-down)"])
        }
        switch segments.count {
        case 1 where segments[0] == "health":
            guard method == "GET" else { return Reply.methodNotAllowed(allowed: ["GET"]) }
            return Reply.json(200, ["status": "ok", "service": "storpheus"])
        case 1 where segments[0] == "generate":
            guard method == "POST" else { return Reply.methodNotAllowed(allowed: ["POST"]) }
            return await generate(request)
        case 2 where segments == ["queue", "status"]:
            guard method == "GET" else { return Reply.methodNotAllowed(allowed: ["GET"]) }
            return Reply.json(200, await storpheus.queueStatus())
        case 2 where segments[0] == "jobs":
            guard method == "GET" else { return Reply.methodNotAllowed(allowed: ["GET"]) }
            return jobReply(await storpheus.status(segments[1]))
        case 3 where segments[0] == "jobs" && segments[2] == "wait":
            guard method == "GET" else { return Reply.methodNotAllowed(allowed: ["GET"]) }
            return await wait(jobID: segments[1], query: request.head.query)
        case 3 where segments[0] == "jobs" && segments[2] == "cancel":
            guard method == "POST" else { return Reply.methodNotAllowed(allowed: ["POST"]) }
            return jobReply(await storpheus.cancel(segments[1]))
        case 2 where segments[0] == "artifacts":
            guard method == "GET" else { return Reply.methodNotAllowed(allowed: ["GET"]) }
            guard let files = await storpheus.artifactNames(segments[1]) else { return Reply.json(200, ["files": []]) }
            return Reply.json(
                200,
                ["files": .strings(files), "path": .string("/data/cache/artifacts/\(segments[1])")]
            )
        case 3 where segments[0] == "artifacts":
            guard method == "GET" else { return Reply.methodNotAllowed(allowed: ["GET"]) }
            return await download(composition: segments[1], file: segments[2])
        default:
            return Reply.notFound
        }
    }

    private func generate(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        let body = DecodedBody(request.body)
        if case .invalid(let response) = body { return response }
        let (parameters, validation) = GenerateParameters.validate(body)
        guard let parameters else { return Reply.unprocessable(validation) }
        switch await storpheus.submit(parameters) {
        case .cached(let jobID, let result, _):
            return Reply.json(200, ["jobId": .string(jobID), "status": "complete", "result": result])
        case .job(let status, _):
            return Reply.json(200, status)
        case .queueFull:
            return Reply.json(
                503,
                ["error": "Generation queue is full — try again shortly"],
                headers: ["Retry-After": "30"]
            )
        }
    }

    private func wait(jobID: String, query: String?) async -> HTTPServerResponse {
        var timeout = 30.0
        if let text = RequestTarget.queryItems(query)["timeout"] {
            var validation = RequestValidation()
            let loc: [JSONValue] = ["query", "timeout"]
            guard let number = validation.double(.string(text), at: loc),
                validation.range(number, at: loc, input: .string(text), ge: 1, le: 120)
            else { return Reply.unprocessable(validation) }
            timeout = number
        }
        return jobReply(await storpheus.wait(jobID, timeout: .milliseconds(Int64(timeout * 1000))))
    }

    private func jobReply(_ status: JSONValue?) -> HTTPServerResponse {
        guard let status else { return Reply.json(404, ["error": "Job not found"]) }
        return Reply.json(200, status)
    }

    private func download(composition: String, file: String) async -> HTTPServerResponse {
        guard let bytes = await storpheus.artifact(composition, file) else {
            return Reply.json(200, ["error": .string("Not found: \(file)")])
        }
        let lowered = file.lowercased()
        let mediaType: String
        if lowered.hasSuffix(".mp3") {
            mediaType = "audio/mpeg"
        } else if lowered.hasSuffix(".wav") {
            mediaType = "audio/wav"
        } else if lowered.hasSuffix(".mid") || lowered.hasSuffix(".midi") {
            mediaType = "audio/midi"
        } else if lowered.hasSuffix(".webp") {
            mediaType = "image/webp"
        } else if lowered.hasSuffix(".png") {
            mediaType = "image/png"
        } else {
            mediaType = "application/octet-stream"
        }
        let headers: HTTPHeaders = [
            "Content-Type": mediaType, "Content-Disposition": "attachment; filename=\"\(file)\"",
        ]
        return HTTPServerResponse(status: 200, headers: headers, body: .bytes(bytes))
    }
}
