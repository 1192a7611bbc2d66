import Cassettes
import HTTPWire
import Hashing
import JSON
import Testing

/// The recorder writes exchange records and digests' canonical forms straight to bytes; these must be exactly the
/// bytes of the documented JSON value (`Exchange.jsonValue`) and of the canonical form as cassette-format.md §5
/// defines it, or recordings would change format and every earlier digest would stop verifying.
@Suite struct RecordEncodingTests {
    /// Every shape of exchange, with strings that need escaping (quotes, control characters, non-ASCII, a lone
    /// surrogate-free emoji), `decoded_from`, a missing step and time to first byte, exact chunks and a fault.
    static var exchanges: [Exchange] {
        var awkward = Fixtures.jsonExchange(seq: 9, body: "{\"é\":\"\\u0001 \\\"q\\\" 🎵\"}\t\u{7}")
        awkward.step = nil
        awkward.timing = Timing(ttfbMilliseconds: nil, totalMilliseconds: 0.0005)
        awkward.request.headers = HTTPHeaders([("X-Ünïcode", "a\"b\\c"), ("Host", "h"), ("Date", "now")])
        awkward.request.decodedFrom = "gzip"
        awkward.response.decodedFrom = "br"
        awkward.service = "mu\u{1}se"
        var exactEvents = Fixtures.sseExchange(seq: 10)
        if case .events(let events, _) = exactEvents.response.content {
            exactEvents.response.content = .events(
                events,
                exact: [StreamChunk(atMilliseconds: 1.0004, bytes: Array("data: x\r\n\r\n".utf8))]
            )
        }
        var largeBinary = Fixtures.binaryExchange(seq: 11)
        largeBinary.response.content = .body((0..<9000).map { UInt8(truncatingIfNeeded: $0 &* 7) | 0x80 })
        return [
            Fixtures.jsonExchange(), Fixtures.binaryExchange(), Fixtures.sseExchange(), Fixtures.chunkedExchange(),
            Fixtures.faultExchange(), awkward, exactEvents, largeBinary,
        ]
    }

    /// The record bytes, every body inline, are the compact text of `jsonValue`.
    @Test(arguments: exchanges) func recordBytesAreTheDocumentedValue(exchange: Exchange) {
        let direct = CassetteRecord.exchange(exchange).encoded()
        let tree = JSONWriter.bytes(exchange.jsonValue)
        #expect(direct == tree, "\(String(decoding: direct, as: UTF8.self))")
    }

    /// With blobs, only the large binary body changes: to `{"blob": SHA-256, "size": N}`.
    @Test func aBlobRecordDiffersOnlyInItsBody() throws {
        let exchange = Self.exchanges.last!
        var blobs: [Blob] = []
        let line = CassetteRecord.exchange(exchange).encoded(storingBlobsIn: &blobs)
        #expect(blobs.map(\.bytes) == [exchange.response.bodyBytes])
        let blobBody = JSONValue.object([("blob", .string(blobs[0].digest.hex)), ("size", .int(9000))])
        let response = try #require(exchange.jsonValue["response"]?.objectValue)
        let expected = JSONValue.object(
            JSONObject(
                try #require(exchange.jsonValue.objectValue).map { key, value in
                    key == "response"
                        ? (key, .object(JSONObject(response.map { ($0.key, $0.key == "body" ? blobBody : $0.value) })))
                        : (key, value)
                }
            )
        )
        #expect(line == JSONWriter.bytes(expected))
    }

    /// The canonical form is the canonical-style text of the value cassette-format.md §5 describes.
    @Test(arguments: exchanges) func canonicalFormIsTheSpecifiedValue(exchange: Exchange) {
        #expect(
            CassetteDigest.canonicalForm(of: exchange) == JSONWriter.bytes(Self.specified(exchange), style: .canonical)
        )
    }

    /// cassette-format.md §5, built as a tree.
    static func specified(_ exchange: Exchange) -> JSONValue {
        func headers(_ headers: HTTPHeaders) -> JSONValue {
            .array(
                headers.fields.compactMap { field in
                    let name = field.name.lowercased()
                    return CassetteDigest.excludedHeaders.contains(name)
                        ? nil : .array([.string(name), .string(field.value)])
                }
            )
        }
        var digested = exchange.response.bodyBytes
        if case .events(let events, _) = exchange.response.content {
            digested = events.flatMap { event -> [UInt8] in
                if case .comment = event.frame { return [] }
                return SSEEncoder.encode(event.frame)
            }
        }
        return .object([
            (
                "step", exchange.step.map(JSONValue.string) ?? .null
            ),
            ("service", .string(exchange.service)),
            (
                "response",
                .object([
                    ("status", .int(exchange.response.status)), ("reason", .string(exchange.response.reason)),
                    ("headers", headers(exchange.response.headers)),
                    ("body_sha256", .string(SHA256.hash(digested).hex)),
                ])
            ),
            (
                "request",
                .object([
                    ("target", .string(exchange.request.target)), ("method", .string(exchange.request.method)),
                    ("headers", headers(exchange.request.headers)),
                    ("body_sha256", .string(SHA256.hash(exchange.request.body).hex)),
                ])
            ),
            ("ordinal", .int(exchange.ordinal)),
            (
                "fault",
                exchange.fault.map { .object([("kind", .string($0.kind.name)), ("after_bytes", .int($0.afterBytes))]) }
                    ?? .null
            ),
        ])
    }
}
