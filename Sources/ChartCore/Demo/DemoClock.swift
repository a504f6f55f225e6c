import Foundation

/// Calendar arithmetic for the demo, anchored on the injected `today` and time zone so that
/// every instant the generator makes is reproducible.
struct DemoClock: Sendable {
    let calendar: Calendar
    let timeZone: TimeZone
    /// Midnight at the start of `today`: every generated session and addendum is before it.
    let startOfToday: Date

    init(today: Date, timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
        self.timeZone = timeZone
        startOfToday = calendar.startOfDay(for: today)
    }

    /// The start of the day `daysAgo` days before today.
    func day(_ daysAgo: Int) -> Date {
        calendar.date(byAdding: .day, value: -daysAgo, to: startOfToday) ?? startOfToday.addingTimeInterval(-86_400 * Double(daysAgo))
    }

    /// True when the day `daysAgo` days before today is a Sunday, when the clinic is closed.
    func isSunday(_ daysAgo: Int) -> Bool { calendar.component(.weekday, from: day(daysAgo)) == 1 }

    /// True when the day `daysAgo` days before today is a Saturday (morning clinic only).
    func isSaturday(_ daysAgo: Int) -> Bool { calendar.component(.weekday, from: day(daysAgo)) == 7 }

    /// Wall-clock `hour:minute` on the day `daysAgo` days before today.
    func at(_ daysAgo: Int, hour: Int, minute: Int) -> Date {
        let d = day(daysAgo)
        return calendar.date(bySettingHour: hour, minute: minute, second: 0, of: d) ?? d.addingTimeInterval(Double(hour * 3600 + minute * 60))
    }

    /// The calendar day of `date`.
    func calendarDate(_ date: Date) -> CalendarDate { CalendarDate(date, in: timeZone) }

    /// The calendar day `daysAgo` days before today (negative: in the future).
    func calendarDate(daysAgo: Int) -> CalendarDate { calendarDate(day(daysAgo).addingTimeInterval(12 * 3600)) }
}
