import Foundation

/// Formats and parses instants the one way NeedleChart stores and prints them.
///
/// The stored form `YYYY-MM-DDTHH:MM:SSZ` is parsed and formatted with integer arithmetic on the
/// proleptic Gregorian calendar (days from 1970-01-01 by Howard Hinnant's days-from-civil), and a
/// zone's offset is asked once per instant with `TimeZone.secondsFromGMT(for:)`. That is what
/// Foundation's Gregorian `Calendar` does too; outside years 1600–9999 (where Foundation switches
/// to the Julian calendar, or a year no longer has four digits) the `Calendar` path is kept, so the
/// output is the same for every instant. Tests compare both paths.
public enum Timestamp {
    /// `2026-11-21T14:05:09Z`: how instants are stored and exported as data.
    public static func iso(_ date: Date) -> String {
        guard let f = fields(date, offset: 0) else { return Foundation_.iso(date) }
        var b = Bytes()
        b.digits(f.year, 4); b.byte(45); b.digits(f.month, 2); b.byte(45); b.digits(f.day, 2); b.byte(84)
        b.digits(f.hour, 2); b.byte(58); b.digits(f.minute, 2); b.byte(58); b.digits(f.second, 2); b.byte(90)
        return b.string
    }

    /// Parses the stored form written by `iso(_:)`.
    public static func parse(_ text: String) -> Date? {
        var utf8 = text
        return utf8.withUTF8 { u -> Date? in
            guard u.count == 20, u[4] == 45, u[7] == 45, u[10] == 84, u[19] == 90 else {
                return Foundation_.parse(text)
            }
            func num(_ from: Int, _ count: Int) -> Int? {
                var n = 0
                for i in from..<(from + count) {
                    let c = u[i]
                    guard isDigit(c) else { return nil }
                    n = n * 10 + Int(c - 48)
                }
                return n
            }
            guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2),
                  let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2), y >= firstYear else {
                return Foundation_.parse(text)
            }
            guard CalendarDate(year: y, month: mo, day: d) != nil, h < 24, mi < 60, s < 61 else { return nil }
            let seconds = daysFromCivil(y, mo, d) * 86_400 + h * 3_600 + mi * 60 + s
            return Date(timeIntervalSince1970: TimeInterval(seconds))
        }
    }

    /// `2026-11-21 14:05` in `timeZone`: how instants are shown to a clinician.
    public static func display(_ date: Date, in timeZone: TimeZone) -> String {
        guard let f = fields(date, offset: offset(timeZone, date)) else { return Foundation_.display(date, in: timeZone) }
        var b = Bytes()
        b.digits(f.year, 4); b.byte(45); b.digits(f.month, 2); b.byte(45); b.digits(f.day, 2); b.byte(32)
        b.digits(f.hour, 2); b.byte(58); b.digits(f.minute, 2)
        return b.string
    }

    /// `14:05` in `timeZone`.
    public static func time(_ date: Date, in timeZone: TimeZone) -> String {
        guard let f = fields(date, offset: offset(timeZone, date)) else { return Foundation_.time(date, in: timeZone) }
        var b = Bytes()
        b.digits(f.hour, 2); b.byte(58); b.digits(f.minute, 2)
        return b.string
    }

    /// The calendar day of `date` in `timeZone` (year, month, day), as `Calendar` would give it.
    public static func day(_ date: Date, in timeZone: TimeZone) -> (year: Int, month: Int, day: Int) {
        guard let f = fields(date, offset: offset(timeZone, date)) else {
            let c = Foundation_.components(date, in: timeZone)
            return (c.year, c.month, c.day)
        }
        return (f.year, f.month, f.day)
    }

    // MARK: - Arithmetic

    /// Years before this are left to Foundation (its Gregorian calendar is Julian before 1582).
    static let firstYear = 1600
    private static let firstSecond = daysFromCivil(firstYear, 1, 2) * 86_400
    private static let lastSecond = daysFromCivil(9999, 12, 30) * 86_400

    private static func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    /// The zone's offset from UTC at `date`, in seconds (0 without asking for UTC itself).
    private static func offset(_ zone: TimeZone, _ date: Date) -> Int {
        let id = zone.identifier
        if id == "UTC" || id == "GMT" { return 0 }
        return zone.secondsFromGMT(for: date)
    }

    /// Days from 1970-01-01 to the proleptic Gregorian day y-m-d.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The proleptic Gregorian day `z` days from 1970-01-01.
    static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The wall-clock fields of `date` shifted by `offset` seconds; nil outside the arithmetic range.
    private static func fields(_ date: Date, offset: Int) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)? {
        let t = date.timeIntervalSince1970
        guard t.isFinite, t > Double(firstSecond), t < Double(lastSecond) else { return nil }
        let local = Int(t.rounded(.down)) + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secs = local - days * 86_400
        let (y, m, d) = civilFromDays(days)
        guard y >= firstYear, y <= 9999 else { return nil }
        return (y, m, d, secs / 3_600, secs / 60 % 60, secs % 60)
    }

    /// A few ASCII bytes built without `String(format:)`.
    private struct Bytes {
        var storage: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        mutating func byte(_ c: UInt8) {
            withUnsafeMutableBytes(of: &storage) { $0[count] = c }
            count += 1
        }
        mutating func digits(_ n: Int, _ width: Int) {
            var p = 1
            for _ in 1..<width { p *= 10 }
            var n = n
            while p > 0 { byte(UInt8(48 + n / p)); n %= p; p /= 10 }
        }
        var string: String {
            withUnsafeBytes(of: storage) { String(decoding: $0.prefix(count), as: UTF8.self) }
        }
    }

    // MARK: - Foundation (the reference, and the path outside years 1600–9999)

    /// The `Calendar`-based implementation: used outside the arithmetic range, and by tests as the
    /// reference the arithmetic must equal.
    public enum Foundation_ {
        public static func iso(_ date: Date) -> String {
            let c = components(date, in: TimeZone(identifier: "UTC")!)
            return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute, c.second)
        }

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

        public static func display(_ date: Date, in timeZone: TimeZone) -> String {
            let c = components(date, in: timeZone)
            return String(format: "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.minute)
        }

        public static func time(_ date: Date, in timeZone: TimeZone) -> String {
            let c = components(date, in: timeZone)
            return String(format: "%02d:%02d", c.hour, c.minute)
        }

        public static func components(_ date: Date, in timeZone: TimeZone) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = timeZone
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            return (c.year ?? 1970, c.month ?? 1, c.day ?? 1, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        }
    }
}
