import Glibc

/// An error from compressing, decompressing, reading or writing gzip data.
///
/// Carries what a person needs to act on it: the file (when there is one), the compressed byte
/// offset (when known), zlib's own message and the `errno` of a failed system call. Match on
/// `code` to tell kinds apart; new reasons can be added without breaking callers.
public struct GzipError: Error, Sendable, Hashable {
    /// A broad kind of gzip error, for callers that branch on it.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable {
            case invalidArgument, corruptData, truncated, limitExceeded, system, closed, library
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// A caller passed something unusable: a compression level outside 0…9, a record with a newline.
        public static let invalidArgument = Code(.invalidArgument)
        /// The compressed bytes are not valid gzip (zlib's `Z_DATA_ERROR`, or garbage after a member).
        public static let corruptData = Code(.corruptData)
        /// The compressed input ended inside a gzip member (no trailer), or held no member at all.
        public static let truncated = Code(.truncated)
        /// A configured size limit was exceeded (a record or an output too long).
        public static let limitExceeded = Code(.limitExceeded)
        /// A system call (`open`, `read`, `write`, `close`) failed; `errno` says why.
        public static let system = Code(.system)
        /// The writer or reader was already finished, closed, or failed earlier.
        public static let closed = Code(.closed)
        /// zlib itself failed: out of memory, or an inconsistent stream state.
        public static let library = Code(.library)

        /// A short name for the kind of error.
        public var description: String {
            switch self.value {
            case .invalidArgument: "invalid argument"
            case .corruptData: "corrupt data"
            case .truncated: "truncated"
            case .limitExceeded: "limit exceeded"
            case .system: "system call failed"
            case .closed: "closed"
            case .library: "zlib failure"
            }
        }
    }

    private enum Reason: Sendable, Hashable {
        case invalidLevel(Int)
        case recordContainsNewline(record: Int)
        case corrupt(zlibMessage: String)
        case garbageAfterPadding
        case endsMidMember
        case noMember
        case recordTooLong(record: Int, limit: Int)
        case outputTooLarge(limit: Int)
        case systemCall(name: String, errno: Int32)
        case shortWrite
        case alreadyFinished
        case failedEarlier(String)
        case zlib(function: String, status: Int32, message: String?)
    }

    private let reason: Reason

    /// The file involved, when the error came from a file.
    public private(set) var path: String?

    /// The byte offset in the compressed input where the problem was found, when known.
    ///
    /// For corrupt data this is where zlib stopped reading, which may be a few bytes past the
    /// damaged byte; for a truncated stream it is the end of the input.
    public private(set) var offset: Int?

    private init(_ reason: Reason, path: String? = nil, offset: Int? = nil) {
        self.reason = reason
        self.path = path
        self.offset = offset
    }

    /// The kind of error.
    public var code: Code {
        switch self.reason {
        case .invalidLevel, .recordContainsNewline: .invalidArgument
        case .corrupt, .garbageAfterPadding: .corruptData
        case .endsMidMember, .noMember: .truncated
        case .recordTooLong, .outputTooLarge: .limitExceeded
        case .systemCall, .shortWrite: .system
        case .alreadyFinished, .failedEarlier: .closed
        case .zlib: .library
        }
    }

    /// zlib's own message (`z_stream.msg`), when zlib gave one.
    public var zlibMessage: String? {
        switch self.reason {
        case .corrupt(let message): message
        case .zlib(_, _, let message): message
        default: nil
        }
    }

    /// The `errno` of the failed system call, for `.system` errors.
    public var errno: Int32? {
        if case .systemCall(_, let code) = self.reason { code } else { nil }
    }

    /// What went wrong, without the file and offset (which `description` adds).
    public var reasonDescription: String {
        switch self.reason {
        case .invalidLevel(let level):
            "compression level \(level) is outside 0...9"
        case .recordContainsNewline(let record):
            "record \(record) contains a newline byte, which would split it in two when read back"
        case .corrupt(let message):
            "corrupt deflate data: \(message)"
        case .garbageAfterPadding:
            "non-zero bytes after the zero padding that follows the last gzip member"
        case .endsMidMember:
            "stream ends mid-member (no gzip trailer)"
        case .noMember:
            "no gzip data (the input is empty)"
        case .recordTooLong(let record, let limit):
            "record \(record) is longer than the limit of \(limit) bytes"
        case .outputTooLarge(let limit):
            "decompressed data is larger than the limit of \(limit) bytes"
        case .systemCall(let name, let code):
            "\(name) failed: \(Self.describe(errno: code)) (errno \(code))"
        case .shortWrite:
            "write made no progress (returned 0)"
        case .alreadyFinished:
            "already finished or closed"
        case .failedEarlier(let earlier):
            "unusable after an earlier failure: \(earlier)"
        case .zlib(let function, let status, let message):
            "\(function) returned \(status)" + (message.map { ": \($0)" } ?? "")
        }
    }

    static func invalidLevel(_ level: Int) -> GzipError { GzipError(.invalidLevel(level)) }
    static func recordContainsNewline(record: Int, path: String?) -> GzipError {
        GzipError(.recordContainsNewline(record: record), path: path)
    }
    static func corrupt(_ message: String, offset: Int) -> GzipError {
        GzipError(.corrupt(zlibMessage: message), offset: offset)
    }
    static func garbageAfterPadding(offset: Int) -> GzipError { GzipError(.garbageAfterPadding, offset: offset) }
    static func endsMidMember(offset: Int) -> GzipError { GzipError(.endsMidMember, offset: offset) }
    static func noMember() -> GzipError { GzipError(.noMember, offset: 0) }
    static func recordTooLong(record: Int, limit: Int, path: String?, offset: Int) -> GzipError {
        GzipError(.recordTooLong(record: record, limit: limit), path: path, offset: offset)
    }
    static func outputTooLarge(limit: Int, offset: Int) -> GzipError {
        GzipError(.outputTooLarge(limit: limit), offset: offset)
    }
    static func systemCall(_ name: String, errno: Int32, path: String?, offset: Int? = nil) -> GzipError {
        GzipError(.systemCall(name: name, errno: errno), path: path, offset: offset)
    }
    static func shortWrite(path: String?, offset: Int) -> GzipError {
        GzipError(.shortWrite, path: path, offset: offset)
    }
    static func alreadyFinished(path: String? = nil) -> GzipError { GzipError(.alreadyFinished, path: path) }
    static func failedEarlier(_ earlier: GzipError) -> GzipError {
        GzipError(.failedEarlier(earlier.reasonDescription), path: earlier.path, offset: earlier.offset)
    }
    static func zlib(_ function: String, status: Int32, message: String?) -> GzipError {
        GzipError(.zlib(function: function, status: status, message: message))
    }

    /// Returns a copy that names `path` (keeping a path already set).
    func at(path: String?) -> GzipError {
        var copy = self
        copy.path = copy.path ?? path
        return copy
    }

    /// Returns a copy with the compressed offset shifted by `base` (for errors found inside a slice).
    func offset(by base: Int) -> GzipError {
        var copy = self
        copy.offset = copy.offset.map { $0 + base }
        return copy
    }

    private static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }
}

extension GzipError: CustomStringConvertible {
    /// "<path>: <reason> at compressed byte <offset>", leaving out what is unknown.
    public var description: String {
        var text = ""
        if let path = self.path {
            text += "\(path): "
        }
        text += self.reasonDescription
        if let offset = self.offset {
            text += " at compressed byte \(offset)"
        }
        return text
    }
}
