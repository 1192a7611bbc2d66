import HTTPWire
import Vocabulary

/// Which headers belong to one connection and must not cross the proxy (RFC 9110 §7.6.1).
enum HopByHop {
    /// Always connection-specific: `Connection` and what it lists, `Keep-Alive`, `Transfer-Encoding`, `TE`,
    /// `Trailer`, `Upgrade`, and every `Proxy-*` header. (A `switch` over literals rather than a `Set`: these run
    /// for every header of every proxied request, and comparing short strings beats hashing them.)
    private static func isAlwaysRemoved(_ lowercasedName: String) -> Bool {
        switch lowercasedName {
        case "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade": true
        default: lowercasedName.hasPrefix("proxy-")
        }
    }

    /// The end-to-end headers of a request to forward: without hop-by-hop headers, the tags, `Host` (the client
    /// sets the upstream's), `Content-Length` (re-derived from the body) and `Expect` (the body is already here).
    static func forwardableRequestHeaders(_ headers: HTTPHeaders) -> HTTPHeaders {
        let listed = connectionTokens(headers)
        return HTTPHeaders(
            fields: headers.fields.filter { field in
                let name = field.name.lowercased()
                return !isAlwaysRemoved(name) && !listed.contains(name) && !RunTagHeader.isTag(lowercasedName: name)
                    && name != "host" && name != "content-length" && name != "expect"
            }
        )
    }

    /// The end-to-end headers of a response to pass on: without hop-by-hop headers. `Content-Length` stays when
    /// the upstream framed the body with it (the server then sends the body unchunked); the server adds
    /// `Transfer-Encoding: chunked` itself otherwise.
    static func forwardableResponseHeaders(_ headers: HTTPHeaders) -> HTTPHeaders {
        let listed = connectionTokens(headers)
        let chunked = headers.contains("Transfer-Encoding")
        return HTTPHeaders(
            fields: headers.fields.filter { field in
                let name = field.name.lowercased()
                return !isAlwaysRemoved(name) && !listed.contains(name) && !(chunked && name == "content-length")
            }
        )
    }

    /// The headers a recording keeps of the client's request: all but the tags and what the client said to the proxy
    /// itself (`Proxy-Authorization`, `Proxy-Connection`), which is no part of the exchange with the service.
    static func recordedRequestHeaders(_ headers: HTTPHeaders) -> HTTPHeaders {
        func isKept(_ field: HTTPField) -> Bool {
            let name = field.name.lowercased()
            return !RunTagHeader.isTag(lowercasedName: name) && !name.hasPrefix("proxy-")
        }
        guard !headers.fields.allSatisfy(isKept) else { return headers }
        return HTTPHeaders(fields: headers.fields.filter(isKept))
    }

    private static func connectionTokens(_ headers: HTTPHeaders) -> Set<String> {
        var tokens = Set<String>()
        guard headers.contains("Connection") else { return tokens }
        for value in headers.values(named: "Connection") {
            for token in value.split(separator: ",") {
                let trimmed = token.trimmingOWS()
                if !trimmed.isEmpty { tokens.insert(trimmed.lowercased()) }
            }
        }
        return tokens
    }
}
