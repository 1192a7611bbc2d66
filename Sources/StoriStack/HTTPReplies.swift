import HTTPTransport
import HTTPWire
import Hashing
import JSON

/// The responses FastAPI and Starlette give, byte for byte where it matters (compact JSON, `text/plain` 500s).
enum Reply {
    /// A JSON response (`application/json`, compact separators, UTF-8 unescaped).
    static func json(_ status: Int, _ value: JSONValue, headers: HTTPHeaders = HTTPHeaders()) -> HTTPServerResponse {
        var headers = headers
        headers.set(name: "Content-Type", value: "application/json")
        return HTTPServerResponse(status: status, headers: headers, body: .bytes(JSONWriter.bytes(value)))
    }

    /// Starlette's trailing-slash redirect: `307`, an empty body and the absolute URL without the slash in
    /// `Location`, built from the `Host` the client sent.
    static func redirect(to location: String) -> HTTPServerResponse {
        HTTPServerResponse(status: 307, headers: ["Location": location])
    }

    /// `404 {"detail":"Not Found"}` for an unknown path.
    static var notFound: HTTPServerResponse { json(404, ["detail": "Not Found"]) }

    /// `405 {"detail":"Method Not Allowed"}` with the `Allow` header Starlette adds.
    static func methodNotAllowed(allowed: [String]) -> HTTPServerResponse {
        json(405, ["detail": "Method Not Allowed"], headers: ["Allow": allowed.joined(separator: ", ")])
    }

    /// An unhandled exception: `500`, `text/plain`, body `Internal Server Error`.
    static var internalServerError: HTTPServerResponse {
        HTTPServerResponse(
            status: 500,
            headers: ["Content-Type": "text/plain; charset=utf-8"],
            body: .bytes(Array("Internal Server Error".utf8))
        )
    }

    /// A FastAPI request-validation failure.
    static func unprocessable(_ validation: RequestValidation) -> HTTPServerResponse {
        json(422, validation.detail)
    }
}

/// What a JSON request body turned out to be.
enum DecodedBody {
    /// A parsed document.
    case value(JSONValue)
    /// No body at all (FastAPI then reports the body itself as missing).
    case absent
    /// Not JSON: the 422 `json_invalid` response to send.
    case invalid(HTTPServerResponse)
    /// A body not declared as JSON: FastAPI hands the model its text, which no model accepts.
    case undeclared(String)

    /// Decodes a request body as Maestro's FastAPI does before anything else (service-contracts.md §1.1:
    /// malformed JSON is answered first). A body is parsed only when `contentType` is `application/json` or
    /// `application/*+json`; without a `Content-Type`, or with another one, it stays text (measured: FastAPI 0.165).
    init(_ bytes: [UInt8], contentType: String?) {
        self.init(bytes, isDeclaredJSON: contentType.map(Self.declaresJSON) ?? false)
    }

    /// Decodes a request body as JSON whatever its `Content-Type` (Storpheus and the compose route, not measured).
    init(_ bytes: [UInt8]) {
        self.init(bytes, isDeclaredJSON: true)
    }

    private init(_ bytes: [UInt8], isDeclaredJSON: Bool) {
        if bytes.isEmpty {
            self = .absent
            return
        }
        guard isDeclaredJSON else {
            self = .undeclared(String(decoding: bytes, as: UTF8.self))
            return
        }
        do {
            self = .value(try JSONParser.parse(bytes, options: .python))
        } catch {
            var validation = RequestValidation()
            validation.fail(
                "json_invalid",
                ["body", .int(error.pythonPosition)],
                "JSON decode error",
                input: .object(JSONObject()),
                ctx: ["error": .string(error.pythonMessage)]
            )
            self = .invalid(Reply.unprocessable(validation))
        }
    }

    /// Whether a `Content-Type` value names JSON: main type `application`, subtype `json` or ending in `+json`
    /// (parameters and case ignored).
    private static func declaresJSON(_ contentType: String) -> Bool {
        let mediaType = String(contentType.prefix { $0 != ";" }).trimmingWhitespace().lowercased()
        let parts = mediaType.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "application" else { return false }
        return parts[1] == "json" || parts[1].hasSuffix("+json")
    }

    /// The body as the top-level object of a model, recording FastAPI's errors for an absent or non-object body.
    func object(_ validation: inout RequestValidation) -> JSONObject? {
        switch self {
        case .value(.object(let object)):
            return object
        case .value(let other):
            validation.fail(
                "model_attributes_type",
                ["body"],
                "Input should be a valid dictionary or object to extract fields from",
                input: other
            )
            return nil
        case .undeclared(let text):
            validation.fail(
                "model_attributes_type",
                ["body"],
                "Input should be a valid dictionary or object to extract fields from",
                input: .string(text)
            )
            return nil
        case .absent:
            validation.fail("missing", ["body"], "Field required", input: .null)
            return nil
        case .invalid:
            return nil
        }
    }
}

/// Path and query helpers.
enum RequestTarget {
    /// The path split at `/` with empty segments dropped and each segment percent-decoded.
    static func segments(of path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map { percentDecoded(String($0)) }
    }

    /// The query parameters (`+` is a space, `%XX` decoded); the last occurrence of a name wins, as in Starlette's
    /// `request.query_params` and FastAPI's scalar query parameters.
    static func queryItems(_ query: String?) -> [String: String] {
        var items: [String: String] = [:]
        guard let query, !query.isEmpty else { return items }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecoded(String(parts[0]).replacingPlus())
            let value = parts.count > 1 ? percentDecoded(String(parts[1]).replacingPlus()) : ""
            items[name] = value
        }
        return items
    }

    /// `%XX` sequences decoded as UTF-8; malformed escapes are kept as they are.
    static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
                let value = Hex.decode(String(decoding: utf8[(index + 1)...(index + 2)], as: UTF8.self))
            {
                bytes.append(value[0])
                index += 3
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The client IP of a `host:port` (or `[v6]:port`) remote address.
    static func clientHost(_ remoteAddress: String) -> String {
        if remoteAddress.hasPrefix("["), let close = remoteAddress.firstIndex(of: "]") {
            return String(remoteAddress[remoteAddress.index(after: remoteAddress.startIndex)..<close])
        }
        if let colon = remoteAddress.lastIndex(of: ":") { return String(remoteAddress[..<colon]) }
        return remoteAddress
    }
}

extension String {
    fileprivate func replacingPlus() -> String {
        String(map { $0 == "+" ? " " : $0 })
    }
}
