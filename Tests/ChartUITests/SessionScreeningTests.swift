import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// The screening phase: answering, blocking, consent, NPRS, and the move to charting.
@Suite struct SessionScreeningTests {
    let ctx = SessionFixtures.context()
    let rows = ScreeningState.rows(.builtIn)

    @Test func allNoConsentAndNPRSStartCharting() {
        var s = SessionFixtures.screen(SessionFixtures.newSession(screening: []), previous: nil)
        s.send([.enter, .enter], ctx)  // pick the first condition: neck pain
        #expect(s.session.condition.catalogueID == "neck-pain")
        s.send(.character("c"), ctx)  // chronic (from the onset row)
        s.send(.character("N"), ctx)  // every unanswered item: no
        #expect(s.session.screening.count == Catalogue.builtIn.screening.count)
        #expect(s.session.screening.allSatisfy { !$0.present })
        #expect(rows[s.screening.focus] == .consent)
        let status = statusTexts(s.send(.character("a"), ctx))  // consent obtained, all three explained
        #expect(s.session.consent.obtained)
        #expect(s.session.consent.at == SessionFixtures.now)
        #expect(s.session.consent.obtainedBy == "mkeller")
        #expect(s.session.consent.explained == Catalogue.builtIn.consentItems.map(\.id))
        #expect(status == ["All 3 explained items ticked: it is not acupuncture; common effects; rare risks"])
        #expect(rows[s.screening.focus] == .nprs)
        s.send(.end, ctx)
        s.send(Key.typing("6"), ctx)
        let out = s.send(.ctrl("s"), ctx)
        #expect(s.session.state == .charting)
        #expect(s.session.nprsBefore == 6)
        #expect(s.session.condition.onset == .chronic)
        #expect(effects(out) == [.saveSessionDetails(s.session)])
    }

    @Test func aBadScoreGetsTheValidationMessageAndStays() {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(), previous: nil)
        s.session.state = .screening
        s.session.nprsBefore = nil
        s.send(.end, ctx)
        s.send(Key.typing("11"), ctx)
        let out = s.send(.ctrl("s"), ctx)
        #expect(s.session.state == .screening)
        #expect(effects(out).isEmpty)
        #expect(statusTexts(out).first?.contains("'11' is not a pain score") == true)
        #expect(s.drawn(width: 80, height: 24, context: ctx).text().contains("'11' is not a pain score"))
    }

    @Test func aContraindicationBlocksWithItsReason() throws {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(), previous: SessionFixtures.previous)
        s.session.state = .screening
        let pregnancy = try #require(rows.firstIndex(of: .item(2)))
        s.screening.focus = pregnancy
        s.send(.character("y"), ctx)
        let out = s.send(.ctrl("s"), ctx)
        #expect(s.session.state == .screening)
        #expect(effects(out).isEmpty)
        #expect(s.screening.blockers == ["Contraindicated: Pregnancy (especially the first trimester). Needling may not go ahead until this is resolved."])
        #expect(s.changedAnswers == ["pregnancy"])
        let text = s.drawn(width: 80, height: 24, context: ctx).text()
        #expect(text.contains("YES ✕ blocks needling"))
        #expect(text.contains("Contraindicated: Pregnancy (especially the first trimester). Needling may"))
        // y on a contraindication moved on, as n does (issue 10).
        #expect(s.screening.focus == pregnancy + 1)
        // Back on it, answering no asks why (issue 9: never lifted silently), then lifts the block.
        s.send([.up, .character("n")], ctx)
        #expect(s.screening.reasonPrompt != nil && s.answer("pregnancy")?.present == true)
        s.send(Key.typing("misheard: not pregnant") + [.enter], ctx)
        #expect(s.answer("pregnancy")?.present == false && s.session.screeningChanges.count == 1)
        #expect(effects(s.send(.ctrl("s"), ctx)) == [.saveSessionDetails(s.session)])
    }

    @Test func siteSpecificYesAsksForRegionsWhichAreThenBlocked() throws {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(), previous: nil)
        s.session.state = .screening
        s.screening.focus = try #require(rows.firstIndex(of: .item(8)))  // local infection
        s.send(.character("y"), ctx)
        #expect(s.screening.regionPick != nil)
        s.send([.down, .down, .character(" "), .enter], ctx)  // the third region: chest
        #expect(s.session.screening.first { $0.itemID == "local-infection" }?.regions == ["chest"])
        #expect(effects(s.send(.ctrl("s"), ctx)).count == 1)
        #expect(s.blockedRegions["chest"] != nil)
        s.charting.block = try #require(s.blocks.firstIndex { $0.regionID == "chest" })
        let out = s.send(.enter, ctx)
        #expect(s.charting.form == nil)
        #expect(statusTexts(out).first?.contains("may not be needled") == true)
    }

    @Test func aPrecautionNeedsAnAcknowledgement() throws {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(), previous: nil)
        s.session.state = .screening
        s.screening.focus = try #require(rows.firstIndex(of: .item(12)))  // anticoagulants
        s.send(.character("y"), ctx)
        _ = s.send(.ctrl("s"), ctx)
        #expect(s.screening.blockers.contains { $0.hasPrefix("Acknowledge the precaution(s): Blood thinners") })
        s.send(.character("a"), ctx)
        #expect(s.session.screening.first { $0.itemID == "anticoagulants" }?.acknowledged == true)
        _ = s.send(.ctrl("s"), ctx)
        #expect(s.session.state == .charting)
    }

    @Test func freeTextConditionCapturesLettersAndEscLeavesSavingWhatChanged() {
        var s = SessionFixtures.screen(SessionFixtures.newSession(), previous: nil)
        #expect(!s.capturesText)
        s.send(.enter, ctx)
        #expect(s.capturesText)
        s.send(Key.typing("whiplash?"), ctx)
        let picked = s.send(.enter, ctx)
        #expect(s.session.condition == PresentingCondition(catalogueID: nil, text: "whiplash?"))
        #expect(effects(picked) == [.saveSessionDetails(s.session)], "saved as soon as it is chosen")
        let out = s.send(.escape, ctx)
        #expect(pops(out))
        #expect(effects(out).isEmpty, "nothing left unsaved")
        #expect(statusTexts(out).first?.contains("unfinished") == true)
    }

    @Test func everyAnswerIsSavedAsItIsGiven() {
        var s = SessionFixtures.screen(SessionFixtures.newSession(), previous: nil)
        s.send([.down, .down], ctx)  // past condition and onset, to the first item
        let out = s.send(.character("y"), ctx)
        let saved = effects(out).compactMap { e -> NeedlingSession? in if case let .saveSessionDetails(x) = e { x } else { nil } }
        #expect(saved.count == 1)
        #expect(saved.first?.screening.contains { $0.present } == true, "the yes is in what is saved")
        #expect(s.send(.down, ctx).isEmpty, "moving changes nothing and saves nothing")
    }

    // MARK: - Consent: what was explained, each on its own; who obtained it and when

    /// The finding: y for consent ticked all three "explained" items at once.
    @Test func yForConsentTicksNothingExplained() throws {
        var s = SessionFixtures.screen(SessionFixtures.newSession(screening: SessionFixtures.allNo), previous: nil)
        s.screening.focus = try #require(rows.firstIndex(of: .consent))
        let out = s.send(.character("y"), ctx)
        #expect(s.session.consent == Consent(obtained: true, at: SessionFixtures.now, explained: [], obtainedBy: "mkeller"))
        #expect(rows[s.screening.focus] == .explained(0), "on to the first thing to explain")
        #expect(effects(out) == [.saveSessionDetails(s.session)], "saved as it is given")
        let text = s.drawn(width: 80, height: 24, context: ctx).text()
        #expect(text.contains("yes, 10:05 by mkeller"))
        #expect(text.contains("[ ] explained: it is not acupuncture"))
    }

    @Test func eachExplainedItemIsTickedOnItsOwn() throws {
        var s = SessionFixtures.screen(SessionFixtures.newSession(screening: SessionFixtures.allNo), previous: nil)
        s.screening.focus = try #require(rows.firstIndex(of: .consent))
        s.send(.character("y"), ctx)
        s.send(.character("y"), ctx)  // it is not acupuncture: explained
        #expect(s.session.consent.explained == ["not-acupuncture"])
        s.send(.character("n"), ctx)  // common effects: not explained
        #expect(s.session.consent.explained == ["not-acupuncture"])
        #expect(rows[s.screening.focus] == .explained(2))
        s.send(.character(" "), ctx)  // rare risks: ticked, focus stays
        #expect(s.session.consent.explained == ["not-acupuncture", "rare-risks"])
        s.send(.character(" "), ctx)  // and unticked
        #expect(s.session.consent.explained == ["not-acupuncture"])
        let hints = s.keyHints.map(\.keys)
        #expect(hints.contains("a"), "the tick-all key is offered on the explained rows")
    }

    @Test func oneKeyTicksAllAndSaysWhich() throws {
        var s = SessionFixtures.screen(SessionFixtures.newSession(screening: SessionFixtures.allNo), previous: nil)
        s.screening.focus = try #require(rows.firstIndex(of: .explained(1)))
        let out = s.send(.character("a"), ctx)
        #expect(s.session.consent.explained == Catalogue.builtIn.consentItems.map(\.id))
        #expect(!s.session.consent.obtained, "ticking what was explained is not consent")
        #expect(statusTexts(out) == ["All 3 explained items ticked: it is not acupuncture; common effects; rare risks",
                                     "Explained items ticked; consent itself is not recorded yet: y on the consent line."])
        #expect(effects(out) == [.saveSessionDetails(s.session)])
    }

    @Test func withdrawingConsentClearsWhoAndWhen() throws {
        var s = SessionFixtures.screen(SessionFixtures.newSession(screening: SessionFixtures.allNo), previous: nil)
        s.screening.focus = try #require(rows.firstIndex(of: .consent))
        s.send(.character("y"), ctx)
        s.screening.focus = try #require(rows.firstIndex(of: .consent))
        s.send(.character("n"), ctx)
        #expect(!s.session.consent.obtained && s.session.consent.at == nil && s.session.consent.obtainedBy == nil)
    }
}

/// Issue 9 items 3 and 8: lifting a block asks for a reason; a session that cannot go ahead is
/// closed and signed as not treated.
@Suite struct ScreeningDecisionTests {
    let ctx = SessionFixtures.context()
    let rows = ScreeningState.rows(.builtIn)

    /// A screening whose carried-forward answers say the patient is pregnant.
    func pregnant() -> SessionScreen {
        let answers = SessionFixtures.allNo.map { $0.itemID == "pregnancy" ? ScreeningAnswer(itemID: "pregnancy", present: true) : $0 }
        var s = SessionFixtures.screen(SessionFixtures.newSession(screening: answers))
        s.screening.focus = rows.firstIndex(of: .item(Catalogue.builtIn.screening.firstIndex { $0.id == "pregnancy" }!))!
        return s
    }

    @Test func noOnAContraindicationAsksWhyBeforeItTakesEffect() {
        var s = pregnant()
        let focus = s.screening.focus
        var out = s.send(.character("n"), ctx)
        #expect(s.screening.reasonPrompt != nil)
        #expect(s.answer("pregnancy")?.present == true, "nothing changes before the reason")
        #expect(s.screening.focus == focus)
        #expect(statusTexts(out).first?.hasPrefix("Pregnancy") == true)
        #expect(s.drawn(width: 80, height: 24, context: ctx).text().contains("This lifts a block on needling. Why?"))
        // Enter without a reason does nothing; Esc keeps the answer.
        _ = s.send(.enter, ctx)
        #expect(s.screening.reasonPrompt != nil)
        _ = s.send(.escape, ctx)
        #expect(s.screening.reasonPrompt == nil && s.answer("pregnancy")?.present == true && s.session.screeningChanges.isEmpty)
        // With a reason: the answer changes, the change is recorded and saved at once.
        s.send(.character("n"), ctx)
        s.send(Key.typing("Answered for the wrong patient"), ctx)
        out = s.send(.enter, ctx)
        #expect(s.answer("pregnancy")?.present == false)
        #expect(s.session.screeningChanges == [ScreeningChange(itemID: "pregnancy", before: "present", after: "absent",
                                                               reason: "Answered for the wrong patient", by: "mkeller", at: SessionFixtures.now)])
        #expect(effects(out) == [.saveSessionDetails(s.session)])
    }

    @Test func aPrecautionOrAnAbsentItemNeedsNoReason() {
        var s = pregnant()
        s.screening.focus = rows.firstIndex(of: .item(Catalogue.builtIn.screening.firstIndex { $0.id == "diabetes" }!))!
        s.send([.character("y"), .character("n")], ctx)
        #expect(s.screening.reasonPrompt == nil, "a precaution blocks nothing once acknowledged")
    }

    @Test func controlXClosesTheSessionAsNotTreatedAndSignsIt() {
        var s = pregnant()
        var out = s.send(.ctrl("x"), ctx)
        #expect(s.screening.notTreated?.reason.text == "Contraindicated: Pregnancy (especially the first trimester)"
                || s.screening.notTreated?.reason.text.hasPrefix("Contraindicated: Pregnancy") == true)
        #expect(s.capturesText)
        s.send(Key.typing("; deferred until after delivery"), ctx)
        out = s.send(.enter, ctx)
        #expect(s.session.notTreatedReason?.hasSuffix("deferred until after delivery") == true)
        #expect(effects(out) == [.saveSessionDetails(s.session)])
        #expect(s.drawn(width: 80, height: 24, context: ctx).text().contains("Sign this non-treatment note and lock it? y signs"))
        out = s.send(.character("y"), ctx)
        #expect(effects(out) == [.signSession(id: s.session.id, version: s.session.version)])
    }

    /// From a new user's walk: the pain score typed before ^X was lost; a changed-back answer
    /// was not on the record.
    @Test func closingAsNotTreatedKeepsThePainTypedAndAChangeBackIsRecorded() {
        var s = pregnant()
        s.send(.character("n"), ctx)
        s.send(Key.typing("checking") + [.enter], ctx)
        let pregnancyRow = s.screening.focus
        s.screening.focus = pregnancyRow
        s.send(.character("y"), ctx)                  // changed back: blocked again, no reason needed
        #expect(s.session.screeningChanges.map(\.after) == ["absent", "present"])
        #expect(s.session.screeningChanges.last?.reason == "answered again")
        s.screening.focus = rows.count - 1            // the pain score
        s.send(Key.typing("5"), ctx)
        s.send(.ctrl("x"), ctx)
        s.send(.enter, ctx)
        #expect(s.session.nprsBefore == 5, "what was typed is on the note")
    }

    @Test func notTreatedIsRefusedOnceAPointIsCharted() {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [
            TriggerPointEntry(id: "e1", regionID: "calf", muscle: "soleus", side: .left, recordedAt: SessionFixtures.now)]))
        s.session.state = .screening
        let out = s.send(.ctrl("x"), ctx)
        #expect(s.screening.notTreated == nil)
        #expect(statusTexts(out).first?.contains("Points are charted") == true)
    }
}

@Suite struct SevereCourseScreeningTests {
    @Test func wOnTheOnsetRowMarksASevereOrWidespreadCourse() {
        let ctx = SessionFixtures.context()
        var s = SessionFixtures.screen(SessionFixtures.newSession())
        s.screening.focus = ScreeningState.rows(.builtIn).firstIndex(of: .onset)!
        s.send(.character("w"), ctx)
        #expect(s.session.condition.severeOrWidespread)
        #expect(s.drawn(width: 80, height: 24, context: ctx).text().contains("severe or widespread"))
        s.send(.character("w"), ctx)
        #expect(!s.session.condition.severeOrWidespread)
    }
}
