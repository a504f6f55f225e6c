import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// The Reports screen (SPEC §9): reached from Patients, loads through an effect, switches between
/// Safety and Outcomes, scrolls within its lines, filters the safety report, says when a range is
/// empty or the store refuses, and hides chart numbers under privacy.
@Suite struct ReportsScreenTests {
    let context = UIFixtures.context()

    /// Signed treatments of three patients: bruising twice (once reported late on an addendum),
    /// bleeding, a serious event, two episodes for one patient (the condition changes), pain that
    /// rose, and an episode without scores.
    static let sessions: [ReportSession] = {
        let neck = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        let back = PresentingCondition(catalogueID: "low-back-pain", onset: .acute)
        func event(_ type: String, _ severity: AdverseEventClass) -> AdverseEvent { AdverseEvent(typeID: type, severity: severity) }
        let rows: [(Int64, Int64, String, String, String, PresentingCondition, Int, Int?, Int?, Int?, [AdverseEvent], [AdverseEvent])] = [
            (1, 1, "NC-0001", "amoreau", "2025-05-06T09:00:00Z", neck, 4, 7, 5, 6, [event("bruising", .mild)], []),
            (2, 1, "NC-0001", "amoreau", "2025-05-13T09:00:00Z", neck, 3, 6, 4, 6, [], [event("bruising", .mild)]),
            (3, 1, "NC-0001", "amoreau", "2025-05-20T09:00:00Z", neck, 2, 4, 2, 6, [], []),
            (4, 1, "NC-0001", "sbrennan", "2025-06-03T09:00:00Z", back, 3, 8, 6, 3, [event("bleeding", .mild)], []),
            (5, 2, "NC-0002", "sbrennan", "2025-06-04T10:00:00Z", back, 5, 6, 7, nil, [event("pneumothorax", .serious)], []),
            (6, 3, "NC-0003", "amoreau", "2025-06-10T14:00:00Z", neck, 2, nil, nil, 4, [], []),
        ]
        return rows.map { id, patient, chart, who, at, condition, needles, before, after, planned, events, late in
            let start = UIFixtures.date(at)
            return ReportSession(id: id, patientID: patient, chartNumber: chart, clinician: who, startedAt: start,
                                 day: CalendarDate(start, in: UIFixtures.utc), condition: condition, needles: needles,
                                 nprsBefore: before, nprsAfter: after, sessionsPlanned: planned, events: events, lateEvents: late)
        }
    }()

    static func event(_ range: ReportRange = ReportRange(), sessions: [ReportSession] = Self.sessions) -> DataEvent {
        let inRange = sessions.filter { s in
            range.from.map { s.day >= $0 } ?? true && range.to.map { s.day <= $0 } ?? true && range.clinician.map { s.clinician == $0 } ?? true
        }
        return .reports(range, safety: SafetyReport.compute(inRange, catalogue: .builtIn), outcomes: OutcomesReport.compute(sessions, catalogue: .builtIn))
    }

    /// The app with the Reports screen opened from Patients with ^O and its reports arrived.
    func app(_ event: DataEvent? = Self.event(), size: TerminalSize = TerminalSize(width: 80, height: 24)) -> App {
        var app = App(home: PatientsScreen(), now: UIFixtures.now)
        app.resized(to: size)
        _ = app.receive(.patients([UIFixtures.zoe]), context: context)
        let effects = app.handle(.ctrl("o"), context: context)
        #expect(effects == [.loadReports(ReportRange())])
        if let event { _ = app.receive(event, context: context) }
        return app
    }

    func reports(_ app: App) throws -> ReportsScreen { try #require(app.top as? ReportsScreen) }

    @Test func ctrlOAndF6OpenTheReportsAndAskForThemOnce() throws {
        for key in [Key.ctrl("o"), .function(6)] {
            var s = PatientsScreen()
            let commands = s.handle(key, context: context)
            #expect(commands.count == 2)
            guard commands.count == 2, case let .push(screen) = commands[0], case let .run(effect) = commands[1] else {
                Issue.record("\(key.label): \(commands)"); continue
            }
            #expect(screen is ReportsScreen)
            #expect(effect == .loadReports(ReportRange()))
            #expect(!effect.isSave, "a report only reads: the title says loading…, not saving…")
        }
    }

    @Test func itSaysLoadingUntilTheReportsArriveThenShowsSafety() throws {
        var app = app(nil)
        app.started([.loadReports(ReportRange())])
        let waiting = app.render(width: 80, height: 24, context: context).text()
        #expect(waiting.contains("Loading the reports…") && waiting.contains("Reports · loading…"), "\(waiting)")
        app.finished(.loadReports(ReportRange()))
        _ = app.receive(Self.event(), context: context)
        let s = try reports(app)
        #expect(!s.loading && s.safety?.treatments == 6 && s.outcomes?.episodes.count == 4)
        let text = app.render(width: 80, height: 24, context: context).text()
        #expect(text.contains("Treatments: 6 (signed sessions with needling); needles inserted: 19"))
        #expect(text.contains("bruising (mild)              2+ 33.3% (9.7–70.0)  10.53% (2.94–31.39) 7.55%"), "\(text)")
    }

    @Test func tabSwitchesTheViewAndEachKeepsItsScroll() throws {
        var app = app()
        _ = app.handle(.pageDown, context: context)
        let safetyScroll = try reports(app).scrolls[.safety]
        #expect((safetyScroll ?? 0) > 0)
        _ = app.handle(.tab, context: context)
        #expect(try reports(app).view == .outcomes)
        let text = app.render(width: 80, height: 24, context: context).text()
        #expect(text.contains("OUTCOMES: per episode of care") && text.contains("Episodes: 4; with NPRS first and last: 3"), "\(text)")
        _ = app.handle(.left, context: context)
        #expect(try reports(app).view == .safety)
        #expect(try reports(app).scrolls[.safety] == safetyScroll)
    }

    /// Scrolling stops with the last line on the last row, at any size; a report that fits has no
    /// marker and does not scroll.
    @Test func scrollingStaysWithinTheReportAndSaysWhatIsMore() throws {
        for size in [TerminalSize(width: 80, height: 24), TerminalSize(width: 120, height: 40)] {
            var app = app(size: size)
            let first = app.render(width: size.width, height: size.height, context: context).text()
            #expect(first.contains("more below"), "\(size)")
            for _ in 0..<50 { _ = app.handle(.down, context: context) }
            let s = try reports(app)
            let ctx = { var c = context; c.area = App.area(for: size); return c }()
            let count = s.lines(width: ReportsScreen.contentWidth(ctx.area), context: ctx).count
            let page = ReportsScreen.page(count, rows: s.bodyRows(ctx.area))
            #expect(s.scrolls[.safety] == page.last, "\(size)")
            let end = app.render(width: size.width, height: size.height, context: context).text()
            #expect(end.contains("Major (about 1 in 1,000): Boyce et al.") || end.contains("20 major events in 20,464 treatments"), "\(end)")
            #expect(!end.contains("more below") && end.contains("above"))
            _ = app.handle(.home, context: context)
            #expect(try reports(app).scrolls[.safety] == 0)
        }
        // Outcomes of one episode fit at 120×40: no marker, and ↓ moves nothing.
        var one = app(Self.event(sessions: [Self.sessions[5]]), size: TerminalSize(width: 120, height: 40))
        _ = one.handle(.tab, context: context)
        _ = one.handle(.down, context: context)
        #expect(try reports(one).scrolls[.outcomes] == 0)
        #expect(!one.render(width: 120, height: 40, context: context).text().contains("more below"))
    }

    @Test func theSafetyPlotMarksRateIntervalAndPublishedRate() throws {
        let s = try reports(app())
        let lines = s.lines(width: 76, context: context).map(\.text)
        let bruising = try #require(lines.first { $0.hasPrefix("bruising ") && $0.contains("●") })
        // 2 of 6 (33.3%, 9.7–70.0) on a 0–100% scale (any mild event reaches 81.2%); the
        // published 7.55% left of the interval.
        let track = String(bruising.dropFirst(28))
        let dot = try #require(track.firstIndex(of: "●")), diamond = try #require(track.firstIndex(of: "◆"))
        let open = try #require(track.firstIndex(of: "├")), close = try #require(track.firstIndex(of: "┤"))
        #expect(diamond < open && open < dot && dot < close)
        let plot = RateTrack(width: track.count, scale: 1.0)
        #expect(track.distance(from: track.startIndex, to: dot) == plot.column(2.0 / 6))
        #expect(lines.contains { $0.hasSuffix("0%") && $0.contains(" 50% ") && $0.hasSuffix("100%") })
        #expect(lines.contains("● this clinic  ├─┤ 95% interval  ◆ published (survey)  ◈ both"))
        // A rate and a published rate on the same column show as both.
        #expect(RateTrack(width: 11, scale: 1).line(Proportion(1, of: 2), published: 0.5).text.contains("◈"))
    }

    @Test func theFilterAsksForTheSafetyReportOverItsRange() throws {
        var app = app()
        _ = app.handle(.character("f"), context: context)
        #expect(try reports(app).capturesText)
        // A day that is no day is refused where it was typed; nothing is asked of the store.
        var effects = Key.typing("2025-13-01").flatMap { app.handle($0, context: context) }
        effects += app.handle(.enter, context: context)
        #expect(effects.isEmpty)
        #expect(try reports(app).form?.error == "From '2025-13-01' is not a day YYYY-MM-DD.")
        #expect(app.render(width: 80, height: 24, context: context).text().contains("From '2025-13-01' is not a day YYYY-MM-DD."))
        _ = app.handle(.ctrl("u"), context: context)
        effects = Key.typing("2025-06-01").flatMap { app.handle($0, context: context) }
        _ = app.handle(.tab, context: context)
        _ = Key.typing("2025-05-01").map { app.handle($0, context: context) }
        effects += app.handle(.enter, context: context)
        #expect(effects.isEmpty)
        #expect(try reports(app).form?.error == "To 2025-05-01 is before From 2025-06-01.")
        _ = app.handle(.ctrl("u"), context: context)
        _ = app.handle(.tab, context: context)
        _ = Key.typing("sbrennan").map { app.handle($0, context: context) }
        effects = app.handle(.enter, context: context)
        let range = ReportRange(from: CalendarDate(iso: "2025-06-01"), clinician: "sbrennan")
        #expect(effects == [.loadReports(range)])
        let applied = try reports(app)
        #expect(applied.form == nil && !applied.capturesText)
        _ = app.receive(Self.event(range), context: context)
        let text = app.render(width: 80, height: 24, context: context).text()
        #expect(text.contains("Range: from 2025-06-01; clinician sbrennan") && text.contains("Treatments: 2 (signed"), "\(text)")
        // Outcomes still cover every episode, and say the filter is Safety's.
        _ = app.handle(.tab, context: context)
        let outcomes = app.render(width: 80, height: 24, context: context).text()
        #expect(outcomes.contains("Episodes: 4;") && outcomes.contains("(the filter narrows Safety only)"), "\(outcomes)")
        // Esc closes the form without asking again.
        _ = app.handle(.character("f"), context: context)
        #expect(app.handle(.escape, context: context).isEmpty)
        #expect(try reports(app).form == nil)
    }

    @Test func anEmptyRangeSaysSo() throws {
        let range = ReportRange(from: CalendarDate(iso: "2001-01-01"), to: CalendarDate(iso: "2001-12-31"))
        var app = app(Self.event(range, sessions: Self.sessions))
        let text = app.render(width: 80, height: 24, context: context).text()
        #expect(flat(text).contains("No signed treatment sessions in this range (2001-01-01 to 2001-12-31, all clinicians)."), "\(text)")
        #expect(!text.contains("PLOT"))
        var none = self.app(Self.event(sessions: []))
        _ = none.handle(.tab, context: context)
        #expect(none.render(width: 80, height: 24, context: context).text().contains("No signed treatment sessions: no episode to report."))
        _ = app.handle(.escape, context: context)
        #expect(app.top is PatientsScreen, "Esc goes back")
    }

    /// A store that cannot read the reports (a server gone, a busy one): the screen shows its
    /// message, and `r` asks again.
    @Test func aRefusalIsShownAndRTriesAgain() throws {
        var app = app(nil)
        let message = "The connection to PostgreSQL was lost (postgresql:///clinic): what was being done now was not saved; everything saved before it is safe, and the next step reconnects."
        _ = app.receive(.failed(message), context: context)
        let text = app.render(width: 80, height: 24, context: context).text()
        #expect(flat(text).contains(message), "\(text)")
        #expect(text.contains("r tries again"))
        #expect(app.handle(.character("r"), context: context) == [.loadReports(ReportRange())])
    }

    /// Privacy (^P, and the idle lock's hiding) replaces chart numbers with episode numbers in
    /// the table and the plot; names are never shown.
    @Test func privacyHidesChartNumbers() throws {
        for size in [TerminalSize(width: 80, height: 24), TerminalSize(width: 120, height: 40)] {
            var app = app(size: size)
            _ = app.handle(.tab, context: context)
            _ = app.handle(.ctrl("p"), context: context)
            let s = try reports(app)
            var hidden = context; hidden.privacy = true
            let all = s.lines(width: ReportsScreen.contentWidth(App.area(for: size)), context: hidden).map(\.text).joined(separator: " ")
            #expect(!all.contains("NC-000"), "\(all)")
            #expect(all.contains("#1 ") && all.contains("#4 ") && all.contains("chart numbers hidden"))
            #expect(!app.render(width: size.width, height: size.height, context: context).text().contains("NC-000"))
            _ = app.handle(.ctrl("p"), context: context)
            #expect(app.render(width: size.width, height: size.height, context: context).text().contains("NC-0001"))
        }
    }

    /// Chart numbers and free-text conditions come from the record: control characters never reach the screen.
    @Test func recordTextIsSanitized() throws {
        var hostile = Self.sessions
        hostile[5].chartNumber = "NC\u{1B}[2J-3"
        hostile[5].condition = PresentingCondition(text: "neck\u{07}\u{1B}]0;pwned\u{07}", onset: .acute)
        for view in 0..<2 {
            var app = app(Self.event(sessions: hostile), size: TerminalSize(width: 120, height: 40))
            if view == 1 { _ = app.handle(.tab, context: context) }
            for _ in 0..<6 { _ = app.handle(.pageDown, context: context) }
            for size in [(80, 24), (120, 40)] {
                let text = app.render(width: size.0, height: size.1, context: context).text()
                #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(text)")
            }
        }
    }

    // MARK: - Golden screens

    @Test func goldenSafetyAndOutcomesAt80x24() throws {
        var app = app()
        try Golden.check(app.render(width: 80, height: 24, context: context).text(), "reports-safety-80x24.txt")
        _ = app.handle(.pageDown, context: context)
        try Golden.check(app.render(width: 80, height: 24, context: context).text(), "reports-safety-plot-80x24.txt")
        _ = app.handle(.tab, context: context)
        try Golden.check(app.render(width: 80, height: 24, context: context).text(), "reports-outcomes-80x24.txt")
        _ = app.handle(.pageDown, context: context)
        try Golden.check(app.render(width: 80, height: 24, context: context).text(), "reports-outcomes-plot-80x24.txt")
        _ = app.handle(.character("f"), context: context)
        _ = Key.typing("2025-06-01").map { app.handle($0, context: context) }
        try Golden.check(app.render(width: 80, height: 24, context: context).text(), "reports-filter-80x24.txt")
    }

    @Test func goldenAt120x40UsesTheRoom() throws {
        var app = app(size: TerminalSize(width: 120, height: 40))
        let safety = app.render(width: 120, height: 40, context: context).text()
        try Golden.check(safety, "reports-safety-120x40.txt")
        #expect(safety.contains("PUBLISHED"), "the published column has its full heading when there is room")
        _ = app.handle(.tab, context: context)
        let outcomes = app.render(width: 120, height: 40, context: context).text()
        try Golden.check(outcomes, "reports-outcomes-120x40.txt")
        #expect(outcomes.contains("RESP  NPRS 0–10") && outcomes.contains("○ first") && !outcomes.contains("PLOT: NPRS"), "the tracks go beside the table")
    }

    private func flat(_ text: String) -> String {
        text.split(whereSeparator: { $0 == "\n" || $0 == " " || $0 == "│" }).joined(separator: " ")
    }
}
