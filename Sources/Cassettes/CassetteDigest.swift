import HTTPWire
public import Hashing
import JSON

/// The cassette digest: equal for two recordings of the same deterministic run, whatever their timing.
///
/// Each exchange is reduced to its canonical form (``canonicalForm(of:)``): `ordinal`, `service`, `step`, the
/// request's method, target, headers and body, the response's status, reason, headers and body, and the fault's
/// kind and byte offset, serialised by ``JSONWriter`` in its `canonical` style (keys sorted, no whitespace).
/// Left out: `seq`, `started`, `timing`, every `at_ms`, the fault's `detail`, how a body was split into
/// chunks (only its bytes count), an event stream's comment frames (heartbeats) and exact framing (its events
/// count, re-encoded), and the headers in ``excludedHeaders`` (times, framing, the
/// proxy's own address). The exchange digest is the SHA-256 of that form. The cassette digest is the SHA-256
/// of the exchange digests in lowercase hex, each followed by `\n`, in order of `ordinal` then `seq`.
public enum CassetteDigest {
    /// Header names (lowercase) left out of the canonical form: they carry times, framing or addresses that
    /// differ between two recordings of the same run.
    public static let excludedHeaders: Set<String> = [
        "date", "expires", "last-modified", "age", "server-timing", "host", "connection", "keep-alive",
        "transfer-encoding", "content-length", "proxy-connection",
    ]

    /// The canonical form of one exchange, the bytes its digest is taken over. A body that is one of `blobs` (the
    /// same bytes) takes the blob's digest instead of being hashed again.
    public static func canonicalForm(of exchange: Exchange, blobs: [Blob] = []) -> [UInt8] {
        func hash(_ bytes: [UInt8]) -> SHA256Digest {
            blobs.first { $0.bytes == bytes }?.digest ?? SHA256.hash(bytes)
        }
        // Written straight to bytes, members in sorted order: the text JSONWriter's canonical style gives.
        var text = JSONText()
        text.raw("{\"fault\":")
        if let fault = exchange.fault {
            text.member("{\"after_bytes\":", int: fault.afterBytes)
            text.member(",\"kind\":", fault.kind.name)
            text.raw("}")
        } else {
            text.raw("null")
        }
        text.member(",\"ordinal\":", int: exchange.ordinal)
        text.raw(",\"request\":{\"body_sha256\":\"")
        text.unescaped(hash(exchange.request.body).hex)
        text.raw("\",\"headers\":")
        text.headers(exchange.request.headers.fields, lowercased: true, excluding: excludedHeaders)
        text.member(",\"method\":", exchange.request.method)
        text.member(",\"target\":", exchange.request.target)
        text.raw("},\"response\":{\"body_sha256\":\"")
        text.unescaped(hash(digestedBody(of: exchange.response)).hex)
        text.raw("\",\"headers\":")
        text.headers(exchange.response.headers.fields, lowercased: true, excluding: excludedHeaders)
        text.member(",\"reason\":", exchange.response.reason)
        text.member(",\"status\":", int: exchange.response.status)
        text.member("},\"service\":", exchange.service)
        text.raw(",\"step\":")
        text.optionalString(exchange.step)
        text.raw("}")
        return text.bytes
    }

    /// The response body the digest covers. An event stream counts as its events re-encoded without comment
    /// frames: a service writes heartbeat comments while it is slow to produce, so two recordings of the same run
    /// differ in them, and no client acts on them.
    static func digestedBody(of response: RecordedResponse) -> [UInt8] {
        guard case .events(let events, _) = response.content else { return response.bodyBytes }
        return events.flatMap { event -> [UInt8] in
            if case .comment = event.frame { return [] }
            return SSEEncoder.encode(event.frame)
        }
    }

    /// The SHA-256 of the exchange's canonical form.
    public static func exchangeDigest(_ exchange: Exchange, blobs: [Blob] = []) -> SHA256Digest {
        SHA256.hash(canonicalForm(of: exchange, blobs: blobs))
    }

    /// The cassette digest of these exchanges (in any order; they are sorted by ordinal, then seq).
    public static func digest(of exchanges: [Exchange]) -> String {
        digest(ofEntries: exchanges.map { Entry(ordinal: $0.ordinal, seq: $0.seq, digest: exchangeDigest($0)) })
    }

    /// One exchange's place and digest, for computing a cassette digest without keeping the exchanges.
    public struct Entry: Sendable {
        /// The exchange's ordinal.
        public var ordinal: Int
        /// The exchange's seq.
        public var seq: Int
        /// Its ``exchangeDigest(_:)``.
        public var digest: SHA256Digest

        /// The cassette digest's order: by ordinal, then seq.
        static func precedes(_ lhs: Entry, _ rhs: Entry) -> Bool {
            (lhs.ordinal, lhs.seq) < (rhs.ordinal, rhs.seq)
        }

        /// Makes an entry.
        public init(ordinal: Int, seq: Int, digest: SHA256Digest) {
            self.ordinal = ordinal
            self.seq = seq
            self.digest = digest
        }
    }

    /// The cassette digest from per-exchange entries.
    public static func digest(ofEntries entries: [Entry]) -> String {
        var hasher = SHA256()
        for entry in entries.sorted(by: Entry.precedes) { fold(entry, into: &hasher) }
        return hasher.finalize().hex
    }

    /// Adds one entry to a cassette digest being computed; entries must come in ``Entry/precedes(_:_:)`` order.
    static func fold(_ entry: Entry, into hasher: inout SHA256) {
        hasher.update(entry.digest.hex + "\n")
    }
}
