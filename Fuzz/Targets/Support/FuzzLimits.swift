import HTTPWire

/// Parser limits for the HTTP targets.
enum FuzzLimits {
    /// Limits small enough that short inputs reach every limit check.
    static let tiny = HTTPParserLimits(
        maxStartLineBytes: 24,
        maxHeaderLineBytes: 12,
        maxHeaderBytes: 30,
        maxHeaderCount: 3,
        maxBodyBytes: 9,
        maxChunkLineBytes: 6
    )
}
