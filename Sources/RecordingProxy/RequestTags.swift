import Cassettes
import HTTPTransport
import HTTPWire
import JSON
import Vocabulary

/// The harness's tags on a request: `X-TDF-Run`, `X-TDF-Ordinal` and `X-TDF-Step` (cassette-format.md §3.2, §7).
struct RequestTags: Sendable {
    /// The run (nil when untagged, or tagged `_default`).
    var run: RunID?
    /// The ordinal within the run.
    var ordinal: Int?
    /// The harness step.
    var step: String?

    /// The tags of a request, or the 400 answer when one is unusable: a tag header given more than once
    /// (`duplicate_tag_header`: the harness sends each once, and silently taking one copy would record the exchange
    /// under a run or ordinal the sender may not have meant), a run id that cannot name a file (`invalid_run_id`),
    /// or an ordinal that is not a whole number from 0 to ``Exchange/maximumOrdinal`` (`invalid_ordinal`).
    static func parse(_ headers: HTTPHeaders) -> Result<RequestTags, RejectedRequest> {
        for name in RunTagHeader.all {
            let count = headers.count(named: name)
            if count > 1 {
                return .failure(
                    RejectedRequest(
                        code: "duplicate_tag_header",
                        detail: "\(name) appears \(count) times; send each X-TDF tag header at most once"
                    )
                )
            }
        }
        var tags = RequestTags()
        if let text = headers[RunTagHeader.run], text != RunID.untaggedName {
            do {
                tags.run = try RunID(validating: text)
            } catch {
                return .failure(RejectedRequest(code: "invalid_run_id", detail: "\(RunTagHeader.run): \(error.reason)"))
            }
        }
        if let text = headers[RunTagHeader.ordinal] {
            guard let ordinal = ordinal(text) else {
                let range = "from 0 to \(Exchange.maximumOrdinal)"
                return .failure(
                    RejectedRequest(
                        code: "invalid_ordinal",
                        detail: "\(RunTagHeader.ordinal) must be a whole number \(range), not '\(text)'"
                    )
                )
            }
            tags.ordinal = ordinal
        }
        if let step = headers[RunTagHeader.step], !step.isEmpty { tags.step = step }
        return .success(tags)
    }

    /// `text` as an ordinal: decimal digits only (no sign) with a value up to ``Exchange/maximumOrdinal``.
    private static func ordinal(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int(text), value <= Exchange.maximumOrdinal
        else { return nil }
        return value
    }
}

/// A request the proxy answers itself with a 400.
struct RejectedRequest: Error {
    let code: String
    let detail: String

    var response: HTTPServerResponse {
        ProxyAnswers.error(status: 400, code: code, detail: detail).response
    }
}

/// The proxy's own JSON answers, with the bytes kept so they can be recorded exactly.
enum ProxyAnswers {
    /// The header that marks an answer as the proxy's own, naming why.
    static let errorHeader = Exchange.proxyErrorHeader

    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]

        var response: HTTPServerResponse {
            HTTPServerResponse(status: status, headers: headers, body: .bytes(body))
        }
    }

    /// `{"error": code, "detail": detail}` with `Content-Type: application/json` and `X-TDF-Proxy-Error: code`.
    static func error(status: Int, code: String, detail: String) -> Answer {
        json(status: status, code: code, .object([("error", .string(code)), ("detail", .string(detail))]))
    }

    /// A JSON body with the proxy's headers.
    static func json(status: Int, code: String, _ value: JSONValue) -> Answer {
        var headers = HTTPHeaders()
        headers.append(name: "Content-Type", value: "application/json")
        headers.append(name: errorHeader, value: code)
        return Answer(status: status, headers: headers, body: JSONWriter.bytes(value))
    }
}
