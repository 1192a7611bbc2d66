import JSON
import Vocabulary

/// Value threading (Docs/matching.md): what a client sent this time in place of what its recording holds.
///
/// When a request matches a recording only because the matching rules left a value out (a uuid the client invents,
/// a timestamp it sends), the recorded value and the live one are remembered as a thread. The client then gets its
/// own values back: the recorded value is replaced by the live one in the responses replay serves (headers, bodies,
/// SSE data); and its next requests match: the live value is replaced by the recorded one in a request before it is
/// compared with the recordings.
///
/// Replacing text in text is only safe for values that cannot be mistaken for something else, so only a
/// ``isThreadable(_:)`` value is threaded, and it is replaced only where it stands whole (``Substitution``). A
/// scope holds at most ``limit`` threads, the oldest forgotten first; a value threaded again takes its latest
/// counterpart, in both directions.
public struct ValueThreads: Sendable, Equatable {
    /// One recorded value and the live value that took its place.
    public struct Thread: Sendable, Equatable, CustomStringConvertible {
        /// The value in the recording.
        public var recorded: String
        /// The value the client sent.
        public var live: String

        /// A thread.
        public init(recorded: String, live: String) {
            self.recorded = recorded
            self.live = live
        }

        /// `recorded → live`.
        public var description: String { "\(recorded) → \(live)" }
    }

    /// How many threads one scope (a run, or the untagged traffic) keeps.
    public static let limit = 1024
    /// The shortest value threaded, in bytes: shorter ones (`1`, `true`, `jazz`) occur too often by chance.
    public static let minimumLength = 8
    /// The longest value threaded, in bytes.
    public static let maximumLength = 256
    /// How many JSON values learning visits in one pair of bodies.
    static let visitLimit = 20_000

    /// The threads, oldest first.
    public private(set) var threads: [Thread] = []

    /// No threads.
    public init() {}

    /// Whether nothing is threaded.
    public var isEmpty: Bool { threads.isEmpty }

    /// Whether `value` may be threaded: ``minimumLength`` to ``maximumLength`` bytes of ASCII letters, digits and
    /// `_-.:+`, with at least one digit (`b0_60b48ff4.mid`, `toolu_01e1…` included). A uuid, an ISO 8601 time, a number of eight or more characters and most
    /// random tokens are; words, short numbers, and text that JSON, a URL or a header would escape are not.
    public static func isThreadable(_ value: String) -> Bool {
        let bytes = value.utf8
        guard (minimumLength...maximumLength).contains(bytes.count) else { return false }
        return bytes.allSatisfy(Substitution.isValueByte) && bytes.contains { (0x30...0x39).contains($0) }
    }

    /// Threads `recorded` to `live` when both may be threaded and they differ; returns whether it did.
    @discardableResult
    public mutating func thread(recorded: String, live: String) -> Bool {
        guard recorded != live, Self.isThreadable(recorded), Self.isThreadable(live) else { return false }
        if let last = threads.last, last.recorded == recorded, last.live == live { return true }
        threads.removeAll { $0.recorded == recorded || $0.live == live }
        threads.append(Thread(recorded: recorded, live: live))
        if threads.count > Self.limit { threads.removeFirst(threads.count - Self.limit) }
        return true
    }

    /// Learns the threads of a request that matched `recorded`: every query parameter value and every JSON scalar
    /// of the body (a string, or a number as written) that differs between the two at the same place. Returns how
    /// many it threaded. The two requests are those compared, so their differences are what the rules left out.
    @discardableResult
    public mutating func learn(recorded: RecordedRequest, live: RecordedRequest) -> Int {
        var count = 0
        let recordedQuery = Self.queryValues(recorded.target)
        let liveQuery = Self.queryValues(live.target)
        for (name, values) in recordedQuery {
            guard let liveValues = liveQuery[name] else { continue }
            for (was, now) in zip(values, liveValues) where thread(recorded: was, live: now) { count += 1 }
        }
        return count + learn(recordedJSON: recorded.body, liveJSON: live.body)
    }

    /// Learns the threads of two JSON documents (a request's bodies, or the recorded and the live answer to one
    /// request, for a shadow replay): every string or number that differs at the same place. Returns how many it
    /// threaded; none when either is not a JSON object or array.
    @discardableResult
    public mutating func learn(recordedJSON: [UInt8], liveJSON: [UInt8]) -> Int {
        guard let was = RequestNormalizer.jsonDocument(recordedJSON), let now = RequestNormalizer.jsonDocument(liveJSON)
        else { return 0 }
        var count = 0
        var visits = Self.visitLimit
        Self.scalarPairs(was, now, visits: &visits) { was, now in
            if thread(recorded: was, live: now) { count += 1 }
        }
        return count
    }

    /// What turns recorded values into live ones: for the responses replay serves.
    public var towardLive: Substitution {
        Substitution(threads.map { ($0.recorded, $0.live) })
    }

    /// What turns live values into recorded ones: for a request before it is compared with recordings.
    public var towardRecorded: Substitution {
        Substitution(threads.map { ($0.live, $0.recorded) })
    }

    /// The query parameter values of `target` by name, percent-decoded, in order.
    private static func queryValues(_ target: String) -> [Substring: [String]] {
        let path = target.prefix { $0 != "?" }
        var values: [Substring: [String]] = [:]
        for pair in target.dropFirst(path.count + 1).split(separator: "&") {
            let name = pair.prefix { $0 != "=" }
            values[name, default: []].append(Substitution.percentDecoded(pair.dropFirst(name.count + 1)))
        }
        return values
    }

    /// Calls `found` with the recorded and live text of every string or number where `recorded` and `live` differ
    /// at the same JSON path, until `visits` values have been visited.
    private static func scalarPairs(
        _ recorded: JSONValue,
        _ live: JSONValue,
        visits: inout Int,
        found: (String, String) -> Void
    ) {
        guard visits > 0 else { return }
        visits -= 1
        switch (recorded, live) {
        case (.object(let was), .object(let now)):
            for (_, value, counterpart) in was.firstMembers(pairedWith: now) {
                guard let counterpart else { continue }
                scalarPairs(value, counterpart, visits: &visits, found: found)
            }
        case (.array(let was), .array(let now)):
            for (was, now) in zip(was, now) { scalarPairs(was, now, visits: &visits, found: found) }
        case (.string(let was), .string(let now)), (.number(let was), .number(let now)):
            if was != now { found(was, now) }
        default:
            break
        }
    }
}

/// Replaces values in bytes or text, each only where it stands whole: not next to a letter, digit or `_`, nor
/// next to one of `.-:+` that has a letter or digit beyond it. So `1765113600` is not replaced inside
/// `1765113600.5`, nor a uuid inside `urn:uuid:…-v2`, while `/variations/<uuid>`, `"<uuid>"` and `id=<uuid>&` are.
/// Where two values could be replaced at the same place, the longer one is. In a URL target the percent-encoded
/// spelling of a value (`%3A` for `:`) is replaced too.
public struct Substitution: Sendable {
    /// The values and their replacements, longest value first.
    private let pairs: [(from: [UInt8], to: [UInt8])]

    /// Replaces each `from` with its `to`.
    init(_ replacements: [(from: String, to: String)]) {
        pairs = replacements.map { (Array($0.from.utf8), Array($0.to.utf8)) }.sorted { $0.from.count > $1.from.count }
    }

    /// Whether it replaces nothing.
    public var isEmpty: Bool { pairs.isEmpty }

    /// `bytes` with every whole occurrence of a value replaced.
    public func applied(to bytes: [UInt8]) -> [UInt8] {
        Self.replacing(pairs, in: bytes)
    }

    /// `text` with every whole occurrence of a value replaced.
    public func applied(to text: String) -> String {
        guard !pairs.isEmpty else { return text }
        return String(decoding: applied(to: Array(text.utf8)), as: UTF8.self)
    }

    /// A request target with every whole occurrence of a value replaced, as written or percent-encoded.
    public func applied(toTarget target: String) -> String {
        guard !pairs.isEmpty else { return target }
        let encoded = pairs.compactMap { pair -> (from: [UInt8], to: [UInt8])? in
            let from = Self.percentEncoded(pair.from)
            return from == pair.from ? nil : (from, Self.percentEncoded(pair.to))
        }
        let all = (pairs + encoded).sorted { $0.from.count > $1.from.count }
        return String(decoding: Self.replacing(all, in: Array(target.utf8)), as: UTF8.self)
    }

    /// A byte a threaded value may hold: an ASCII letter or digit, or one of `-._:+`.
    static func isValueByte(_ byte: UInt8) -> Bool {
        isWordByte(byte) || isJoiner(byte)
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            || byte == UInt8(ascii: "_")
    }

    private static func isJoiner(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "+")
    }

    /// Whether the value at `start..<end` of `bytes` stands whole (see the type's description).
    private static func standsWhole(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Bool {
        if start > 0 {
            let before = bytes[start - 1]
            if isWordByte(before) { return false }
            if isJoiner(before), start > 1, isWordByte(bytes[start - 2]) { return false }
        }
        if end < bytes.count {
            let after = bytes[end]
            if isWordByte(after) { return false }
            if isJoiner(after), end + 1 < bytes.count, isWordByte(bytes[end + 1]) { return false }
        }
        return true
    }

    private static func replacing(_ pairs: [(from: [UInt8], to: [UInt8])], in bytes: [UInt8]) -> [UInt8] {
        guard !pairs.isEmpty, !bytes.isEmpty else { return bytes }
        // Every whole occurrence, found with the C library's search; then the earliest wins, the longest at a tie.
        var found: [(start: Int, pair: Int)] = []
        bytes.withUnsafeBytes { haystack in
            for (index, pair) in pairs.enumerated() {
                pair.from.withUnsafeBytes { needle in
                    var offset = 0
                    while let start = ByteSearch.firstOffset(of: needle, in: haystack, from: offset) {
                        if standsWhole(bytes, start, start + needle.count) { found.append((start, index)) }
                        offset = start + 1
                    }
                }
            }
        }
        guard !found.isEmpty else { return bytes }
        found.sort { ($0.start, pairs[$1.pair].from.count) < ($1.start, pairs[$0.pair].from.count) }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var copied = 0
        for (start, index) in found where start >= copied {
            result += bytes[copied..<start]
            result += pairs[index].to
            copied = start + pairs[index].from.count
        }
        result += bytes[copied...]
        return result
    }

    /// `value` with every byte but ASCII letters, digits and `-._~` written as `%XX`.
    private static func percentEncoded(_ value: [UInt8]) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        for byte in value {
            if isWordByte(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~") {
                encoded.append(byte)
            } else {
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return encoded
    }

    /// A query parameter value with `%XX` decoded and `+` as a space; an invalid escape stays as written.
    static func percentDecoded(_ value: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(value.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let high = hexValue(utf8[utf8.startIndex]), let low = hexValue(utf8[utf8.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
