import ChartCore
import GRDB

extension AppDatabase {
    /// The session with its patient and clinician, numbered among the patient's sessions: what an
    /// export needs.
    public func sessionRecord(id: Int64) throws -> SessionRecord? {
        try read { db in try Self.sessionRecord(db, id: id) }
    }

    /// Every session of the patient as export records, oldest first.
    public func sessionRecords(patientID: Int64) throws -> [SessionRecord] {
        try read { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM sessions WHERE patient_id = ? ORDER BY started_at, id", arguments: [patientID])
            return try ids.compactMap { try Self.sessionRecord(db, id: $0) }
        }
    }

    static func sessionRecord(_ db: Database, id: Int64) throws -> SessionRecord? {
        guard let s = try loadSession(db, id: id),
              let p = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM patients WHERE id = ?"), arguments: [s.patientID]).map(Patient.init(row:)) else { return nil }
        let c = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM clinicians WHERE username = ?"), arguments: [s.clinician]).map {
            Clinician(username: $0["username"], displayName: $0["display_name"], credentials: $0["credentials"])
        } ?? Clinician(username: s.clinician, displayName: s.clinician)
        let number = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FROM sessions WHERE patient_id = ? AND (started_at < ? OR (started_at = ? AND id <= ?))
            """), arguments: [s.patientID, Timestamp.iso(s.startedAt), Timestamp.iso(s.startedAt), id])
        return SessionRecord(patient: p, clinician: c, session: s, sessionNumber: number)
    }
}

extension AppDatabase {
    /// Every session of the clinic as an export record, patient by patient, each patient's oldest
    /// first — streamed: one record in memory at a time, all read from one consistent snapshot.
    /// Returns the number of records.
    @discardableResult
    public func forEachSessionRecord(_ body: (SessionRecord) throws -> Void) throws -> Int {
        try read { db in
            var clinicians: [String: Clinician] = [:]
            var patient: Patient?
            var number = 0, count = 0
            let ids = try Row.fetchCursor(db, sql: "SELECT id, patient_id FROM sessions ORDER BY patient_id, started_at, id")
            while let row = try ids.next() {
                let id: Int64 = row[0], patientID: Int64 = row[1]
                if patient?.id != patientID {
                    patient = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM patients WHERE id = ?"), arguments: [patientID]).map(Patient.init(row:))
                    number = 0
                }
                guard let p = patient, let s = try Self.loadSession(db, id: id) else { continue }
                number += 1
                let c = try clinicians[s.clinician] ?? Row.fetchOne(db, sql: "SELECT * FROM clinicians WHERE username = ?", arguments: [s.clinician]).map {
                    Clinician(username: $0["username"], displayName: $0["display_name"], credentials: $0["credentials"])
                } ?? Clinician(username: s.clinician, displayName: s.clinician)
                clinicians[s.clinician] = c
                try body(SessionRecord(patient: p, clinician: c, session: s, sessionNumber: number))
                count += 1
            }
            return count
        }
    }
}
