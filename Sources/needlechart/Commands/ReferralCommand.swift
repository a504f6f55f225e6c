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
            let db = recording ? try global.open() : try global.openReadOnly()
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

    /// The options as typed, read by ChartCore as the app's referral form is.
    private var input: ReferralInput {
        var i = ReferralInput()
        i.referrer = referrer; i.role = role; i.contact = contact; i.date = date; i.form = form; i.dryNeedlingSpecific = dnSpecific
        i.diagnosis = diagnosis; i.followUpDue = followUpDue; i.followUpReceived = followUpReceived; i.letterSent = letterSent
        i.answer = answer; i.answeredOn = answeredOn; i.answeredHow = answeredHow
        return i
    }

    /// The options' days, form and answer checked before the database is opened, so that a
    /// mistyped value creates or upgrades no database.
    private func checkValues() throws {
        if let problem = input.unreadable.first { throw CLIError("\(problem.field.option) \(problem.message)") }
    }

    /// The stored referral with the options given applied (a new one needs referrer, date, form and diagnosis).
    private func merged(_ stored: Referral?) throws -> Referral {
        switch input.applied(to: stored) {
        case let .success(r): return r
        case let .failure(refusal):
            if let unreadable = refusal.problems.first(where: { !$0.isMissing }) {
                throw CLIError("\(unreadable.field.option) \(unreadable.message)")
            }
            let needed = ReferralInput.neededForNew.map(\.option)
            throw CLIError("a new referral needs \(needed.dropLast().joined(separator: ", ")) and \(needed.last ?? "")")
        }
    }
}

    /// The episode named by `--condition` (a catalogue id, else free text), by default the
    /// condition of the patient's latest session.
    static func episode(_ condition: String?, patientID: Int64, db: any ClinicStore, global: GlobalOptions) throws -> PresentingCondition {
        if let condition {
            let known = try global.catalogue().conditions.contains { $0.id == condition }
            return known ? PresentingCondition(catalogueID: condition) : PresentingCondition(text: condition)
        }
        if let latest = try db.sessions(patientID: patientID).first { return latest.condition }
        throw CLIError("the patient has no session yet: name the episode's condition with --condition")
    }
}
