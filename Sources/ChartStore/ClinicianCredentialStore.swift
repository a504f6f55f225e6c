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
        guard let row = try Row.fetchOne(db, sql: "SELECT \(credentialColumns) FROM clinicians WHERE username = ?", arguments: [username]) else {
            return ClinicianCredentials()
        }
        return try clinicianCredentials(row: row)
    }

    /// The columns of `clinicians` that `clinicianCredentials(row:)` decodes, in its order.
    static let credentialColumns = "role, licence, dn_training"

    /// Credentials from `credentialColumns` as either backend stores them (training as JSON).
    static func clinicianCredentials(row: some ColumnValues) throws -> ClinicianCredentials {
        let role: String? = row[0], training: String? = row[2]
        return ClinicianCredentials(role: role.flatMap(ClinicianRole.init(rawValue:)), licence: row[1],
                                    training: try training.map { try JSONColumn.decode(DryNeedlingTraining.self, $0) })
    }

    /// Credentials as saved: licence and course trimmed, then checked against `CredentialRules`
    /// on `today` (refused with the issues when wrong).
    static func cleaned(_ credentials: ClinicianCredentials, today: CalendarDate) throws -> ClinicianCredentials {
        var c = credentials
        c.licence = c.licence.trimmingCharacters(in: .whitespaces)
        if var t = c.training { t.course = t.course.trimmingCharacters(in: .whitespaces); c.training = t }
        let issues = CredentialRules.validate(c, today: today)
        guard issues.isEmpty else { throw ValidationError(issues) }
        return c
    }

    /// The audit row's detail for saved credentials.
    static func credentialsDetail(_ c: ClinicianCredentials) -> String {
        "credentials: " + (c.isEmpty ? "none" : Sanitizer.line(c.summary))
    }

    /// Saves the credentials on the profile of `actor` — the account running the program, so a
    /// clinician sets only their own. Refused with a message when a value is wrong (a training
    /// date in the future, hours out of range, an empty course); the profile must exist.
    public func saveClinicianCredentials(_ credentials: ClinicianCredentials, by actor: String) throws {
        let c = try Self.cleaned(credentials, today: CalendarDate(environment.now(), in: environment.timeZone))
        try write { db in
            try db.execute(sql: "UPDATE clinicians SET role = ?, licence = ?, dn_training = ? WHERE username = ?",
                           arguments: [c.role?.rawValue, c.licence, c.training.map { JSONColumn.encode($0) }, actor])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "No profile for \(Sanitizer.line(actor)) yet.") }
            try Audit.append(db, at: now, actor: actor, action: .change, entity: "clinician", entityID: actor,
                             detail: Self.credentialsDetail(c))
        }
    }
}
