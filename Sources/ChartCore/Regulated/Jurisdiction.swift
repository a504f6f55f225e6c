import Foundation

/// The rule set a clinic practises under (a clinic setting; SPEC §9). Each is a pure rule over
/// the episode's referral and plan letter: `JurisdictionRules.needlingBlockers`.
public enum Jurisdiction: String, Sendable, Codable, CaseIterable {
    /// No referral rules (the default).
    case none
    /// Virginia Board of Physical Therapy: a written referral specific to dry needling (an oral one
    /// followed up in writing) before needling.
    case virginia
    /// New Jersey (45:9-37.34k): before needling a referred patient, the referring physician is
    /// told the plan (diagnosis, technique, number, size and insertion points of needles, elevated
    /// risk factors) and that is documented; a physician's judgement that it is contraindicated stops it.
    case newJersey = "new-jersey"
}

/// How a referral was given.
public enum ReferralForm: String, Sendable, Codable, CaseIterable {
    /// In writing.
    case written
    /// Orally (by telephone, in person); a written follow-up is due by a date.
    case oral
}

/// The referring physician's answer to the plan letter.
public enum PhysicianAnswer: String, Sendable, Codable, CaseIterable {
    /// The physician agrees with the plan.
    case agrees
    /// The physician judges dry needling contraindicated: it stops.
    case contraindicated
}

/// A referral for an episode of care (SPEC §9): who referred, when, how, what for.
public struct Referral: Sendable, Equatable, Codable {
    /// The referrer's name.
    public var referrer: String
    /// Their role ("physician", "nurse practitioner" …).
    public var role: String
    /// How to reach them.
    public var contact: String
    /// The day of the referral.
    public var date: CalendarDate
    /// Written or oral.
    public var form: ReferralForm
    /// True when the referral names dry needling.
    public var dryNeedlingSpecific: Bool
    /// The referring diagnosis.
    public var diagnosis: String
    /// For an oral referral: the day by which its written follow-up is due.
    public var writtenFollowUpDue: CalendarDate?
    /// For an oral referral: the day its written follow-up arrived.
    public var writtenFollowUpReceived: CalendarDate?
    /// The day the plan letter was sent to the referring physician (New Jersey).
    public var planLetterSent: CalendarDate?
    /// The physician's answer to the plan letter, when it came, and how (letter, phone …).
    public var physicianAnswer: PhysicianAnswer?
    public var answeredOn: CalendarDate?
    public var answeredHow: String
    /// The day an earlier plan letter was answered "contraindicated", when a newer letter has
    /// been sent and not yet answered: the earlier judgement stands until the physician answers
    /// the new plan (nil otherwise, and for referrals recorded before plan letters were kept).
    public var standingContraindication: CalendarDate?

    /// Bundles a referral.
    public init(referrer: String, role: String = "physician", contact: String = "", date: CalendarDate, form: ReferralForm,
                dryNeedlingSpecific: Bool, diagnosis: String, writtenFollowUpDue: CalendarDate? = nil, writtenFollowUpReceived: CalendarDate? = nil,
                planLetterSent: CalendarDate? = nil, physicianAnswer: PhysicianAnswer? = nil, answeredOn: CalendarDate? = nil, answeredHow: String = "") {
        self.referrer = referrer; self.role = role; self.contact = contact; self.date = date; self.form = form
        self.dryNeedlingSpecific = dryNeedlingSpecific; self.diagnosis = diagnosis
        self.writtenFollowUpDue = writtenFollowUpDue; self.writtenFollowUpReceived = writtenFollowUpReceived
        self.planLetterSent = planLetterSent; self.physicianAnswer = physicianAnswer; self.answeredOn = answeredOn; self.answeredHow = answeredHow
    }

    /// True when the referral stands in writing: given in writing, or its written follow-up received.
    public var isInWriting: Bool { form == .written || writtenFollowUpReceived != nil }
}

/// The jurisdiction rules as pure functions: what is wrong with a referral as recorded, and
/// what stops needling on a given day.
public enum JurisdictionRules {
    /// How New Jersey's "the plan letter is not sent yet" reason begins.
    static let planLetterWait = "New Jersey: the plan letter"

    /// True when `reason` (a refusal's text) is only New Jersey's wait for the plan letter: what
    /// planning the point for the letter instead answers.
    public static func waitsForPlanLetter(_ reason: String) -> Bool { reason.hasPrefix(planLetterWait) }

    /// What is wrong with `referral` as recorded on `today`: missing names, days in the future, a
    /// follow-up due before the referral, an oral referral without its due day, an answer without a letter.
    public static func validate(_ referral: Referral, today: CalendarDate) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func text(_ value: String, _ field: String, required: Bool) {
            if required, value.trimmingCharacters(in: .whitespaces).isEmpty { issues.append(ValidationIssue(field, "is required")) }
            if value.count > TextLimits.name { issues.append(ValidationIssue(field, "is longer than \(TextLimits.name) characters")) }
            if Sanitizer.line(value) != value { issues.append(ValidationIssue(field, "contains control characters")) }
        }
        text(referral.referrer, "Referrer", required: true)
        text(referral.role, "Role", required: true)
        text(referral.contact, "Contact", required: false)
        text(referral.diagnosis, "Diagnosis", required: true)
        text(referral.answeredHow, "Answered how", required: false)
        if today < referral.date { issues.append(ValidationIssue("Referral date", "\(referral.date) is in the future")) }
        if referral.form == .oral, referral.writtenFollowUpDue == nil {
            issues.append(ValidationIssue("Written follow-up due", "is required for an oral referral"))
        }
        if let due = referral.writtenFollowUpDue, due < referral.date {
            issues.append(ValidationIssue("Written follow-up due", "\(due) is before the referral (\(referral.date))"))
        }
        for (day, field) in [(referral.writtenFollowUpReceived, "Written follow-up received"), (referral.planLetterSent, "Plan letter sent"),
                             (referral.answeredOn, "Answered on")] {
            guard let day else { continue }
            if today < day { issues.append(ValidationIssue(field, "\(day) is in the future")) }
            if day < referral.date { issues.append(ValidationIssue(field, "\(day) is before the referral (\(referral.date))")) }
        }
        if referral.physicianAnswer != nil, referral.planLetterSent == nil {
            issues.append(ValidationIssue("Physician's answer", "needs the plan letter it answers (sent on)"))
        }
        if let sent = referral.planLetterSent, let answered = referral.answeredOn, answered < sent {
            issues.append(ValidationIssue("Answered on", "\(answered) is before the plan letter was sent (\(sent))"))
        }
        return issues
    }

    /// Why needling may not go ahead on `day` under `jurisdiction` with the episode's `referral`
    /// (nil when none is recorded), or [] when it may. Under any rule set a "contraindicated"
    /// answer stops needling, and a referral dated after the treatment is no referral for it.
    public static func needlingBlockers(_ jurisdiction: Jurisdiction, referral: Referral?, day: CalendarDate) -> [String] {
        if referral?.physicianAnswer == .contraindicated {
            return ["The referring physician judged dry needling contraindicated\(referral?.answeredOn.map { " (\($0))" } ?? ""): it may not go ahead."]
        }
        if let earlier = referral?.standingContraindication {
            return ["The referring physician judged an earlier plan contraindicated (\(earlier)): needling waits for their answer to the new plan letter (History p, then a; or needlechart referral answer)."]
        }
        guard jurisdiction != .none else { return [] }
        guard let r = referral else {
            return [jurisdiction == .virginia
                    ? "Virginia: needling waits for a written referral specific to dry needling; none is recorded for this episode."
                    : "New Jersey: needling a referred patient waits for the referral and the plan letter to the referring physician; no referral is recorded for this episode (History p, then r; or needlechart referral CHART_NUMBER --referrer …)."]
        }
        var out: [String] = []
        if day < r.date { out.append("The referral is dated \(r.date), after this treatment (\(day)).") }
        switch jurisdiction {
        case .none: break
        case .virginia:
            if !r.dryNeedlingSpecific { out.append("Virginia: the referral must be specific to dry needling.") }
            if !r.isInWriting {
                if let due = r.writtenFollowUpDue, due < day {
                    out.append("Virginia: the oral referral's written follow-up was due by \(due) and has not been received.")
                } else if r.writtenFollowUpDue == nil {
                    out.append("Virginia: an oral referral needs its written follow-up (and the day it is due).")
                }
            }
        case .newJersey:
            if r.planLetterSent.map({ day < $0 }) ?? true {
                out.append(planLetterWait + " to the referring physician (the plan: technique, needles, risk factors) must be sent before needling: plan the points (^T, or needlechart referral plan add), then send it (History p, or needlechart referral letter).")
            }
        }
        return out
    }
}
