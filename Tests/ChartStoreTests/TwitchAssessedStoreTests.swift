import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

/// The close-out's count with `point`'s needles removed too (so the session signs); its draft version.
func accountFor(_ point: TriggerPointEntry, in db: any ClinicStore, sessionID: Int64) throws -> Int {
    var s = try #require(try db.session(id: sessionID))
    s.closeOut.needlesRemoved = (s.closeOut.needlesRemoved ?? 0) + point.needleCount
    return try db.saveSessionDetails(s, by: therapist.username)
}

/// A text's lines without their trailing spaces.
func lines(_ text: String) -> [String] {
    text.split(separator: "\n").map { String($0.reversed().drop { $0 == " " }.reversed()) }
}

/// Issue 10 in the store: schema v16's `entries.twitch_assessed`, its guards, `check` and the
/// upgrade of a v15 file.
@Suite struct TwitchAssessedStoreTests {
    let context = ExportContext(clinicName: "Clinic", catalogue: catalogue, timeZone: TimeZone(identifier: "UTC")!)

    /// A signed session whose second point was copied from an earlier session, not assessed.
    static func signedWithACopiedPoint(_ db: AppDatabase) throws -> NeedlingSession {
        let (_, s) = try chartedSession(db)
        var copied = try #require(s.entries.last).prefill(id: "copied", at: s.startedAt)
        copied.copiedFrom = 41
        try db.saveEntry(copied, sessionID: s.id, by: therapist.username)
        return try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: try accountFor(copied, in: db, sessionID: s.id))
    }

    @Test func aSignedSessionsTwitchAssessedNeverChanges() throws {
        let db = try makeStore()
        let s = try Self.signedWithACopiedPoint(db)
        #expect(try db.session(id: s.id)?.entries.map(\.twitch.assessed) == [true, true, false])
        for sql in ["UPDATE entries SET twitch_assessed = 1 WHERE id = 'copied'", "UPDATE entries SET twitch_assessed = 0 WHERE id = 'e1'"] {
            #expect(throws: DatabaseError.self) { try db.writer.write { try $0.execute(sql: sql) } }
        }
        #expect(try db.session(id: s.id)?.entries.map(\.twitch.assessed) == [true, true, false])
        #expect(try db.check().ok)
        // Behind the guard, the signing's data hash (version 5) names the change.
        try behindTheGuard(db, "entries_signed_no_update", "UPDATE entries SET twitch_assessed = 1 WHERE id = 'copied'")
        #expect(try db.check().problems == ["signed session \(s.id): its data has changed since it was signed"])
    }

    @Test func theSigningBindsTwitchAssessedAndTheNoteSaysNotAssessed() throws {
        let db = try makeStore()
        let s = try Self.signedWithACopiedPoint(db)
        let signing = try db.writer.read { try String.fetchOne($0, sql: "SELECT detail FROM audit_log WHERE action = 'sign'") } ?? ""
        #expect(signing.contains("data5 sha256 "))
        let record = try #require(try db.sessionRecord(id: s.id))
        let document = try #require(record.signedNote?.document)
        #expect(document.note.formatVersion == 6)
        #expect(document.note.session.entries.map(\.twitch.assessed) == [true, true, false])
        let note = try #require(record.signedNote?.noteText)
        #expect(lines(note).filter { $0.hasSuffix("  not") }.count == 1 && lines(note).filter { $0.hasSuffix("  assessed") }.count == 1)
        #expect(try JSONExport.session(record, context: context).contains("\"assessed\" : false"))
    }

    /// `check` knows the table's new shape: a file whose entries lack the column (rebuilt, or
    /// a v15 file opened by a tool that skipped the migration) does not pass for current.
    @Test func checkKnowsTheEntriesShapeWithTwitchAssessed() throws {
        let shape = try #require(AppDatabase.expectedTables["entries"])
        #expect(shape.hasSuffix("copied_from INTEGER, twitch_assessed INTEGER NOT NULL; unique (id)"), "\(shape)")
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v15: plan letters")
        #expect(try queue.read { try AppDatabase.tableShape($0, "entries") } != shape)
        try Schema.migrator.migrate(queue)
        #expect(try queue.read { try AppDatabase.tableShape($0, "entries") } == shape)
        #expect(try queue.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }.last == "v16: twitch assessed")
    }

    /// A v15 file upgrades in place: its points read as assessed, its exports and signed notes
    /// are byte for byte what they were, and `check` passes. (The v15 file is made from a current
    /// one by taking the column and the migration's row away: what v15 wrote, column for column.)
    @Test func aV15FileUpgradesWithItsPointsAssessedAndItsExportsUnchanged() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/v15.sqlite"
        var before: [String] = []
        var ids: [Int64] = []
        do {
            let db = try AppDatabase.open(path: path, environment: .fixed())
            try db.saveClinician(therapist)
            let (_, signed) = try chartedSession(db)
            try db.sign(sessionID: signed.id, by: therapist, catalogue: catalogue)
            let (_, draft) = try chartedSession(in: db, chart: "NC-0002", name: "Ann Draft", entryIDs: "d", profile: false)
            ids = [signed.id, draft.id]
            for id in ids {
                let record = try #require(try db.sessionRecord(id: id))
                before += [TextExport.session(record, context: context), try JSONExport.session(record, context: context)]
            }
        }
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "ALTER TABLE entries DROP COLUMN twitch_assessed")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v16: twitch assessed'")
        }
        #expect(try queue.read { try AppDatabase.tableShape($0, "entries") }.contains("twitch_assessed") == false)
        try queue.close()

        let db = try AppDatabase.open(path: path, environment: .fixed())
        #expect(try db.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM entries WHERE twitch_assessed = 1") } == 4)
        var after: [String] = []
        for id in ids {
            #expect(try db.session(id: id)?.entries.allSatisfy(\.twitch.assessed) == true)
            let record = try #require(try db.sessionRecord(id: id))
            after += [TextExport.session(record, context: context), try JSONExport.session(record, context: context)]
        }
        #expect(after == before)
        let report = try db.check()
        #expect(report.ok, "\(report.problems)")
    }
}

/// The contract on both backends: a copied point, not assessed, is stored and read back so, and
/// signed as so.
@Suite struct TwitchAssessedContractTests {
    @Test(arguments: Backend.under)
    func aCopiedPointIsStoredAndSignedAsNotAssessed(_ backend: Backend) throws {
        let db = try backend.make()
        let (_, s) = try chartedSession(in: db)
        var copied = try #require(s.entries.first).prefill(id: "copied", at: s.startedAt)
        copied.copiedFrom = 41
        #expect(copied.twitch == .notAssessed)
        try db.saveEntry(copied, sessionID: s.id, by: therapist.username)
        #expect(try db.session(id: s.id)?.entries.map(\.twitch) == [TwitchResponse(count: 3, strength: .strong),
                                                                 TwitchResponse(count: 1, strength: .weak), .notAssessed])
        // Recorded later (the form's twitch field): assessed, with its count.
        var assessed = copied
        assessed.twitch = .none
        try db.saveEntry(assessed, sessionID: s.id, by: therapist.username)
        #expect(try db.session(id: s.id)?.entries.last?.twitch == TwitchResponse.none)
        try db.saveEntry(copied, sessionID: s.id, by: therapist.username)
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: try accountFor(copied, in: db, sessionID: s.id))
        let record = try #require(try db.sessionRecord(id: s.id))
        #expect(record.session.entries.last?.twitch == .notAssessed)
        #expect(record.signedNote?.document.note.session.entries.map(\.twitch.assessed) == [true, true, false])
        let note = try #require(record.signedNote?.noteText)
        #expect(lines(note).filter { $0.hasSuffix("  not") }.count == 1 && lines(note).filter { $0.hasSuffix("  assessed") }.count == 1)
        #expect(try db.check().ok)
    }
}
