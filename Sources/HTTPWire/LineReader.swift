/// Collects one line that may arrive across any number of feeds, bounded by a length limit.
///
/// A line ends at CRLF. A LF without a CR right before it is reported as `bareLineFeed`, never taken
/// as a line end: RFC 9112 §2.2 lets a recipient accept one, but a proxy that ends a line where the
/// next recipient does not (or the other way round) turns one header field into two. The limit counts
/// the line's bytes without its line end, and is checked first (so the outcome is the same however the
/// input is split) and before anything is buffered, so memory stays within `limit + 1` bytes.
struct LineReader: Sendable {
    /// What one `read` found.
    enum Outcome {
        /// Every byte was consumed and the line is still open.
        case needMore
        /// The line is complete (without its line end).
        case line(ArraySlice<UInt8>)
        /// The line has more than `limit` bytes.
        case tooLong
        /// A LF arrived without a CR right before it; it was consumed, the last of the bytes read.
        case bareLineFeed
    }

    private var buffer: [UInt8] = []

    /// Whether part of a line is buffered, not counting a lone CR (which might start a blank line).
    var hasPartialLine: Bool {
        !(buffer.isEmpty || buffer == [ASCII.cr])
    }

    /// Reads from `bytes` up to and including the next LF; returns how many bytes were consumed.
    mutating func read(_ bytes: ArraySlice<UInt8>, limit: Int) -> (consumed: Int, outcome: Outcome) {
        guard let lineFeed = bytes.firstIndex(of: ASCII.lf) else {
            let lastByte = bytes.last ?? buffer.last
            let length = buffer.count + bytes.count - (lastByte == ASCII.cr ? 1 : 0)
            if length > limit {
                return (bytes.count, .tooLong)
            }
            buffer.append(contentsOf: bytes)
            return (bytes.count, .needMore)
        }
        let piece = bytes[bytes.startIndex..<lineFeed]
        let consumed = lineFeed - bytes.startIndex + 1
        let lastByte = piece.last ?? buffer.last
        let length = buffer.count + piece.count - (lastByte == ASCII.cr ? 1 : 0)
        if length > limit {
            return (consumed, .tooLong)
        }
        guard lastByte == ASCII.cr else {
            return (consumed, .bareLineFeed)
        }
        var line: ArraySlice<UInt8>
        if buffer.isEmpty {
            line = piece
        } else {
            buffer.append(contentsOf: piece)
            line = buffer[...]
            buffer = []
        }
        line.removeLast()  // the CR of the CRLF
        return (consumed, .line(line))
    }

    /// Forgets any partial line.
    mutating func reset() {
        buffer = []
    }
}
