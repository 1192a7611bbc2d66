import Gzip

/// A cassette problem, with the file, the record and what was expected.
public struct CassetteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad kind, for callers that branch on it.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A run id that cannot be a file name.
        public static let invalidRunID = Code("invalid run id")
        /// A file could not be opened, read, written or renamed.
        public static let io = Code("i/o")
        /// A record is not what format version 1 says.
        public static let malformedRecord = Code("malformed record")
        /// The file is not a version 1 cassette.
        public static let unsupportedFormat = Code("unsupported format")
        /// The session was already closed.
        public static let closed = Code("closed")
        /// An exchange ordinal outside `0...Exchange.maximumOrdinal`.
        public static let invalidOrdinal = Code("invalid ordinal")
        /// Two sessions being merged both hold the same run's cassette.
        public static let conflict = Code("conflict")

        /// The kind's name.
        public var description: String { name }
    }

    /// The kind of problem.
    public let code: Code
    /// The file, when one is involved.
    public let path: String?
    /// The 1-based record number in the file, when known.
    public let record: Int?
    /// What is wrong.
    public let reason: String

    private init(_ code: Code, path: String? = nil, record: Int? = nil, reason: String) {
        self.code = code
        self.path = path
        self.record = record
        self.reason = reason
    }

    static func invalidRunID(_ text: String, reason: String) -> CassetteError {
        let shown = text.unicodeScalars.map {
            $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}"
        }
        return CassetteError(
            .invalidRunID,
            reason: "run id '\(shown.joined())' is not usable as a file name: \(reason)"
        )
    }

    static func io(_ path: String, _ reason: String) -> CassetteError {
        CassetteError(.io, path: path, reason: reason)
    }

    /// Runs `operation` on the gzip file at `path`; its failure becomes an I/O error naming the file. (Writing a
    /// cassette mixes gzip calls with blob writes, which fail with a `CassetteError` of their own.)
    static func writingGzip<T>(_ path: String, _ operation: () throws(GzipError) -> T) throws(CassetteError) -> T {
        do { return try operation() } catch { throw io(path, error.description) }
    }

    static func malformed(_ path: String?, record: Int, _ reason: String) -> CassetteError {
        CassetteError(.malformedRecord, path: path, record: record, reason: reason)
    }

    static func unsupported(_ path: String?, _ reason: String) -> CassetteError {
        CassetteError(.unsupportedFormat, path: path, record: 1, reason: reason)
    }

    static func closed(_ reason: String) -> CassetteError {
        CassetteError(.closed, reason: reason)
    }

    static func invalidOrdinal(_ ordinal: Int) -> CassetteError {
        CassetteError(
            .invalidOrdinal,
            reason: "ordinal \(ordinal) is out of range: a request may give 0 to \(Exchange.maximumOrdinal), and a run "
                + "holds fewer than \(CassetteFormat.maximumSeqOrOrdinal) exchanges"
        )
    }

    static func conflict(_ reason: String) -> CassetteError {
        CassetteError(.conflict, reason: reason)
    }

    /// "r_1.jsonl.gz: record 3: `response.status` is missing (expected an integer)".
    public var description: String {
        var text = ""
        if let path { text += "\(path): " }
        if let record { text += "record \(record): " }
        return text + reason
    }
}
