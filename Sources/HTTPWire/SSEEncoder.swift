/// Writes server-sent event frames in the `text/event-stream` format.
public enum SSEEncoder {
    /// The wire bytes of one frame.
    ///
    /// An event becomes `event: x\n` (when `event` is set), `id: x\n` (when `id` is set),
    /// `retry: n\n` (when `retry` is set and not negative), one `data: line\n` per line of `data`
    /// (split at CRLF, LF or CR), then `\n`. A comment becomes one `: line\n` per line of its text, then
    /// `\n`. Line breaks inside `event` or `id` cannot be framed and are written as spaces.
    public static func encode(_ frame: SSEFrame) -> [UInt8] {
        var bytes: [UInt8] = []
        switch frame {
        case .event(let event):
            if let type = event.event {
                appendField("event", singleLine(type), to: &bytes)
            }
            if let id = event.id {
                appendField("id", singleLine(id), to: &bytes)
            }
            if let retry = event.retry, retry >= 0 {
                appendField("retry", Array(String(retry).utf8)[...], to: &bytes)
            }
            for line in lines(of: event.data) {
                appendField("data", line, to: &bytes)
            }
        case .comment(let text):
            for line in lines(of: text) {
                appendField("", line, to: &bytes)
            }
        }
        bytes.append(ASCII.lf)
        return bytes
    }

    /// Appends `name: value\n`.
    private static func appendField(_ name: String, _ value: ArraySlice<UInt8>, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(ASCII.colon)
        bytes.append(ASCII.space)
        bytes.append(contentsOf: value)
        bytes.append(ASCII.lf)
    }

    /// The UTF-8 of `text` with CR and LF replaced by spaces.
    private static func singleLine(_ text: String) -> ArraySlice<UInt8> {
        text.utf8.map { $0 == ASCII.cr || $0 == ASCII.lf ? ASCII.space : $0 }[...]
    }

    /// The lines of `text` split at CRLF, LF or CR; an empty text is one empty line.
    private static func lines(of text: String) -> [ArraySlice<UInt8>] {
        let bytes = Array(text.utf8)
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.cr || byte == ASCII.lf {
                lines.append(bytes[start..<index])
                if byte == ASCII.cr && index + 1 < bytes.count && bytes[index + 1] == ASCII.lf {
                    index += 1
                }
                start = index + 1
            }
            index += 1
        }
        lines.append(bytes[start..<bytes.count])
        return lines
    }
}
