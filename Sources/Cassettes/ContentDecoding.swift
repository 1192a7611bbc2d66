import Gzip
import HTTPWire

/// Compressed bodies stored readable (cassette-format.md §3.2.5): a body sent or answered with `Content-Encoding:
/// gzip` or `deflate` is decoded before it is redacted and stored, so redaction, the secret scanner, diffs and a
/// reviewer see its text; the record notes the encoding in `decoded_from`, and its headers stay as they were sent.
///
/// A body in an encoding tdf cannot decode (`br`, `zstd`, several codings), or one that does not decode (cut short by a
/// fault, corrupt, or larger than ``maximumDecodedSize`` decoded), is stored as it came: ``Outcome/undecodable`` says
/// why, so the session can warn that it was not scanned.
public enum ContentDecoding {
    /// The largest decoded body kept: a larger one is stored compressed (a decompression bomb stays small on disk).
    public static let maximumDecodedSize = 64 << 20

    /// What decoding a body did.
    public enum Outcome: Sendable, Equatable {
        /// The body had no content coding (or `identity`), or no body.
        case identity
        /// The body was decoded from this coding.
        case decoded(String)
        /// The body is stored as it came; the reason names the coding.
        case undecodable(String)
    }

    /// `request` with its body decoded when its `Content-Encoding` is gzip or deflate.
    public static func decoded(_ request: RecordedRequest) -> (request: RecordedRequest, outcome: Outcome) {
        var request = request
        let (body, outcome) = decode(request.body, headers: request.headers)
        request.body = body
        if case .decoded(let coding) = outcome { request.decodedFrom = coding }
        return (request, outcome)
    }

    /// `exchange` with its request and response bodies decoded where they came gzip- or deflate-encoded. A decoded
    /// response body keeps the arrival time of its last piece: its pieces were compressed bytes.
    public static func decoded(_ exchange: Exchange) -> (exchange: Exchange, outcomes: [Outcome]) {
        var exchange = exchange
        let request = decoded(exchange.request)
        exchange.request = request.request
        let response = exchange.response
        let compressed: [UInt8]
        let lastAt: Double
        switch response.content {
        case .body(let bytes):
            (compressed, lastAt) = (bytes, exchange.timing.totalMilliseconds)
        case .chunks(let chunks), .events(_, exact: let chunks?):
            (compressed, lastAt) = (chunks.flatMap(\.bytes), chunks.last?.atMilliseconds ?? 0)
        case .events(let events, exact: nil):
            (compressed, lastAt) = (response.content.bytes, events.last?.atMilliseconds ?? 0)
        }
        // A transport that decoded the body itself (URLSession over HTTPS) said so already.
        if let coding = response.decodedFrom { return (exchange, [request.outcome, .decoded(coding)]) }
        let (body, outcome) =
            exchange.fault == nil || compressed.isEmpty
            ? decode(compressed, headers: response.headers)
            : (compressed, undecodableCut(response.headers))
        if case .decoded(let coding) = outcome {
            exchange.response.decodedFrom = coding
            if case .body = response.content {
                exchange.response.content = .body(body)
            } else {
                exchange.response.content = .chunks([StreamChunk(atMilliseconds: lastAt, bytes: body)])
            }
        }
        return (exchange, [request.outcome, outcome])
    }

    /// A cut body cannot be decoded whole; a coded one is said to be stored as it came.
    private static func undecodableCut(_ headers: HTTPHeaders) -> Outcome {
        guard let coding = coding(of: headers) else { return .identity }
        return .undecodable("\(coding) body cut short by a fault")
    }

    /// The lowercase content codings of `headers`, comma-joined; nil for none or `identity`.
    private static func coding(of headers: HTTPHeaders) -> String? {
        let codings = headers.values(named: "Content-Encoding")
            .flatMap { $0.split(separator: ",") }
            .map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() }
            .filter { !$0.isEmpty && $0 != "identity" }
        return codings.isEmpty ? nil : codings.joined(separator: ", ")
    }

    private static func decode(_ body: [UInt8], headers: HTTPHeaders) -> ([UInt8], Outcome) {
        guard let coding = coding(of: headers), !body.isEmpty else { return (body, .identity) }
        do {
            switch coding {
            case "gzip", "x-gzip":
                return (try GzipData.decompress(body, maximumSize: maximumDecodedSize), .decoded(coding))
            case "deflate":
                return (try DeflateData.decompress(body, maximumSize: maximumDecodedSize), .decoded(coding))
            default:
                return (body, .undecodable("\(coding) body (tdf decodes gzip and deflate)"))
            }
        } catch {
            return (body, .undecodable("\(coding) body that does not decode: \(error)"))
        }
    }
}
