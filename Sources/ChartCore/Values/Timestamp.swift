import Foundation

/// Formats and parses instants the one way NeedleChart stores and prints them.
public enum Timestamp {
    /// `2026-11-21T14:05:09Z`: how instants are stored and exported as data.
    public static func iso(_ date: Date) -> String {
        let c = components(date, in: TimeZone(identifier: "UTC")!)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute, c.second)
    }

    /// Parses the stored form written by `iso(_:)`.
    public static func parse(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count == 20, chars[4] == 45, chars[7] == 45, chars[10] == 84, chars[19] == 90 else { return nil }
        func num(_ r: Range<Int>) -> Int? { Int(String(decoding: chars[r], as: UTF8.self)) }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10),
              let h = num(11..<13), let mi = num(14..<16), let s = num(17..<19),
              CalendarDate(year: y, month: mo, day: d) != nil, h < 24, mi < 60, s < 61 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: y, month: mo, day: d, hour: h, minute: mi, second: s))
    }

    /// `2026-11-21 14:05` in `timeZone`: how instants are shown to a clinician.
    public static func display(_ date: Date, in timeZone: TimeZone) -> String {
        let c = components(date, in: timeZone)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.minute)
    }

    /// `14:05` in `timeZone`.
    public static func time(_ date: Date, in timeZone: TimeZone) -> String {
        let c = components(date, in: timeZone)
        return String(format: "%02d:%02d", c.hour, c.minute)
    }

    private static func components(_ date: Date, in timeZone: TimeZone) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return (c.year ?? 1970, c.month ?? 1, c.day ?? 1, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}
