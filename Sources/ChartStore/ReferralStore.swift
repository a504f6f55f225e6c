import ChartCore
import Foundation
import GRDB

// Referrals per episode of care and the clinic's jurisdiction (SPEC §9) in a SQLite clinic. The
// rules themselves are ChartCore's (`JurisdictionRules`); EpisodeRecords.swift records and
// applies them, for both backends, over `SQLiteEpisode`.

/// One SQLite transaction as the referral and plan-letter records use it (`EpisodeTransaction`).
struct SQLiteEpisode: EpisodeTransaction {
    let db: Database
    let environment: ChartEnvironment
    let catalogue: Catalogue
    let at: String

    func rows(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) throws -> [Row] {
        try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments))
    }

    func execute(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) throws {
        try db.execute(sql: sql, arguments: StatementArguments(arguments))
    }

    func audit(actor: String, action: AuditAction, entity: String, entityID: String, detail: String) throws -> (actor: String, at: String) {
        try Audit.append(db, at: at, actor: actor, action: action, entity: entity, entityID: entityID, detail: detail)
        return (actor, at)
    }

    func clinicTimeZone() throws -> TimeZone { try AppDatabase.clinicTimeZone(db) }

    func clinicName() throws -> String { try AppDatabase.clinicName(db) }

    func patient(id: Int64) throws -> Patient? {
        try AppDatabase.first(db.cachedStatement(sql: AppDatabase.patientByIDSQL), [id], Patient.init(row:))
    }

    func clinicianProfile(_ username: String) throws -> Clinician? {
        try Row.fetchOne(db.cachedStatement(sql: AppDatabase.clinicianSQL), arguments: [username]).map(AppDatabase.clinician(row:))
    }

    func credentials(_ username: String) throws -> ClinicianCredentials { try AppDatabase.clinicianCredentials(db, username: username) }

    func latestSession(patientID: Int64) throws -> NeedlingSession? {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM sessions WHERE patient_id = ? ORDER BY started_at DESC, id DESC LIMIT 1",
                                          arguments: [patientID]) else { return nil }
        return try AppDatabase.loadSession(db, id: id)
    }
}

extension AppDatabase {
    /// The key of an episode's condition: its catalogue id, else "text:" and its text in lower case.
    public static func episodeKey(_ condition: PresentingCondition) -> String? {
        if let id = condition.catalogueID { return id }
        let text = condition.text.trimmingCharacters(in: .whitespaces).lowercased()
        return text.isEmpty ? nil : "text:" + text
    }

    /// `db` as the referral and plan-letter records use it.
    func episode(_ db: Database) -> SQLiteEpisode {
        SQLiteEpisode(db: db, environment: environment, catalogue: catalogue, at: now)
    }

    /// The clinic's jurisdiction rule set (none by default).
    public func jurisdiction() throws -> Jurisdiction {
        try read { db in try episode(db).jurisdiction() }
    }

    /// Sets the clinic's jurisdiction rule set; from then on needling waits on its rules.
    public func setJurisdiction(_ jurisdiction: Jurisdiction, by actor: String) throws {
        try write { db in try episode(db).setJurisdiction(jurisdiction, by: actor) }
    }

    /// The referral recorded for a patient's episode of `condition`, if any.
    public func referral(patientID: Int64, condition: PresentingCondition) throws -> Referral? {
        try read { db in try episode(db).referral(patientID: patientID, condition: condition) }
    }

    /// Records (or updates) the referral of a patient's episode of `condition`. Refused with a
    /// message when it is wrong (`JurisdictionRules.validate`), or when the condition is empty.
    public func saveReferral(_ referral: Referral, patientID: Int64, condition: PresentingCondition, by actor: String) throws {
        try write { db in try episode(db).saveReferral(referral, patientID: patientID, condition: condition, by: actor) }
    }
}
