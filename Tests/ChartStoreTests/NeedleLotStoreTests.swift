import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import TestPostgresServer
import Testing

/// Needle traceability in the store (SPEC §9): lots per size, expired lots refused, the signed
/// session's lots guarded, and recall reading only; on both backends, through `ClinicStore`.
@Suite struct NeedleLotStoreTests {
    let thin = NeedleSize(diameter: NeedleDiameter(hundredths: 25), lengthMM: 40)
    let thick = NeedleSize(diameter: NeedleDiameter(hundredths: 30), lengthMM: 50)

    @Test(arguments: Backend.under)
    func aLotPerSizeIsRecordedAndAnExpiredOneRefused(_ backend: Backend) throws {
        let db = try backend.make()
        let (_, s) = try chartedSession(in: db)
        // The fixed clock starts on 2026-11-18 (UTC).
        try db.recordNeedleLot(NeedleLot(size: thin, lot: "A-1", expiry: CalendarDate(iso: "2026-11-18"), brand: "Seirin"), sessionID: s.id, by: "ahale")
        try db.recordNeedleLot(NeedleLot(size: thick, lot: "B-2", expiry: CalendarDate(iso: "2028-01-31")), sessionID: s.id, by: "ahale")
        let before = try db.needleLots(sessionID: s.id)
        let audit = try db.auditLog().count
        do {
            try db.recordNeedleLot(NeedleLot(size: thin, lot: "OLD-9", expiry: CalendarDate(iso: "2026-11-17")), sessionID: s.id, by: "ahale")
            Issue.record("an expired lot was accepted")
        } catch let error as ValidationError {
            #expect(error.description == "Expiry: lot OLD-9 expired on 2026-11-17, before this session (2026-11-18): do not use these needles; open an in-date box")
        }
        #expect(try db.needleLots(sessionID: s.id) == before)
        #expect(try db.auditLog().count == audit)
        #expect(before.map(\.lot) == ["A-1", "B-2"])
        #expect(before.first?.brand == "Seirin")
    }

    /// The same lot typed again in another case (a scanner's lower-case mode, a hand-typed
    /// "j2509") is the same lot: recall ignores case, so a second row would count one box twice.
    @Test(arguments: Backend.under)
    func theSameLotInAnotherCaseIsTheSameLot(_ backend: Backend) throws {
        let db = try backend.make()
        let (_, s) = try chartedSession(in: db)
        try db.recordNeedleLot(NeedleLot(size: thin, lot: "J2509", expiry: CalendarDate(iso: "2027-05-31")), sessionID: s.id, by: "ahale")
        try db.recordNeedleLot(NeedleLot(size: thin, lot: "j2509", brand: "Seirin"), sessionID: s.id, by: "ahale")
        let lots = try db.needleLots(sessionID: s.id)
        #expect(lots.map(\.lot) == ["J2509"] && lots.first?.brand == "Seirin", "\(lots)")
        // Its expiry, recorded first, is replaced by the second record's (none), as on SQLite.
        #expect(lots.first?.expiry == nil)
        #expect(try db.recall(lot: "J2509").count == 1)
        #expect(try db.auditLog(limit: 1).last?.detail == "needle lot \(thin): J2509")
        // Another size keeps its own row.
        try db.recordNeedleLot(NeedleLot(size: thick, lot: "j2509"), sessionID: s.id, by: "ahale")
        #expect(try db.needleLots(sessionID: s.id).count == 2)
    }

    /// Signing through the store counts the lots recorded per size: with some recorded and no
    /// single lot field, a size used without one is refused.
    @Test(arguments: Backend.under)
    func signingNeedsALotForEachSizeUsed(_ backend: Backend) throws {
        let db = try backend.make()
        var (_, s) = try chartedSession(in: db)
        s.closeOut.needleLot = ""
        s.version = try db.saveSessionDetails(s, by: "ahale")
        try db.recordNeedleLot(NeedleLot(size: thick, lot: "B-2"), sessionID: s.id, by: "ahale")
        let used = try #require(NeedleSize.used(in: s.entries).first)
        #expect(throws: SessionError.blocked(["Record each needle size's lot (for a recall): \(used) has none."])) {
            try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        }
        try db.recordNeedleLot(NeedleLot(size: used, lot: "A-1"), sessionID: s.id, by: "ahale")
        #expect(try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue).isSigned)
        // The frozen note names both lots, and the signing's data hash binds them: check passes.
        let note = try #require(try db.sessionRecord(id: s.id)?.signedNote?.noteText)
        #expect(note.contains("A-1") && note.contains("B-2"), "\(note)")
        #expect(try db.check(seal: nil).ok)
    }

    @Test(arguments: Backend.under)
    func aSignedSessionsLotsNeverChange(_ backend: Backend) throws {
        let db = try backend.make()
        let (_, s) = try chartedSession(in: db)
        try db.recordNeedleLot(NeedleLot(size: thin, lot: "A-1"), sessionID: s.id, by: "ahale")
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        let audit = try db.auditLog(limit: nil).count
        #expect(throws: SessionError.signed) { try db.recordNeedleLot(NeedleLot(size: thick, lot: "B-2"), sessionID: s.id, by: "ahale") }
        #expect(throws: SessionError.signed) { try db.removeNeedleLot(sessionID: s.id, size: thin, lot: "A-1", by: "ahale") }
        #expect(try db.needleLots(sessionID: s.id).map(\.lot) == ["A-1"])
        #expect(try db.auditLog(limit: nil).count == audit)
        // The database itself refuses, whatever code sends the statement (a server's guards as a
        // clinician's role: PostgresGuardTests).
        guard let db = db as? AppDatabase else { return }
        for sql in ["UPDATE needle_lots SET lot = 'X'", "DELETE FROM needle_lots",
                    "INSERT INTO needle_lots(session_id, diameter_hundredths, length_mm, lot, recorded_by, recorded_at) VALUES (\(s.id), 30, 50, 'B', 'x', 'y')",
                    "INSERT OR REPLACE INTO needle_lots(session_id, diameter_hundredths, length_mm, lot, recorded_by, recorded_at) VALUES (\(s.id), 25, 40, 'A-1', 'x', 'y')"] {
            #expect(throws: DatabaseError.self, "\(sql)") { try db.writer.write { try $0.execute(sql: sql) } }
        }
        #expect(try db.needleLots(sessionID: s.id).map(\.lot) == ["A-1"])
    }

    @Test(arguments: Backend.under)
    func recallFindsPerSizeLotsAndTheSessionLotAndWritesNothing(_ backend: Backend) throws {
        let db = try backend.make()
        let (p1, s1) = try chartedSession(in: db)   // single lot field "L2311", one size (0.25x40)
        let (p2, s2) = try anotherSession(db, chart: "NC-0002", name: "Ben Okafor", lot: "L2311")
        try db.recordNeedleLot(NeedleLot(size: thick, lot: "l2311", expiry: CalendarDate(iso: "2027-03-31")), sessionID: s2.id, by: "ahale")
        try db.sign(sessionID: s1.id, by: therapist, catalogue: catalogue)
        _ = try anotherSession(db, chart: "NC-0003", name: "Other Lot", lot: "ZZZ")

        let changes = try (db as? AppDatabase)?.writer.read { try Int.fetchOne($0, sql: "SELECT total_changes()") }
        let audit = try db.auditLog().count
        let hits = try db.recall(lot: " L2311 ")
        #expect(hits.map(\.sessionID).sorted() == [s1.id, s2.id].sorted())
        let first = try #require(hits.first { $0.sessionID == s1.id })
        #expect(first.patientID == p1.id && first.fromSessionLot && first.lot.size == thin && first.state == .signed)
        let second = try #require(hits.first { $0.sessionID == s2.id })
        // s2 has the same single lot field "L2311": recorded per size for 0.30x50, the field
        // itself is the same lot, so it is listed once, from the record.
        #expect(second.patientID == p2.id && !second.fromSessionLot && second.lot.size == thick && second.lot.expiry == CalendarDate(iso: "2027-03-31"))
        #expect(try db.recall(lot: "nothing").isEmpty)
        #expect(throws: ValidationError.self) { try db.recall(lot: "  ") }
        #expect(try db.auditLog().count == audit)
        #expect(try (db as? AppDatabase)?.writer.read { try Int.fetchOne($0, sql: "SELECT total_changes()") } == changes)
    }
}

/// A second patient's draft in close-out with one 0.25x40 point and `lot` in its single lot field.
func anotherSession(_ db: any ClinicStore, chart: String, name: String, lot: String) throws -> (Patient, NeedlingSession) {
    let patient = try db.addPatient(Patient(name: name, dateOfBirth: CalendarDate(iso: "1990-01-01")!, chartNumber: chart), by: therapist.username)
    var s = try db.startSession(patientID: patient.id, clinician: therapist.username)
    s.condition = PresentingCondition(catalogueID: "neck-pain", onset: .acute)
    s.screening = allNo()
    s.consent = Consent(obtained: true, at: s.startedAt, explained: ["not-acupuncture"])
    s.nprsBefore = 5
    try s.startCharting(catalogue: catalogue)
    s.version = try db.saveSessionDetails(s, by: therapist.username)
    let e = TriggerPointEntry(id: "\(chart)-e1", regionID: "back-neck", muscle: "upper trapezius", side: .left, depthMM: 15, recordedAt: s.startedAt)
    try s.upsertEntry(e, catalogue: catalogue)
    try db.saveEntry(e, sessionID: s.id, by: therapist.username)
    try s.beginCloseOut()
    try s.updateCloseOut(CloseOut(needlesRemoved: 1, needleBrand: "Seirin", needleLot: lot, nprsAfter: 3), catalogue: catalogue)
    s.version = try db.saveSessionDetails(s, by: therapist.username)
    return (patient, s)
}
