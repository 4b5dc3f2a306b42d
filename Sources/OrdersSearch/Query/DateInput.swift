package import Foundation

/// Dates and date-times as people type them into `from`, `to` and `--since`, read strictly: the
/// digits must name a day that exists and a time of day that exists. Foundation's ISO 8601
/// parsing rolls impossible values over (`2026-02-30T10:00:00Z` became March 2, `T24:00:00` the
/// next day); here they are refused, so the caller can name the parameter.
package enum DateInput {
    /// A day of the (proleptic) Gregorian calendar, years 1 to 9999, written `2026-01-31`.
    package struct Day: Hashable, Sendable {
        package let year: Int
        package let month: Int
        package let day: Int

        /// `YYYY-MM-DD`, every part its full number of digits; nil for a day that does not exist
        /// (`2026-02-30`, `2025-02-29`, `2026-13-01`).
        package init?(_ text: some StringProtocol) {
            let bytes = Array(text.utf8)
            guard bytes.count == 10 else { return nil }
            self.init(bytes[...])
        }

        init?(_ bytes: ArraySlice<UInt8>) {
            let start = bytes.startIndex
            guard bytes.count == 10, bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
                let year = DateInput.number(bytes[start..<(start + 4)]), let month = DateInput.number(bytes[(start + 5)..<(start + 7)]),
                let day = DateInput.number(bytes[(start + 8)..<(start + 10)]),
                year >= 1, (1...12).contains(month), (1...Self.days(inMonth: month, of: year)).contains(day)
            else { return nil }
            self.year = year
            self.month = month
            self.day = day
        }

        /// When this day starts in `timeZone`, or the day `adding` days later.
        package func start(in timeZone: TimeZone, adding days: Int = 0) -> Date {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let start = calendar.date(from: DateComponents(year: year, month: month, day: day))!
            return days == 0 ? start : calendar.date(byAdding: .day, value: days, to: start)!
        }

        /// Days since 1970-01-01 (negative before), by Howard Hinnant's `days_from_civil`.
        var daysSinceEpoch: Int {
            let year = month <= 2 ? self.year - 1 : self.year
            let era = year / 400
            let yearOfEra = year - era * 400
            let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }

        static func days(inMonth month: Int, of year: Int) -> Int {
            switch month {
            case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }
    }

    /// An RFC 3339 date-time: `2026-01-31T08:00:00Z`, optionally with a fraction of a second
    /// (`.250`, kept to the millisecond) and an offset instead of `Z` (`+01:00`; also `+0100` and
    /// `+01`, which were accepted before). Hours 00-23, minutes and seconds 00-59 (no leap second),
    /// offsets up to ±23:59; nil for anything else.
    package static func instant(_ text: some StringProtocol) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, let day = Day(bytes[0..<10]), bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
            bytes[16] == UInt8(ascii: ":"), let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]),
            let second = number(bytes[17..<19]), hour <= 23, minute <= 59, second <= 59
        else { return nil }
        var index = 19
        var milliseconds = 0
        if bytes[index] == UInt8(ascii: ".") {
            let digits = bytes[(index + 1)...].prefix { $0 >= 0x30 && $0 <= 0x39 }
            guard (1...9).contains(digits.count) else { return nil }
            for position in 0..<3 {
                milliseconds = milliseconds * 10 + (position < digits.count ? Int(digits[digits.startIndex + position] - 0x30) : 0)
            }
            index += 1 + digits.count
        }
        guard let offset = offsetSeconds(bytes[index...]) else { return nil }
        let seconds = day.daysSinceEpoch * 86_400 + hour * 3_600 + minute * 60 + second - offset
        // Counted from Foundation's reference date, as its own parsing does: `.123` then prints as
        // `.123`, not `.122`.
        let sinceReferenceDate = (seconds - 978_307_200) * 1_000 + milliseconds
        return Date(timeIntervalSinceReferenceDate: Double(sinceReferenceDate) / 1_000)
    }

    /// `Z`, `±HH:MM`, `±HHMM` or `±HH`, in seconds east of UTC.
    private static func offsetSeconds(_ zone: ArraySlice<UInt8>) -> Int? {
        guard let sign = zone.first else { return nil }
        if sign == UInt8(ascii: "Z") { return zone.count == 1 ? 0 : nil }
        guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
        let rest = zone.dropFirst()
        let hours: Int?
        let minutes: Int?
        switch rest.count {
        case 5 where rest[rest.startIndex + 2] == UInt8(ascii: ":"):
            (hours, minutes) = (number(rest.prefix(2)), number(rest.suffix(2)))
        case 4: (hours, minutes) = (number(rest.prefix(2)), number(rest.suffix(2)))
        case 2: (hours, minutes) = (number(rest), 0)
        default: return nil
        }
        guard let hours, let minutes, hours <= 23, minutes <= 59 else { return nil }
        return (sign == UInt8(ascii: "-") ? -1 : 1) * (hours * 3_600 + minutes * 60)
    }

    /// The value of a run of ASCII digits (no sign, no spaces); nil if empty or anything else.
    static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}
