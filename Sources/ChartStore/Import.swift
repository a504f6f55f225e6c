import ChartCore
import Foundation
import GRDB

extension AppDatabase {
    /// Stores a complete session made elsewhere (the demo clinic, a generator) exactly as given,
    /// with its entries, signature and addenda, in one transaction. Returns its new id.
    @discardableResult
    public func importSession(_ session: NeedlingSession, patientID: Int64) throws -> Int64 {
        try write { db in try Self.importSession(db, session, patientID: patientID, at: now, catalogue: catalogue) }
    }

    /// Stores a complete session; a signed one is frozen under `catalogue` as it renders now.
    @discardableResult
    static func importSession(_ db: Database, _ session: NeedlingSession, patientID: Int64, at: String, catalogue: Catalogue) throws -> Int64 {
        var s = session
        s.patientID = patientID
        try db.execute(sql: "INSERT INTO sessions(patient_id, clinician, started_at, state, updated_at) VALUES (?, ?, ?, 'screening', ?)",
                       arguments: [patientID, s.clinician, Timestamp.iso(s.startedAt), at])
        s.id = db.lastInsertedRowID
        try writeHeader(db, s, updatedAt: at, by: s.clinician)
        for (i, e) in s.entries.enumerated() {
            try insertEntry(db, cleaned(e), sessionID: s.id, position: Int64(i + 1), upsert: false)
        }
        try Audit.append(db, at: at, actor: s.clinician, action: .create, entity: "session", entityID: String(s.id),
                         detail: "imported: patient \(patientID), \(s.entries.count) points")
        if let sig = s.signature {
            guard let stored = try loadSession(db, id: s.id) else { throw StoreError(.notFound, "Imported session vanished.") }
            var signed = stored
            signed.signature = Signature(by: sig.by, signatureLine: Sanitizer.line(sig.signatureLine), at: Timestamp.parse(Timestamp.iso(sig.at)) ?? sig.at)
            signed.state = .signed
            try db.execute(sql: """
                UPDATE sessions SET state = 'signed', signed_by = ?, signature_line = ?, signed_at = ?, signed_snapshot = ?
                WHERE id = ?
                """, arguments: [sig.by, Sanitizer.line(sig.signatureLine), Timestamp.iso(sig.at), snapshot(signed), s.id])
            try Evidence.freeze(db, sessionID: s.id, catalogue: catalogue, at: at, actor: sig.by, action: .sign, summary: "imported signature")
            for a in s.addenda {
                var clean = a
                clean.text = Sanitizer.multiline(a.text)
                try insertAddendum(db, clean, sessionID: s.id, at: at, detail: "imported addendum \(a.id)")
            }
        }
        return s.id
    }
}

extension AppDatabase {
    /// Loads the demo clinic into an empty database, in one transaction. Refuses a database that
    /// already has patients, so real records are never mixed with invented ones.
    /// Returns the number of patients and sessions loaded.
    @discardableResult
    public func loadDemo(_ clinic: DemoClinic) throws -> (patients: Int, sessions: Int) {
        try write { db in
            let existing = try Int.fetchOne(db, sql: "SELECT count(*) FROM patients") ?? 0
            guard existing == 0 else {
                throw StoreError(.duplicate, "The database already has \(existing) patient(s): the demo clinic loads only into an empty database (choose another with --db).")
            }
            let at = now
            for c in clinic.clinicians {
                try db.execute(sql: """
                    INSERT INTO clinicians(username, display_name, credentials) VALUES (?, ?, ?)
                    ON CONFLICT(username) DO NOTHING
                    """, arguments: [c.username, Sanitizer.line(c.displayName), Sanitizer.line(c.credentials)])
            }
            try db.execute(sql: "INSERT INTO settings(key, value) VALUES ('clinic_name', ?) ON CONFLICT(key) DO NOTHING", arguments: [Sanitizer.line(clinic.clinicName)])
            var ids: [String: Int64] = [:]
            for p in clinic.patients {
                try db.execute(sql: """
                    INSERT INTO patients(name, date_of_birth, chart_number, contact, notes, search_extra, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [Sanitizer.line(p.name), p.dateOfBirth.description, p.chartNumber, Sanitizer.line(p.contact),
                                     Sanitizer.multiline(p.notes), Self.searchExtra(p.name), at, at])
                ids[p.chartNumber] = db.lastInsertedRowID
                try SearchKeys.write(db, patientID: db.lastInsertedRowID, name: Sanitizer.line(p.name), chartNumber: p.chartNumber, isNew: true)
                try Self.auditPatient(db, id: db.lastInsertedRowID, at: at, actor: "demo", action: .create, detail: "demo chart \(p.chartNumber)")
            }
            for d in clinic.sessions {
                guard let pid = ids[d.chartNumber] else { throw StoreError(.notFound, "Demo session for unknown chart \(d.chartNumber).") }
                try Self.importSession(db, d.session, patientID: pid, at: at, catalogue: catalogue)
            }
            return (clinic.patients.count, clinic.sessions.count)
        }
    }
}
