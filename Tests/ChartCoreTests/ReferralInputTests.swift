import Foundation
import Testing
@testable import ChartCore

/// A referral as typed, read once for the command line and the app's form.
@Suite struct ReferralInputTests {
    let stored = Referral(referrer: "Dr Ada Reyes", date: CalendarDate(iso: "2025-04-28")!, form: .oral, dryNeedlingSpecific: false,
                          diagnosis: "cervicalgia", writtenFollowUpDue: CalendarDate(iso: "2025-05-12")!)

    @Test func unreadableFieldsAreNamedInFieldOrder() {
        var i = ReferralInput()
        i.answer = "maybe"; i.form = "sometimes"; i.date = "2026-02-30"; i.followUpDue = ""
        #expect(i.unreadable.map { "\($0.field.option) \($0.message)" } == [
            "--date '2026-02-30' is not a day YYYY-MM-DD", "--form must be written or oral, not 'sometimes'",
            "--follow-up-due '' is not a day YYYY-MM-DD", "--answer must be agrees or contraindicated, not 'maybe'",
        ])
    }

    @Test func aNewReferralNeedsItsFourFields() {
        var i = ReferralInput()
        i.referrer = "Dr Lena Ortiz"
        guard case let .failure(refusal) = i.applied(to: nil) else { Issue.record("applied without date, form, diagnosis"); return }
        #expect(refusal.problems.map(\.field) == [.date, .form, .diagnosis] && refusal.problems.allSatisfy(\.isMissing))
    }

    @Test func givenFieldsChangeTheStoredOneAndAFormsEmptiedDayClearsIt() throws {
        var i = ReferralInput(emptyDayClears: true)
        i.form = " Written "; i.followUpDue = ""; i.dryNeedlingSpecific = true
        let r = try i.applied(to: stored).get()
        #expect(r.form == .written && r.writtenFollowUpDue == nil && r.dryNeedlingSpecific && r.referrer == "Dr Ada Reyes")
        i.date = " "
        #expect(i.unreadable.map(\.message) == ["is required: a day YYYY-MM-DD"])
    }

    @Test func answeringIsWhatTheStoreRecords() {
        var earlier = stored
        earlier.standingContraindication = CalendarDate(iso: "2025-05-02")
        let r = earlier.answering(.agrees, on: CalendarDate(iso: "2025-05-20")!, how: " phone ", letterSentOn: CalendarDate(iso: "2025-05-15")!)
        #expect(r.physicianAnswer == .agrees && r.answeredHow == "phone" && r.planLetterSent == CalendarDate(iso: "2025-05-15"))
        #expect(r.standingContraindication == nil, "the new answer replaces the earlier judgement")
        let early = stored.answering(.agrees, on: CalendarDate(iso: "2025-05-14")!, how: "", letterSentOn: CalendarDate(iso: "2025-05-15")!)
        #expect(JurisdictionRules.validate(early, today: CalendarDate(iso: "2025-06-01")!)
                == [ValidationIssue("Answered on", "2025-05-14 is before the plan letter was sent (2025-05-15)")])
    }
}
