import ChartCore
import Foundation
import GRDB

// Referrals per episode of care and the clinic's jurisdiction (SPEC §9). The rules themselves
// are ChartCore's (`JurisdictionRules`); the store records and applies them.

extension AppDatabase {
    /// The key of an episode's condition: its catalogue id, else "text:" and its text in lower case.
    public static func episodeKey(_ condition: PresentingCondition) -> String? {
        if let id = condition.catalogueID { return id }
        let text = condition.text.trimmingCharacters(in: .whitespaces).lowercased()
        return text.isEmpty ? nil : "text:" + text
    }

    /// The clinic's jurisdiction rule set (none by default).
    public func jurisdiction() throws -> Jurisdiction {
        try read { db in try Self.jurisdiction(db) }
    }

    static func jurisdiction(_ db: Database) throws -> Jurisdiction {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM settings WHERE key = 'jurisdiction'")).flatMap(Jurisdiction.init(rawValue:)) ?? .none
    }

    /// Sets the clinic's jurisdiction rule set; from then on needling waits on its rules.
    public func setJurisdiction(_ jurisdiction: Jurisdiction, by actor: String) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO settings(key, value) VALUES ('jurisdiction', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [jurisdiction.rawValue])
            try Audit.append(db, at: now, actor: actor, action: .change, entity: "settings", entityID: "jurisdiction", detail: jurisdiction.rawValue)
        }
    }

    /// The referral recorded for a patient's episode of `condition`, if any.
    public func referral(patientID: Int64, condition: PresentingCondition) throws -> Referral? {
        try read { db in try Self.referral(db, patientID: patientID, condition: condition) }
    }

    static func referral(_ db: Database, patientID: Int64, condition: PresentingCondition) throws -> Referral? {
        guard let key = episodeKey(condition) else { return nil }
        return try String.fetchOne(db.cachedStatement(sql: "SELECT referral FROM referrals WHERE patient_id = ? AND condition_key = ?"),
                                   arguments: [patientID, key]).map { try JSONColumn.decode(Referral.self, $0) }
    }

    /// Records (or updates) the referral of a patient's episode of `condition`. Refused with a
    /// message when it is wrong (`JurisdictionRules.validate`), or when the condition is empty.
    public func saveReferral(_ referral: Referral, patientID: Int64, condition: PresentingCondition, by actor: String) throws {
        guard let key = Self.episodeKey(condition) else {
            throw ValidationError([ValidationIssue("Condition", "is required: a referral belongs to an episode of one condition")])
        }
        var r = referral
        for path in [\Referral.referrer, \Referral.role, \Referral.contact, \Referral.diagnosis, \Referral.answeredHow] {
            r[keyPath: path] = r[keyPath: path].trimmingCharacters(in: .whitespaces)
        }
        let issues = JurisdictionRules.validate(r, today: CalendarDate(environment.now(), in: environment.timeZone))
        guard issues.isEmpty else { throw ValidationError(issues) }
        try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM patients WHERE id = ?", arguments: [patientID]) == true else {
                throw StoreError(.notFound, "That patient no longer exists.")
            }
            let stored = try Self.referral(db, patientID: patientID, condition: condition)
            // A standing "contraindicated" is the store's to set and clear (`sendPlanLetter`, `recordPhysicianAnswer`).
            r.standingContraindication = stored?.standingContraindication
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM plan_letters WHERE patient_id = ? AND condition_key = ?", arguments: [patientID, key]) == true,
               let stored, r.planLetterSent != stored.planLetterSent || r.physicianAnswer != stored.physicianAnswer
                   || r.answeredOn != stored.answeredOn || r.answeredHow != stored.answeredHow {
                throw ValidationError([ValidationIssue("Plan letter", "this episode's plan letters are kept by NeedleChart: the day one is sent is recorded when it is sent, and the physician's answer is recorded against the letter")])
            }
            try Self.storeReferral(db, r, patientID: patientID, key: key, by: actor, at: now)
        }
    }

    /// Writes the referral of an episode, with the audit row that binds it as recorded (`check`
    /// compares each referral with its last audit row).
    static func storeReferral(_ db: Database, _ r: Referral, patientID: Int64, key: String, by actor: String, at: String) throws {
        let json = JSONColumn.encode(r)
        try db.execute(sql: """
            INSERT INTO referrals(patient_id, condition_key, referral, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(patient_id, condition_key) DO UPDATE SET referral = excluded.referral,
                recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at
            """, arguments: [patientID, key, json, actor, at])
        try Audit.append(db, at: at, actor: actor, action: .change, entity: "referral", entityID: "\(patientID)/\(Sanitizer.line(key))",
                         detail: json)
    }

    /// Refuses needling in session `sessionID` when the clinic's jurisdiction rules stop it on the
    /// session's day (`JurisdictionRules.needlingBlockers`), or when the episode's referring
    /// physician judged it contraindicated. Called before a point is saved.
    static func requireReferralRules(_ db: Database, sessionID: Int64) throws {
        let jurisdiction = try jurisdiction(db)
        // Without rules only a recorded "contraindicated" stops needling: skip the reads when no referral exists.
        if jurisdiction == .none, try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM referrals LIMIT 1")) != true { return }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT patient_id, started_at, condition_id, condition_text FROM sessions WHERE id = ?"),
                                         arguments: [sessionID]) else { return }
        let condition = PresentingCondition(catalogueID: row[2], text: row[3])
        let day = CalendarDate(try time(row[1]) ?? Date(), in: try clinicTimeZone(db))
        let blockers = JurisdictionRules.needlingBlockers(jurisdiction, referral: try referral(db, patientID: row[0], condition: condition), day: day)
        if !blockers.isEmpty { throw SessionError.blocked(blockers) }
    }
}
