import ArgumentParser
import ChartCore
import ChartStore
import Foundation

/// `needlechart referral …`: the referral of a patient's episode of care, and New Jersey's plan
/// letter to the referring physician (`referral plan`, `referral letter`, `referral answer`).
struct ReferralCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referral",
        abstract: "Show or record the referral of a patient's episode of care, its plan and the plan letter.",
        discussion: """
            needlechart referral CHART_NUMBER [options] shows or records the referral itself (the record subcommand, \
            the default). plan add|list|remove|new keeps the points planned for the episode, letter writes the plan \
            letter to the referring physician and records it as sent, and answer records the physician's answer to it.
            """,
        subcommands: [Record.self, ReferralPlanCommand.self, ReferralLetterCommand.self, ReferralAnswerCommand.self],
        defaultSubcommand: Record.self)
}

extension ReferralCommand {
/// `needlechart referral [record] CHART_NUMBER [...]`: the referral of a patient's episode of care.
struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Show or record the referral of a patient's episode of care (one condition).",
        discussion: """
            The episode is the condition given with --condition (a catalogue id such as neck-pain, or free text), \
            by default the condition of the patient's latest session. Recording again updates the referral: \
            give the options that change (the written follow-up received, the plan letter sent, the physician's \
            answer). Under the clinic's jurisdiction rules (needlechart clinic --jurisdiction) needling waits for \
            them; a "contraindicated" answer stops it under any rules.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The patient's chart number.")
    var chartNumber: String
    @Option(help: "The episode's condition: a catalogue id, or free text.")
    var condition: String?
    @Option(help: "The referrer's name.") var referrer: String?
    @Option(help: "The referrer's role (default physician).") var role: String?
    @Option(help: "How to reach the referrer.") var contact: String?
    @Option(help: ArgumentHelp("The day of the referral.", valueName: "YYYY-MM-DD")) var date: String?
    @Option(help: "written or oral.") var form: String?
    @Flag(inversion: .prefixedNo, help: "The referral names dry needling.") var dnSpecific: Bool?
    @Option(help: "The referring diagnosis.") var diagnosis: String?
    @Option(name: .customLong("follow-up-due"), help: ArgumentHelp("Oral referral: its written follow-up is due by.", valueName: "YYYY-MM-DD"))
    var followUpDue: String?
    @Option(name: .customLong("follow-up-received"), help: ArgumentHelp("Oral referral: its written follow-up arrived on.", valueName: "YYYY-MM-DD"))
    var followUpReceived: String?
    @Option(name: .customLong("letter-sent"), help: ArgumentHelp("A plan letter written outside NeedleChart was sent on (refused once NeedleChart keeps the episode's letters: see referral letter).", valueName: "YYYY-MM-DD"))
    var letterSent: String?
    @Option(help: "The physician's answer: agrees or contraindicated.") var answer: String?
    @Option(name: .customLong("answered-on"), help: ArgumentHelp("The day of the answer.", valueName: "YYYY-MM-DD")) var answeredOn: String?
    @Option(name: .customLong("answered-how"), help: "How the answer came (letter, phone …).") var answeredHow: String?

    private var recording: Bool {
        referrer != nil || role != nil || contact != nil || date != nil || form != nil || dnSpecific != nil || diagnosis != nil
            || followUpDue != nil || followUpReceived != nil || letterSent != nil || answer != nil || answeredOn != nil || answeredHow != nil
    }

    func run() throws {
        try reporting {
            if recording { try checkValues() }
            let db = try global.openSQLite("referrals", readOnly: !recording)
            guard let patient = try db.patient(chartNumber: chartNumber) else {
                throw CLIError("no patient has chart number \(Sanitizer.line(chartNumber)) (list them with: needlechart patients)")
            }
            let episode = try ReferralCommand.episode(condition, patientID: patient.id, db: db, global: global)
            if recording {
                try db.saveReferral(try merged(try db.referral(patientID: patient.id, condition: episode)), patientID: patient.id,
                                    condition: episode, by: ClinicianIdentity.username())
            }
            let name = Sanitizer.line(episode.summary(try global.catalogue()))
            guard let r = try db.referral(patientID: patient.id, condition: episode) else {
                print("\(Sanitizer.line(patient.chartNumber)), \(name): no referral recorded.")
                return
            }
            print("\(Sanitizer.line(patient.chartNumber)), \(name):")
            print("Referral: \(Sanitizer.line(r.referrer)) (\(Sanitizer.line(r.role)))\(r.contact.isEmpty ? "" : ", " + Sanitizer.line(r.contact)), \(r.date), \(r.form.rawValue)"
                  + (r.dryNeedlingSpecific ? ", specific to dry needling" : ", not specific to dry needling"))
            print("Diagnosis: \(Sanitizer.line(r.diagnosis))")
            if r.form == .oral {
                print("Written follow-up: " + (r.writtenFollowUpReceived.map { "received \($0)" } ?? "due by \(r.writtenFollowUpDue?.description ?? "?"), not received"))
            }
            let plan = try db.episodePlan(patientID: patient.id, condition: episode)
            if let last = plan.letters.last {
                print("Plan letter: letter \(last.version) sent \(last.sentOn), sha256 \(last.sha256.prefix(16)) (print it: needlechart referral letter --patient \(Sanitizer.line(patient.chartNumber)) --show \(last.version))")
            } else {
                print("Plan letter: " + (r.planLetterSent.map { "sent \($0) (outside NeedleChart: no letter kept)" } ?? "not sent"))
            }
            if let draft = plan.draft {
                print("Plan \(draft.version): being edited, \(draft.points.count) point\(draft.points.count == 1 ? "" : "s") (needlechart referral plan list --patient \(Sanitizer.line(patient.chartNumber)))")
            }
            if let earlier = r.standingContraindication {
                print("Physician's answer to an earlier plan: contraindicated, \(earlier) (stands until the new letter is answered)")
            }
            if let a = r.physicianAnswer {
                print("Physician's answer: \(a.rawValue)" + (r.answeredOn.map { ", \($0)" } ?? "") + (r.answeredHow.isEmpty ? "" : " (\(Sanitizer.line(r.answeredHow)))"))
            }
            let today = CalendarDate(Date(), in: try db.clinicTimeZone())
            let blockers = JurisdictionRules.needlingBlockers(try db.jurisdiction(), referral: r, day: today)
            print("Needling today: " + (blockers.isEmpty ? "may go ahead" : "waits: " + blockers.joined(separator: " ")))
        }
    }

    /// The options' days, form and answer checked before the database is opened, so that a
    /// mistyped value creates or upgrades no database (`merged` reads them again to apply them).
    private func checkValues() throws {
        for (text, option) in [(date, "date"), (followUpDue, "follow-up-due"), (followUpReceived, "follow-up-received"),
                               (letterSent, "letter-sent"), (answeredOn, "answered-on")] {
            if let text, CalendarDate(iso: text) == nil { throw CLIError("--\(option) '\(Sanitizer.line(text))' is not a day YYYY-MM-DD") }
        }
        if let form, ReferralForm(rawValue: form.lowercased()) == nil {
            throw CLIError("--form must be written or oral, not '\(Sanitizer.line(form))'")
        }
        if let answer, PhysicianAnswer(rawValue: answer.lowercased()) == nil {
            throw CLIError("--answer must be agrees or contraindicated, not '\(Sanitizer.line(answer))'")
        }
    }

    /// The stored referral with the options given applied (a new one needs referrer, date, form and diagnosis).
    private func merged(_ stored: Referral?) throws -> Referral {
        func day(_ text: String?, _ option: String) throws -> CalendarDate? {
            guard let text else { return nil }
            guard let d = CalendarDate(iso: text) else { throw CLIError("--\(option) '\(Sanitizer.line(text))' is not a day YYYY-MM-DD") }
            return d
        }
        let formValue = try form.map { text -> ReferralForm in
            guard let f = ReferralForm(rawValue: text.lowercased()) else { throw CLIError("--form must be written or oral, not '\(Sanitizer.line(text))'") }
            return f
        }
        let answerValue = try answer.map { text -> PhysicianAnswer in
            guard let a = PhysicianAnswer(rawValue: text.lowercased()) else {
                throw CLIError("--answer must be agrees or contraindicated, not '\(Sanitizer.line(text))'")
            }
            return a
        }
        var r: Referral
        if let stored {
            r = stored
        } else {
            guard let referrer, let date, let formValue, let diagnosis else {
                throw CLIError("a new referral needs --referrer, --date, --form and --diagnosis")
            }
            guard let d = try day(date, "date") else { throw CLIError("--date is required") }
            r = Referral(referrer: referrer, date: d, form: formValue, dryNeedlingSpecific: dnSpecific ?? false, diagnosis: diagnosis)
        }
        if let referrer { r.referrer = referrer }
        if let role { r.role = role }
        if let contact { r.contact = contact }
        if let d = try day(date, "date") { r.date = d }
        if let formValue { r.form = formValue }
        if let dnSpecific { r.dryNeedlingSpecific = dnSpecific }
        if let diagnosis { r.diagnosis = diagnosis }
        if let d = try day(followUpDue, "follow-up-due") { r.writtenFollowUpDue = d }
        if let d = try day(followUpReceived, "follow-up-received") { r.writtenFollowUpReceived = d }
        if let d = try day(letterSent, "letter-sent") { r.planLetterSent = d }
        if let answerValue { r.physicianAnswer = answerValue }
        if let d = try day(answeredOn, "answered-on") { r.answeredOn = d }
        if let answeredHow { r.answeredHow = answeredHow }
        return r
    }
}

    /// The episode named by `--condition` (a catalogue id, else free text), by default the
    /// condition of the patient's latest session.
    static func episode(_ condition: String?, patientID: Int64, db: AppDatabase, global: GlobalOptions) throws -> PresentingCondition {
        if let condition {
            let known = try global.catalogue().conditions.contains { $0.id == condition }
            return known ? PresentingCondition(catalogueID: condition) : PresentingCondition(text: condition)
        }
        if let latest = try db.sessions(patientID: patientID).first { return latest.condition }
        throw CLIError("the patient has no session yet: name the episode's condition with --condition")
    }
}
