/// Where and how a gzip stream of records is damaged: what `GzipRecordReader` reports instead of
/// throwing, after handing out every whole record before the damage.
public struct GzipDamage: Sendable, Hashable {
    /// The kind of damage.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable {
            case truncated, corrupt
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The stream ends inside a gzip member (no trailer), as a crash or a cut copy leaves it.
        public static let truncated = Kind(.truncated)
        /// The compressed bytes are invalid (bad deflate data, a failed CRC or length check, garbage).
        public static let corrupt = Kind(.corrupt)

        /// "truncated" or "corrupt".
        public var description: String {
            switch self.value {
            case .truncated: "truncated"
            case .corrupt: "corrupt"
            }
        }
    }

    /// The file, or nil for bytes in memory.
    public let path: String?

    /// The compressed byte offset where the damage was found: the end of the input for a
    /// truncated stream; where zlib stopped (at or a little after the bad byte) for corrupt data.
    public let compressedOffset: Int

    /// The number of whole records before the damage; the damage is in record `recordsBefore + 1`.
    public let recordsBefore: Int

    /// The length of an unterminated partial record that was decoded before the damage and
    /// dropped, or 0.
    public private(set) var droppedPartialRecordLength = 0

    /// Whether the stream was cut short or is corrupt.
    public let kind: Kind

    /// What went wrong, e.g. "stream ends mid-member (no gzip trailer)" or
    /// "corrupt deflate data: invalid distance too far back".
    public let reason: String

    /// The underlying error, with zlib's message where there was one.
    public let error: GzipError

    init(path: String?, compressedOffset: Int, recordsBefore: Int, error: GzipError) {
        self.path = path
        self.compressedOffset = compressedOffset
        self.recordsBefore = recordsBefore
        self.kind = error.code == .truncated ? .truncated : .corrupt
        self.reason = error.reasonDescription
        self.error = error.at(path: path)
    }

    func droppingPartialRecord(of length: Int) -> GzipDamage {
        var copy = self
        copy.droppedPartialRecordLength = length
        return copy
    }
}

extension GzipDamage: CustomStringConvertible {
    /// One line naming the file, the record, the offset and the reason, e.g. "r_1.jsonl.gz: damaged
    /// gzip stream in record 18 (after 17 whole records) at compressed byte 5120: stream ends
    /// mid-member (no gzip trailer); a partial record of 40 bytes was dropped".
    public var description: String {
        var text = "\(self.path ?? "<memory>"): damaged gzip stream in record \(self.recordsBefore + 1)"
        text += " (after \(self.recordsBefore) whole records) at compressed byte \(self.compressedOffset)"
        text += ": \(self.reason)"
        if self.droppedPartialRecordLength > 0 {
            text += "; a partial record of \(self.droppedPartialRecordLength) bytes was dropped"
        }
        return text
    }
}
