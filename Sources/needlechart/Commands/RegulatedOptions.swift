import ArgumentParser
import ChartCore
import ChartStore
import Foundation

/// The clinic's regulated-practice settings on `needlechart clinic` (SPEC §9).
struct ClinicRegulatedOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Procedure coding on notes: none (default) or us-cpt (20560/20561 from the muscles needled).", valueName: "system"))
    var coding: String?
    @Option(name: .customLong("min-training-hours"),
            help: ArgumentHelp("Hours of dry needling training a clinician needs to sign a needling note (0: no minimum).", valueName: "hours"))
    var minTrainingHours: Int?
    @Option(help: ArgumentHelp("The rule set needling waits on: none (default), virginia (a written referral specific to dry needling) or new-jersey (the plan letter to the referring physician first).", valueName: "rules"))
    var jurisdiction: String?

    var given: Bool { coding != nil || minTrainingHours != nil || jurisdiction != nil }
    /// Whether an option a PostgreSQL clinic does not keep yet was given (the jurisdiction it keeps).
    var needsSQLite: Bool { coding != nil || minTrainingHours != nil }

    func apply(_ store: any ClinicStore, by actor: String) throws {
        guard given else { return }
        let rules = try jurisdiction.map { text in
            guard let rules = Jurisdiction(rawValue: text.lowercased()) else {
                throw CLIError("--jurisdiction must be none, virginia or new-jersey, not '\(Sanitizer.line(text))'")
            }
            return rules
        }
        if needsSQLite { try applySQLiteOnly(try sqliteOnly(store, "--coding and --min-training-hours"), by: actor) }
        if let rules { try store.setJurisdiction(rules, by: actor) }
    }

    private func applySQLiteOnly(_ db: AppDatabase, by actor: String) throws {
        if let coding {
            guard let system = CodingSystem(rawValue: coding.lowercased()) else {
                throw CLIError("--coding must be none or us-cpt, not '\(Sanitizer.line(coding))'")
            }
            try db.setCodingSystem(system, by: actor)
        }
        if let minTrainingHours { try db.setMinimumTrainingHours(minTrainingHours, by: actor) }
    }

    func show(_ store: any ClinicStore) throws {
        if let db = store as? AppDatabase {
            print("Coding: \(try db.codingSystem().rawValue)")
            print("Minimum dry needling training: " + (try db.minimumTrainingHours().map { "\($0) hours" } ?? "none"))
        }
        print("Jurisdiction: \(try store.jurisdiction().rawValue)")
    }
}

/// A clinician's regulated-practice credentials on `needlechart clinician` (own profile only).
struct ClinicianRegulatedOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Your role: physiotherapist, student or assistant (a student or assistant cannot sign a needling note).", valueName: "role"))
    var role: String?
    @Option(help: "Your licence (registration) number (\"\" clears it).")
    var licence: String?
    @Option(name: .customLong("training-hours"), help: ArgumentHelp("Hours of your dry needling training.", valueName: "hours"))
    var trainingHours: Int?
    @Option(name: .customLong("training-course"), help: ArgumentHelp("The dry needling course (provider and title).", valueName: "course"))
    var trainingCourse: String?
    @Option(name: .customLong("training-date"), help: ArgumentHelp("When you completed it.", valueName: "YYYY-MM-DD"))
    var trainingDate: String?

    var given: Bool { role != nil || licence != nil || trainingHours != nil || trainingCourse != nil || trainingDate != nil }

    func apply(_ store: any ClinicStore, username: String) throws {
        guard given else { return }
        let db = try sqliteOnly(store, "--role, --licence and --training-*")
        var c = try db.clinicianCredentials(username)
        if let role {
            guard let r = ClinicianRole(rawValue: role.lowercased()) else {
                throw CLIError("--role must be physiotherapist, student or assistant, not '\(Sanitizer.line(role))'")
            }
            c.role = r
        }
        if let licence { c.licence = licence }
        if trainingHours != nil || trainingCourse != nil || trainingDate != nil {
            // Training is one record: the parts not given now are kept from before, and all three are needed.
            let date = try trainingDate.map { text -> CalendarDate in
                guard let d = CalendarDate(iso: text) else { throw CLIError("--training-date '\(Sanitizer.line(text))' is not a day YYYY-MM-DD") }
                return d
            }
            guard let hours = trainingHours ?? c.training?.hours, let course = trainingCourse ?? c.training?.course,
                  let day = date ?? c.training?.date else {
                throw CLIError("dry needling training needs --training-hours, --training-course and --training-date")
            }
            c.training = DryNeedlingTraining(hours: hours, course: course, date: day)
        }
        try db.saveClinicianCredentials(c, by: username)
    }

    func show(_ store: any ClinicStore, username: String) throws {
        guard let db = store as? AppDatabase else { return }
        let c = try db.clinicianCredentials(username)
        // A profile without regulated credentials prints its one line, as before.
        guard !c.isEmpty else { return }
        print("Role: \(c.role?.rawValue ?? "not recorded")")
        print("Licence: \(c.licence.isEmpty ? "not recorded" : Sanitizer.line(c.licence))")
        print("Dry needling training: " + (c.training.map { "\($0.hours) hours, \(Sanitizer.line($0.course)), \($0.date)" } ?? "not recorded"))
    }
}

/// Regulated-practice records (needle lots, coding, credentials, referrals, reports) are kept by
/// the SQLite store only so far: on a PostgreSQL clinic a command that needs them says so and
/// does nothing, rather than act on half a record.
func sqliteOnly(_ store: any ClinicStore, _ what: String) throws -> AppDatabase {
    if let db = store as? AppDatabase { return db }
    throw CLIError("\(what): not yet available on a PostgreSQL clinic (kept in SQLite clinics only so far)")
}
