import Foundation

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// UTC timestamps as the envelope writes them: `2026-02-24T17:30:00.123Z`.
enum Timestamp {
    /// Now.
    static func now() -> String {
        format(Date())
    }

    /// A date in ISO 8601 with milliseconds, UTC.
    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        let millis = Int((interval - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }

    /// `yyyymmdd_HHMMSS` in UTC, for default output directory names.
    static func compact(_ date: Date) -> String {
        let iso = format(date)
        let digits = iso.prefix(19).filter { $0.isNumber }
        return String(digits.prefix(8)) + "_" + String(digits.dropFirst(8))
    }
}
