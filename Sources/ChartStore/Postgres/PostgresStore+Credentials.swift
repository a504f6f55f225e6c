import ChartCore
import Foundation

// Credentials, coding and minimum training on a shared clinic (SPEC §9), as SQLite keeps them
// (`AppDatabase`'s ClinicianCredentialStore, CodingSettings and TrainingSettings): the same
// columns, the same rules and audit rows. The settings are the administrator's to write, as the
// clinic's name and time zone (a clinician's role may only read `settings`); a clinician sets
// their own credentials, and the server refuses a change to anyone else's row.

extension PostgresStore {
    /// The credentials on `username`'s profile (empty when none are recorded or no such profile).
    public func clinicianCredentials(_ username: String) throws -> ClinicianCredentials {
        try link.serverRow("SELECT \(AppDatabase.credentialColumns) FROM clinicians WHERE username = $1", [username])
            .map(AppDatabase.clinicianCredentials(row:)) ?? ClinicianCredentials()
    }

    /// Saves the credentials on the profile of `actor` (on a clinician's connection, their role's
    /// own, whatever is asked). Refused with a message when a value is wrong; the profile must exist.
    public func saveClinicianCredentials(_ credentials: ClinicianCredentials, by actor: String) throws {
        let c = try AppDatabase.cleaned(credentials, today: CalendarDate(environment.now(), in: environment.timeZone))
        let username = identity(actor)
        try link.transaction {
            let changed = try link.execute("UPDATE clinicians SET role = $1, licence = $2, dn_training = $3 WHERE username = $4",
                                           [c.role?.rawValue, c.licence, c.training.map { JSONColumn.encode($0) }, username])
            guard changed == 1 else { throw StoreError(.notFound, "No profile for \(Sanitizer.line(username)) yet.") }
            try audit(at: now, actor: username, action: .change, entity: "clinician", entityID: username, detail: AppDatabase.credentialsDetail(c))
        }
    }

    /// The clinic's coding system (none by default).
    public func codingSystem() throws -> CodingSystem {
        AppDatabase.codingSystem(setting: try link.value("SELECT value FROM settings WHERE key = 'coding'", as: String.self))
    }

    /// Sets the clinic's coding system (the administrator's setting); notes signed before keep theirs.
    public func setCodingSystem(_ system: CodingSystem, by actor: String) throws {
        try setSetting("coding", system.rawValue, by: actor)
    }

    /// The minimum hours of dry needling training a signer needs; nil when the clinic sets none.
    public func minimumTrainingHours() throws -> Int? {
        AppDatabase.minimumTrainingHours(setting: try link.value("SELECT value FROM settings WHERE key = 'dn_min_training_hours'", as: String.self))
    }

    /// Sets the minimum hours (0 removes it; the administrator's setting). Refused outside 0 to
    /// `CredentialRules.maxHours`.
    public func setMinimumTrainingHours(_ hours: Int, by actor: String) throws {
        try AppDatabase.validateMinimumTrainingHours(hours)
        try setSetting("dn_min_training_hours", String(hours), by: actor)
    }

    /// What signing `s` as `signer` keeps (`AppDatabase.signingRegulated`, from the server's rows,
    /// in the signing's transaction); refused (`SessionError.blocked`) for a signer the clinic's
    /// rules do not allow. The server's guard checks the same again.
    func signingRegulated(_ s: NeedlingSession, signer: String) throws -> AppDatabase.RegulatedSigning {
        try AppDatabase.signingRegulated(s, credentials: try clinicianCredentials(signer), minimumHours: try minimumTrainingHours(),
                                         coding: try codingSystem())
    }
}
