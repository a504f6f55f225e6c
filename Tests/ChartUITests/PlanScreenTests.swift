import ChartCore
import Foundation
import Testing
@testable import ChartUI

/// Issue 12: the episode's plan for New Jersey's plan letter in the app — its points, the letter
/// read before it is sent, and the letters sent with their answers.
@Suite struct PlanScreenTests {
    let ctx = UIFixtures.context()
    static let neck = PresentingCondition(catalogueID: "neck-pain", text: "right-sided", onset: .chronic)
    static let points = [
        PlannedPoint(regionID: "back-neck", muscle: "upper trapezius", side: .left),
        PlannedPoint(regionID: "shoulder-blade", muscle: "infraspinatus", side: .right, needleCount: 2),
    ]

    func loaded(_ plan: EpisodePlan) -> PlanScreen {
        var s = PlanScreen(patient: UIFixtures.zoe, condition: Self.neck)
        _ = s.receive(.plan(plan), context: ctx)
        return s
    }

    @Test func historyOpensTheSelectedSessionsEpisodePlan() throws {
        var h = HistoryScreen(patient: UIFixtures.zoe)
        _ = h.receive(.history(UIFixtures.zoe, UIFixtures.history, regionCounts: UIFixtures.regionCounts), context: ctx)
        h.selection = 3  // the headache session of 2025-05-13
        let out = h.handle(.character("p"), context: ctx)
        let plan = try #require(pushed(out).first as? PlanScreen)
        #expect(plan.condition.catalogueID == "headache")
        #expect(effects(out) == [.loadPlan(patientID: 42, condition: plan.condition)])
    }

    @Test func aDraftPlanShowsItsPointsAndALetterItsAnswer() {
        let sent = PlanLetterRecord(version: 1, sentOn: CalendarDate(iso: "2025-05-01")!, text: "Dear Dr Byrne", sha256: "ab", sentBy: "amoreau",
                                    points: [Self.points[0]], answer: .contraindicated, answeredOn: CalendarDate(iso: "2025-05-03")!, answeredHow: "phone")
        let s = loaded(EpisodePlan(draft: (2, Self.points), letters: [sent]))
        let text = appFrame(s, width: 80, height: 24).text()
        #expect(text.contains("Plan 2, being drafted: 2 point(s)"))
        #expect(text.contains("1 ▸ upper trapezius L · back of neck · 1× 0.25×40 mm · pistoning"), "\(text)")
        #expect(text.contains("2   infraspinatus R · shoulder blade · 2× 0.25×40 mm"))
        #expect(text.contains("Plan 1, sent 2025-05-01, 1 point: contraindicated 2025-05-03 (phone)"))
        #expect(text.contains("Enter the letter: read, then send") && text.contains("d remove point"), "the key bar: \(text)")
    }

    @Test func aPointIsRemovedOnlyAfterYes() {
        var s = loaded(EpisodePlan(draft: (1, Self.points), letters: []))
        s.send(.down, ctx)
        var out = s.handle(.character("d"), context: ctx)
        #expect(statuses(out).first?.0 == "Remove point 2, infraspinatus R, from the plan? y removes it.")
        #expect(effects(out).isEmpty)
        out = s.handle(.character("x"), context: ctx)
        #expect(effects(out).isEmpty && statuses(out).first?.0 == "Nothing changed.")
        _ = s.handle(.character("d"), context: ctx)
        out = s.handle(.character("y"), context: ctx)
        #expect(effects(out) == [.removePlannedPoint(number: 2, patientID: 42, condition: Self.neck)])
    }

    @Test func theLetterIsReadBeforeItIsSentAndEscSendsNothing() {
        var s = loaded(EpisodePlan(draft: (1, Self.points), letters: []))
        #expect(effects(s.handle(.enter, context: ctx)) == [.previewPlanLetter(patientID: 42, condition: Self.neck)])
        let letter = (1...60).map { "line \($0) of the letter" }.joined(separator: "\n")
        _ = s.receive(.planLetterPreview(letter), context: ctx)
        var text = appFrame(s, width: 80, height: 24).text()
        #expect(text.contains("The letter as it would be sent") && text.contains("line 1 of the letter") && text.contains("more lines"))
        s.send(.pageDown, ctx)
        text = appFrame(s, width: 80, height: 24).text()
        #expect(!text.contains("line 1 of the letter\n") && text.contains("line 20 of the letter"), "\(text)")
        #expect(effects(s.handle(.escape, context: ctx)).isEmpty)
        #expect(s.preview == nil)
        _ = s.receive(.planLetterPreview(letter), context: ctx)
        #expect(effects(s.handle(.character("y"), context: ctx)) == [.sendPlanLetter(patientID: 42, condition: Self.neck)])
    }

    @Test func aNewPlanOnlyAfterALetterAndAfterYes() {
        var s = loaded(EpisodePlan(draft: (1, Self.points), letters: []))
        #expect(statuses(s.handle(.character("n"), context: ctx)).first?.0.hasPrefix("Plan 1 is still being drafted") == true)
        let sent = PlanLetterRecord(version: 1, sentOn: CalendarDate(iso: "2025-05-01")!, text: "", sha256: "", sentBy: "amoreau", points: Self.points)
        s = loaded(EpisodePlan(draft: nil, letters: [sent]))
        #expect(appFrame(s, width: 80, height: 24).text().contains("No plan being drafted: n starts a new one"))
        _ = s.handle(.character("n"), context: ctx)
        #expect(effects(s.handle(.character("y"), context: ctx)) == [.startNewPlan(patientID: 42, condition: Self.neck)])
    }

    /// From a new user's walk: an empty plan was a dead end (d sent to n, n to ^T, which does
    /// nothing outside New Jersey's rules). It now says where points and the referrer come from.
    @Test func anEmptyPlanSaysWherePointsAndTheReferrerComeFrom() {
        var s = loaded(EpisodePlan(draft: nil, letters: []))
        let text = appFrame(s, width: 80, height: 24).text()
        #expect(text.contains("No plan yet."))
        #expect(text.contains("needlechart clinic --jurisdiction new-jersey"), "\(text)")
        #expect(text.contains("needlechart referral plan add --patient NC-0042"), "\(text)")
        #expect(text.contains("The referrer: r records the episode's referral here"), "\(text)")
        #expect(!text.contains("…"), "whole at 80 columns: \(text)")
        #expect(statuses(s.handle(.character("d"), context: ctx)).first?.0 == "No point to remove.")
        #expect(statuses(s.handle(.character("n"), context: ctx)).first?.0 == "No letter was sent yet: the first plan is this one.")
    }

    /// A refusal from the store (no referral yet, say) is shown under the plan, not only flashed.
    @Test func aRefusalStaysOnTheScreen() {
        var s = loaded(EpisodePlan(draft: (1, Self.points), letters: []))
        _ = s.receive(.failed("No referral is recorded for this episode: record the referral first (the letter is addressed to the referrer)."), context: ctx)
        let text = appFrame(s, width: 80, height: 24).text()
        #expect(text.contains("No referral is recorded for this episode: record the referral first (the\n"), "\(text)")
        #expect(text.contains("letter is addressed to the referrer)."), "wrapped, not cut: \(text)")
    }
}

extension PlanScreen {
    mutating func send(_ key: Key, _ context: AppContext) { _ = handle(key, context: context) }
}

/// The whole app frame with `screen` pushed over the patients screen.
private func appFrame(_ screen: PlanScreen, width: Int, height: Int) -> Screen {
    var app = App(home: PatientsScreen(), now: UIFixtures.now)
    app.stack.append(screen)
    return app.render(width: width, height: height, context: UIFixtures.context())
}
