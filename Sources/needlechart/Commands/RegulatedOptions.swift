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

    /// Sets what was given, on either backend; every value is checked before any is set.
    func apply(_ store: any ClinicStore, by actor: String) throws {
        guard given else { return }
        let system = try coding.map { text in
            guard let system = CodingSystem(rawValue: text.lowercased()) else {
                throw CLIError("--coding must be none or us-cpt, not '\(Sanitizer.line(text))'")
            }
            return system
        }
        let rules = try jurisdiction.map { text in
            guard let rules = Jurisdiction(rawValue: text.lowercased()) else {
                throw CLIError("--jurisdiction must be none, virginia or new-jersey, not '\(Sanitizer.line(text))'")
            }
            return rules
        }
        if let system { try store.setCodingSystem(system, by: actor) }
        if let minTrainingHours { try store.setMinimumTrainingHours(minTrainingHours, by: actor) }
        if let rules { try store.setJurisdiction(rules, by: actor) }
    }

    func show(_ store: any ClinicStore) throws {
        print("Coding: \(try store.codingSystem().rawValue)")
        print("Minimum dry needling training: " + (try store.minimumTrainingHours().map { "\($0) hours" } ?? "none"))
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

    func apply(_ db: any ClinicStore, username: String) throws {
        guard given else { return }
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
        let c = try store.clinicianCredentials(username)
        // A profile without regulated credentials prints its one line, as before.
        guard !c.isEmpty else { return }
        print("Role: \(c.role?.rawValue ?? "not recorded")")
        print("Licence: \(c.licence.isEmpty ? "not recorded" : Sanitizer.line(c.licence))")
        print("Dry needling training: " + (c.training.map { "\($0.hours) hours, \(Sanitizer.line($0.course)), \($0.date)" } ?? "not recorded"))
    }
}


/// The profile a command reads and writes for the person running it: on a server, a clinician's
/// connection is the role they logged in as (the server records every change in that name),
/// whatever the local account is called; elsewhere the account.
func profileUsername(_ store: any ClinicStore) throws -> String {
    if let server = store as? PostgresStore, !server.isAdmin { return server.role }
    return try ClinicianIdentity.username()
}
