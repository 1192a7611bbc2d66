import Cassettes
import HTTPSClient
import HTTPTransport
import HTTPWire
import Synchronization
import Vocabulary

/// Answers the requests of one named service according to the proxy's mode.
struct ServiceHandler: Sendable {
    let service: ProxyConfiguration.ServiceRoute
    let core: ProxyCore

    func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        if request.head.method == "CONNECT" { return Self.connectRefusal(target: request.head.target) }
        let arrival = ContinuousClock.now
        let started = Timestamp.now()
        let tags: RequestTags
        switch RequestTags.parse(request.head.headers) {
        case .success(let parsed): tags = parsed
        case .failure(let rejection): return rejection.response
        }
        switch core.configuration.mode {
        case .passthrough:
            return await forward(request, tags: tags, arrival: arrival, started: started, slot: nil)
        case .record:
            return await record(request, tags: tags, arrival: arrival, started: started)
        case .replay, .recordMissing:
            // A compressed request body is compared as its recording was stored: decoded.
            let (decoded, _) = ContentDecoding.decoded(
                RecordedRequest(
                    method: request.head.method,
                    target: request.head.target,
                    headers: HopByHop.recordedRequestHeaders(request.head.headers),
                    body: request.body
                )
            )
            let incoming = ReplayRequest(
                service: service.name.rawValue,
                method: request.head.method,
                target: request.head.target,
                headers: decoded.headers,
                body: decoded.body,
                run: tags.run,
                ordinal: tags.ordinal
            )
            switch core.library!.match(incoming) {
            case .success(let hit)
            where core.configuration.mode == .recordMissing && core.library!.isAskedAgain(hit.exchange):
                // The recording is the proxy's own failure, not the upstream's answer, or older than --max-age:
                // ask the upstream again.
                return await record(request, tags: tags, arrival: arrival, started: started)
            case .success(let hit):
                core.counters.withLock { $0.replayed += 1 }
                return await ReplayResponder.respond(
                    with: hit.exchange,
                    threading: hit.towardLive,
                    method: request.head.method,
                    arrival: arrival,
                    pace: core.configuration.pace,
                    core: core
                )
            case .failure(let mismatch)
            where core.configuration.mode == .recordMissing && mismatch.kind == .noRecording:
                return await record(request, tags: tags, arrival: arrival, started: started)
            case .failure(let mismatch):
                core.counters.withLock { counters in
                    counters.mismatches += 1
                    if counters.mismatchDetails.count < ProxyReport.keptMismatches {
                        counters.mismatchDetails.append(mismatch)
                    }
                }
                core.configuration.log("tdf proxy: replay mismatch (599): \(mismatch.detail)")
                return ProxyAnswers.json(status: 599, code: "replay_mismatch", mismatch.jsonValue).response
            }
        }
    }

    /// The answer to `CONNECT`: tdf records what it can read, so it opens no tunnel it could not see into.
    static func connectRefusal(target: String) -> HTTPServerResponse {
        ProxyAnswers.error(
            status: 501,
            code: "connect_not_supported",
            detail: "tdf proxy does not intercept TLS, so it cannot record a CONNECT tunnel to \(target). Send it "
                + "plain HTTP instead: http:// URLs through HTTP_PROXY, or the listener's URL as the base URL. To record "
                + "an HTTPS service, let the proxy speak TLS to it: --service NAME=PORT=https://HOST (a listener of "
                + "its own) or --service NAME=https://HOST with --forward (then request http://HOST through HTTP_PROXY)"
        ).response
    }

    private func record(
        _ request: HTTPServerRequest,
        tags: RequestTags,
        arrival: ContinuousClock.Instant,
        started: Timestamp
    ) async -> HTTPServerResponse {
        let slot: ExchangeSlot
        let session = core.session!
        do {
            if session.hasOpenCassette(for: tags.run) {
                slot = try session.reserve(run: tags.run, ordinal: tags.ordinal)
            } else {
                // Opening a cassette writes files (and may read the one it continues): not work for the event loop.
                slot = try await withTaskExecutorPreference(globalConcurrentExecutor) { () throws(CassetteError) in
                    try session.reserve(run: tags.run, ordinal: tags.ordinal)
                }
            }
        } catch {
            core.configuration.log("tdf proxy: cannot record: \(error)")
            // Nothing was forwarded: the client may try again once the cause (a full disk, a lock) is gone.
            var answer = ProxyAnswers.error(status: 503, code: "recording_failed", detail: error.description).response
            answer.headers.set(name: "Retry-After", value: "1")
            return answer
        }
        return await forward(request, tags: tags, arrival: arrival, started: started, slot: slot)
    }

    /// Forwards to the upstream and streams the answer back as it arrives, recording it when `slot` is given.
    private func forward(
        _ request: HTTPServerRequest,
        tags: RequestTags,
        arrival: ContinuousClock.Instant,
        started: Timestamp,
        slot: ExchangeSlot?
    ) async -> HTTPServerResponse {
        guard let upstream = service.upstream else {
            return ProxyAnswers.error(
                status: 502,
                code: "no_upstream",
                detail: "service \(service.name) has no upstream"
            ).response
        }
        core.counters.withLock { $0.forwarded += 1 }
        let head = request.head
        let prefix = upstream.target == "/" ? "" : String(upstream.target.reversed().drop { $0 == "/" }.reversed())
        let outgoing = HTTPClientRequest(
            method: head.method,
            url: upstream.with(target: prefix + head.target),
            headers: HopByHop.forwardableRequestHeaders(head.headers),
            body: request.body.isEmpty ? nil : request.body
        )
        let recordedRequest = RecordedRequest(
            method: head.method,
            target: head.target,
            headers: HopByHop.recordedRequestHeaders(head.headers),
            body: request.body
        )
        func draft(status: Int, reason: String, headers: HTTPHeaders, ttfb: Double?) -> PendingRecord.Draft {
            PendingRecord.Draft(
                slot: slot!,
                service: service.name.rawValue,
                started: started,
                step: tags.step,
                request: recordedRequest,
                status: status,
                reason: reason,
                headers: headers,
                ttfbMilliseconds: ttfb,
                arrival: arrival
            )
        }

        let response: HTTPClientResponse
        do {
            if upstream.scheme == .https, let secureClient = core.secureClient {
                response = try await secureClient.execute(
                    outgoing,
                    readTimeout: core.configuration.upstreamTimeout,
                    abortSignal: core.shutdownSignal
                )
            } else {
                response = try await core.client.execute(
                    outgoing,
                    readTimeout: core.configuration.upstreamTimeout,
                    abortSignal: core.shutdownSignal
                )
            }
        } catch {
            let failure =
                core.isAborting
                ? UpstreamFailure.shutdown(service: service.name.rawValue)
                : UpstreamFailure(error, service: service.name.rawValue)
            if failure.code == "upstream_tls_failed" { core.logOnce(about: upstream.authority, failure.detail) }
            let answer = ProxyAnswers.error(status: failure.status, code: failure.code, detail: failure.detail)
            if slot != nil {
                let pending = PendingRecord(
                    core: core,
                    draft: draft(
                        status: answer.status,
                        reason: HTTPStatus.reasonPhrase(for: answer.status),
                        headers: answer.headers,
                        ttfb: nil
                    )
                )
                await pending.complete(
                    content: .body(answer.body),
                    totalMilliseconds: milliseconds(since: arrival),
                    fault: Fault(kind: failure.kind, afterBytes: 0, detail: failure.detail)
                )
            }
            return answer.response
        }

        let upstreamHead = response.head
        let ttfb = milliseconds(since: arrival)
        let pending = slot.map { _ in
            var recorded = draft(
                status: upstreamHead.status,
                reason: upstreamHead.reason,
                headers: upstreamHead.headers,
                ttfb: ttfb
            )
            recorded.decodedFrom = response.decodedFrom
            return PendingRecord(core: core, draft: recorded)
        }
        var headers = HopByHop.forwardableResponseHeaders(upstreamHead.headers)
        if response.decodedFrom != nil {
            // The transport decoded the body: the client gets it as identity, framed by the server, as in a replay.
            headers.remove(named: "Content-Encoding")
            headers.remove(named: "Content-Length")
        }
        let status = upstreamHead.status
        if head.method == "HEAD" || (100..<200).contains(status) || status == 204 || status == 304 {
            _ = try? await response.body.collect()
            await pending?.complete(content: .body([]), totalMilliseconds: milliseconds(since: arrival), fault: nil)
            return HTTPServerResponse(
                status: status,
                reason: upstreamHead.reason,
                headers: headers,
                body: .stream { _ in }
            )
        }
        let declaredLength =
            upstreamHead.headers.contains("Transfer-Encoding") || response.decodedFrom != nil
            ? nil : upstreamHead.headers["Content-Length"].flatMap { Int($0) }
        let shape = BodyCapture.shape(for: upstreamHead)
        // A body that came whole with the head is recorded first, then sent with the head in one write.
        if declaredLength != nil, let whole = await response.body.takeIfAlreadyComplete() {
            let at = milliseconds(since: arrival)
            if let pending {
                var capture = BodyCapture(shape: shape)
                if !whole.isEmpty { capture.add(whole, atMilliseconds: at) }
                await pending.complete(content: capture.content(), totalMilliseconds: at, fault: nil)
            }
            return HTTPServerResponse(
                status: status,
                reason: upstreamHead.reason,
                headers: headers,
                body: .bytes(whole)
            )
        }
        let body = response.body
        let serviceName = service.name.rawValue
        return HTTPServerResponse(
            status: status,
            reason: upstreamHead.reason,
            headers: headers,
            body: .stream { writer in
                try await Self.relay(
                    body,
                    to: writer,
                    pending: pending,
                    shape: shape,
                    declaredLength: declaredLength,
                    arrival: arrival,
                    service: serviceName
                )
            }
        )
    }

    /// Copies the upstream body to the client piece by piece as it arrives, and a copy into the recording.
    ///
    /// Each piece is written to the client before it is parsed for the recording, so a live SSE stream is not
    /// slowed by it. The piece that completes a `Content-Length` body is recorded before it is written: a client
    /// that has seen its whole response can rely on the exchange being on disk.
    private static func relay(
        _ body: HTTPClientBody,
        to writer: any HTTPBodyWriter,
        pending: PendingRecord?,
        shape: BodyCapture.Shape,
        declaredLength: Int?,
        arrival: ContinuousClock.Instant,
        service: String
    ) async throws {
        var capture = pending.map { _ in BodyCapture(shape: shape, expectedBytes: declaredLength) }
        var delivered = 0
        var iterator = body.makeAsyncIterator()
        while true {
            let piece: [UInt8]?
            do {
                piece = try await iterator.next()
            } catch {
                let at = milliseconds(since: arrival)
                if Task.isCancelled {
                    await pending?.complete(
                        content: capture?.content() ?? .body([]),
                        totalMilliseconds: at,
                        fault: Fault(
                            kind: .reset,
                            afterBytes: delivered,
                            detail: "the client closed the connection after \(delivered) bytes"
                        )
                    )
                    throw error
                }
                let failure = UpstreamFailure(error, service: service)
                await pending?.complete(
                    content: capture?.content() ?? .body([]),
                    totalMilliseconds: at,
                    fault: Fault(kind: failure.kind, afterBytes: delivered, detail: failure.detail)
                )
                throw StreamCut(detail: failure.detail)
            }
            guard let piece else { break }
            let at = milliseconds(since: arrival)
            let completesBody = declaredLength.map { delivered + piece.count >= $0 } ?? false
            if completesBody, var finished = capture {
                finished.add(piece, atMilliseconds: at)
                capture = finished
                await pending?.complete(content: finished.content(), totalMilliseconds: at, fault: nil)
            }
            do {
                try await writer.write(piece)
            } catch {
                await pending?.complete(
                    content: capture?.content() ?? .body([]),
                    totalMilliseconds: milliseconds(since: arrival),
                    fault: Fault(
                        kind: .reset,
                        afterBytes: delivered,
                        detail: "the client closed the connection after \(delivered) bytes"
                    )
                )
                throw error
            }
            if !completesBody { capture?.add(piece, atMilliseconds: at) }
            delivered += piece.count
        }
        await pending?.complete(
            content: capture?.content() ?? .body([]),
            totalMilliseconds: milliseconds(since: arrival),
            fault: nil
        )
    }
}

/// Thrown by a body producer to cut the client's connection where the upstream's broke.
struct StreamCut: Error, CustomStringConvertible {
    let detail: String
    var description: String { detail }
}

/// How an upstream failure is answered and recorded: refused → 502, timeout → 504, reset → 502, malformed → 502,
/// a TLS handshake that failed (an untrusted certificate) → 502 `upstream_tls_failed`, recorded as refused.
struct UpstreamFailure {
    let kind: Fault.Kind
    let status: Int
    let code: String
    let detail: String

    private init(kind: Fault.Kind, status: Int, code: String, detail: String) {
        (self.kind, self.status, self.code, self.detail) = (kind, status, code, detail)
    }

    /// The proxy shut down (its grace period over) while the upstream had not answered: 503, recorded as `reset`.
    static func shutdown(service: String) -> UpstreamFailure {
        UpstreamFailure(
            kind: .reset,
            status: 503,
            code: Exchange.shutdownErrorCode,
            detail: "\(service): tdf proxy shut down before the upstream answered"
        )
    }

    init(_ error: any Error, service: String) {
        guard let error = error as? HTTPClientError else {
            kind = .reset
            status = 502
            code = "upstream_failed"
            detail = "\(service) upstream failed: \(error)"
            return
        }
        switch error.kind {
        case .connectFailed, .invalidRequest:
            (kind, status, code) = (.refused, 502, "upstream_refused")
        case .tlsFailed:
            (kind, status, code) = (.refused, 502, "upstream_tls_failed")
        case .connectTimeout, .readTimeout:
            (kind, status, code) = (.timeout, 504, "upstream_timeout")
        case .connectionClosed:
            (kind, status, code) = (.reset, 502, "upstream_reset")
        default:
            (kind, status, code) = (.malformed, 502, "upstream_malformed")
        }
        detail = "\(service) upstream: \(error.description)"
    }
}
