import HTTPWire
import Hashing
public import JSON
public import Vocabulary

/// The format name and version every cassette header carries.
public enum CassetteFormat {
    /// The `format` field of a header record.
    public static let name = "tdf-cassette"
    /// The `version` field of a header record; this module reads and writes version 1.
    public static let version = 1
    /// The largest `seq` or `ordinal` a record may hold, 2,147,483,647 (a 32-bit integer): above
    /// ``Exchange/maximumOrdinal``, so that the ordinals a session gives untagged requests after the largest tagged
    /// one read back, and so far below `Int.max` that continuing a cassette (the largest seq or ordinal plus one)
    /// cannot overflow. A record above it is malformed.
    public static let maximumSeqOrOrdinal = Int(Int32.max)
}

/// The first record of a cassette.
public struct CassetteHeader: Sendable, Equatable {
    /// The run the cassette belongs to; nil for `_default.jsonl.gz` (untagged traffic).
    public var run: RunID?
    /// When the cassette was created.
    public var created: Timestamp
    /// The version of tdf that wrote it.
    public var toolVersion: String

    /// Makes a header.
    public init(run: RunID?, created: Timestamp, toolVersion: String) {
        self.run = run
        self.created = created
        self.toolVersion = toolVersion
    }
}

/// The last record of a complete cassette.
public struct CassetteEnd: Sendable, Equatable {
    /// How many exchange records the cassette holds.
    public var exchangeCount: Int
    /// The cassette digest (``CassetteDigest``), lowercase hex.
    public var digest: String

    /// Makes an end record.
    public init(exchangeCount: Int, digest: String) {
        self.exchangeCount = exchangeCount
        self.digest = digest
    }
}

/// One line of a cassette.
public enum CassetteRecord: Sendable, Equatable {
    /// The `header` record.
    case header(CassetteHeader)
    /// An `exchange` record.
    case exchange(Exchange)
    /// The `end` record.
    case end(CassetteEnd)

    /// The record as one line of JSON (without the newline), every body inline.
    public func encoded() -> [UInt8] {
        guard case .exchange(let exchange) = self else { return JSONWriter.bytes(jsonValue) }
        var inline: [Blob]? = nil
        return exchange.recordBytes(storingBlobsIn: &inline)
    }

    /// The record as one line of JSON (without the newline), with every binary body of at least
    /// ``BlobStore/minimumBytes`` referred to by its SHA-256 and added to `blobs`, which the writer stores before it
    /// writes the line.
    public func encoded(storingBlobsIn blobs: inout [Blob]) -> [UInt8] {
        guard case .exchange(let exchange) = self else { return encoded() }
        var collected: [Blob]? = blobs
        defer { blobs = collected ?? [] }
        return exchange.recordBytes(storingBlobsIn: &collected)
    }

    /// The record as a JSON value, members in the documented order.
    public var jsonValue: JSONValue {
        switch self {
        case .header(let header):
            return .object([
                ("type", .string("header")),
                ("format", .string(CassetteFormat.name)),
                ("version", .int(CassetteFormat.version)),
                ("run_id", header.run.map { .string($0.rawValue) } ?? .null),
                ("created", .string(header.created.description)),
                ("tool", .string("tdf")),
                ("tool_version", .string(header.toolVersion)),
            ])
        case .exchange(let exchange):
            return exchange.jsonValue
        case .end(let end):
            return .object([
                ("type", .string("end")),
                ("exchanges", .int(end.exchangeCount)),
                ("digest", .string(end.digest)),
            ])
        }
    }

    /// Decodes one line of a cassette, reading the blobs its bodies refer to from `blobs` (a body stored as a
    /// blob is a problem without it).
    public static func decode(_ line: [UInt8], blobs: BlobStore? = nil) throws(RecordProblem) -> CassetteRecord {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw RecordProblem("not JSON: \(error)")
        }
        let fields = try Fields(value, at: "", blobs: blobs)
        switch try fields.string("type") {
        case "header":
            let format = try fields.string("format")
            guard format == CassetteFormat.name else {
                throw RecordProblem("`format` is '\(format)', expected '\(CassetteFormat.name)'")
            }
            let version = try fields.int("version")
            guard version == CassetteFormat.version else {
                throw RecordProblem("`version` is \(version); this tdf reads version \(CassetteFormat.version)")
            }
            var run: RunID?
            if let text = try fields.optionalString("run_id") {
                do {
                    run = try RunID(validating: text)
                } catch {
                    throw RecordProblem("`run_id`: \(error.reason)")
                }
            }
            return .header(
                CassetteHeader(
                    run: run,
                    created: try fields.timestamp("created"),
                    toolVersion: try fields.string("tool_version")
                )
            )
        case "exchange":
            return .exchange(try Exchange(fields))
        case "end":
            return .end(CassetteEnd(exchangeCount: try fields.int("exchanges"), digest: try fields.string("digest")))
        case let other:
            throw RecordProblem("`type` is '\(other)', expected header, exchange or end")
        }
    }
}

/// What is wrong with one record, before the reader adds the file and record number.
public struct RecordProblem: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

extension Exchange {
    /// The exchange record as JSON, members in the documented order, every body inline (what `tdf cassette show
    /// --json` prints; the recorder writes the same text straight to bytes, ``recordBytes(storingBlobsIn:)``).
    public var jsonValue: JSONValue {
        var responseMembers: [(String, JSONValue)] = [
            ("status", .int(response.status)),
            ("reason", .string(response.reason)),
            ("headers", Self.encode(response.headers)),
        ]
        if let decodedFrom = response.decodedFrom { responseMembers.append(("decoded_from", .string(decodedFrom))) }
        switch response.content {
        case .body(let bytes):
            responseMembers.append(("body", Self.encode(body: bytes)))
        case .events(let events, let exact):
            responseMembers.append(("events", .array(events.map(Self.encode(event:)))))
            if let exact {
                responseMembers.append(("chunks", Self.encode(chunks: exact)))
            }
        case .chunks(let chunks):
            responseMembers.append(("chunks", Self.encode(chunks: chunks)))
        }
        return .object([
            ("type", .string("exchange")),
            ("seq", .int(seq)),
            ("ordinal", .int(ordinal)),
            ("service", .string(service)),
            ("started", .string(started.description)),
            ("step", step.map(JSONValue.string) ?? .null),
            (
                "request",
                .object(
                    [
                        ("method", .string(request.method)),
                        ("target", .string(request.target)),
                        ("headers", Self.encode(request.headers)),
                    ] + (request.decodedFrom.map { [("decoded_from", JSONValue.string($0))] } ?? [])
                        + [("body", Self.encode(body: request.body))]
                )
            ),
            ("response", .object(responseMembers)),
            (
                "timing",
                .object([
                    ("ttfb_ms", timing.ttfbMilliseconds.map(JSONValue.milliseconds) ?? .null),
                    ("total_ms", .milliseconds(timing.totalMilliseconds)),
                ])
            ),
            (
                "fault",
                fault.map { fault in
                    .object([
                        ("kind", .string(fault.kind.name)),
                        ("after_bytes", .int(fault.afterBytes)),
                        ("detail", .string(fault.detail)),
                    ])
                } ?? .null
            ),
        ])
    }

    /// The record's bytes: ``jsonValue`` in the compact style, except that when `blobs` is not nil every binary body
    /// of at least ``BlobStore/minimumBytes`` is referred to by its SHA-256 and appended to it. Written straight from
    /// the exchange: the recorder's hot path, where building the tree first cost a third of the writer's time.
    func recordBytes(storingBlobsIn blobs: inout [Blob]?) -> [UInt8] {
        var text = JSONText(capacity: 512 + request.body.count + response.content.byteCountHint)
        text.member("{\"type\":\"exchange\",\"seq\":", int: seq)
        text.member(",\"ordinal\":", int: ordinal)
        text.member(",\"service\":", service)
        text.member(",\"started\":", started.description)
        text.raw(",\"step\":")
        text.optionalString(step)
        text.member(",\"request\":{\"method\":", request.method)
        text.member(",\"target\":", request.target)
        text.raw(",\"headers\":")
        text.headers(request.headers.fields)
        if let decodedFrom = request.decodedFrom {
            text.member(",\"decoded_from\":", decodedFrom)
        }
        text.raw(",\"body\":")
        Self.write(body: request.body, to: &text, storingBlobsIn: &blobs)
        text.member("},\"response\":{\"status\":", int: response.status)
        text.member(",\"reason\":", response.reason)
        text.raw(",\"headers\":")
        text.headers(response.headers.fields)
        if let decodedFrom = response.decodedFrom {
            text.member(",\"decoded_from\":", decodedFrom)
        }
        switch response.content {
        case .body(let bytes):
            text.raw(",\"body\":")
            Self.write(body: bytes, to: &text, storingBlobsIn: &blobs)
        case .events(let events, let exact):
            text.raw(",\"events\":[")
            for (index, event) in events.enumerated() {
                if index > 0 { text.raw(",") }
                Self.write(event: event, to: &text)
            }
            text.raw("]")
            if let exact {
                text.raw(",\"chunks\":")
                Self.write(chunks: exact, to: &text, storingBlobsIn: &blobs)
            }
        case .chunks(let chunks):
            text.raw(",\"chunks\":")
            Self.write(chunks: chunks, to: &text, storingBlobsIn: &blobs)
        }
        text.raw("},\"timing\":{\"ttfb_ms\":")
        if let ttfb = timing.ttfbMilliseconds { text.milliseconds(ttfb) } else { text.raw("null") }
        text.raw(",\"total_ms\":")
        text.milliseconds(timing.totalMilliseconds)
        text.raw("},\"fault\":")
        if let fault {
            text.member("{\"kind\":", fault.kind.name)
            text.member(",\"after_bytes\":", int: fault.afterBytes)
            text.member(",\"detail\":", fault.detail)
            text.raw("}")
        } else {
            text.raw("null")
        }
        text.raw("}")
        return text.bytes
    }

    private static func write(body bytes: [UInt8], to text: inout JSONText, storingBlobsIn blobs: inout [Blob]?) {
        if let string = String(validating: bytes, as: UTF8.self) {
            text.member("{\"text\":", string)
            text.raw("}")
        } else if blobs != nil && bytes.count >= BlobStore.minimumBytes {
            let blob = Blob(bytes)
            blobs?.append(blob)
            text.raw("{\"blob\":\"")
            text.unescaped(blob.digest.hex)
            text.member("\",\"size\":", int: bytes.count)
            text.raw("}")
        } else {
            text.raw("{\"base64\":\"")
            text.unescaped(Base64.encode(bytes))
            text.raw("\"}")
        }
    }

    private static func write(event: StreamEvent, to text: inout JSONText) {
        text.raw("{\"at_ms\":")
        text.milliseconds(event.atMilliseconds)
        switch event.frame {
        case .event(let sse):
            text.member(",\"data\":", sse.data)
            if let name = sse.event {
                text.member(",\"event\":", name)
            }
            if let id = sse.id {
                text.member(",\"id\":", id)
            }
            if let retry = sse.retry {
                text.member(",\"retry\":", int: retry)
            }
        case .comment(let comment):
            text.member(",\"comment\":", comment)
        }
        text.raw("}")
    }

    private static func write(chunks: [StreamChunk], to text: inout JSONText, storingBlobsIn blobs: inout [Blob]?) {
        text.raw("[")
        for (index, chunk) in chunks.enumerated() {
            if index > 0 { text.raw(",") }
            text.raw("{\"at_ms\":")
            text.milliseconds(chunk.atMilliseconds)
            text.raw(",\"bytes\":")
            write(body: chunk.bytes, to: &text, storingBlobsIn: &blobs)
            text.raw("}")
        }
        text.raw("]")
    }

    static func encode(_ headers: HTTPHeaders) -> JSONValue {
        .array(headers.fields.map { .array([.string($0.name), .string($0.value)]) })
    }

    /// `{"text": …}` for valid UTF-8, else `{"base64": …}`.
    static func encode(body bytes: [UInt8]) -> JSONValue {
        if let text = String(validating: bytes, as: UTF8.self) {
            return .object([("text", .string(text))])
        }
        return .object([("base64", .string(Base64.encode(bytes)))])
    }

    static func encode(event: StreamEvent) -> JSONValue {
        var members: [(String, JSONValue)] = [("at_ms", .milliseconds(event.atMilliseconds))]
        switch event.frame {
        case .event(let sse):
            members.append(("data", .string(sse.data)))
            if let name = sse.event { members.append(("event", .string(name))) }
            if let id = sse.id { members.append(("id", .string(id))) }
            if let retry = sse.retry { members.append(("retry", .int(retry))) }
        case .comment(let text):
            members.append(("comment", .string(text)))
        }
        return .object(members)
    }

    static func encode(chunks: [StreamChunk]) -> JSONValue {
        var encoded: [JSONValue] = []
        encoded.reserveCapacity(chunks.count)
        for chunk in chunks {
            encoded.append(
                .object([
                    ("at_ms", .milliseconds(chunk.atMilliseconds)),
                    ("bytes", encode(body: chunk.bytes)),
                ])
            )
        }
        return .array(encoded)
    }

    init(_ fields: Fields) throws(RecordProblem) {
        let request = try fields.object("request")
        let response = try fields.object("response")
        let timing = try fields.object("timing")
        let content: ResponseContent
        if let events = try response.optionalArray("events") {
            let decoded = try events.map { (fields) throws(RecordProblem) in try Self.decodeEvent(fields) }
            let chunks = try response.optionalArray("chunks").map { (list) throws(RecordProblem) in
                try list.map { (fields) throws(RecordProblem) in try Self.decodeChunk(fields) }
            }
            content = .events(decoded, exact: chunks)
        } else if let chunks = try response.optionalArray("chunks") {
            content = .chunks(try chunks.map { (fields) throws(RecordProblem) in try Self.decodeChunk(fields) })
        } else {
            content = .body(try response.body("body"))
        }
        var fault: Fault?
        if let faultFields = try fields.optionalObject("fault") {
            let name = try faultFields.string("kind")
            guard let kind = Fault.Kind(named: name) else {
                throw RecordProblem("`fault.kind` is '\(name)', expected refused, reset, timeout or malformed")
            }
            fault = Fault(
                kind: kind,
                afterBytes: try faultFields.int("after_bytes"),
                detail: try faultFields.string("detail")
            )
        }
        self.init(
            seq: try fields.int("seq", in: 0...CassetteFormat.maximumSeqOrOrdinal),
            ordinal: try fields.int("ordinal", in: 0...CassetteFormat.maximumSeqOrOrdinal),
            service: try fields.string("service"),
            started: try fields.timestamp("started"),
            step: try fields.optionalString("step"),
            request: RecordedRequest(
                method: try request.string("method"),
                target: try request.string("target"),
                headers: try request.headers("headers"),
                body: try request.body("body"),
                decodedFrom: try request.optionalString("decoded_from")
            ),
            response: RecordedResponse(
                status: try response.int("status"),
                reason: try response.string("reason"),
                headers: try response.headers("headers"),
                content: content,
                decodedFrom: try response.optionalString("decoded_from")
            ),
            timing: Timing(
                ttfbMilliseconds: try timing.optionalMilliseconds("ttfb_ms"),
                totalMilliseconds: try timing.milliseconds("total_ms")
            ),
            fault: fault
        )
    }

    private static func decodeEvent(_ fields: Fields) throws(RecordProblem) -> StreamEvent {
        let at = try fields.milliseconds("at_ms")
        if let comment = try fields.optionalString("comment") {
            return StreamEvent(atMilliseconds: at, frame: .comment(comment))
        }
        let event = SSEEvent(
            data: try fields.string("data"),
            event: try fields.optionalString("event"),
            id: try fields.optionalString("id"),
            retry: try fields.optionalInt("retry")
        )
        return StreamEvent(atMilliseconds: at, frame: .event(event))
    }

    private static func decodeChunk(_ fields: Fields) throws(RecordProblem) -> StreamChunk {
        StreamChunk(atMilliseconds: try fields.milliseconds("at_ms"), bytes: try fields.body("bytes"))
    }
}

/// Reads the members of one JSON object and names the field in every complaint (`response.status is missing`).
struct Fields {
    let members: JSONObject
    let path: String
    /// Where bodies stored as blobs are read from.
    let blobs: BlobStore?

    init(_ value: JSONValue, at path: String, blobs: BlobStore?) throws(RecordProblem) {
        guard case .object(let members) = value else {
            throw RecordProblem(path.isEmpty ? "the record is not a JSON object" : "`\(path)` is not an object")
        }
        self.members = members
        self.path = path
        self.blobs = blobs
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func missing(_ key: String, _ expected: String) -> RecordProblem {
        RecordProblem("`\(name(key))` is missing (expected \(expected))")
    }

    private func wrong(_ key: String, _ expected: String) -> RecordProblem {
        RecordProblem("`\(name(key))` is not \(expected)")
    }

    func value(_ key: String) -> JSONValue? { members.first { $0.0 == key }?.1 }

    func string(_ key: String) throws(RecordProblem) -> String {
        guard let value = value(key) else { throw missing(key, "a string") }
        guard let text = value.stringValue else { throw wrong(key, "a string") }
        return text
    }

    func optionalString(_ key: String) throws(RecordProblem) -> String? {
        guard let value = value(key), !value.isNull else { return nil }
        guard let text = value.stringValue else { throw wrong(key, "a string or null") }
        return text
    }

    func int(_ key: String) throws(RecordProblem) -> Int {
        guard let value = value(key) else { throw missing(key, "an integer") }
        guard let number = value.integerValue else { throw wrong(key, "an integer") }
        return number
    }

    func int(_ key: String, in range: ClosedRange<Int>) throws(RecordProblem) -> Int {
        let number = try int(key)
        guard range.contains(number) else {
            throw RecordProblem(
                "`\(name(key))` is \(number), expected an integer from \(range.lowerBound) to \(range.upperBound)"
            )
        }
        return number
    }

    func optionalInt(_ key: String) throws(RecordProblem) -> Int? {
        guard let value = value(key), !value.isNull else { return nil }
        guard let number = value.integerValue else { throw wrong(key, "an integer") }
        return number
    }

    func double(_ key: String) throws(RecordProblem) -> Double {
        guard let value = value(key) else { throw missing(key, "a number") }
        guard let number = value.doubleValue else { throw wrong(key, "a number") }
        return number
    }

    func optionalDouble(_ key: String) throws(RecordProblem) -> Double? {
        guard let value = value(key), !value.isNull else { return nil }
        guard let number = value.doubleValue else { throw wrong(key, "a number or null") }
        return number
    }

    /// A time in milliseconds: finite and not negative, so that waiting for it or charting it is well defined.
    func milliseconds(_ key: String) throws(RecordProblem) -> Double {
        try checked(milliseconds: try double(key), key)
    }

    func optionalMilliseconds(_ key: String) throws(RecordProblem) -> Double? {
        guard let number = try optionalDouble(key) else { return nil }
        return try checked(milliseconds: number, key)
    }

    private func checked(milliseconds number: Double, _ key: String) throws(RecordProblem) -> Double {
        guard number.isFinite, number >= 0 else {
            throw RecordProblem("`\(name(key))` is \(number), expected a finite number of milliseconds from 0")
        }
        return number
    }

    func timestamp(_ key: String) throws(RecordProblem) -> Timestamp {
        let text = try string(key)
        guard let stamp = Timestamp(iso8601: text) else { throw wrong(key, "a UTC time like 2025-01-31T12:00:00.000Z") }
        return stamp
    }

    func object(_ key: String) throws(RecordProblem) -> Fields {
        guard let value = value(key) else { throw missing(key, "an object") }
        return try Fields(value, at: name(key), blobs: blobs)
    }

    func optionalObject(_ key: String) throws(RecordProblem) -> Fields? {
        guard let value = value(key), !value.isNull else { return nil }
        return try Fields(value, at: name(key), blobs: blobs)
    }

    func optionalArray(_ key: String) throws(RecordProblem) -> [Fields]? {
        guard let value = value(key), !value.isNull else { return nil }
        guard let elements = value.arrayValue else { throw wrong(key, "an array") }
        var result: [Fields] = []
        for (position, element) in elements.enumerated() {
            result.append(try Fields(element, at: "\(name(key))[\(position)]", blobs: blobs))
        }
        return result
    }

    func headers(_ key: String) throws(RecordProblem) -> HTTPHeaders {
        guard let value = value(key) else { throw missing(key, "a list of [name, value] pairs") }
        guard let pairs = value.arrayValue else { throw wrong(key, "a list of [name, value] pairs") }
        var fields: [HTTPField] = []
        for (position, pair) in pairs.enumerated() {
            guard let items = pair.arrayValue, items.count == 2, let name = items[0].stringValue,
                let text = items[1].stringValue
            else { throw RecordProblem("`\(name(key))[\(position)]` is not a [name, value] pair of strings") }
            fields.append(HTTPField(name: name, value: text))
        }
        return HTTPHeaders(fields: fields)
    }

    func body(_ key: String) throws(RecordProblem) -> [UInt8] {
        guard let value = value(key) else {
            throw missing(key, "{\"text\": …}, {\"base64\": …} or {\"blob\": …, \"size\": …}")
        }
        let body = try Fields(value, at: name(key), blobs: blobs)
        if let text = try body.optionalString("text") { return Array(text.utf8) }
        if let encoded = try body.optionalString("base64") {
            guard let bytes = Base64.decode(encoded) else {
                throw RecordProblem("`\(name(key)).base64` is not valid base64")
            }
            return bytes
        }
        if let hex = try body.optionalString("blob") {
            let size = try body.int("size", in: 0...Int(Int32.max))
            guard let blobs else {
                throw RecordProblem(
                    "`\(name(key)).blob` \(hex) is stored beside the cassette, which was read without it"
                )
            }
            do {
                return try blobs.read(hex: hex, size: size)
            } catch {
                throw RecordProblem("`\(name(key)).blob` \(hex): \(error.message)")
            }
        }
        throw RecordProblem("`\(name(key))` has none of `text`, `base64` or `blob`")
    }
}
