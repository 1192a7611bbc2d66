/// Size limits every parser in this module enforces, so a peer can never make it buffer without bound.
///
/// Each limit is inclusive: input exactly at a limit is accepted, one byte (or field) more is rejected.
/// Line limits count a line's bytes without its line end (CRLF or LF).
public struct HTTPParserLimits: Sendable, Equatable, Hashable {
    /// The longest request line or status line, in bytes (over it: `startLineTooLong`, 414).
    public var maxStartLineBytes: Int
    /// The longest single header or trailer field line, in bytes (over it: `headerLineTooLong`, 431).
    public var maxHeaderLineBytes: Int
    /// The most bytes all field lines of one head (or one trailer section) may hold together, not
    /// counting line ends (over it: `headersTooLarge`, 431).
    public var maxHeaderBytes: Int
    /// The most field lines in one head or one trailer section (over it: `tooManyHeaders`, 431).
    public var maxHeaderCount: Int
    /// The most decoded body bytes `HTTPBodyDecoder` delivers (over it: `bodyTooLarge`, 413).
    public var maxBodyBytes: Int
    /// The longest chunk-size line, extensions included, in bytes (over it: `chunkLineTooLong`, 400).
    public var maxChunkLineBytes: Int

    /// Creates limits; every value defaults to the standard one.
    public init(
        maxStartLineBytes: Int = 8192,
        maxHeaderLineBytes: Int = 8192,
        maxHeaderBytes: Int = 65536,
        maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 16 << 20,
        maxChunkLineBytes: Int = 4096
    ) {
        self.maxStartLineBytes = maxStartLineBytes
        self.maxHeaderLineBytes = maxHeaderLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }

    /// 8 KiB start line, 8 KiB per field line, 64 KiB of fields, 100 fields, 16 MiB body, 4 KiB chunk line.
    public static let standard = HTTPParserLimits()
}
