import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// The shortcuts of issue 10, each checked to keep the safety rules as strict as before: a key
/// saved never skips a warning, a blocker, an acknowledgement or consent.
@Suite struct FewerKeysTests {
    let ctx = SessionFixtures.context()
    let rows = ScreeningState.rows(.builtIn)

    /// Last week's session with anticoagulants present and acknowledged then.
    var previousOnBloodThinners: NeedlingSession {
        var p = SessionFixtures.previous
        p.screening = p.screening.map { a in
            a.itemID == "anticoagulants" ? ScreeningAnswer(itemID: a.itemID, present: true, acknowledged: true, note: "apixaban") : a
        }
        return p
    }

    @Test func equalsKeepsLastSessionsAnswersAndGoesToConsent() throws {
        var session = SessionFixtures.newSession()
        session.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        var s = SessionFixtures.screen(session)
        let before = s.session.screening
        let out = s.send(.character("="), ctx)
        #expect(s.session.screening == before, "= answers nothing the last session did not answer")
        #expect(s.screening.focus == rows.firstIndex(of: .consent))
        #expect(statusTexts(out).first?.contains("Nothing changed since") == true)
        // Consent is still its own key, and the pain score still needed: nothing skipped.
        #expect(effects(s.send(.ctrl("s"), ctx)).isEmpty)
        #expect(s.screening.blockers.contains("Informed consent has not been obtained."))
        s.send([.character("a"), .character("6"), .enter], ctx)
        #expect(s.phase == .charting)
    }

    @Test func equalsLeavesItsTraceOnTheSessionOnceWithWhoAndWhen() throws {
        var session = SessionFixtures.newSession()
        session.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        var s = SessionFixtures.screen(session)
        #expect(s.session.screeningChanges.isEmpty)
        s.send(.character("="), ctx)
        let trace = try #require(s.session.screeningChanges.first)
        #expect(s.session.screeningChanges.count == 1)
        #expect(trace.isCarriedForward && trace.by == ctx.clinician.username && trace.at == ctx.now)
        #expect(trace.before.contains("(record \(SessionFixtures.previous.id))"))
        // A second = records nothing more; the trace is saved with the screening.
        s.send(.character("="), ctx)
        #expect(s.session.screeningChanges.count == 1)
        let out = s.send([.character("a"), .character("6"), .enter], ctx)
        #expect(s.phase == .charting)
        #expect(effects(out).contains { if case let .saveSessionDetails(saved) = $0 { saved.screeningChanges == [trace] } else { false } })
    }

    /// From a new user's walk: two sessions in a row confirmed with = — the second note named only
    /// the first confirmation, not where the questions were last actually asked.
    @Test func equalsAfterEqualsStillNamesWhereTheAnswersWereAsked() throws {
        var previous = SessionFixtures.previous
        previous.screeningChanges = [.carriedForward(date: "2025-05-29 09:00", sessionID: 5, by: "mkeller", at: SessionFixtures.now)]
        var session = SessionFixtures.newSession()
        session.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        var s = SessionFixtures.screen(session, previous: previous)
        s.send(.character("="), ctx)
        let trace = try #require(s.session.screeningChanges.first)
        #expect(trace.before.hasPrefix("the answers recorded on 2025-05-29 09:00 (record 5), last confirmed in record \(previous.id) on "), "\(trace.before)")
        #expect(trace.carriedForwardOrigin == "the answers recorded on 2025-05-29 09:00 (record 5)")
    }

    @Test func anAnswerChangedAfterEqualsIsRecordedAsAChange() throws {
        var session = SessionFixtures.newSession()
        session.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        var s = SessionFixtures.screen(session)
        s.send(.character("="), ctx)
        // Needle phobia was "no" last time: answered "yes" today after confirming nothing changed.
        let phobia = try #require(rows.firstIndex(of: .item(1)))
        #expect(s.answer(Catalogue.builtIn.screening[1].id)?.present == false)
        s.screening.focus = phobia
        s.send(.character("y"), ctx)
        let change = try #require(s.session.screeningChanges.last)
        #expect(s.session.screeningChanges.count == 2)
        #expect(change.itemID == Catalogue.builtIn.screening[1].id && change.reason == "changed after the answers were confirmed unchanged")
    }

    @Test func aPrecautionIsAcknowledgedAgainInOneKeyAfterEquals() throws {
        var session = SessionFixtures.newSession(screening: ScreeningPolicy.carriedForward(previousOnBloodThinners.screening))
        session.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        var s = SessionFixtures.screen(session, previous: previousOnBloodThinners)
        s.send(.character("="), ctx)
        let anticoagulants = try #require(Catalogue.builtIn.screening.firstIndex { $0.id == "anticoagulants" })
        #expect(s.screening.focus == rows.firstIndex(of: .item(anticoagulants)), "the precaution carried forward needs its acknowledgement again")
        // Not acknowledged: charting cannot start, whatever else is done.
        s.screening.focus = try #require(rows.firstIndex(of: .consent))
        s.send([.character("a"), .character("6"), .ctrl("s")], ctx)
        #expect(s.phase == .screening)
        #expect(s.screening.blockers.contains { $0.hasPrefix("Acknowledge the precaution") })
        // Back to it: a acknowledges and goes straight on to what is left.
        s.send(.character("="), ctx)
        s.send(.character("a"), ctx)
        #expect(s.answer("anticoagulants")?.acknowledged == true)
        #expect(s.screening.focus == rows.firstIndex(of: .nprs))
        s.send(.enter, ctx)
        #expect(s.phase == .charting)
    }

    @Test func equalsWithoutAnEarlierScreeningSaysSo() {
        var s = SessionFixtures.screen(SessionFixtures.newSession(screening: []), previous: nil)
        let out = s.send(.character("="), ctx)
        #expect(s.screening.focus == 0)
        #expect(statuses(out).first?.1 == .warning)
        #expect(s.session.screening.isEmpty)
    }

    @Test func yOnAContraindicationMovesOnAndOnAPrecautionWaitsForItsAcknowledgement() throws {
        var s = SessionFixtures.screen(SessionFixtures.newSession(screening: []), previous: nil)
        let phobia = try #require(rows.firstIndex(of: .item(1)))
        s.screening.focus = phobia
        s.send(.character("y"), ctx)
        #expect(s.screening.focus == phobia + 1)
        let anticoagulants = try #require(rows.firstIndex(of: .item(Catalogue.builtIn.screening.firstIndex { $0.id == "anticoagulants" } ?? -1)))
        s.screening.focus = anticoagulants
        s.send(.character("y"), ctx)
        #expect(s.screening.focus == anticoagulants)
        s.send(.character("a"), ctx)
        #expect(s.answer("anticoagulants")?.acknowledged == true)
        #expect(s.screening.focus == anticoagulants + 1)
    }

    /// Screening done for a returning patient: on to charting, where last week's points are offered.
    func chartingReturning() -> SessionScreen {
        var session = SessionFixtures.newSession()
        session.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        var s = SessionFixtures.screen(session)
        s.send([.character("="), .character("a"), .character("6"), .enter], ctx)
        return s
    }

    @Test func lastSessionsPointsAreOfferedOnTheWayInAndYCopiesConfirmingTheWarningsShown() throws {
        var s = chartingReturning()
        #expect(s.phase == .charting)
        let offer = try #require(s.charting.copyOffer)
        #expect(offer.list.checked.count == 3)
        let text = s.drawn(width: 80, height: 24, context: ctx).text()
        let warnings = s.copyWarnings(offer.entries, context: ctx)
        #expect(!warnings.isEmpty)
        // Every warning is on screen, whole, at the smallest size, with the key that confirms them.
        for w in warnings { #expect(text.replacingOccurrences(of: "\n", with: " ").contains(String(w.prefix(30)))) }
        #expect(text.contains("y copies 3, confirming these"))
        let out = s.send(.character("y"), ctx)
        let saved = effects(out).compactMap { if case let .saveEntry(e, _) = $0 { e } else { nil } }
        #expect(saved.count == 3)
        #expect(saved.allSatisfy { !$0.confirmedWarnings.isEmpty && $0.warningsConfirmedAt == ctx.now && $0.copiedFrom == 7 })
    }

    @Test func escChartsFromScratchAndEnterStillShowsTheWarningsFirst() throws {
        var s = chartingReturning()
        s.send(.escape, ctx)
        #expect(s.charting.copyOffer == nil && s.session.entries.isEmpty)
        #expect(s.selectedRegionID == "back-neck", "the map starts where last week began")
        s.send(.character("c"), ctx)
        _ = s.receive(.previousSession(SessionFixtures.previous), context: ctx)
        let out = s.send(.enter, ctx)
        #expect(effects(out).isEmpty)
        #expect(s.charting.copyOffer?.warnings?.isEmpty == false)
    }

    @Test func warningsThatDoNotFitBesideTheListGetTheirOwnPageFirst() throws {
        var previous = SessionFixtures.previous
        // Many points over the lung: their warnings cannot all show under the list at 80×24.
        let regions = ["chest", "back-neck", "shoulder-blade", "upper-back", "chest", "back-neck", "shoulder-blade", "upper-back"]
        let muscles = ["pectoralis minor", "levator scapulae", "teres minor", "rhomboids", "serratus anterior", "upper trapezius", "infraspinatus", "middle trapezius"]
        previous.entries = zip(regions, muscles).enumerated().map { i, rm in
            TriggerPointEntry(id: "q\(i)", regionID: rm.0, muscle: rm.1, side: i % 2 == 0 ? .right : .left, recordedAt: SessionFixtures.lastWeek)
        }
        var session = SessionFixtures.newSession()
        session.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        var s = SessionFixtures.screen(session, previous: previous)
        s.send([.character("="), .character("a"), .character("6"), .enter], ctx)
        let offer = try #require(s.charting.copyOffer)
        #expect(!SessionScreen.copyWarningsFitBesideList(offer, warnings: s.copyWarnings(offer.entries, context: ctx)))
        // The box says so whole at 80×24, as README does (it said "Enter: …" and was cut).
        let box = s.drawn(width: 80, height: 24, context: ctx).text()
        #expect(box.contains("y shows their warnings, y again copies · Space ticks · Esc from scratch"), "\(box)")
        let out = s.send(.character("y"), ctx)
        #expect(effects(out).isEmpty, "y shows the warnings first when they were not all on screen")
        #expect(s.charting.copyOffer?.warnings?.isEmpty == false)
        #expect(effects(s.send(.character("y"), ctx)).count == 8)
    }

    /// A review's finding: the warnings page cut lines it had no room for, without a marker,
    /// and y still confirmed every warning. Now y copies only when the page shows them all.
    @Test func yOnTheWarningsPageNeverConfirmsAWarningCutOff() throws {
        var previous = SessionFixtures.previous
        previous.entries = (0..<3).map { i in
            TriggerPointEntry(id: "w\(i)", regionID: "chest", muscle: "pectoralis minor", side: .right, recordedAt: SessionFixtures.lastWeek)
        }
        var session = SessionFixtures.newSession()
        session.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        var s = SessionFixtures.screen(session, previous: previous)
        s.send([.character("="), .character("a"), .character("6"), .enter], ctx)
        var offer = try #require(s.charting.copyOffer)
        // More warning text than the page holds at 80×24.
        let long = String(repeating: "Check breathing and the needle's depth over the lung before each insertion. ", count: 3)
        offer.warnings = (1...6).map { "Warning \($0): " + long }
        s.charting.copyOffer = offer
        #expect(!SessionScreen.copyWarningsFitPage(offer.warnings ?? []))
        #expect(draw(s, context: ctx).contains("more lines than fit"))
        #expect(effects(s.send(.character("y"), ctx)).isEmpty, "y confirmed warnings that were cut off")
        #expect(s.session.entries.isEmpty)
        // Few enough to show whole: y copies, confirming them.
        offer.warnings = ["Warning: one line over the lung."]
        s.charting.copyOffer = offer
        #expect(SessionScreen.copyWarningsFitPage(offer.warnings ?? []))
        #expect(effects(s.send(.character("y"), ctx)).count == 3)
    }

    @Test func aPointStartsFromThisPatientsLastTreatmentOfThatMuscle() throws {
        var previous = SessionFixtures.previous
        previous.entries.append(TriggerPointEntry(id: "p9", regionID: "buttock", muscle: "piriformis", side: .left, needleCount: 1,
                                                  diameter: NeedleDiameter(hundredths: 30), lengthMM: 75, depth: .deep, depthMM: 50,
                                                  technique: Technique(kind: .static, minutes: 10), recordedAt: SessionFixtures.lastWeek))
        // Today's last point was a short superficial one elsewhere: the piriformis is not charted like it.
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: [
            SessionFixtures.entry("e1", "back-neck", "upper trapezius", .right),
        ]), previous: previous)
        s.charting.block = try #require(s.blocks.firstIndex { $0.regionID == "buttock" })
        s.send(.character("l"), ctx)
        let form = try #require(s.charting.form)
        #expect(form.muscleValue == "piriformis")
        #expect(form.diameter.text == "0.30" && form.length.text == "75" && form.depth == .deep && form.depthMM.text == "50")
        #expect(form.technique == .static && form.minutes.text == "10")
        // Over the lung the needle starts superficial and short whatever was used before; the size
        // and technique still follow the last treatment of the muscle.
        s.send(.escape, ctx)
        s.charting.block = try #require(s.blocks.firstIndex { $0.regionID == "back-neck" })
        s.send(.enter, ctx)
        s.send([.down], ctx)  // levator scapulae: last week 2 × 0.30 × 40
        let lung = try #require(s.charting.form)
        #expect(lung.muscleValue == "levator scapulae")
        #expect(lung.diameter.text == "0.30" && lung.depth == .superficial && lung.length.text == "15")
    }

    /// From a new user's walk: `r` on the shoulder blade, where this patient had no point before,
    /// opened on its first muscle (supraspinatus) waiting on the twitch count, and choosing the
    /// infraspinatus cost 7 keys. With nothing charted there before, the form waits on the muscle
    /// list instead: `↓` `^S` saves the infraspinatus; `^S` alone keeps the first muscle.
    @Test func aSideKeyWhereNothingWasChartedBeforeWaitsOnTheMuscle() throws {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession(entries: []), previous: SessionFixtures.previous)
        #expect(!SessionFixtures.previous.entries.contains { $0.regionID == "shoulder-blade" })
        s.charting.block = try #require(s.blocks.firstIndex { $0.regionID == "shoulder-blade" })
        let out = s.send(.character("r"), ctx)
        let form = try #require(s.charting.form)
        #expect(form.focus == .muscle && form.side == .right && form.muscleValue == "supraspinatus")
        #expect(statusTexts(out) == ["Shoulder blade R, nothing here before: which muscle? ↑↓ or type; ^S saves."])
        s.send(.down, ctx)
        #expect(s.charting.form?.muscleValue == "infraspinatus")
        // Where this patient had a point last week, the side key still goes straight to the response.
        s.charting.form = nil
        s.charting.block = try #require(s.blocks.firstIndex { $0.regionID == "back-neck" })
        s.send(.character("r"), ctx)
        #expect(s.charting.form?.focus == .twitch && s.charting.form?.muscleValue == "upper trapezius")
    }

    @Test func typingAMusclesNameOnTheMapGoesToItsRegionAndMuscleAtOnce() throws {
        var s = SessionFixtures.screen(SessionFixtures.chartingSession())
        s.send(.character("/"), ctx)
        #expect(s.capturesText, "letters are the name now, ? included")
        s.send(Key.typing("infra") + [.enter], ctx)
        let form = try #require(s.charting.form)
        #expect(s.selectedRegionID == "shoulder-blade")
        #expect(form.regionID == "shoulder-blade" && form.muscleValue == "infraspinatus")
        #expect(form.focus == .side, "the muscle is chosen: the side is next")
        s.send(.character("r"), ctx)
        #expect(s.charting.form?.side == .right)
        // A name typed from its start is found before one that only contains it (the side typed
        // above is thrown away after y).
        s.send([.escape, .character("y")], ctx)
        s.send([.character("/"), .character("u"), .character("p"), .enter], ctx)
        #expect(s.charting.form?.muscleValue == "upper trapezius")
        // Esc leaves the finder without charting.
        s.send(.escape, ctx)
        s.send([.character("/"), .character("x"), .escape, .escape], ctx)
        #expect(s.charting.finder == nil && s.charting.form == nil)
    }
}
