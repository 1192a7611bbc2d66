import HTTPWire
public import JSON
import Vocabulary

/// Exports cassettes as an HTTP Archive (HAR 1.2), for browsers' and other tools' viewers.
///
/// One entry per exchange, cassette by cassette in the order given, each by seq. The URL is
/// `http://<Host header or service><target>`. Bodies are `content.text`, base64 with `encoding: "base64"` when
/// not UTF-8; an SSE body is its exact bytes. tdf's own fields are prefixed with `_` as HAR allows:
/// `_run_id`, `_service`, `_seq`, `_ordinal`, `_step`, `_fault`, and `_events` (the SSE events with `at_ms`).
public enum HARExport {
    /// The HAR document as a JSON value.
    public static func document(of cassettes: [Cassette], toolVersion: String) -> JSONValue {
        var entries: [JSONValue] = []
        for cassette in cassettes {
            for exchange in cassette.exchanges {
                entries.append(entry(exchange, run: cassette.run))
            }
        }
        return .object([
            (
                "log",
                .object([
                    ("version", .string("1.2")),
                    ("creator", .object([("name", .string("tdf")), ("version", .string(toolVersion))])),
                    ("pages", .array([])),
                    ("entries", .array(entries)),
                ])
            )
        ])
    }

    private static func entry(_ exchange: Exchange, run: RunID?) -> JSONValue {
        let request = exchange.request
        let response = exchange.response
        let host = request.headers["Host"] ?? exchange.service
        let url = "http://\(host)\(request.target)"
        let ttfb = exchange.timing.ttfbMilliseconds ?? exchange.timing.totalMilliseconds
        let receive = max(0, exchange.timing.totalMilliseconds - ttfb)
        var requestMembers: [(String, JSONValue)] = [
            ("method", .string(request.method)),
            ("url", .string(url)),
            ("httpVersion", .string("HTTP/1.1")),
            ("cookies", .array([])),
            ("headers", headers(request.headers)),
            ("queryString", queryString(request.target)),
            ("headersSize", .int(-1)),
            ("bodySize", .int(request.body.count)),
        ]
        if !request.body.isEmpty {
            let mimeType = request.headers["Content-Type"] ?? "application/octet-stream"
            var postData: [(String, JSONValue)] = [("mimeType", .string(mimeType)), ("params", .array([]))]
            if let text = String(validating: request.body, as: UTF8.self) {
                postData.append(("text", .string(text)))
            } else {
                postData.append(("text", .string(Base64.encode(request.body))))
                postData.append(("_encoding", .string("base64")))
            }
            requestMembers.append(("postData", .object(postData)))
        }
        let body = response.bodyBytes
        var content: [(String, JSONValue)] = [
            ("size", .int(body.count)),
            ("mimeType", .string(response.headers["Content-Type"] ?? "")),
        ]
        if let text = String(validating: body, as: UTF8.self) {
            content.append(("text", .string(text)))
        } else {
            content.append(("text", .string(Base64.encode(body))))
            content.append(("encoding", .string("base64")))
        }
        var responseMembers: [(String, JSONValue)] = [
            ("status", .int(response.status)),
            ("statusText", .string(response.reason)),
            ("httpVersion", .string("HTTP/1.1")),
            ("cookies", .array([])),
            ("headers", headers(response.headers)),
            ("content", .object(content)),
            ("redirectURL", .string(response.headers["Location"] ?? "")),
            ("headersSize", .int(-1)),
            ("bodySize", .int(body.count)),
        ]
        if case .events(let events, _) = response.content {
            responseMembers.append(("_events", .array(events.map(Exchange.encode(event:)))))
        }
        var members: [(String, JSONValue)] = [
            ("startedDateTime", .string(exchange.started.description)),
            ("time", .milliseconds(exchange.timing.totalMilliseconds)),
            ("request", .object(requestMembers)),
            ("response", .object(responseMembers)),
            ("cache", .object([])),
            (
                "timings",
                .object([
                    ("blocked", .int(-1)), ("dns", .int(-1)), ("connect", .int(-1)),
                    ("send", .int(0)), ("wait", .milliseconds(ttfb)), ("receive", .milliseconds(receive)),
                    ("ssl", .int(-1)),
                ])
            ),
            ("_run_id", run.map { .string($0.rawValue) } ?? .null),
            ("_service", .string(exchange.service)),
            ("_seq", .int(exchange.seq)),
            ("_ordinal", .int(exchange.ordinal)),
            ("_step", exchange.step.map(JSONValue.string) ?? .null),
        ]
        if let fault = exchange.fault {
            members.append(
                (
                    "_fault",
                    .object([
                        ("kind", .string(fault.kind.name)), ("after_bytes", .int(fault.afterBytes)),
                        ("detail", .string(fault.detail)),
                    ])
                )
            )
        }
        return .object(members)
    }

    private static func headers(_ headers: HTTPHeaders) -> JSONValue {
        .array(headers.fields.map { .object([("name", .string($0.name)), ("value", .string($0.value))]) })
    }

    /// The query's `name=value` pairs as written (not percent-decoded).
    private static func queryString(_ target: String) -> JSONValue {
        guard let mark = target.firstIndex(of: "?") else { return .array([]) }
        let query = target[target.index(after: mark)...]
        return .array(
            query.split(separator: "&").map { pair in
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                return .object([
                    ("name", .string(String(parts[0]))), ("value", .string(parts.count > 1 ? String(parts[1]) : "")),
                ])
            }
        )
    }
}
