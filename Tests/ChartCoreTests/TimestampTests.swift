import Foundation
import Testing
@testable import ChartCore

/// The arithmetic timestamps must equal Foundation's `Calendar` for every instant.
@Suite struct TimestampArithmeticTests {
    static let zones = ["UTC", "GMT", "Europe/Berlin", "America/New_York", "America/St_Johns", "Australia/Lord_Howe",
                        "Asia/Kolkata", "Pacific/Chatham", "America/Sao_Paulo", "Europe/London", "Pacific/Kiritimati"]
        .compactMap(TimeZone.init(identifier:))

    /// Deterministic instants: a spread over 1600–2200, every DST-ish hour around 2024's
    /// transitions, leap days and year ends, fractions and negatives.
    static var instants: [Date] {
        var out: [Date] = []
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        let lo = -11_676_096_000.0, hi = 7_258_118_400.0  // 1600-01-01 … 2200-01-01
        for _ in 0..<1500 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            out.append(Date(timeIntervalSince1970: (lo + Double(x >> 11) / Double(1 << 53) * (hi - lo)).rounded(.down)))
        }
        for day in ["2024-03-10", "2024-03-31", "2024-11-03", "2024-10-27", "2024-04-07", "2024-10-06", "2024-02-29", "2000-02-29", "1900-02-28", "1999-12-31", "1969-12-31"] {
            let base = Timestamp.Foundation_.parse(day + "T00:00:00Z")!
            for m in stride(from: -120, through: 60 * 30, by: 15) { out.append(base.addingTimeInterval(Double(m * 60))) }
        }
        out += [-0.5, 0.5, -1, 0, 59.999, 86_399.9, -86_400.25].map(Date.init(timeIntervalSince1970:))
        return out
    }

    @Test func isoAndParseEqualFoundation() {
        for d in Self.instants {
            #expect(Timestamp.iso(d) == Timestamp.Foundation_.iso(d))
            let text = Timestamp.iso(d)
            #expect(Timestamp.parse(text) == Timestamp.Foundation_.parse(text), "\(text)")
        }
    }

    @Test func displayTimeAndDayEqualFoundation() {
        let instants = Self.instants
        for zone in Self.zones {
            for d in instants {
                #expect(Timestamp.display(d, in: zone) == Timestamp.Foundation_.display(d, in: zone), "\(zone.identifier) \(d.timeIntervalSince1970)")
                #expect(Timestamp.time(d, in: zone) == Timestamp.Foundation_.time(d, in: zone))
                let c = Timestamp.Foundation_.components(d, in: zone)
                let day = CalendarDate(d, in: zone)
                #expect(day.year == c.year && day.month == c.month && day.day == c.day)
            }
        }
    }

    @Test func parseRejectsAndAcceptsLikeFoundation() {
        let texts = ["2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
                     "2024-01-01T23:60:00Z", "2024-01-01T23:59:60Z", "2024-01-01T23:59:61Z", "2024-01-01 23:59:59Z",
                     "2024-01-01T23:59:59", "+024-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "1582-10-10T00:00:00Z",
                     "1599-12-31T23:59:59Z", "1600-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2024-01-01T1a:00:00Z",
                     "2024-01-01T10x00y00Z", "", "2024-01-01T00:00:00Zx"]
        for t in texts { #expect(Timestamp.parse(t) == Timestamp.Foundation_.parse(t), "\(t)") }
    }

    @Test func calendarDateDescription() {
        for (y, m, d) in [(1, 1, 1), (999, 12, 31), (2024, 2, 29), (9999, 9, 9)] {
            #expect(CalendarDate(year: y, month: m, day: d)!.description == String(format: "%04d-%02d-%02d", y, m, d))
        }
    }
}
