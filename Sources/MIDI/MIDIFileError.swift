/// Why a Standard MIDI File could not be read: which chunk, at which byte, and what was expected.
///
/// `description` reads, for example,
/// `track 2 (MTrk at byte 1234), byte 1250: expected a status byte, found data byte 0x40 with no running status`.
/// Match on `code` to tell the kinds apart; new codes may be added without breaking callers.
public struct MIDIFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of damage.
    public let code: Code
    /// The chunk being read, e.g. `header (MThd at byte 0)` or `track 2 (MTrk at byte 1234)`.
    public let chunk: String
    /// The byte offset from the start of the file at which the problem was found.
    public let offset: Int
    /// What the reader expected there, and what it found.
    public let expected: String

    init(_ code: Code, chunk: String, offset: Int, expected: String) {
        self.code = code
        self.chunk = chunk
        self.offset = offset
        self.expected = expected
    }

    /// One line for a person: the chunk, the byte offset and what was expected.
    public var description: String { "\(chunk), byte \(offset): \(expected)" }

    /// A kind of damage a reader can find in a file.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Storage: String, Hashable, Sendable {
            case badHeader = "bad header"
            case truncatedChunk = "truncated chunk"
            case badVariableLengthQuantity = "bad variable-length quantity"
            case dataByteWithoutStatus = "data byte without status"
            case lengthPastEnd = "chunk length past the end"
            case badEvent = "bad event"
            case limitExceeded = "limit exceeded"
        }

        private let storage: Storage

        private init(_ storage: Storage) {
            self.storage = storage
        }

        /// A short name for the kind, e.g. `truncated chunk`.
        public var description: String { storage.rawValue }

        /// The file does not start with a valid `MThd` chunk (magic, length, format, division).
        public static let badHeader = Code(.badHeader)
        /// A chunk ends in the middle of an event, a chunk header is cut short, or the file ends
        /// before the number of tracks the header declares.
        public static let truncatedChunk = Code(.truncatedChunk)
        /// A variable-length quantity runs past four bytes.
        public static let badVariableLengthQuantity = Code(.badVariableLengthQuantity)
        /// A data byte appears where a status byte is needed and no running status is in effect.
        public static let dataByteWithoutStatus = Code(.dataByteWithoutStatus)
        /// A chunk's declared length (or an event's) reaches past the end of the data that holds it.
        public static let lengthPastEnd = Code(.lengthPastEnd)
        /// A byte that cannot start or continue an event: a system status byte that has no place in
        /// a file, or a status byte where a channel message needs a data byte.
        public static let badEvent = Code(.badEvent)
        /// The file asks for more than the reader's limits allow (tracks, events, notes, ticks).
        public static let limitExceeded = Code(.limitExceeded)
    }
}
