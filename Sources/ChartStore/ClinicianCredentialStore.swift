import ChartCore
import Foundation
import GRDB

// A clinician's role, licence and dry needling training (SPEC §9), on their own profile only.

extension AppDatabase {
    /// The credentials on `username`'s profile (empty when none are recorded or no such profile).
    public func clinicianCredentials(_ username: String) throws -> ClinicianCredentials {
        try read { db in try Self.clinicianCredentials(db, username: username) }
    }

    static func clinicianCredentials(_ db: Database, username: String) throws -> ClinicianCredentials {
        guard let row = try Row.fetchOne(db, sql: "SELECT role, licence, dn_training FROM clinicians WHERE username = ?", arguments: [username]) else {
            return ClinicianCredentials()
        }
        let role: String? = row[0], training: String? = row[2]
        return ClinicianCredentials(role: role.flatMap(ClinicianRole.init(rawValue:)), licence: row[1],
                                    training: try training.map { try JSONColumn.decode(DryNeedlingTraining.self, $0) })
    }

    /// Saves the credentials on the profile of `actor` — the account running the program, so a
    /// clinician sets only their own. Refused with a message when a value is wrong (a training
    /// date in the future, hours out of range, an empty course); the profile must exist.
    public func saveClinicianCredentials(_ credentials: ClinicianCredentials, by actor: String) throws {
        var c = credentials
        c.licence = c.licence.trimmingCharacters(in: .whitespaces)
        if var t = c.training { t.course = t.course.trimmingCharacters(in: .whitespaces); c.training = t }
        let issues = CredentialRules.validate(c, today: CalendarDate(environment.now(), in: environment.timeZone))
        guard issues.isEmpty else { throw ValidationError(issues) }
        try write { db in
            try db.execute(sql: "UPDATE clinicians SET role = ?, licence = ?, dn_training = ? WHERE username = ?",
                           arguments: [c.role?.rawValue, c.licence, c.training.map { JSONColumn.encode($0) }, actor])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "No profile for \(Sanitizer.line(actor)) yet.") }
            try Audit.append(db, at: now, actor: actor, action: .change, entity: "clinician", entityID: actor,
                             detail: "credentials: " + (c.isEmpty ? "none" : Sanitizer.line(c.summary)))
        }
    }
}
