import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

/// The audit log is a hash chain: an edit behind the database's guards is named by `check`.
@Suite struct AuditChainTests {
    @Test func everyRowIsChainedFromTheGenesisValue() throws {
        let db = try makeStore()
        _ = try chartedSession(db)
        let rows = try db.auditLog()
        #expect(rows.count > 3)
        #expect(rows.first?.prevHash == Audit.genesis)
        for (a, b) in zip(rows, rows.dropFirst()) { #expect(b.prevHash == a.hash) }
        #expect(Set(rows.map(\.hash)).count == rows.count)
        #expect(rows.allSatisfy { $0.hash.count == 64 })
        #expect(try db.check().ok)
    }

    @Test func checkNamesAnAuditRowEditedBehindTheGuards() throws {
        let db = try makeStore()
        _ = try chartedSession(db)
        let target = try #require(try db.auditLog().dropFirst(2).first)
        try behindTheGuard(db, "audit_no_update", "UPDATE audit_log SET actor = 'someone else' WHERE id = ?", arguments: [target.id])
        let report = try db.check()
        #expect(!report.ok)
        #expect(report.problems == ["audit log row \(target.id): altered since it was written (its hash does not match)"])
    }

    @Test func checkNamesARowRemovedFromTheMiddleAndFromTheEnd() throws {
        let db = try makeStore()
        _ = try chartedSession(db)
        let rows = try db.auditLog()
        try db.writer.write { db in
            try db.execute(sql: "DROP TRIGGER audit_no_delete")
            try db.execute(sql: "DELETE FROM audit_log WHERE id IN (?, ?)", arguments: [rows[2].id, rows.last!.id])
        }
        let problems = try db.check().problems
        #expect(problems.contains("audit log row \(rows[3].id): broken link to row \(rows[1].id) (a row was removed, inserted or rewritten)"))
        #expect(problems.contains { $0.hasPrefix("audit log: rows after row \(rows[rows.count - 2].id)") })
        #expect(problems.contains { $0.contains("audit_no_delete") })
    }

    @Test func aRehashedEditStillBreaksTheNextLink() throws {
        // Someone who edits a row and recomputes its hash must rewrite every later row as well.
        let db = try makeStore()
        _ = try chartedSession(db)
        let rows = try db.auditLog()
        let r = rows[1]
        let forged = Audit.hash(id: r.id, at: r.at, actor: "mallory", action: r.action, entity: r.entity, entityID: r.entityID, detail: r.detail, prevHash: r.prevHash)
        try db.writer.write { db in
            try db.execute(sql: "DROP TRIGGER audit_no_update")
            try db.execute(sql: "UPDATE audit_log SET actor = 'mallory', hash = ? WHERE id = ?", arguments: [forged, r.id])
        }
        #expect(try db.check().problems.contains("audit log row \(rows[2].id): broken link to row \(r.id) (a row was removed, inserted or rewritten)"))
    }

    @Test func theMigrationChainsRowsWrittenBeforeTheChainExisted() throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v1: patients, sessions, entries, addenda, audit")
        try queue.write { db in
            for i in 1...5 {
                try db.execute(sql: "INSERT INTO audit_log(at, actor, action, entity, entity_id, detail) VALUES ('2026-01-0\(i)T00:00:00Z', 'old', 'create', 'patient', ?, '')", arguments: [String(i)])
            }
        }
        let db = try AppDatabase(queue, environment: .fixed())
        try db.saveClinician(therapist)
        let rows = try db.auditLog()
        #expect(rows.count == 6)
        #expect(rows[0].prevHash == Audit.genesis && rows[5].prevHash == rows[4].hash)
        #expect(try db.check().ok)
        #expect(throws: DatabaseError.self) { try db.writer.write { try $0.execute(sql: "UPDATE audit_log SET actor = 'x'") } }
    }
}

/// Several connections on one file, as several clinicians over SSH.
@Suite struct SharedUseTests {
    @Test func aPatientAddedByOneConnectionIsFoundByAnother() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let a = try AppDatabase.open(path: dir + "/clinic.sqlite")
        let b = try AppDatabase.open(path: dir + "/clinic.sqlite")
        #expect(try b.searchPatients("Ingrid").isEmpty)
        _ = try a.addPatient(Patient(name: "Ingrid Solberg", dateOfBirth: CalendarDate(iso: "1970-05-05")!, chartNumber: "SH-1"), by: "ahale")
        #expect(try b.searchPatients("ingrid").map(\.chartNumber) == ["SH-1"])
        #expect(try b.searchPatients("solb").map(\.chartNumber) == ["SH-1"])
    }

    @Test func aWriteLockHeldPastTheTimeoutGivesAClearMessageAndTheEntryCanBeSavedAfter() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/clinic.sqlite"
        let db = try AppDatabase.open(path: path, environment: .fixed(), busyTimeout: 0.2)
        try db.saveClinician(therapist)
        let (_, s) = try chartedSession(db)
        try db.writer.write { db in try db.execute(sql: "UPDATE sessions SET state = 'charting' WHERE id = ?", arguments: [s.id]) }

        var unsafe = Configuration(); unsafe.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: path, configuration: unsafe)  // another clinician, mid-write
        try other.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") }
        let draft = TriggerPointEntry(id: "draft-1", regionID: "calf", muscle: "soleus", side: .left, note: "kept", recordedAt: s.startedAt)
        #expect { try db.saveEntry(draft, sessionID: s.id, by: "ahale") } throws: { error in
            guard let e = error as? StoreError, e.kind == .busy else { return false }
            return e.message.contains("another clinician") && e.message.contains("Nothing was lost")
        }
        #expect(try db.session(id: s.id)?.entries.count == 2, "reads go on while another holds the write lock")
        try other.writeWithoutTransaction { try $0.execute(sql: "ROLLBACK") }
        try db.saveEntry(draft, sessionID: s.id, by: "ahale")
        #expect(try db.session(id: s.id)?.entries.map(\.id) == ["e1", "e2", "draft-1"])
        #expect(try db.check().ok)
    }
}

/// A file another program holds locked (SQLite's exclusive locking mode) past the timeout.
@Suite struct LockedFileTests {
    @Test func aFileLockedElsewhereGivesAClearMessageAndIsLeftAlone() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/clinic.sqlite"
        do {
            let db = try AppDatabase.open(path: path)
            try db.saveClinician(therapist)
        }
        var config = Configuration()
        config.prepareDatabase { try $0.execute(sql: "PRAGMA locking_mode = EXCLUSIVE") }
        let holder = try DatabaseQueue(path: path, configuration: config)
        try holder.write { try $0.execute(sql: "INSERT INTO settings(key, value) VALUES ('held', 'yes')") }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var caught: StoreError?
        do {
            let db = try AppDatabase.open(path: path, busyTimeout: 0.2)
            try db.saveClinician(therapist)
        } catch let e as StoreError {
            caught = e
        }
        #expect(caught?.kind == .busy, "\(String(describing: caught))")
        #expect(caught?.message.contains("Nothing was lost") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        try holder.close()
        #expect(try AppDatabase.open(path: path).check().ok, "usable again once the other program lets go")
    }
}

/// Files that are not a sound NeedleChart database are refused and left byte for byte as they were.
@Suite struct BadFileTests {
    private func expectRefusedUnchanged(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var caught: StoreError?
        do {
            let db = try AppDatabase.open(path: path)
            // Opening a damaged file may succeed; the first write or check must not damage it further.
            try db.saveClinician(therapist)
            Issue.record("a damaged file was opened and written", sourceLocation: sourceLocation)
        } catch let e as StoreError {
            caught = e
        }
        #expect(caught?.kind == .notADatabase, "\(String(describing: caught))", sourceLocation: sourceLocation)
        #expect(caught?.message.contains("not changed") == true || caught?.message.contains("was not changed") == true, sourceLocation: sourceLocation)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the file was changed", sourceLocation: sourceLocation)
    }

    @Test func randomBytesBehindAValidHeaderAreRefused() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/corrupt.sqlite"
        var state: UInt64 = 0x2545_F491_4F6C_DD1D  // xorshift: the same noise on every run
        var data = Data("SQLite format 3\0".utf8)
        data.append(contentsOf: (0..<8192).map { _ -> UInt8 in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        })
        try data.write(to: URL(fileURLWithPath: path))
        try expectRefusedUnchanged(path)
    }

    @Test func aCorruptedPageInARealDatabaseIsRefused() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/clinic.sqlite"
        do {
            let db = try AppDatabase.open(path: path)
            try db.saveClinician(therapist)
            _ = try chartedSession(db)
            try db.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        // Page 2 onwards: overwrite the schema's pages with noise, keep the header.
        for i in 100..<min(data.count, 8192) { data[i] = UInt8(truncatingIfNeeded: i &* 31) }
        try data.write(to: URL(fileURLWithPath: path))
        try expectRefusedUnchanged(path)
    }

    @Test(arguments: [0.5, 0.1, 0.01])
    func aTruncatedDatabaseIsRefused(keep: Double) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/clinic.sqlite"
        do {
            let db = try AppDatabase.open(path: path)
            try db.saveClinician(therapist)
            _ = try chartedSession(db)
            try db.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        try? FileManager.default.removeItem(atPath: path + "-wal")
        try? FileManager.default.removeItem(atPath: path + "-shm")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(max(20, Int(Double(data.count) * keep))).write(to: URL(fileURLWithPath: path))
        try expectRefusedUnchanged(path)
    }
}

/// A full disk, simulated with SQLite's page limit: a clear message, nothing confirmed lost.
@Suite struct DiskFullTests {
    @Test func aFullDiskGivesAClearMessageAndKeepsWhatWasConfirmed() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try AppDatabase.open(path: dir + "/clinic.sqlite", environment: .fixed())
        try db.saveClinician(therapist)
        let (_, s) = try chartedSession(db)
        try db.writer.write { db in try db.execute(sql: "UPDATE sessions SET state = 'charting' WHERE id = ?", arguments: [s.id]) }
        let pages = try db.writer.read { try Int.fetchOne($0, sql: "PRAGMA page_count") } ?? 0
        try db.writer.writeWithoutTransaction { try $0.execute(sql: "PRAGMA max_page_count = \(pages + 2)") }

        var saved: [String] = ["e1", "e2"]
        var failure: StoreError?
        for i in 0..<200 {
            let e = TriggerPointEntry(id: "big-\(i)", regionID: "calf", muscle: "soleus", side: .left,
                                      note: String(repeating: "note \(i) ", count: 300), recordedAt: s.startedAt)
            do {
                try db.saveEntry(e, sessionID: s.id, by: "ahale")
                saved.append(e.id)
            } catch let error as StoreError {
                failure = error
                break
            }
        }
        let error = try #require(failure, "the page limit was never reached")
        #expect(error.kind == .diskFull)
        #expect(error.message.contains("disk is full") && error.message.contains("everything saved before it is safe"))
        #expect(try db.session(id: s.id)?.entries.map(\.id) == saved)
        #expect(try db.check().ok)
    }
}
