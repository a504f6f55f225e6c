@testable import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

/// `needlechart compact` (issue 13): a file grown by signing has each note's kept text beside its
/// document, spread through the file; re-packing puts the texts in one run of pages, in session
/// order, as they were, under the same guards.
@Suite struct PackKeptNoteTextsTests {
    /// Of the pages holding the kept texts, in file order, the share that follow the one before.
    static func adjacentShare(_ db: AppDatabase) throws -> Double {
        let pages = try db.writer.read { try Int64.fetchAll($0, sql: "SELECT pageno FROM dbstat WHERE name = 'signed_note_texts' ORDER BY pageno") }
        guard pages.count > 1 else { return 1 }
        let adjacent = zip(pages, pages.dropFirst()).filter { $1 == $0 + 1 }.count
        return Double(adjacent) / Double(pages.count - 1)
    }

    /// Of the kept texts' leaf pages in key (session) order, the share that lie after the one
    /// before in the file: what a forward sweep, and the kernel's read-ahead, needs.
    static func forwardShare(_ db: AppDatabase) throws -> Double {
        let pages = try db.writer.read { try Int64.fetchAll($0, sql: "SELECT pageno FROM dbstat WHERE name = 'signed_note_texts' AND pagetype = 'leaf' ORDER BY path") }
        guard pages.count > 1 else { return 1 }
        return Double(zip(pages, pages.dropFirst()).filter { $1 > $0 }.count) / Double(pages.count - 1)
    }

    /// A file with many free pages (as an upgrade through v13 leaves it): the re-packed texts
    /// still ascend through the file with the session ids, not backwards (they came out
    /// descending before the free pages were filled first).
    @Test func repackedWhereTheFileHasFreePagesTheTextsStillAscend() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try AppDatabase.open(path: dir + "/clinic.sqlite", environment: .fixed())
        try db.saveClinician(therapist)
        try db.loadDemo(DemoClinic.make(today: TextExportPlanTests.demoDay, timeZone: TimeZone(identifier: "UTC")!))
        let rows = try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM signed_note_texts") } ?? 0
        try db.writer.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE filler(b BLOB)")
            for _ in 0..<(rows * 3) { try db.execute(sql: "INSERT INTO filler VALUES (zeroblob(3000))") }
            try db.execute(sql: "DROP TABLE filler")
        }
        let free = try db.keptNoteTextPages().free
        #expect(free > rows * 2)
        try db.packKeptNoteTexts(by: "ahale")
        let forward = try Self.forwardShare(db)
        #expect(forward > 0.95, "leaf pages in session order that lie further on: \(forward)")
        #expect(try db.keptNoteTextPages().free >= free - 5, "the filler's pages are free again")
        #expect(try db.check().problems == [])
    }

    @Test func spreadTextsBecomeOneRunAsTheyWereUnderTheSameGuards() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = try AppDatabase.open(path: dir + "/clinic.sqlite", environment: .fixed())
        try db.saveClinician(therapist)
        try db.loadDemo(DemoClinic.make(today: TextExportPlanTests.demoDay, timeZone: TimeZone(identifier: "UTC")!))
        let rowsSQL = "SELECT session_id, sha256, seal, note_text FROM signed_note_texts ORDER BY session_id"
        let triggersSQL = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        let rows = try db.writer.read { try Row.fetchAll($0, sql: rowsSQL) }
        let triggers = try db.writer.read { try Row.fetchAll($0, sql: triggersSQL) }
        let context = StreamedExportTests.context
        var exports: [Int64: String] = [:]
        try db.forEachSessionRecord { exports[$0.session.id] = TextExport.session($0, context: context) }
        let spread = try Self.adjacentShare(db)
        #expect(rows.count > 50 && spread < 0.5, "signing spreads the texts: \(spread) of pages follow the one before")

        #expect(try db.packKeptNoteTexts(by: "ahale") == rows.count)
        let packed = try Self.adjacentShare(db)
        #expect(packed > 0.95, "re-packed: \(packed) of pages follow the one before")
        #expect(try Self.forwardShare(db) > 0.95)
        #expect(try db.writer.read { try Row.fetchAll($0, sql: rowsSQL) } == rows)
        #expect(try db.writer.read { try Row.fetchAll($0, sql: triggersSQL) } == triggers)
        #expect(try db.check().problems == [])
        var after: [Int64: String] = [:]
        try db.forEachSessionRecord { after[$0.session.id] = TextExport.session($0, context: context) }
        #expect(after == exports)
        let last = try #require(try db.auditLog(limit: 1).first)
        #expect(last.actor == "ahale" && last.detail.contains("kept texts re-packed") && last.detail.contains("\(rows.count) rows copied"))
        // The guards hold on the re-packed table.
        #expect(throws: (any Error).self) { try db.writer.write { try $0.execute(sql: "UPDATE signed_note_texts SET note_text = 'x'") } }
        #expect(throws: (any Error).self) { try db.writer.write { try $0.execute(sql: "DELETE FROM signed_note_texts") } }
    }

    /// A note signed after re-packing keeps its text in the re-packed table, and check holds.
    @Test func aNoteSignedAfterRepackingKeepsItsText() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        #expect(try db.packKeptNoteTexts(by: "ahale") == 0)
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        let kept = try db.writer.read { try String.fetchOne($0, sql: "SELECT note_text FROM signed_note_texts WHERE session_id = ?", arguments: [s.id]) }
        #expect(kept == (try db.sessionRecord(id: s.id))?.signedNote?.noteText)
        #expect(kept?.isEmpty == false)
        #expect(try db.check().problems == [])
    }

    /// Re-packing twice changes nothing more; a table whose guards are not NeedleChart's is
    /// refused with nothing changed (dropping it would erase what check is there to name).
    @Test func twiceIsHarmlessAndAlteredGuardsAreRefused() throws {
        let db = try makeStore()
        try db.loadDemo(DemoClinic.make(today: TextExportPlanTests.demoDay, timeZone: TimeZone(identifier: "UTC")!))
        let rowsSQL = "SELECT * FROM signed_note_texts ORDER BY session_id"
        let rows = try db.writer.read { try Row.fetchAll($0, sql: rowsSQL) }
        try db.packKeptNoteTexts(by: "ahale")
        try db.packKeptNoteTexts(by: "ahale")
        #expect(try db.writer.read { try Row.fetchAll($0, sql: rowsSQL) } == rows)
        #expect(try db.check().problems == [])
        try db.writer.write { db in
            try db.execute(sql: "DROP TRIGGER signed_note_texts_no_update")
            try db.execute(sql: "CREATE TRIGGER signed_note_texts_no_update BEFORE UPDATE ON signed_note_texts BEGIN SELECT 1; END")
        }
        let audit = try db.auditLog().count
        #expect(throws: StoreError.self) { try db.packKeptNoteTexts(by: "ahale") }
        #expect(try db.check().problems == ["guard altered: trigger signed_note_texts_no_update does not have the SQL NeedleChart wrote"])
        #expect(try db.auditLog().count == audit)
    }
}
