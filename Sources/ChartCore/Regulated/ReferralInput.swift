import Foundation

/// A referral as typed — the options of `needlechart referral record` or the app's referral form —
/// read into a `Referral` over the one stored. Reading is here once: which days are days, which
/// words a form or an answer may be, what a new referral needs. What is wrong with the referral
/// read is `JurisdictionRules.validate`'s to say (the store calls it on every save).
public struct ReferralInput: Sendable, Equatable {
    /// The fields a referral is typed in, as a form labels them and the command line names them.
    public enum Field: String, CaseIterable, Sendable {
        case referrer, role, contact, date, form, dryNeedlingSpecific, diagnosis
        case followUpDue, followUpReceived, letterSent, answer, answeredOn, answeredHow

        /// The label, as `JurisdictionRules.validate` names the field in its issues.
        public var label: String {
            switch self {
            case .referrer: "Referrer"
            case .role: "Role"
            case .contact: "Contact"
            case .date: "Referral date"
            case .form: "Form"
            case .dryNeedlingSpecific: "Names dry needling"
            case .diagnosis: "Diagnosis"
            case .followUpDue: "Written follow-up due"
            case .followUpReceived: "Written follow-up received"
            case .letterSent: "Plan letter sent"
            case .answer: "Physician's answer"
            case .answeredOn: "Answered on"
            case .answeredHow: "Answered how"
            }
        }

        /// The command line's option for the field.
        public var option: String {
            switch self {
            case .referrer: "--referrer"
            case .role: "--role"
            case .contact: "--contact"
            case .date: "--date"
            case .form: "--form"
            case .dryNeedlingSpecific: "--dn-specific"
            case .diagnosis: "--diagnosis"
            case .followUpDue: "--follow-up-due"
            case .followUpReceived: "--follow-up-received"
            case .letterSent: "--letter-sent"
            case .answer: "--answer"
            case .answeredOn: "--answered-on"
            case .answeredHow: "--answered-how"
            }
        }
    }

    /// A field that cannot be read (a day that is not YYYY-MM-DD, a form that is not written or
    /// oral), or one a new referral needs that was not given.
    public struct Problem: Sendable, Equatable {
        public var field: Field
        /// What is wrong, in words that follow the field's name ("'2026-02-30' is not a day YYYY-MM-DD").
        public var message: String
        /// A field a new referral needs, not given (rather than given and unreadable).
        public var isMissing: Bool
        public init(_ field: Field, _ message: String, isMissing: Bool = false) { self.field = field; self.message = message; self.isMissing = isMissing }
        /// The problem as a form shows it, under the field's label.
        public var issue: ValidationIssue { ValidationIssue(field.label, message) }
    }

    /// Why the input could not be read into a referral: each problem, in `Field` order.
    public struct Refusal: Error, Sendable, Equatable {
        public var problems: [Problem]
    }

    // Each field: nil leaves the stored value as it is.
    public var referrer: String?
    public var role: String?
    public var contact: String?
    public var date: String?
    public var form: String?
    public var dryNeedlingSpecific: Bool?
    public var diagnosis: String?
    public var followUpDue: String?
    public var followUpReceived: String?
    public var letterSent: String?
    public var answer: String?
    public var answeredOn: String?
    public var answeredHow: String?
    /// An empty optional day (follow-up due or received, letter sent, answered on) clears it (a
    /// form's emptied field); otherwise it is not a day (an option given as "").
    public var emptyDayClears: Bool

    /// Nothing typed: every field leaves the stored value.
    public init(emptyDayClears: Bool = false) { self.emptyDayClears = emptyDayClears }

    /// The fields a new referral cannot do without.
    public static let neededForNew: [Field] = [.referrer, .date, .form, .diagnosis]

    /// Why `text` is not a day, after the field's name.
    public static func notADay(_ text: String) -> String { "'\(Sanitizer.line(text))' is not a day YYYY-MM-DD" }

    /// The day `text` names, surrounding blanks ignored (nil when it is not one: `notADay` says so).
    public static func day(_ text: String) -> CalendarDate? { CalendarDate(iso: text.trimmingCharacters(in: .whitespaces)) }

    /// True when no field is given.
    public var isEmpty: Bool {
        self == ReferralInput(emptyDayClears: emptyDayClears)
    }

    /// What cannot be read, field by field, in `Field` order; checked before anything is opened.
    public var unreadable: [Problem] {
        var out: [Problem] = []
        let days: [(String?, Field)] = [(date, .date), (followUpDue, .followUpDue), (followUpReceived, .followUpReceived),
                                        (letterSent, .letterSent), (answeredOn, .answeredOn)]
        for (text, field) in days {
            guard let text else { continue }
            if field != .date, emptyDayClears, text.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard Self.day(text) == nil else { continue }
            let blank = text.trimmingCharacters(in: .whitespaces).isEmpty
            out.append(Problem(field, blank && field == .date ? "is required: a day YYYY-MM-DD" : Self.notADay(text)))
        }
        if let form, ReferralForm(rawValue: form.trimmingCharacters(in: .whitespaces).lowercased()) == nil {
            out.append(Problem(.form, "must be written or oral, not '\(Sanitizer.line(form))'"))
        }
        if let answer, PhysicianAnswer(rawValue: answer.trimmingCharacters(in: .whitespaces).lowercased()) == nil {
            out.append(Problem(.answer, "must be agrees or contraindicated, not '\(Sanitizer.line(answer))'"))
        }
        return out.sorted { Field.allCases.firstIndex(of: $0.field) ?? 0 < Field.allCases.firstIndex(of: $1.field) ?? 0 }
    }

    /// `stored` with the fields given applied, or a new referral when none is stored (then
    /// referrer, date, form and diagnosis must be given). Refused with what cannot be read or is
    /// missing; the referral read still goes through `JurisdictionRules.validate`.
    public func applied(to stored: Referral?) -> Result<Referral, Refusal> {
        let problems = unreadable
        guard problems.isEmpty else { return .failure(Refusal(problems: problems)) }
        func day(_ text: String?) -> CalendarDate?? {
            guard let text else { return .none }
            if emptyDayClears, text.trimmingCharacters(in: .whitespaces).isEmpty { return .some(nil) }
            return .some(Self.day(text))
        }
        let formValue = form.flatMap { ReferralForm(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) }
        let answerValue = answer.flatMap { PhysicianAnswer(rawValue: $0.trimmingCharacters(in: .whitespaces).lowercased()) }
        var r: Referral
        if let stored {
            r = stored
        } else {
            let missing = Self.neededForNew.filter { field in
                switch field {
                case .referrer: referrer == nil
                case .date: date == nil
                case .form: form == nil
                case .diagnosis: diagnosis == nil
                default: false
                }
            }
            guard missing.isEmpty, let referrer, let d = day(date) ?? nil, let formValue, let diagnosis else {
                return .failure(Refusal(problems: missing.map { Problem($0, "is required", isMissing: true) }))
            }
            r = Referral(referrer: referrer, date: d, form: formValue, dryNeedlingSpecific: dryNeedlingSpecific ?? false, diagnosis: diagnosis)
        }
        if let referrer { r.referrer = referrer }
        if let role { r.role = role }
        if let contact { r.contact = contact }
        if let d = day(date) ?? nil { r.date = d }
        if let formValue { r.form = formValue }
        if let dryNeedlingSpecific { r.dryNeedlingSpecific = dryNeedlingSpecific }
        if let diagnosis { r.diagnosis = diagnosis }
        if let d = day(followUpDue) { r.writtenFollowUpDue = d }
        if let d = day(followUpReceived) { r.writtenFollowUpReceived = d }
        if let d = day(letterSent) { r.planLetterSent = d }
        if let answerValue { r.physicianAnswer = answerValue }
        if let d = day(answeredOn) { r.answeredOn = d }
        if let answeredHow { r.answeredHow = answeredHow }
        return .success(r)
    }
}

extension Referral {
    /// This referral with the physician's answer to the plan letter sent on `letterSentOn`: what
    /// the store records with the answer (an earlier "contraindicated" no longer stands on its own:
    /// this answer replaces it), and what a form checks with `JurisdictionRules.validate` first.
    public func answering(_ answer: PhysicianAnswer, on day: CalendarDate, how: String, letterSentOn: CalendarDate) -> Referral {
        var r = self
        r.planLetterSent = letterSentOn
        r.physicianAnswer = answer; r.answeredOn = day; r.answeredHow = how.trimmingCharacters(in: .whitespaces)
        r.standingContraindication = nil
        return r
    }
}
