@testable import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

/// A whole-clinic text export reads a signed note's kept text without walking its document
/// (issue 13): the document is the last column (v13), and the export's sessions come from their
/// index alone.
@Suite struct TextExportPlanTests {
    static let demoDay = Date(timeIntervalSince1970: 1_790_000_000)

    func demoStore() throws -> AppDatabase {
        let db = try makeStore()
        try db.loadDemo(DemoClinic.make(today: Self.demoDay, timeZone: TimeZone(identifier: "UTC")!))
        return db
    }

    @Test func theDocumentIsTheLastColumnOfASignedNotesRow() throws {
        let db = try demoStore()
        let columns = try db.writer.read { try Row.fetchAll($0, sql: "PRAGMA table_info(signed_documents)").map { $0["name"] as String } }
        #expect(columns == ["session_id", "sha256", "seal", "note_text", "document"])
    }

    /// The export's spine is a covering-index scan of the sessions with the note found by its key:
    /// no session row, and no sort.
    @Test func theSpineReadsTheSessionsIndexAndTheNoteByItsKey() throws {
        let db = try demoStore()
        let plan = try db.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + AppDatabase.textSpineSQL, arguments: [Int64.min, Int64.max]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("USING COVERING INDEX sessions_by_patient") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH t USING INTEGER PRIMARY KEY") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "no sort: \(plan)")
        #expect(!AppDatabase.textSpineSQL.contains("signed_documents"), "the documents' pages are not read")
    }

    /// A database written before v13 (the document second) is rebuilt with every row as it was,
    /// its guards with the SQL v4 wrote, and passes `check`; its exports do not change.
    @Test func v13RebuildsTheTableKeepingRowsGuardsAndExports() throws {
        let db = try demoStore()
        let context = StreamedExportTests.context
        let rowsSQL = """
            SELECT d.session_id, d.sha256, d.seal, coalesce(t.note_text, d.note_text), d.document
            FROM signed_documents d LEFT JOIN signed_note_texts t ON t.session_id = d.session_id ORDER BY d.session_id
            """
        let before = try db.writer.read { try Row.fetchAll($0, sql: rowsSQL) }
        let triggers = try db.writer.read { try Row.fetchAll($0, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name") }
        var exports: [Int64: String] = [:]
        try db.forEachSessionRecord { exports[$0.session.id] = TextExport.session($0, context: context) }
        #expect(before.count > 5 && exports.count > before.count)

        try Self.downgradeToV12(db.writer)
        #expect(try db.writer.read { try Row.fetchAll($0, sql: "PRAGMA table_info(signed_documents)").map { $0["name"] as String } }[1] == "document")

        try Schema.migrator.migrate(db.writer)
        #expect(try db.writer.read { try Row.fetchAll($0, sql: rowsSQL) } == before)
        #expect(try db.writer.read { try Row.fetchAll($0, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name") } == triggers)
        #expect(try db.check().problems == [])
        var after: [Int64: String] = [:]
        try db.forEachSessionRecord { after[$0.session.id] = TextExport.session($0, context: context) }
        #expect(after == exports)
        // The guards hold on the rebuilt table.
        #expect(throws: (any Error).self) { try db.writer.write { try $0.execute(sql: "UPDATE signed_documents SET note_text = 'x'") } }
        #expect(throws: (any Error).self) { try db.writer.write { try $0.execute(sql: "DELETE FROM signed_documents") } }
    }

    /// One session's text export read without its document (the app's and the command line's
    /// text export) is byte for byte the one from the whole record, for every demo session.
    @Test func oneSessionsTextWithoutTheDocumentMatchesTheWholeRecord() throws {
        let db = try demoStore()
        let context = StreamedExportTests.context
        var unread = 0
        for id in try db.writer.read({ try Int64.fetchAll($0, sql: "SELECT id FROM sessions ORDER BY id") }) {
            let lean = try #require(try db.sessionRecord(id: id, documents: false))
            let whole = try #require(try db.sessionRecord(id: id))
            #expect(TextExport.session(lean, context: context) == TextExport.session(whole, context: context), "session \(id)")
            if lean.signedNote?.document == SignedDocument.unreadable { unread += 1 }
            #expect(whole.signedNote.map { $0.document != SignedDocument.unreadable } ?? true)
        }
        #expect(unread > 5, "kept notes were read without their document: \(unread)")
    }

    /// One session's text export reads its spine by the session's key and its kept text by
    /// the note's key: the documents' pages are never read for it.
    @Test func oneSessionsSpineReadsTheSessionAndItsKeptTextByKey() throws {
        let db = try demoStore()
        let plan = try db.writer.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + AppDatabase.textOneSQL, arguments: [1]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("SEARCH s USING INTEGER PRIMARY KEY") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH t USING INTEGER PRIMARY KEY") }, "\(plan)")
        #expect(!AppDatabase.textOneSQL.contains("signed_documents"), "the documents' pages are not read")
    }

    /// A file's one-session text exports go through its own read-only connection for kept
    /// notes: byte for byte the whole record's text for every demo session (drafts, kept notes,
    /// notes with addenda), and a write committed after that connection opened — an addendum
    /// to a kept note, which then reads whole — shows in the next export.
    @Test func aFilesOneSessionTextExportSeesEveryCommit() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try AppDatabase.open(path: dir + "/clinic.sqlite", environment: .fixed())
        try db.saveClinician(therapist)
        try db.loadDemo(DemoClinic.make(today: Self.demoDay, timeZone: TimeZone(identifier: "UTC")!))
        let context = StreamedExportTests.context
        #expect(db.keptTextReader != nil)
        var kept: [Int64] = []
        for id in try db.writer.read({ try Int64.fetchAll($0, sql: "SELECT id FROM sessions ORDER BY id") }) {
            let lean = try #require(try db.sessionRecord(id: id, documents: false))
            let whole = try #require(try db.sessionRecord(id: id))
            #expect(TextExport.session(lean, context: context) == TextExport.session(whole, context: context), "session \(id)")
            if lean.signedNote?.documentUnread == true { kept.append(id) }
        }
        #expect(kept.count > 5, "kept notes read without their document: \(kept.count)")
        #expect(try db.sessionRecord(id: 999_999, documents: false) == nil)

        let id = try #require(kept.first)
        try db.addAddendum(sessionID: id, text: "Called: bruise resolved.", by: therapist.username)
        let lean = try #require(try db.sessionRecord(id: id, documents: false))
        #expect(lean.signedNote?.documentUnread == false, "a note with an addendum is read whole")
        let text = TextExport.session(lean, context: context)
        #expect(text.contains("Called: bruise resolved."))
        #expect(text == TextExport.session(try #require(try db.sessionRecord(id: id)), context: context))
    }

    /// A record read for a text export cannot become JSON: it would pair the note's real hash
    /// and seal with a placeholder document (from a review).
    @Test func aTextOnlyRecordIsRefusedAsJSON() throws {
        let db = try demoStore()
        let context = StreamedExportTests.context
        let id = try #require(try db.writer.read { try Int64.fetchOne($0, sql: """
            SELECT t.session_id FROM signed_note_texts t
            WHERE NOT EXISTS (SELECT 1 FROM addenda a WHERE a.session_id = t.session_id) LIMIT 1
            """) })
        let lean = try #require(try db.sessionRecord(id: id, documents: false))
        #expect(lean.signedNote?.documentUnread == true)
        #expect(throws: JSONExport.UnreadDocument.self) { try JSONExport.session(lean, context: context) }
        var stream = JSONExport.PatientStream(context: context)
        var out = ""
        #expect(throws: JSONExport.UnreadDocument.self) { try stream.add(lean, into: &out) }
        let whole = try #require(try db.sessionRecord(id: id))
        #expect(whole.signedNote?.documentUnread == false)
        #expect(try JSONExport.session(whole, context: context).contains(whole.signedNote?.sha256 ?? "-"))
    }

    /// A patient's text export read the text-only way (the command line's) is byte for byte the
    /// one built from whole records, for every demo patient: drafts, kept notes, notes with addenda.
    @Test func everyPatientsTextOnlyExportMatchesTheWholeRecords() throws {
        let db = try demoStore()
        let context = StreamedExportTests.context
        var lean = 0, whole = 0
        for id in try db.writer.read({ try Int64.fetchAll($0, sql: "SELECT id FROM patients ORDER BY id") }) {
            let records = try db.sessionRecords(patientID: id)
            var text = ""
            var stream: TextExport.PatientStream?
            try db.forEachSessionRecord(patientID: id, documents: false, start: { stream = TextExport.PatientStream(first: $0, last: $1, count: $2, context: context) }) { r in
                if r.signedNote?.document == SignedDocument.unreadable { lean += 1 } else { whole += 1 }
                stream?.add(r, into: &text)
            }
            stream?.finish(into: &text)
            #expect(text == TextExport.patient(records, context: context), "patient \(id)")
        }
        #expect(lean > 5 && whole > 5, "both kinds read: \(lean) lean, \(whole) whole")
    }

    /// A database written by v13 (each note's kept text in its document's row) gets a table of
    /// kept texts holding the same text, hash and seal; the documents' rows stay as they were
    /// signed, `check` passes, the exports do not change, and the new table has its guards.
    @Test func v14CopiesTheKeptTextsAndLeavesTheDocumentsAsSigned() throws {
        let db = try demoStore()
        let context = StreamedExportTests.context
        var exports: [Int64: String] = [:]
        try db.forEachSessionRecord { exports[$0.session.id] = TextExport.session($0, context: context) }
        try Self.downgradeToV13(db.writer)
        let documentsSQL = "SELECT session_id, sha256, seal, note_text, document FROM signed_documents ORDER BY session_id"
        let documents = try db.writer.read { try Row.fetchAll($0, sql: documentsSQL) }
        #expect(documents.count > 5 && documents.allSatisfy { $0[3] as String? != nil })
        #expect(try db.writer.read { try Bool.fetchOne($0, sql: "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'signed_note_texts'") } == false)

        try Schema.migrator.migrate(db.writer)
        #expect(try db.writer.read { try Row.fetchAll($0, sql: documentsSQL) } == documents)
        let texts = try db.writer.read { try Row.fetchAll($0, sql: "SELECT session_id, sha256, seal, note_text FROM signed_note_texts ORDER BY session_id") }
        #expect(texts.map { [$0[0], $0[1], $0[2], $0[3]] as [DatabaseValue] } == documents.map { [$0[0], $0[1], $0[2], $0[3]] as [DatabaseValue] })
        #expect(try db.check().problems == [])
        var after: [Int64: String] = [:]
        try db.forEachSessionRecord { after[$0.session.id] = TextExport.session($0, context: context) }
        #expect(after == exports)
        // The new table's guards: no change, no removal, no second text, no text for another seal.
        let first = try #require(texts.first)
        #expect(throws: (any Error).self) { try db.writer.write { try $0.execute(sql: "UPDATE signed_note_texts SET note_text = 'x'") } }
        #expect(throws: (any Error).self) { try db.writer.write { try $0.execute(sql: "DELETE FROM signed_note_texts") } }
        #expect(throws: (any Error).self) {
            try db.writer.write { try $0.execute(sql: "INSERT INTO signed_note_texts VALUES (?, ?, ?, 'x')", arguments: [first[0], first[1], first[2]]) }
        }
        // A copy in a document's row, changed behind its guard, is named by check too.
        try behindTheGuard(db, "signed_documents_no_update", "UPDATE signed_documents SET note_text = note_text || ' ' WHERE session_id = ?", arguments: [first[0]])
        #expect(try db.check().problems == ["signed session \(first[0] as Int64): the kept text in its document's row has changed since it was signed"])
    }

    /// Puts `writer`'s kept note texts back in their documents' rows, as v13 left them, and forgets v14.
    static func downgradeToV13(_ writer: any DatabaseWriter) throws {
        try writer.write { db in
            let guardSQL = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'signed_documents_no_update'") ?? ""
            try db.execute(sql: """
                DROP TRIGGER signed_documents_no_update;
                UPDATE signed_documents SET note_text = (SELECT t.note_text FROM signed_note_texts t WHERE t.session_id = signed_documents.session_id)
                    WHERE note_text IS NULL;
                DROP TABLE signed_note_texts;
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v14:%';
                """)
            try db.execute(sql: guardSQL)
        }
    }

    /// Puts `writer`'s signed documents back in the layout of v4 to v12 (the document second), as
    /// an older release left them, and forgets v13 and v14.
    static func downgradeToV12(_ writer: any DatabaseWriter) throws {
        try downgradeToV13(writer)
        let rows = try writer.read { try Row.fetchAll($0, sql: "SELECT session_id, sha256, seal, note_text, document FROM signed_documents") }
        let triggers = try writer.read { try String.fetchAll($0, sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'signed_documents'") }
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.inTransaction {
                try db.execute(sql: """
                    DROP TABLE signed_documents;
                    CREATE TABLE signed_documents (
                        session_id INTEGER PRIMARY KEY NOT NULL REFERENCES sessions(id),
                        document TEXT NOT NULL, sha256 TEXT NOT NULL, seal TEXT NOT NULL, note_text TEXT);
                    """)
                for r in rows {
                    try db.execute(sql: "INSERT INTO signed_documents(session_id, sha256, seal, note_text, document) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [r[0], r[1], r[2], r[3], r[4]])
                }
                for t in triggers { try db.execute(sql: t) }
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v13:%'")
                return .commit
            }
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
    }

    /// Opening an older file upgrades it and gives back the WAL space the upgrade wrote.
    @Test func anUpgradedFileKeepsNoLargeWAL() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/clinic.sqlite"
        do {
            let db = try AppDatabase.open(path: path, environment: .fixed())
            try db.saveClinician(therapist)
            try db.loadDemo(DemoClinic.make(today: Self.demoDay, timeZone: TimeZone(identifier: "UTC")!))
            try Self.downgradeToV12(db.writer)
        }
        func walSize() -> Int { ((try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int) ?? 0 }
        let db = try AppDatabase.open(path: path, environment: .fixed())
        #expect(try db.writer.read { try Row.fetchAll($0, sql: "PRAGMA table_info(signed_documents)").map { $0["name"] as String } }.last == "document")
        #expect(walSize() == 0, "the WAL after the upgrade: \(walSize()) bytes")
        #expect(try db.check().problems == [])
    }
}

/// Statements stepped through the SQLite C API (the search's seeks and lookups) read what GRDB
/// reads, and a step that fails is an error with SQLite's message, the statement usable after.
@Suite struct SteppedStatementTests {
    @Test func steppedRowsReadAsGRDBRowsAndFailuresAreErrors() throws {
        let db = try makeStore()
        try db.loadDemo(DemoClinic.make(today: TextExportPlanTests.demoDay, timeZone: TimeZone(identifier: "UTC")!))
        try db.writer.read { db in
            let sql = "SELECT \(AppDatabase.patientColumns) FROM patients p ORDER BY p.id"
            let viaRows = try Row.fetchAll(db, sql: sql).map { try Patient(row: $0) }
            var stepped: [Patient] = []
            try db.cachedStatement(sql: sql).forEachStepped([]) { stepped.append(try Patient(row: $0)) }
            #expect(viaRows.count > 10 && stepped == viaRows)
            let one = try db.cachedStatement(sql: AppDatabase.patientByIDSQL)
            #expect(try one.firstStepped([viaRows[3].id], Patient.init(row:)) == viaRows[3])
            #expect(try one.firstStepped([Int64(-5)], Patient.init(row:)) == nil)

            // abs() of the smallest integer overflows when the row is stepped, not when prepared.
            let failing = try db.cachedStatement(sql: "SELECT abs(?)")
            #expect(throws: DatabaseError.self) { try failing.firstStepped([Int64.min]) { $0[0] as Int64 } }
            do {
                _ = try failing.firstStepped([Int64.min]) { $0[0] as Int64 }
            } catch let error as DatabaseError {
                #expect(error.message?.contains("integer overflow") == true, "\(error)")
            }
            #expect(try failing.firstStepped([Int64(-7)]) { $0[0] as Int64 } == 7)
        }
    }
}
