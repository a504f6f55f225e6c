import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

@Suite struct MigrationTests {
    @Test func migratesAnEmptyFileToTheCurrentSchema() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/sub/dir/clinic.sqlite"
        let db = try AppDatabase.open(path: path)
        let tables = try db.writer.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") }
        for t in ["addenda", "audit_log", "clinicians", "entries", "patients", "patients_fts", "sessions", "settings"] {
            #expect(tables.contains(t), "missing table \(t)")
        }
        let mode = try db.writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let sync = try db.writer.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
        #expect(sync == 2, "synchronous must be FULL")
        let perms = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(perms == 0o600)
        // Opening again runs no migration twice.
        _ = try AppDatabase.open(path: path)
    }

    @Test func refusesAFileThatIsNotADatabaseAndLeavesItAlone() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/notes.txt"
        try "shopping list\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try AppDatabase.open(path: path) } throws: { ($0 as? StoreError)?.kind == .notADatabase }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "shopping list\n")
    }

    @Test func refusesAnotherProgramsSQLiteFileAndLeavesItAlone() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/photos.sqlite"
        try DatabaseQueue(path: path).write { try $0.execute(sql: "CREATE TABLE photos(id INTEGER PRIMARY KEY, title TEXT)") }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect { try AppDatabase.open(path: path) } throws: { ($0 as? StoreError)?.kind == .notADatabase }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let tables = try DatabaseQueue(path: path).read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        #expect(tables == ["photos"])
    }

    @Test func refusesAReadOnlyFile() throws {
        guard getuid() != 0 else { return try refusesReadOnlyAsRoot() }
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/ro.sqlite"
        _ = try AppDatabase.open(path: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path)
        #expect { try AppDatabase.open(path: path) } throws: { ($0 as? StoreError)?.kind == .readOnlyFile }
    }

    /// Root can write any file, so the read-only case is exercised through SQLite's own flag.
    private func refusesReadOnlyAsRoot() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/ro.sqlite"
        let db = try AppDatabase.open(path: path)
        let patient = try db.addPatient(Patient(name: "A B", dateOfBirth: CalendarDate(iso: "1990-01-01")!, chartNumber: "X1"), by: "t")
        var config = Configuration(); config.readonly = true
        let ro = try AppDatabase(DatabasePool(path: path, configuration: config))
        var p = patient; p.name = "Changed"
        #expect { try ro.updatePatient(p, by: "t") } throws: { ($0 as? StoreError)?.kind == .readOnlyFile }
    }
}

@Suite struct PatientTests {
    @Test func searchIgnoresDiacriticsAndCaseAndMatchesPrefixes() throws {
        let db = try makeStore()
        let names = [("Zoë Ångström-山田", "NC-0001"), ("Søren Kierkegaard", "NC-0002"), ("José Álvarez", "NC-0042"),
                     ("Zoe Adams", "AB-1000"), ("山田 太郎", "JP-7")]
        for (n, c) in names {
            try db.addPatient(Patient(name: n, dateOfBirth: CalendarDate(iso: "1980-01-01")!, chartNumber: c), by: "ahale")
        }
        func find(_ q: String) throws -> [String] { try db.searchPatients(q).map(\.chartNumber).sorted() }
        #expect(try find("zoe") == ["AB-1000", "NC-0001"])
        #expect(try find("ZOË") == ["AB-1000", "NC-0001"])
        #expect(try find("angst") == ["NC-0001"])
        #expect(try find("sor") == ["NC-0002"])
        #expect(try find("SØREN") == ["NC-0002"])
        #expect(try find("alvarez jo") == ["NC-0042"])
        #expect(try find("nc-004") == ["NC-0042"])
        #expect(try find("NC") == ["NC-0001", "NC-0002", "NC-0042"])
        #expect(try find("山田") == ["JP-7", "NC-0001"])
        #expect(try find("xyz") == [])
        #expect(try find("\"*) OR (") == [], "FTS syntax in the query is inert")
        #expect(try db.searchPatients("").count == 5)
    }

    @Test func searchFollowsEdits() throws {
        let db = try makeStore()
        var p = try db.addPatient(Patient(name: "Ana Lima", dateOfBirth: CalendarDate(iso: "1970-05-05")!, chartNumber: "C1"), by: "ahale")
        p.name = "Ana Souza"
        try db.updatePatient(p, by: "ahale")
        #expect(try db.searchPatients("lima").isEmpty)
        #expect(try db.searchPatients("souza").map(\.id) == [p.id])
    }

    @Test func refusesDuplicateChartNumbersWithAClearMessage() throws {
        let db = try makeStore()
        try db.addPatient(Patient(name: "A", dateOfBirth: CalendarDate(iso: "1970-05-05")!, chartNumber: "C1"), by: "ahale")
        #expect { try db.addPatient(Patient(name: "B", dateOfBirth: CalendarDate(iso: "1970-05-05")!, chartNumber: "c1"), by: "ahale") }
            throws: { ($0 as? StoreError)?.message == "That chart number is already used by another patient." }
        #expect(try db.patientCount() == 1)
    }

    @Test func refusesInvalidPatientsAndStripsControlCharacters() throws {
        let db = try makeStore()
        let future = Patient(name: "A", dateOfBirth: CalendarDate(iso: "2099-01-01")!, chartNumber: "C1")
        #expect { try db.addPatient(future, by: "ahale") } throws: { error in
            (error as? ValidationError)?.issues.contains { $0.field == "Date of birth" && $0.message.contains("in the future") } == true
        }
        let p = try db.addPatient(Patient(name: "Evil\u{1B}[31m Name\u{202E}", dateOfBirth: CalendarDate(iso: "1990-01-01")!, chartNumber: "C2"), by: "ahale")
        #expect(p.name == "Evil[31m Name")
        #expect(try db.patient(chartNumber: "c2")?.name == "Evil[31m Name")
    }
}

@Suite struct SessionStoreTests {
    @Test func savesAndReloadsAWholeSession() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        let loaded = try #require(try db.session(id: s.id))
        #expect(loaded == s)
    }

    @Test func savingAnEntryTwiceNeverDuplicatesIt() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        var e = s.entries[0]
        try db.saveEntry(e, sessionID: s.id, by: "ahale")
        e.note = "retried with a note"
        try db.saveEntry(e, sessionID: s.id, by: "ahale")
        let loaded = try #require(try db.session(id: s.id))
        #expect(loaded.entries.count == 2)
        #expect(loaded.entries[0].note == "retried with a note")
        #expect(loaded.entries.map(\.id) == ["e1", "e2"], "order is kept")
    }

    @Test func startCarriesScreeningForwardWithoutAcknowledgements() throws {
        let db = try makeStore()
        let (patient, s) = try chartedSession(db)
        var answers = s.screening
        answers[answers.firstIndex { $0.itemID == "anticoagulants" }!] = ScreeningAnswer(itemID: "anticoagulants", present: true, acknowledged: true)
        var s2 = s; s2.screening = answers
        try db.saveSessionDetails(s2, by: "ahale")
        let draft = try db.startSession(patientID: patient.id, clinician: "ahale")
        #expect(draft.screening.isEmpty, "an unsigned session is never carried forward")
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        let next = try db.startSession(patientID: patient.id, clinician: "ahale")
        #expect(next.state == .screening)
        #expect(next.condition == s.condition)
        let carried = try #require(next.screening.first { $0.itemID == "anticoagulants" })
        #expect(carried.present && !carried.acknowledged)
        #expect(try db.sessions(patientID: patient.id).map(\.id) == [next.id, draft.id, s.id], "newest first")
        #expect(try db.unfinishedSessions(clinician: "ahale").count == 2)
    }

    @Test func refusesAPointInARegionScreeningClosed() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        var closed = s
        closed.screening = s.screening.map { $0.itemID == "local-infection" ? ScreeningAnswer(itemID: $0.itemID, present: true, regions: ["calf"]) : $0 }
        try db.saveSessionDetails(closed, by: "ahale")
        let calf = TriggerPointEntry(id: "calf-1", regionID: "calf", muscle: "soleus", side: .left, recordedAt: s.startedAt)
        #expect { try db.saveEntry(calf, sessionID: s.id, by: "ahale") } throws: { error in
            guard case let .invalid(issues) = error as? SessionError else { return false }
            return issues.first?.message.contains("local-infection") == true
        }
        #expect(try db.session(id: s.id)?.entries.count == 2)
    }

    @Test func signsAndLocksTheSession() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        let signed = try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        #expect(signed.state == .signed)
        #expect(signed.signature?.signatureLine == "Alex Hale, PT, DPT")
        #expect(try db.session(id: s.id)?.isSigned == true)
        #expect { try db.saveEntry(s.entries[0], sessionID: s.id, by: "ahale") } throws: { ($0 as? SessionError) == .signed }
        #expect { try db.saveSessionDetails(s, by: "ahale") } throws: { ($0 as? SessionError) == .signed }
        #expect { try db.deleteEntry(id: "e1", sessionID: s.id, by: "ahale") } throws: { ($0 as? SessionError) == .signed }
        #expect(try db.check().ok)
    }

    @Test func refusesToSignWhenNeedlesAreUnaccounted() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        var s2 = s; s2.closeOut.needlesRemoved = 2
        try db.saveSessionDetails(s2, by: "ahale")
        #expect { try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue) } throws: { error in
            guard case let .blocked(reasons) = error as? SessionError else { return false }
            return reasons.contains { $0.contains("1 needle(s) not accounted for") && $0.contains("serious adverse event") }
        }
        #expect(try db.session(id: s.id)?.isSigned == false)
    }

    @Test func addendaOnlyOnSignedSessions() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        #expect(throws: SessionError.self) { try db.addAddendum(sessionID: s.id, text: "too early", by: "ahale") }
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        let a = try db.addAddendum(sessionID: s.id, text: "Phoned next day: soreness resolved.", by: "ahale")
        #expect(try db.session(id: s.id)?.addenda == [a])
        #expect(throws: ValidationError.self) { try db.addAddendum(sessionID: s.id, text: "  \n ", by: "ahale") }
        #expect(try db.check().ok, "addenda do not count as altering a signed session")
    }
}

@Suite struct ImmutabilityTests {
    /// A signed session and its entries are protected by the database itself.
    @Test(arguments: [
        "UPDATE sessions SET nprs_after = 0",
        "UPDATE sessions SET state = 'charting', signed_at = NULL",
        "DELETE FROM sessions",
        "UPDATE entries SET needle_count = 9",
        "DELETE FROM entries",
        "INSERT INTO entries(id, session_id, position, region_id, muscle, side, needle_count, diameter_hundredths, length_mm, depth, technique, twitch_count, recorded_at) SELECT 'x', id, 9, 'calf', 'soleus', 'left', 1, 25, 40, 'deep', 'pistoning', 0, '2026-01-01T00:00:00Z' FROM sessions",
        "UPDATE addenda SET text = 'rewritten'",
        "DELETE FROM addenda",
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
        // REPLACE deletes the old row without the DELETE triggers unless guarded separately.
        "INSERT OR REPLACE INTO sessions(id, patient_id, clinician, started_at, state, updated_at) SELECT id, patient_id, clinician, started_at, 'charting', updated_at FROM sessions",
        "REPLACE INTO entries(id, session_id, position, region_id, muscle, side, needle_count, diameter_hundredths, length_mm, depth, technique, twitch_count, recorded_at) SELECT id, session_id, position, region_id, 'changed', side, 9, 25, 40, 'deep', 'pistoning', 0, recorded_at FROM entries",
        "REPLACE INTO addenda(id, session_id, author, at, text) SELECT id, session_id, author, at, 'rewritten' FROM addenda",
        "INSERT OR REPLACE INTO audit_log(id, at, actor, action, entity, entity_id, detail) SELECT id, at, 'mallory', action, entity, entity_id, detail FROM audit_log",
    ])
    func rawSQLCannotAlterSignedRecords(sql: String) throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        try db.addAddendum(sessionID: s.id, text: "note", by: "ahale")
        let before = try db.session(id: s.id)
        let auditBefore = try db.auditLog()
        #expect(throws: DatabaseError.self) { try db.writer.write { try $0.execute(sql: sql) } }
        #expect(try db.session(id: s.id) == before)
        #expect(try db.auditLog() == auditBefore)
    }

    @Test func checkDetectsASignedSessionAlteredBehindTheGuards() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        try db.writer.write { db in
            try db.execute(sql: "DROP TRIGGER entries_signed_no_update")
            try db.execute(sql: "UPDATE entries SET needle_count = 1 WHERE id = 'e1'")
        }
        let report = try db.check()
        #expect(!report.ok)
        #expect(report.problems.contains { $0.contains("entries_signed_no_update") })
        #expect(report.problems.contains { $0 == "signed session \(s.id): its data has changed since it was signed" })
    }
}

@Suite struct AuditTests {
    @Test func everyActionWritesAnAuditRow() throws {
        let db = try makeStore()
        let (patient, s) = try chartedSession(db)
        var p = patient; p.contact = "0400 000 000"
        try db.updatePatient(p, by: "ahale")
        try db.deleteEntry(id: "e2", sessionID: s.id, by: "ahale")
        var s2 = try #require(try db.session(id: s.id)); s2.closeOut.needlesRemoved = 2
        try db.saveSessionDetails(s2, by: "ahale")
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        try db.addAddendum(sessionID: s.id, text: "Called: fine.", by: "ahale")
        try db.logExport(entity: "session", entityID: String(s.id), detail: "text", by: "ahale")
        let rows = try db.auditLog()
        func has(_ action: String, _ entity: String) -> Bool { rows.contains { $0.action == action && $0.entity == entity && $0.actor == "ahale" } }
        #expect(has("create", "clinician"))
        #expect(has("create", "patient"))
        #expect(has("change", "patient"))
        #expect(has("create", "session"))
        #expect(has("change", "session"))
        #expect(has("create", "entry"))
        #expect(has("delete", "entry"))
        #expect(has("sign", "session"))
        #expect(has("addendum", "session"))
        #expect(has("export", "session"))
        #expect(rows.map(\.id) == rows.map(\.id).sorted())
    }

    @Test func backupIsAConsistentCopyAndNeverOverwrites() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try AppDatabase.open(path: dir + "/live.sqlite", environment: .fixed())
        try db.saveClinician(therapist)
        let (_, s) = try chartedSession(db)
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        try db.backup(to: dir + "/copy.sqlite", by: "ahale")
        let copy = try AppDatabase.open(path: dir + "/copy.sqlite")
        #expect(try copy.session(id: s.id) == db.session(id: s.id))
        #expect(try copy.check().ok)
        #expect { try db.backup(to: dir + "/copy.sqlite", by: "ahale") } throws: { ($0 as? StoreError)?.kind == .io }
        #expect(try db.auditLog().last?.action == "backup")
    }
}
