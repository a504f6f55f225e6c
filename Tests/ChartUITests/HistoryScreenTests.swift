import Foundation
import ChartCore
import Testing
@testable import ChartUI

@Suite struct HistoryScreenTests {
    let context = UIFixtures.context()

    /// A history screen that has received Zoë's eight sessions.
    func loaded() -> HistoryScreen {
        var screen = HistoryScreen(patient: UIFixtures.zoe)
        _ = screen.receive(.history(UIFixtures.zoe, UIFixtures.history, regionCounts: UIFixtures.regionCounts), context: context)
        return screen
    }

    @Test func theHistoryArrivesAndTheNewestSessionIsSelected() {
        var screen = HistoryScreen(patient: UIFixtures.zoe)
        #expect(!screen.loaded)
        #expect(draw(screen).contains("Loading the sessions…"))
        _ = screen.receive(.history(UIFixtures.zoe, UIFixtures.history, regionCounts: UIFixtures.regionCounts), context: context)
        #expect(screen.loaded)
        #expect(screen.lines.count == 8)
        #expect(screen.selection == 0)
        #expect(screen.selectedLine?.sessionID == 108)
    }

    /// From a new user's walk: two sessions on one day read alike at 80 columns (date only).
    @Test func twoSessionsOnOneDayShowTheirTimes() {
        var screen = HistoryScreen(patient: UIFixtures.zoe)
        var lines = UIFixtures.history
        let morning = lines[0].startedAt.addingTimeInterval(-3 * 3600)
        lines.insert(HistoryLine(sessionID: 99, startedAt: morning, state: .signed, condition: lines[0].condition,
                                 points: 1, nprsBefore: 4, nprsAfter: 2, addenda: 0), at: 1)
        _ = screen.receive(.history(UIFixtures.zoe, lines, regionCounts: UIFixtures.regionCounts), context: context)
        let text = draw(screen)
        #expect(text.contains(Timestamp.display(lines[0].startedAt, in: context.timeZone)), "\(text)")
        #expect(text.contains(Timestamp.display(morning, in: context.timeZone)))
        // One session a day: the date alone, as before.
        #expect(!draw(loaded()).contains(Timestamp.display(lines[0].startedAt, in: context.timeZone)))
    }

    @Test func selectionMovesAndStopsAtTheEnds() {
        var screen = loaded()
        send([.up], to: &screen); #expect(screen.selection == 0)
        send([.down, .down], to: &screen); #expect(screen.selectedLine?.sessionID == 106)
        send([.pageDown], to: &screen); #expect(screen.selection == 7)
        send([.down], to: &screen); #expect(screen.selection == 7)
        send([.home], to: &screen); #expect(screen.selection == 0)
        send([.end], to: &screen); #expect(screen.selectedLine?.sessionID == 101)
    }

    @Test func aReloadKeepsTheSelectedSession() {
        var screen = loaded()
        send([.down, .down], to: &screen)
        var lines = UIFixtures.history
        lines.insert(HistoryLine(sessionID: 109, startedAt: UIFixtures.now, state: .screening, condition: PresentingCondition(),
                                 points: 0, nprsBefore: nil, nprsAfter: nil, addenda: 0), at: 0)
        _ = screen.receive(.history(UIFixtures.zoe, lines, regionCounts: [:]), context: context)
        #expect(screen.selectedLine?.sessionID == 106)
    }

    @Test func enterOnASignedSessionOpensItReadOnly() throws {
        var screen = loaded()
        send([.down], to: &screen)
        let commands = send([.enter], to: &screen)
        #expect(effects(commands) == [.openSession(id: 107)])
        #expect(pushed(commands).isEmpty)
        let back = screen.receive(.session(UIFixtures.signedSession, UIFixtures.zoe, previous: nil), context: context)
        let view = try #require(pushed(back).first as? SessionViewScreen)
        #expect(view.session.id == 107)
        #expect(effects(screen.reappeared(context: context)) == [.loadHistory(patientID: 42)])
    }

    @Test func enterOnAnUnsignedSessionResumesCharting() throws {
        var screen = loaded()
        let commands = send([.enter], to: &screen)
        #expect(effects(commands) == [.openSession(id: 108)])
        #expect(statuses(commands).first?.0.hasPrefix("Resuming the unsigned session of 2025-06-10 14:05") == true)
        let back = screen.receive(.session(UIFixtures.draftSession, UIFixtures.zoe, previous: UIFixtures.signedSession), context: context)
        let session = try #require(pushed(back).first as? SessionScreen)
        #expect(session.session.id == 108)
        #expect(session.previous?.id == 107)
        // Back on top (charting left or signed), the history is read again at once, not at the next key.
        #expect(effects(screen.reappeared(context: context)) == [.loadHistory(patientID: 42)])
        #expect(effects(send([.down], to: &screen)).isEmpty)
    }

    @Test func controlSStartsASessionOnlyWhenNoneIsUnfinished() throws {
        var screen = loaded()
        var commands = send([.ctrl("s")], to: &screen)
        #expect(effects(commands).isEmpty)
        #expect(statuses(commands).first?.1 == .warning)
        var signedOnly = HistoryScreen(patient: UIFixtures.zoe)
        _ = signedOnly.receive(.history(UIFixtures.zoe, Array(UIFixtures.history.dropFirst()), regionCounts: [:]), context: context)
        commands = send([.ctrl("s")], to: &signedOnly)
        #expect(effects(commands) == [.startSession(patientID: 42)])
        let fresh = NeedlingSession(id: 109, patientID: 42, clinician: "amoreau", startedAt: UIFixtures.now)
        let back = signedOnly.receive(.session(fresh, UIFixtures.zoe, previous: UIFixtures.signedSession), context: context)
        #expect(try #require(pushed(back).first as? SessionScreen).session.id == 109)
    }

    @Test func addendaGoOnlyOnSignedSessions() throws {
        var screen = loaded()
        var commands = send([.character("a")], to: &screen)
        #expect(pushed(commands).isEmpty)
        #expect(statuses(commands).first?.0.contains("not signed yet") == true)
        send([.down], to: &screen)
        commands = send([.character("a")], to: &screen)
        let addendum = try #require(pushed(commands).first as? AddendumScreen)
        #expect(addendum.sessionID == 107)
        #expect(addendum.condition == "neck pain: right-sided (chronic)")
        #expect(addendum.reloadAfterSave == nil, "History reads itself again when it is back on top")
    }

    @Test func xExportsTheSelectedSessionAndControlXAllOfThem() throws {
        var screen = loaded()
        send([.down], to: &screen)
        let one = try #require(pushed(send([.character("x")], to: &screen)).first as? ExportScreen)
        #expect(one.scope == .session(107))
        #expect(one.path.text == "/home/amoreau/NeedleChart/exports/needlechart-NC-0042-2025-06-03-session-107.txt")
        #expect(one.subject == "session of 2025-06-03 09:00 · chart NC-0042")
        let all = try #require(pushed(send([.ctrl("x")], to: &screen)).first as? ExportScreen)
        #expect(all.scope == .patient(42))
        #expect(all.path.text == "/home/amoreau/NeedleChart/exports/needlechart-NC-0042-all-sessions-2025-06-12.txt")
    }

    @Test func controlEEditsThePatientAndTheSaveReloadsTheHistory() throws {
        var screen = loaded()
        let form = try #require(pushed(send([.ctrl("e")], to: &screen)).first as? PatientFormScreen)
        #expect(form.original == UIFixtures.zoe)
        #expect(effects(screen.reappeared(context: context)) == [.loadHistory(patientID: 42)], "the save is shown once back on top")
    }

    @Test func changesReportedHereReloadAndEscapeGoesBack() {
        var screen = loaded()
        let addendum = Addendum(id: "a2", author: "amoreau", at: UIFixtures.now, text: "Follow-up call.")
        #expect(effects(screen.receive(.addendumAdded(addendum), context: context)) == [.loadHistory(patientID: 42)])
        #expect(effects(screen.receive(.signed(UIFixtures.signedSession), context: context)) == [.loadHistory(patientID: 42)])
        #expect(effects(screen.receive(.exported(path: "/tmp/x.txt"), context: context)) == [.loadHistory(patientID: 42)])
        #expect(pops(send([.escape], to: &screen)))
    }

    @Test func theMostNeedledRegionsAreTheTopFiveByName() {
        let screen = loaded()
        let top = screen.topRegions(UIFixtures.catalogue)
        #expect(top.map(\.name) == ["back of neck", "shoulder blade", "back of head", "upper back", "head and face"])
        #expect(top.map(\.count) == [14, 9, 6, 4, 2])
        let text = draw(screen)
        #expect(text.contains("Most needled regions"))
        #expect(!text.contains("chest"), "the sixth region is left out")
    }

    @Test func thePlotRunsOldestToNewestWithTheSelectionHighlighted() {
        var screen = loaded()
        let chart = screen.chart
        #expect(chart.points.first == NPRSChart.Point(label: "1", before: 8, after: 5))
        #expect(chart.points.last == NPRSChart.Point(label: "8", before: 3, after: nil))
        #expect(chart.highlighted == 7)
        send([.down], to: &screen)
        #expect(screen.chart.highlighted == 6)
    }

    @Test func theListShowsEachSessionsFacts() {
        let text = draw(loaded())
        #expect(text.contains("2025-06-10  neck pain: right-sided (chronic)"))
        #expect(text.contains("3 → –    old draft"), "a draft from before today is flagged")
        #expect(text.contains("4 → 0    signed"))
        #expect(text.contains("9 → 6    signed     +2"))
        #expect(text.contains("Zoë Ångström-山田 · chart NC-0042 · born 1979-05-14 (46)"))
        #expect(text.contains("8 sessions, 2025-04-15 to 2025-06-10 · 1 unsigned"))
    }

    @Test func anEmptyHistoryInvitesTheFirstSession() {
        var screen = HistoryScreen(patient: UIFixtures.zoe)
        _ = screen.receive(.history(UIFixtures.zoe, [], regionCounts: [:]), context: context)
        let text = draw(screen)
        #expect(text.contains("No sessions yet."))
        #expect(text.contains("^S starts the first session"))
        #expect(effects(send([.enter], to: &screen)).isEmpty)
    }

    @Test func privacyHidesTheNameInTheHistory() {
        let screen = loaded()
        for (w, h) in [(80, 24), (132, 43)] {
            let text = draw(screen, width: w, height: h, context: UIFixtures.context(privacy: true))
            #expect(!text.contains("Zoë"))
            #expect(!text.contains("山田"))
            #expect(text.contains("(name hidden) NC-0042"))
        }
    }

    @Test func theHistoryFitsAtEverySize() {
        let screen = loaded()
        for (w, h) in [(80, 24), (100, 30), (132, 43), (200, 50)] {
            expectFits(draw(screen, width: w, height: h), width: w)
        }
    }
}

/// Issue 9: what needs attention stands out in History.
@Suite struct HistoryFlagsTests {
    let context = UIFixtures.context()

    @Test func todaysDraftIsPlainAnOldOneIsFlaggedASeriousEventAndANonTreatmentAreMarked() {
        var lines = UIFixtures.history
        lines[0].startedAt = context.now                     // a draft begun today
        lines[1].seriousEvent = true
        lines[2].notTreated = true
        var screen = HistoryScreen(patient: UIFixtures.zoe)
        _ = screen.receive(.history(UIFixtures.zoe, lines, regionCounts: UIFixtures.regionCounts), context: context)
        let text = draw(screen, context: context)
        #expect(text.contains("3 → –    charting"), "today's draft is not old")
        #expect(!text.contains("old draft"))
        #expect(text.contains("4 → 0    signed     SAE"), "a serious adverse event is marked")
        #expect(text.contains("9 → 6    signed     +2"))
        #expect(text.contains("untreated"))
    }
}
