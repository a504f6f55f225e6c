import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Close-out: reconciliation blocks signing, then signing asks and signs; dates and counts
/// are checked; a signed session is read-only.
@Suite struct SessionCloseOutTests {
    let ctx = SessionFixtures.context()

    /// A session in close-out with 3 needles inserted.
    func closing() -> SessionScreen {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [
            SessionFixtures.entry("e1", "back-neck", "upper trapezius", .right, needles: 2),
            SessionFixtures.entry("e2", "buttock", "piriformis", .left),
        ]))
        s.send(.character("o"), SessionFixtures.context())
        return s
    }

    /// A close-out that records no aftercare yet starts with the clinic catalogue's defaults
    /// (it had a list of its own, which a clinic could not change).
    @Test func aftercareStartsFromTheClinicsTickedItems() throws {
        let session = SessionFixtures.chartingSession(entries: [SessionFixtures.entry("e1", "buttock", "piriformis", .left)])
        let built = CloseOutState(session: session, previous: nil, catalogue: .builtIn)
        #expect(built.aftercare.checked == ["keep-moving", "water", "heat-ice", "warn-infection"])
        let clinic = try CatalogueLoader.apply("aftercare:\n  - {id: home-exercise, name: home exercise, ticked: always}\n  - {id: heat-ice, name: heat or ice, ticked: never}\n",
                                               file: "clinic.yaml", over: .builtIn)
        let state = CloseOutState(session: session, previous: nil, catalogue: clinic)
        #expect(state.aftercare.checked == ["keep-moving", "water", "home-exercise", "warn-infection"])
        var recorded = session
        recorded.closeOut.aftercare = ["stretching"]
        #expect(CloseOutState(session: recorded, previous: nil, catalogue: clinic).aftercare.checked == ["stretching"], "what was recorded stays")
    }

    @Test func removedIsNotPrefilledAndTheCountMustReconcileBeforeSigning() {
        var s = closing()
        #expect(s.session.closeOut.needlesRemoved == nil)
        #expect(s.closing.removed.text.isEmpty)
        var out = s.send(Key.typing("2"), ctx)
        out += s.send(.down, ctx)  // leaving the field saves it
        #expect(s.session.closeOut.needlesRemoved == 2)
        #expect(effects(out) == [.saveSessionDetails(s.session)])
        #expect(s.reconciliationLine().1.role == .danger)
        out = s.send(.ctrl("s"), ctx)
        #expect(!s.closing.confirmingSign)
        #expect(!effects(out).contains { if case .signSession = $0 { true } else { false } })
        #expect(s.closing.blockers.first?.hasPrefix("1 needle(s) not accounted for (3 inserted, 2 removed)") == true)
        let text = s.drawn(width: 80, height: 24, context: ctx).text()
        #expect(text.contains("✕ 1 needle(s) not accounted for"))
    }

    /// From a new user's walk: the list of what blocks signing follows the field being typed,
    /// not only the fields already left (pain after typed, still focused, still listed as missing).
    @Test func theBlockerListFollowsTheFieldBeingTyped() {
        var s = closing()
        s.send(.character("a"), ctx)
        s.send(Key.typing("SJ2411-07"), ctx)
        s.send(.enter, ctx)
        #expect(s.closing.focus == .nprs)
        let before = s.drawn(width: 80, height: 24, context: ctx).text()
        #expect(before.contains("Record pain after treatment"))
        s.send(Key.typing("3"), ctx)
        #expect(s.session.closeOut.nprsAfter == nil, "not applied until the field is left or ^S")
        let after = s.drawn(width: 80, height: 24, context: ctx).text()
        #expect(!after.contains("Record pain after treatment"), "\(after)")
        #expect(after.contains("Ready to sign: ^S"))
    }

    @Test func theCountLineFollowsTheCountBeingTyped() {
        var s = closing()
        s.send(Key.typing("3"), ctx)
        #expect(s.closing.focus == .removed && s.session.closeOut.needlesRemoved == nil)
        #expect(s.drawn(width: 80, height: 24, context: ctx).text().contains("✓ Needles reconciled: 3 inserted"))
    }

    @Test func allRemovedThenPainAfterThenSignAsksAndSigns() {
        var s = closing()
        s.send(.character("a"), ctx)
        #expect(s.closing.removed.text == "3")
        #expect(s.reconciliationLine().1.role == .ok)
        #expect(s.closing.brand.text == "Seirin J-Type", "the brand carries over from last week")
        #expect(s.closing.lot.text.isEmpty, "the lot never carries over: a new box may have a new lot")
        #expect(s.closing.focus == .lot, "a goes on to the first empty field: the brand carried over is passed")
        s.send(Key.typing("SJ2411-07"), ctx)
        s.send(.enter, ctx)  // lot → pain after
        #expect(s.closing.focus == .nprs)
        s.send(Key.typing("3"), ctx)
        var out = s.send(.ctrl("s"), ctx)
        #expect(s.closing.confirmingSign)
        #expect(s.session.closeOut.nprsAfter == 3 && s.session.closeOut.needleLot == "SJ2411-07")
        #expect(effects(out) == [.saveSessionDetails(s.session)])
        #expect(appFrame(s, width: 80, height: 24, context: ctx).text().contains("Sign and lock this session? It cannot be changed"))
        out = s.send(.character("y"), ctx)
        #expect(effects(out) == [.signSession(id: 8, version: 0)])
        var signed = s.session
        signed.signature = Signature(by: "mkeller", signatureLine: SessionFixtures.clinician.signatureLine, at: SessionFixtures.now)
        signed.state = .signed
        out = s.receive(.signed(signed), context: ctx)
        #expect(s.phase == .signed)
        #expect(statusTexts(out).first?.hasPrefix("Signed and locked") == true)
        #expect(effects(s.send(.character("o"), ctx)).isEmpty)
        #expect(pops(s.send(.escape, ctx)))
    }

    @Test func anyKeyButYLeavesItUnsigned() {
        var s = closing()
        s.send([.character("a"), .down, .down], ctx)
        s.send(Key.typing("3"), ctx)
        s.send(.ctrl("s"), ctx)
        let out = s.send(.character("n"), ctx)
        #expect(effects(out).isEmpty)
        #expect(!s.closing.confirmingSign)
    }

    @Test func impossibleDatesAndPlansGetClearMessages() {
        var s = closing()
        s.closing.focus = .nextVisit
        s.send(Key.typing("2026-02-30"), ctx)
        s.send(.down, ctx)
        #expect(s.closing.issues[.nextVisit] == "Next visit: 2026-02-30 does not exist (day 30 is not in that month)")
        #expect(s.session.closeOut.plan.nextVisit == nil)
        s.send(Key.typing("31"), ctx)
        s.send(.down, ctx)
        #expect(s.closing.issues[.sessions] == "Sessions planned: enter 1 to 30")
        s.closing.focus = .nextVisit
        s.send(Key.typing("2026-03-21"), ctx)
        s.send(.down, ctx)
        #expect(s.session.closeOut.plan.nextVisit == CalendarDate(year: 2026, month: 3, day: 21))
    }

    @Test func adverseEventsArePickedWithTheirClass() {
        var s = closing()
        s.closing.focus = .adverse
        s.send(.enter, ctx)
        #expect(s.capturesText)
        s.send(Key.typing("bruis"), ctx)
        s.send(.enter, ctx)  // bruising (mild)
        s.send(Key.typing("left piriformis"), ctx)
        let out = s.send(.enter, ctx)
        #expect(s.session.closeOut.adverseEvents == [AdverseEvent(typeID: "bruising", severity: .mild, note: "left piriformis")])
        #expect(effects(out) == [.saveSessionDetails(s.session)])
        s.send(.enter, ctx)
        s.send(Key.typing("felt cold"), ctx)
        s.send([.enter, .character("s"), .enter], ctx)  // free text, significant, no further note
        #expect(s.session.closeOut.adverseEvents.last == AdverseEvent(typeID: nil, severity: .significant, note: "felt cold"))
    }

    /// Issue 9: an adverse event names its point and when it began.
    @Test func anAdverseEventNamesItsPointAndOnset() {
        var s = closing()
        s.closing.focus = .adverse
        s.send(.enter, ctx)
        s.send(Key.typing("bruis") + [.enter], ctx)
        s.send([.tab, .tab], ctx)                     // the second point
        s.send([.backTab, .backTab], ctx)             // began: during, then after
        let text = s.drawn(width: 80, height: 24, context: ctx).text()
        #expect(text.contains("Point: 2 \(s.session.entries[1].muscle) \(s.session.entries[1].side.letter) (Tab)"))
        #expect(text.contains("Began: after (⇧Tab)"), "each on its own line, whole at 80 columns (issue 10)")
        s.send(.enter, ctx)
        #expect(s.session.closeOut.adverseEvents == [AdverseEvent(typeID: "bruising", severity: .mild, entryID: s.session.entries[1].id, onset: .after)])
        // Tab past the last point is none again.
        s.send(.enter, ctx)
        s.send(Key.typing("bruis") + [.enter], ctx)
        s.send(Array(repeating: Key.tab, count: s.session.entries.count + 1), ctx)
        s.send(.enter, ctx)
        #expect(s.session.closeOut.adverseEvents.last?.entryID == nil)
    }

    @Test func backToChartingKeepsWhatWasTyped() {
        var s = closing()
        s.send(Key.typing("3"), ctx)
        let out = s.send(.ctrl("r"), ctx)
        #expect(s.session.state == .charting)
        #expect(effects(out) == [.saveSessionDetails(s.session)])
        #expect(s.session.closeOut.needlesRemoved == 3)
        s.send(.character("o"), ctx)
        #expect(s.closing.removed.text == "3")
    }

    @Test func aSignedSessionOpensReadOnly() {
        var s = SessionFixtures.screen(SessionFixtures.previous, previous: nil)
        #expect(s.phase == .signed)
        #expect(effects(s.send([.enter, .character("c"), .character("o"), .character("d"), .tab], ctx)).isEmpty)
        #expect(s.session == SessionFixtures.previous)
        #expect(s.drawn(width: 80, height: 24, context: ctx).text().contains("Signed by Maya Keller, PT, Cert. DN"))
    }

    @Test func aFailedSaveWithdrawsTheSigningQuestion() {
        var s = closing()
        s.send(.character("a"), ctx)  // on to the lot
        s.send(Key.typing("SJ2411-07"), ctx)
        s.send(.down, ctx)
        s.send(Key.typing("3"), ctx)
        _ = s.send(.ctrl("s"), ctx)
        #expect(s.closing.confirmingSign)
        let out = s.receive(.failed("The disk is full"), context: ctx)
        #expect(!s.closing.confirmingSign, "y must not sign the older stored values")
        #expect(statuses(out).first?.0.hasPrefix("Not saved, so not signed") == true)
        #expect(effects(s.send(.character("y"), ctx)).isEmpty)
    }
}
