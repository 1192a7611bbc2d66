#if canImport(Glibc)
    import Glibc
#endif

/// A UTC instant with millisecond precision, written as `2025-11-25T12:00:00.123Z`.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64

    /// Makes a timestamp from milliseconds since the epoch.
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The current wall-clock time. `clock_gettime(CLOCK_REALTIME)`
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// Orders by time.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// ISO 8601 in UTC with milliseconds, e.g. `2025-11-25T12:00:00.123Z`.
    public var description: String {
        let time = calendarTime
        return time.date(separator: "-") + "T" + time.clock(separator: ":") + "." + Self.pad(time.millisecond, 3) + "Z"
    }

    /// `yyyymmdd_HHMMSS` in UTC, e.g. `20251125_120000`: a name for a directory made at this time, which sorts
    /// in time order and needs no quoting in a shell.
    public var compactName: String {
        let time = calendarTime
        return time.date(separator: "") + "_" + time.clock(separator: "")
    }

    /// The UTC calendar date and time of day.
    private struct CalendarTime {
        var year, month, day, hour, minute, second, millisecond: Int

        func date(separator: String) -> String {
            Timestamp.pad(year, 4) + separator + Timestamp.pad(month, 2) + separator + Timestamp.pad(day, 2)
        }

        func clock(separator: String) -> String {
            Timestamp.pad(hour, 2) + separator + Timestamp.pad(minute, 2) + separator + Timestamp.pad(second, 2)
        }
    }

    private var calendarTime: CalendarTime {
        let millisecond = Int(((millisecondsSinceEpoch % 1000) + 1000) % 1000)
        let seconds = (millisecondsSinceEpoch - Int64(millisecond)) / 1000
        let days = Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        return CalendarTime(
            year: year,
            month: month,
            day: day,
            hour: secondOfDay / 3600,
            minute: secondOfDay / 60 % 60,
            second: secondOfDay % 60,
            millisecond: millisecond
        )
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z`; nil for anything else.
    public init?(iso8601 text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var milliseconds = 0
        if bytes.count > 20 {
            // Digits below a millisecond are dropped unread: reading a long fraction (a hostile cassette) as
            // one number would overflow.
            let fraction = 20..<(bytes.count - 1)
            let millisecondDigits = min(fraction.count, 3)
            guard bytes[19] == UInt8(ascii: "."), !fraction.isEmpty,
                bytes[fraction].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let value = number(20..<(20 + millisecondDigits))
            else { return nil }
            milliseconds = value * Self.power(10, 3 - millisecondDigits)
        } else if bytes[19] != UInt8(ascii: "Z") {
            return nil
        }
        let days = Self.days(fromCivil: year, month, day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.millisecondsSinceEpoch = seconds * 1000 + Int64(milliseconds)
    }

    private static func power(_ base: Int, _ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { result, _ in result * base }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Howard Hinnant's `civil_from_days`.
    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Howard Hinnant's `days_from_civil`.
    private static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
