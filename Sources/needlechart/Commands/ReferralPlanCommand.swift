import ArgumentParser
import ChartApp
import ChartCore
import ChartStore
import Foundation

/// The patient and episode a plan command is about.
struct PlanEpisodeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The patient's chart number.", valueName: "chart-number"))
    var patient: String
    @Option(help: "The episode's condition: a catalogue id, or free text (default: the condition of the patient's latest session).")
    var condition: String?

    /// The patient and the episode, or a one-line refusal.
    func resolve(_ db: any ClinicStore, _ global: GlobalOptions) throws -> (Patient, PresentingCondition) {
        guard let p = try db.patient(chartNumber: patient) else {
            throw CLIError("no patient has chart number \(Sanitizer.line(patient)) (list them with: needlechart patients)")
        }
        return (p, try ReferralCommand.episode(condition, patientID: p.id, db: db, global: global))
    }
}

/// Runs a plan command's store call, adding to the store's refusal of a sent plan the command
/// that starts the next one.
func withPlanHint<T>(_ chartNumber: String, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as StoreError where e.kind == .readOnlyRecord {
        throw CLIError(e.message + " Start it with: needlechart referral plan new --patient \(Sanitizer.line(chartNumber))")
    }
}

/// Lists planned points, numbered as `remove` takes them.
func printPlannedPoints(_ points: [PlannedPoint], catalogue: Catalogue) {
    for (i, p) in points.enumerated() {
        let region = catalogue.region(p.regionID)?.name ?? Sanitizer.line(p.regionID)
        var text = "\(String(i + 1).leftPadded(3)). \(region), \(Sanitizer.line(p.muscle)), \(p.side.rawValue): \(p.needleCount) × \(p.sizeSummary), \(p.technique.summary)"
        if let d = p.depth { text += ", \(d.rawValue)" }
        print(DisplayWidth.truncate(text, to: 80))
    }
}

/// `needlechart referral plan add|list|remove|new`: the points planned for an episode, before
/// the plan letter (New Jersey 45:9-37.34k).
struct ReferralPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Keep the points planned for an episode, for the plan letter to the referring physician.",
        discussion: """
            add plans a point (--region, --muscle from the region's catalogue, --side; --needles, --size, --technique, \
            --minutes, --hz, --depth), list shows the plan, remove N removes its point N. A plan can be edited until \
            its letter is sent (needlechart referral letter); then it never changes: new starts the next plan from \
            the last one sent, to be edited and sent as a new letter. list only reads.
            """)

    enum Action: String, ExpressibleByArgument, CaseIterable { case add, list, remove, new }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "add, list, remove or new.")
    var action: Action
    @Argument(help: "remove: the number of the point, as list shows it.")
    var number: Int?
    @OptionGroup var episode: PlanEpisodeOptions
    @Option(help: "add: the body-map region's id (e.g. back-neck, upper-back, buttock).") var region: String?
    @Option(help: "add: the muscle, from the region's catalogue.") var muscle: String?
    @Option(help: "add: left, right or midline (the patient's).") var side: String?
    @Option(help: "add: needles planned at the point (default 1).") var needles: Int?
    @Option(help: ArgumentHelp("add: needle size, diameter x length (default 0.25x40).", valueName: "size")) var size: String?
    @Option(help: "add: pistoning (default), static, rotation or electrical.") var technique: String?
    @Option(help: "add: minutes retained (static) or stimulated (electrical).") var minutes: Int?
    @Option(help: "add: electrical stimulation frequency in Hz.") var hz: Int?
    @Option(help: "add: superficial or deep.") var depth: String?

    func validate() throws {
        if action == .remove, number == nil { throw ValidationError("remove needs the number of the point (see: referral plan list)") }
        if action != .remove, number != nil { throw ValidationError("only remove takes a point number") }
        let pointOptions = region != nil || muscle != nil || side != nil || needles != nil || size != nil || technique != nil
            || minutes != nil || hz != nil || depth != nil
        if action != .add, pointOptions { throw ValidationError("--region, --muscle, --side and the needle options go with add") }
    }

    func run() throws {
        try reporting {
            let point = action == .add ? try plannedPoint() : nil
            let db = action == .list ? try global.openReadOnly() : try global.open()
            let (patient, condition) = try episode.resolve(db, global)
            let me = try ClinicianIdentity.username()
            switch action {
            case .list:
                let plan = try db.episodePlan(patientID: patient.id, condition: condition)
                if let draft = plan.draft {
                    print("Plan \(draft.version) (being edited; its letter is not sent):" + (draft.points.isEmpty ? " no points." : ""))
                    printPlannedPoints(draft.points, catalogue: db.catalogue)
                } else if let last = plan.letters.last {
                    print("Plan \(last.version) (sent \(last.sentOn); it no longer changes):")
                    printPlannedPoints(last.points, catalogue: db.catalogue)
                } else {
                    print("No points are planned for this episode.")
                }
            case .add:
                guard let point else { return }
                let points = try withPlanHint(patient.chartNumber) { try db.addPlannedPoint(point, patientID: patient.id, condition: condition, by: me) }
                print("Planned point \(points.count) added.")
                printPlannedPoints(points, catalogue: db.catalogue)
            case .remove:
                let points = try withPlanHint(patient.chartNumber) {
                    try db.removePlannedPoint(number: number ?? 0, patientID: patient.id, condition: condition, by: me)
                }
                print("Point \(number ?? 0) removed; \(points.count) left.")
                printPlannedPoints(points, catalogue: db.catalogue)
            case .new:
                let version = try db.startNewPlan(patientID: patient.id, condition: condition, by: me)
                print("Plan \(version) started from plan \(version - 1): edit it, then send its letter (needlechart referral letter).")
                printPlannedPoints(try db.episodePlan(patientID: patient.id, condition: condition).draft?.points ?? [], catalogue: db.catalogue)
            }
        }
    }

    /// The point the options describe, checked before the database is opened (the catalogue's
    /// checks on region and muscle are the store's).
    private func plannedPoint() throws -> PlannedPoint {
        guard let region else { throw CLIError("add needs --region (a body-map region's id)") }
        guard let muscle else { throw CLIError("add needs --muscle (a muscle of the region)") }
        guard let sideText = side else { throw CLIError("add needs --side (left, right or midline)") }
        guard let s = Side(rawValue: sideText.lowercased()) else { throw CLIError("--side must be left, right or midline, not '\(Sanitizer.line(sideText))'") }
        let needleSize = try size.map { text -> NeedleSize in
            guard let n = NeedleSize(parsing: text) else { throw CLIError("--size '\(Sanitizer.line(text))' is not a needle size such as 0.25x40") }
            return n
        } ?? NeedleSize(diameter: NeedleDiameter(hundredths: 25), lengthMM: 40)
        let kind = try technique.map { text -> TechniqueKind in
            guard let k = TechniqueKind(rawValue: text.lowercased()) else {
                throw CLIError("--technique must be pistoning, static, rotation or electrical, not '\(Sanitizer.line(text))'")
            }
            return k
        } ?? .pistoning
        if minutes != nil, kind != .static, kind != .electrical { throw CLIError("--minutes goes with --technique static or electrical") }
        if hz != nil, kind != .electrical { throw CLIError("--hz goes with --technique electrical") }
        let d = try depth.map { text -> NeedleDepth in
            guard let d = NeedleDepth(rawValue: text.lowercased()) else { throw CLIError("--depth must be superficial or deep, not '\(Sanitizer.line(text))'") }
            return d
        }
        return PlannedPoint(regionID: region, muscle: muscle, side: s, needleCount: needles ?? 1, diameter: needleSize.diameter,
                            lengthMM: needleSize.lengthMM, technique: Technique(kind: kind, minutes: minutes, frequencyHz: hz), depth: d)
    }
}

/// `needlechart referral letter`: writes the plan letter and records it as sent.
struct ReferralLetterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "letter",
        abstract: "Write the plan letter to the referring physician and record it as sent (New Jersey).",
        discussion: """
            Renders the episode's plan as an 80-column letter to the referrer (clinic, you and your credentials, the \
            patient, the referral and diagnosis, the technique, the number, size and insertion points of the needles, \
            the risk factors from the patient's screening and the planned sites, and a place for the answer), prints \
            it or writes it to --output FILE (created owner-only), and records it as sent today with its SHA-256: the \
            plan then never changes. --preview prints the letter and records nothing; --show N prints letter N as it \
            was sent. Both only read.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var episode: PlanEpisodeOptions
    @Option(name: .shortAndLong, help: ArgumentHelp("Write the letter to this file instead of standard output.", valueName: "file"))
    var output: String?
    @Flag(help: "Replace the --output file if it already exists (a regular file only).")
    var force = false
    @Flag(help: "Print the letter the plan would send, and record nothing.")
    var preview = false
    @Option(help: ArgumentHelp("Print letter N as it was sent, and record nothing.", valueName: "N"))
    var show: Int?

    func validate() throws {
        if preview, show != nil { throw ValidationError("give --preview or --show, not both") }
        if force, output == nil { throw ValidationError("--force replaces an --output file; give --output FILE") }
    }

    func run() throws {
        try reporting {
            let reading = preview || show != nil
            let db = reading ? try global.openReadOnly() : try global.open()
            let (patient, condition) = try episode.resolve(db, global)
            let me = try ClinicianIdentity.username()
            let text: String
            if let show {
                guard let letter = try db.episodePlan(patientID: patient.id, condition: condition).letters.first(where: { $0.version == show }) else {
                    throw CLIError("no letter \(show) was sent for this episode")
                }
                text = letter.text
            } else if preview {
                text = try withPlanHint(patient.chartNumber) { try db.previewPlanLetter(patientID: patient.id, condition: condition, clinician: me) }
            } else {
                // The file is written first, refused (an existing file, a folder, a FIFO) before anything is recorded.
                let letter = try withPlanHint(patient.chartNumber) { try db.previewPlanLetter(patientID: patient.id, condition: condition, clinician: me) }
                if let output { try write(letter, to: output) }
                let sent = try db.sendPlanLetter(patientID: patient.id, condition: condition, by: me)
                // Rendered again inside the recording's transaction: should the day have turned meanwhile, the file says what was recorded.
                if let output, sent.text != letter { try ExportWriter.write(sent.text, to: output, replace: true) }
                if output == nil { Swift.print(sent.text, terminator: "") }
                printError("Plan letter \(sent.version) recorded as sent on \(sent.sentOn), sha256 \(sent.sha256)")
                return
            }
            if let output { try write(text, to: output) } else { Swift.print(text, terminator: "") }
        }
    }

    private func write(_ text: String, to output: String) throws {
        do {
            try ExportWriter.write(text, to: output, replace: force)
        } catch is ExportWriter.TargetExists {
            throw CLIError("\(output) exists; add --force to replace it")
        }
        printError("Written to \(output)")
    }
}

/// `needlechart referral answer agrees|contraindicated --on DAY [--how TEXT]`.
struct ReferralAnswerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "answer",
        abstract: "Record the referring physician's answer to the latest plan letter.",
        discussion: """
            agrees, or contraindicated (needling then stops under any rules), on the day it came and how (letter, \
            phone …). An answer is added to the letter, never overwriting: a later answer stands.
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: "agrees or contraindicated.")
    var answer: String
    @OptionGroup var episode: PlanEpisodeOptions
    @Option(help: ArgumentHelp("The day of the answer.", valueName: "YYYY-MM-DD"))
    var on: String
    @Option(help: "How the answer came (letter, phone …).")
    var how: String = ""

    func run() throws {
        try reporting {
            guard let a = PhysicianAnswer(rawValue: answer.lowercased()) else {
                throw CLIError("the answer must be agrees or contraindicated, not '\(Sanitizer.line(answer))'")
            }
            guard let day = ReferralInput.day(on) else { throw CLIError("--on " + ReferralInput.notADay(on)) }
            let db = try global.open()
            let (patient, condition) = try episode.resolve(db, global)
            try db.recordPhysicianAnswer(a, on: day, how: how, patientID: patient.id, condition: condition, by: try ClinicianIdentity.username())
            let version = try db.episodePlan(patientID: patient.id, condition: condition).letters.last?.version ?? 0
            print("Recorded: the referring physician \(a == .agrees ? "agrees with" : "judges contraindicated") plan letter \(version) (\(day)).")
        }
    }
}
