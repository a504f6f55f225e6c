import ChartCore
import Foundation
import GRDB

/// What a bulk load stored.
public struct BulkLoadCounts: Sendable, Equatable {
    /// Patients, sessions, needled points (entries) and addenda written.
    public var patients = 0, sessions = 0, points = 0, addenda = 0
}

extension AppDatabase {
    /// Loads a large generated clinic into an empty database fast: prepared statements reused for
    /// every row, one transaction per `batch` patients. The database's guards (triggers, FTS) stay
    /// in place (the search keys written beside each patient); signed sessions are stored with their snapshot and frozen document, patients and
    /// addenda with their audit rows, so `check` passes. Values must be
    /// clean already (as `SyntheticClinicGenerator` makes them): they are stored as given. One
    /// audit row records the load. `next` returns nil when done; `progress` is told after each batch.
    @discardableResult
    public func bulkLoad(clinicName: String, clinicians: [Clinician], batch: Int = 500,
                         next: () -> DemoPatientHistory?, progress: (BulkLoadCounts) -> Void = { _ in }) throws -> BulkLoadCounts {
        var counts = BulkLoadCounts()
        let at = now
        try translated {
            try writer.writeWithoutTransaction { db in
                let existing = try Int.fetchOne(db, sql: "SELECT count(*) FROM patients") ?? 0
                guard existing == 0 else {
                    throw StoreError(.duplicate, "The database already has \(existing) patient(s): a bulk load needs an empty database.")
                }
                try db.inTransaction {
                    for c in clinicians {
                        try db.execute(sql: "INSERT INTO clinicians(username, display_name, credentials) VALUES (?, ?, ?) ON CONFLICT(username) DO NOTHING",
                                       arguments: [c.username, c.displayName, c.credentials])
                    }
                    try db.execute(sql: "INSERT INTO settings(key, value) VALUES ('clinic_name', ?) ON CONFLICT(key) DO NOTHING", arguments: [clinicName])
                    return .commit
                }
                let statements = try BulkStatements(db)
                var done = false
                while !done {
                    try db.inTransaction {
                        for _ in 0..<max(1, batch) {
                            guard let history = next() else { done = true; break }
                            try statements.insert(history, at: at, db: db, catalogue: catalogue, counts: &counts)
                        }
                        if done {
                            try Audit.append(db, at: at, actor: "bench", action: .create, entity: "database", entityID: "-",
                                             detail: "bulk load: \(counts.patients) patients, \(counts.sessions) sessions, \(counts.points) points")
                        }
                        return .commit
                    }
                    progress(counts)
                }
            }
        }
        return counts
    }
}

/// The prepared statements of a bulk load, compiled once.
private struct BulkStatements {
    let patient, session, entry, sign: Statement

    init(_ db: Database) throws {
        patient = try db.makeStatement(sql: """
            INSERT INTO patients(name, date_of_birth, chart_number, contact, notes, search_extra, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        session = try db.makeStatement(sql: """
            INSERT INTO sessions(patient_id, clinician, started_at, state, condition_id, condition_text, onset, screening,
                consent_obtained, consent_at, consent_explained, nprs_before, needles_removed, needle_brand, needle_lot,
                nprs_after, adverse_events, aftercare, aftercare_note, combined_treatments, next_visit, sessions_planned,
                plan_note, updated_at, consent_obtained_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        entry = try db.makeStatement(sql: """
            INSERT INTO entries(id, session_id, position, region_id, muscle, side, needle_count, diameter_hundredths,
                length_mm, depth, depth_mm, technique, technique_minutes, frequency_hz, twitch_count, twitch_strength,
                sensations, referred_to, pain_during, note, recorded_at, twitch_assessed)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        sign = try db.makeStatement(sql: """
            UPDATE sessions SET state = 'signed', signed_by = ?, signature_line = ?, signed_at = ?, signed_snapshot = ? WHERE id = ?
            """)
    }

    func insert(_ history: DemoPatientHistory, at: String, db: Database, catalogue: Catalogue, counts: inout BulkLoadCounts) throws {
        let p = history.patient
        try patient.execute(arguments: [p.name, p.dateOfBirth.description, p.chartNumber, p.contact, p.notes,
                                        AppDatabase.searchExtra(p.name), at, at])
        let patientID = db.lastInsertedRowID
        try SearchKeys.write(db, patientID: patientID, name: p.name, chartNumber: p.chartNumber, isNew: true)
        try AppDatabase.auditPatient(db, id: patientID, at: at, actor: "bench", action: .create, detail: "bulk load")
        counts.patients += 1
        for var s in history.sessions {
            let c = s.closeOut
            try session.execute(arguments: [
                patientID, s.clinician, Timestamp.iso(s.startedAt), s.state == .signed ? SessionState.closeOut.rawValue : s.state.rawValue,
                s.condition.catalogueID, s.condition.text, s.condition.onset?.rawValue, JSONColumn.encode(s.screening),
                s.consent.obtained, s.consent.at.map(Timestamp.iso), JSONColumn.encode(s.consent.explained), s.nprsBefore,
                c.needlesRemoved, c.needleBrand, c.needleLot, c.nprsAfter, JSONColumn.encode(c.adverseEvents),
                JSONColumn.encode(c.aftercare), c.aftercareNote, JSONColumn.encode(c.combinedTreatments),
                c.plan.nextVisit?.description, c.plan.sessionsPlanned, c.plan.note, at, s.consent.obtainedBy,
            ])
            s.id = db.lastInsertedRowID
            s.patientID = patientID
            counts.sessions += 1
            for (i, e) in s.entries.enumerated() {
                try entry.execute(arguments: [
                    e.id, s.id, i + 1, e.regionID, e.muscle, e.side.rawValue, e.needleCount, e.diameter.hundredths,
                    e.lengthMM, e.depth.rawValue, e.depthMM, e.technique.kind.rawValue, e.technique.minutes, e.technique.frequencyHz,
                    e.twitch.count, e.twitch.strength?.rawValue, JSONColumn.encode(e.sensations), e.referredTo,
                    e.painDuring, e.note, Timestamp.iso(e.recordedAt), e.twitch.assessed,
                ])
            }
            counts.points += s.entries.count
            guard let sig = s.signature else { continue }
            try sign.execute(arguments: [sig.by, sig.signatureLine, Timestamp.iso(sig.at), AppDatabase.snapshot(s), s.id])
            try Evidence.freeze(db, sessionID: s.id, catalogue: catalogue, at: at, actor: sig.by, action: .sign, summary: "bulk load")
            for a in s.addenda {
                try AppDatabase.insertAddendum(db, a, sessionID: s.id, at: at, detail: "bulk load addendum \(a.id)")
                counts.addenda += 1
            }
        }
    }
}
