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
        s.send(.character("y"), ctx)
        #expect(s.session.consent.obtained)
        #expect(s.session.consent.at == SessionFixtures.now)
        #expect(s.session.consent.explained == Catalogue.builtIn.consentItems.map(\.id))
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
        // Answering no lifts the block.
        s.send(.character("n"), ctx)
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
}
