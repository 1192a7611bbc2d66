import Cassettes
import HTTPTransport
import HTTPWire

/// Turns a recorded exchange back into the response the client got, byte for byte: status, reason, end-to-end
/// headers, the body (SSE events re-encoded exactly as framed, or their exact chunks), and a fault after the
/// head as the same cut at the same byte offset. Pacing waits for the recorded time to first byte and the
/// recorded arrival of each event or chunk (times the factor); `fast` does not wait.
///
/// Value threading (Docs/matching.md) replaces recorded values with live ones in the header values and, when the
/// body is text (not `Content-Encoding`d), in each event or chunk; `Content-Length` then counts the replaced bytes.
enum ReplayResponder {
    static func respond(
        with exchange: Exchange,
        threading: Substitution,
        method: String,
        arrival: ContinuousClock.Instant,
        pace: ProxyConfiguration.Pace,
        core: ProxyCore
    ) async -> HTTPServerResponse {
        let response = exchange.response
        let multiplier = pace.multiplier
        let headAt = exchange.timing.ttfbMilliseconds ?? exchange.timing.totalMilliseconds
        // Shutdown may cut a long recorded wait short (the head then goes out at once).
        await wait(until: headAt, from: arrival, multiplier: multiplier, core: core)
        var headers = HopByHop.forwardableResponseHeaders(response.headers)
        // A body stored decoded (cassette-format.md §3.2.5) is served as identity, which every client reads.
        if response.decodedFrom != nil { headers.remove(named: "Content-Encoding") }
        if !threading.isEmpty {
            headers = HTTPHeaders(headers.map { ($0.name, threading.applied(to: $0.value)) })
        }
        let status = response.status
        if method == "HEAD" || (100..<200).contains(status) || status == 204 || status == 304 {
            return HTTPServerResponse(status: status, reason: response.reason, headers: headers, body: .stream { _ in })
        }
        // A fault before the head was answered by the proxy itself (502/504): that answer is the recorded body.
        let cut = exchange.timing.ttfbMilliseconds == nil ? nil : exchange.fault
        var pieces: [(at: Double, bytes: [UInt8])]
        switch response.content {
        case .body(let bytes):
            pieces = [(headAt, bytes)]
        case .events(let events, nil):
            pieces = events.map { ($0.atMilliseconds, SSEEncoder.encode($0.frame)) }
        case .events(_, let exact?), .chunks(let exact):
            pieces = exact.map { ($0.atMilliseconds, $0.bytes) }
        }
        if let cut { pieces = truncate(pieces, to: cut.afterBytes) }
        let recordedTotal = pieces.reduce(0) { $0 + $1.bytes.count }
        if !threading.isEmpty && isText(headers) {
            pieces = pieces.map { ($0.at, threading.applied(to: $0.bytes)) }
        }
        let total = pieces.reduce(0) { $0 + $1.bytes.count }
        if cut == nil, let declared = headers["Content-Length"], Int(declared) != total {
            if Int(declared) == recordedTotal {
                headers.set(name: "Content-Length", value: String(total))
            } else {
                headers.remove(named: "Content-Length")
            }
        }
        if cut == nil && multiplier == nil {
            let bytes = pieces.count == 1 ? pieces[0].bytes : pieces.flatMap(\.bytes)
            if case .body = response.content {  // framed by Content-Length live, or the proxy's own answer
                return HTTPServerResponse(
                    status: status,
                    reason: response.reason,
                    headers: headers,
                    body: .bytes(bytes)
                )
            }
            // Streamed as it was: unchunked under the recorded Content-Length, else chunked.
            return HTTPServerResponse(
                status: status,
                reason: response.reason,
                headers: headers,
                body: .stream { writer in try await writer.write(bytes) }
            )
        }
        let endAt = exchange.timing.totalMilliseconds
        let timeline = pieces
        return HTTPServerResponse(
            status: status,
            reason: response.reason,
            headers: headers,
            body: .stream { writer in
                if multiplier == nil {
                    try await writer.write(timeline.flatMap(\.bytes))
                } else {
                    for piece in timeline {
                        await wait(until: piece.at, from: arrival, multiplier: multiplier, core: core)
                        try await writer.write(piece.bytes)
                    }
                }
                if let cut {
                    await wait(until: endAt, from: arrival, multiplier: multiplier, core: core)
                    throw StreamCut(detail: "replayed fault: \(cut.kind) after \(cut.afterBytes) bytes: \(cut.detail)")
                }
            }
        )
    }

    /// Whether a body with these headers is text value threading may change: not `Content-Encoding`d, and of a
    /// JSON, text, event-stream, XML or form media type (or of none declared).
    private static func isText(_ headers: HTTPHeaders) -> Bool {
        guard headers["Content-Encoding"].map({ $0.lowercased() == "identity" }) ?? true else { return false }
        guard let type = headers["Content-Type"]?.lowercased() else { return true }
        let media = String(type.prefix { $0 != ";" }.filter { $0 != " " && $0 != "\t" })
        return media.hasPrefix("text/") || media.hasSuffix("json") || media.hasSuffix("xml")
            || media == "application/x-www-form-urlencoded" || media == "application/javascript"
    }

    private static func truncate(
        _ pieces: [(at: Double, bytes: [UInt8])],
        to limit: Int
    ) -> [(at: Double, bytes: [UInt8])] {
        var result: [(at: Double, bytes: [UInt8])] = []
        var remaining = limit
        for piece in pieces where remaining > 0 {
            let kept = piece.bytes.count <= remaining ? piece.bytes : Array(piece.bytes.prefix(remaining))
            result.append((piece.at, kept))
            remaining -= kept.count
        }
        return result
    }

    /// The longest a paced replay waits for one recorded moment, a century: a recorded time times the pace factor
    /// beyond it (a cassette's `1e300` ms, or `--pace 1e300`) waits this long instead of overflowing the conversion
    /// to a duration. Shutdown cuts such a wait short like any other.
    static let longestWaitSeconds = 100 * 365 * 86_400.0

    /// The longest single timer a wait sets: a longer wait sleeps in steps of it (a timer decades ahead is where
    /// libdispatch is least exercised, and hourly steps cost nothing).
    static let longestTimerSeconds = 3_600.0

    /// ``wait(until:from:multiplier:)`` that shutdown cuts short (``ProxyCore/abortWaits()``), in the head and the body
    /// alike: a body piece recorded a century after its request kept a full test run waiting for its connection to
    /// close, because only the wait for the head could be cut.
    static func wait(
        until milliseconds: Double,
        from arrival: ContinuousClock.Instant,
        multiplier: Double?,
        core: ProxyCore
    ) async {
        guard let deadline = deadline(at: milliseconds, from: arrival, multiplier: multiplier),
            deadline > ContinuousClock.now
        else { return }
        _ = try? await core.abortable { await wait(until: milliseconds, from: arrival, multiplier: multiplier) }
    }

    /// Sleeps until `milliseconds` × `multiplier` after `arrival` (at most ``longestWaitSeconds``); returns at once
    /// when `multiplier` is nil, and early when the task is cancelled.
    static func wait(until milliseconds: Double, from arrival: ContinuousClock.Instant, multiplier: Double?) async {
        guard let deadline = deadline(at: milliseconds, from: arrival, multiplier: multiplier) else { return }
        while !Task.isCancelled {
            let now = ContinuousClock.now
            guard now < deadline else { return }
            let step = min(deadline, now.advanced(by: .seconds(longestTimerSeconds)))
            do {
                try await Task.sleep(until: step, clock: .continuous)
            } catch {
                return
            }
        }
    }

    /// When a recorded moment `milliseconds` after the request replays: that long times `multiplier` after
    /// `arrival`, at most ``longestWaitSeconds``; nil when there is nothing to wait for (pace fast, or no time).
    static func deadline(
        at milliseconds: Double,
        from arrival: ContinuousClock.Instant,
        multiplier: Double?
    ) -> ContinuousClock.Instant? {
        guard let multiplier else { return nil }
        let seconds = milliseconds * multiplier / 1000
        guard seconds > 0 else { return nil }  // also when not a number
        return arrival.advanced(by: .seconds(min(seconds, longestWaitSeconds)))
    }
}
