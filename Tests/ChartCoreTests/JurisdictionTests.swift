import Foundation
import Testing
@testable import ChartCore

/// Jurisdiction rule sets (SPEC §9): pure checks over an episode's referral.
@Suite struct JurisdictionTests {
    let day = CalendarDate(year: 2026, month: 11, day: 18)!
    func d(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }
    func referral(form: ReferralForm = .written, specific: Bool = true, date: String = "2026-11-01") -> Referral {
        Referral(referrer: "Dr Ada Reyes", contact: "+1 804 555 0100", date: d(date), form: form, dryNeedlingSpecific: specific, diagnosis: "cervicalgia")
    }

    @Test func noRulesNeedNoReferral() {
        #expect(JurisdictionRules.needlingBlockers(.none, referral: nil, day: day).isEmpty)
    }

    @Test func virginiaNeedsAWrittenReferralSpecificToDryNeedling() {
        #expect(JurisdictionRules.needlingBlockers(.virginia, referral: nil, day: day)
                == ["Virginia: needling waits for a written referral specific to dry needling; none is recorded for this episode."])
        #expect(JurisdictionRules.needlingBlockers(.virginia, referral: referral(), day: day).isEmpty)
        #expect(JurisdictionRules.needlingBlockers(.virginia, referral: referral(specific: false), day: day)
                == ["Virginia: the referral must be specific to dry needling."])
    }

    @Test func virginiaAcceptsAnOralReferralUntilItsWrittenFollowUpIsDue() {
        var oral = referral(form: .oral)
        oral.writtenFollowUpDue = d("2026-11-20")
        #expect(JurisdictionRules.needlingBlockers(.virginia, referral: oral, day: day).isEmpty)
        // Until its written follow-up is due: on the due day itself needling may still go ahead.
        #expect(JurisdictionRules.needlingBlockers(.virginia, referral: oral, day: d("2026-11-20")).isEmpty)
        #expect(JurisdictionRules.needlingBlockers(.virginia, referral: oral, day: d("2026-11-21"))
                == ["Virginia: the oral referral's written follow-up was due by 2026-11-20 and has not been received."])
        oral.writtenFollowUpReceived = d("2026-11-19")
        #expect(JurisdictionRules.needlingBlockers(.virginia, referral: oral, day: d("2026-11-30")).isEmpty)
        oral.writtenFollowUpDue = nil; oral.writtenFollowUpReceived = nil
        #expect(JurisdictionRules.needlingBlockers(.virginia, referral: oral, day: day).count == 1)
    }

    @Test func newJerseyWaitsForThePlanLetterAndContraindicatedBlocks() {
        var r = referral()
        #expect(JurisdictionRules.needlingBlockers(.newJersey, referral: nil, day: day).first?.hasPrefix("New Jersey:") == true)
        #expect(JurisdictionRules.needlingBlockers(.newJersey, referral: r, day: day).first?.hasPrefix("New Jersey: the plan letter") == true)
        r.planLetterSent = d("2026-11-19")
        #expect(JurisdictionRules.needlingBlockers(.newJersey, referral: r, day: day).count == 1, "a letter sent after the treatment is too late")
        r.planLetterSent = d("2026-11-10")
        #expect(JurisdictionRules.needlingBlockers(.newJersey, referral: r, day: day).isEmpty)
        r.physicianAnswer = .agrees
        #expect(JurisdictionRules.needlingBlockers(.newJersey, referral: r, day: day).isEmpty)
        r.physicianAnswer = .contraindicated; r.answeredOn = d("2026-11-12")
        #expect(JurisdictionRules.needlingBlockers(.newJersey, referral: r, day: day)
                == ["The referring physician judged dry needling contraindicated (2026-11-12): it may not go ahead."])
        // Contraindicated stops needling under any rule set.
        #expect(JurisdictionRules.needlingBlockers(.none, referral: r, day: day).count == 1)
    }

    @Test func aReferralDatedAfterTheTreatmentIsRefused() {
        #expect(JurisdictionRules.needlingBlockers(.virginia, referral: referral(date: "2026-11-19"), day: day)
                == ["The referral is dated 2026-11-19, after this treatment (2026-11-18)."])
    }

    @Test func badReferralsAreRefusedWithMessages() {
        var r = Referral(referrer: " ", role: "physician", date: d("2026-12-01"), form: .oral, dryNeedlingSpecific: true, diagnosis: "")
        r.answeredHow = "phone\u{1B}[2J"
        r.physicianAnswer = .agrees
        #expect(JurisdictionRules.validate(r, today: day).map(\.field)
                == ["Referrer", "Diagnosis", "Answered how", "Referral date", "Written follow-up due", "Physician's answer"])
        var ok = referral(form: .oral)
        ok.writtenFollowUpDue = d("2026-10-01")
        #expect(JurisdictionRules.validate(ok, today: day).map(\.message) == ["2026-10-01 is before the referral (2026-11-01)"])
        ok.writtenFollowUpDue = d("2026-11-20")
        ok.planLetterSent = d("2026-11-05"); ok.answeredOn = d("2026-11-04"); ok.physicianAnswer = .agrees
        #expect(JurisdictionRules.validate(ok, today: day).map(\.field) == ["Answered on"])
    }
}
