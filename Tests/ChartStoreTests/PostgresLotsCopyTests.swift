import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import TestPostgresServer
import Testing

/// Needle lots per size on a shared clinic (SPEC §9): `admin copy` carries a SQLite clinic's lots
/// (they no longer make it refuse), and the server then reads, hashes, freezes, exports and
/// recalls them exactly as SQLite does.
@Suite struct PostgresLotsCopyTests {
    static let thin = NeedleSize(diameter: NeedleDiameter(hundredths: 25), lengthMM: 40)
    static let thick = NeedleSize(diameter: NeedleDiameter(hundredths: 30), lengthMM: 50)

    /// The demo clinic with two more sessions holding lots: one signed with two sizes' lots, one
    /// draft with the same lot in another case. They are charted in a scratch store and imported
    /// (a consent given here would store a consent form version, which a server cannot keep yet).
    static func clinicWithLots(_ env: ChartEnvironment) throws -> (path: String, file: AppDatabase, signed: Int64, draft: Int64) {
        let path = temporaryDirectory() + "/clinic.sqlite"
        let file = try AppDatabase.open(path: path, environment: env)
        try file.loadDemo(DemoClinic.make(seed: 3, today: env.now(), timeZone: env.timeZone, catalogue: .builtIn))
        try file.saveClinician(therapist)
        let scratch = try makeStore()
        let (_, charted) = try chartedSession(scratch, chart: "LOT-1", name: "Lotte Lund")
        let (_, other) = try anotherSession(scratch, chart: "LOT-2", name: "Lars Lund", lot: "")
        let patient = try file.addPatient(Patient(name: "Lotte Lund", dateOfBirth: CalendarDate(iso: "1984-03-02")!, chartNumber: "LOT-1"), by: "ahale")
        let signed = try file.importSession(charted, patientID: patient.id)
        let draft = try file.importSession(other, patientID: patient.id)
        try file.recordNeedleLot(NeedleLot(size: thin, lot: "J2509", expiry: CalendarDate(iso: "2027-05-31"), brand: "Seirin"), sessionID: signed, by: "ahale")
        try file.recordNeedleLot(NeedleLot(size: thick, lot: "K-77", gtin: "09501101530003"), sessionID: signed, by: "ahale")
        try file.recordNeedleLot(NeedleLot(size: thin, lot: "j2509", expiry: CalendarDate(iso: "2027-06-30")), sessionID: draft, by: "ahale")
        try file.sign(sessionID: signed, by: therapist, catalogue: catalogue)
        return (path, file, signed, draft)
    }

    @Test(.enabled(if: TestPostgres.runs))
    func aClinicWithLotsCopiesChecksAndReadsAsSQLite() throws {
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        let env = ChartEnvironment(now: { start }, newID: ChartEnvironment.fixed().newID, timeZone: TimeZone(identifier: "UTC")!)
        let (path, file, signed, draft) = try Self.clinicWithLots(env)
        let target = try TestPostgres.freshClinic(initialize: false)
        let copied = try PostgresAdmin.copy(from: path, to: target, environment: env)
        #expect(copied.counts.first { $0.table == "needle_lots" }?.rows == 3)
        let server = try PostgresStore.connect(url: target, environment: env)
        let report = try server.check(seal: copied.seal)
        #expect(report.ok, "\(report.problems)")

        for id in [signed, draft] {
            #expect(try server.needleLots(sessionID: id) == file.needleLots(sessionID: id))
            #expect(try server.effectiveNeedleLots(sessionID: id) == file.effectiveNeedleLots(sessionID: id))
        }
        #expect(try server.needleLots(sessionID: signed).map(\.lot) == ["J2509", "K-77"])
        let demoLot = try #require(try file.session(id: 1)?.closeOut.needleLot)
        for lot in ["J2509", " k-77 ", "nothing", demoLot] {
            #expect(try server.recall(lot: lot) == file.recall(lot: lot), "\(lot)")
        }
        #expect(try server.recall(lot: "j2509").map(\.sessionID) == [signed, draft])
        // Recall's lots per size come through the case-folded lot index, not a scan of every lot.
        let plan = try TestPostgres.psql(target, """
            SET enable_seqscan = off; EXPLAIN SELECT session_id FROM needle_lots WHERE needlechart_nocase(lot) = needlechart_nocase('J2509')
            """)
        #expect(plan.contains("needle_lots_by_lot"), "\(plan)")
        // The boxes in use: the same lots offered on both sides (the signed session's, to the draft).
        #expect(try server.lotsInUse(sessionID: draft, by: "ahale").map(\.lot) == ["J2509", "K-77"])
        #expect(try server.lotsInUse(sessionID: draft, by: "ahale") == file.lotsInUse(sessionID: draft, by: "ahale"))

        // What the signing bound: the server hashes the lots as SQLite does, and freezes the same note.
        let sqliteHash = try file.writer.read { try Evidence.dataHash($0, sessionID: signed) }
        #expect(try server.dataHash(sessionID: signed) == sqliteHash)
        let context = ExportContext(clinicName: try server.clinicName(), catalogue: .builtIn, timeZone: try server.clinicTimeZone())
        let refrozen = SignedDocument.freeze(try #require(try server.sessionRecord(id: signed, frozen: false)), context: context)
        #expect(Evidence.hex(Data(refrozen.canonicalText.utf8)) == (try server.sessionRecord(id: signed)?.signedNote?.sha256))

        // Exports, text and JSON, session by session, per patient and in the whole-clinic batches.
        for id in [signed, draft] {
            let (a, b) = (try #require(try file.sessionRecord(id: id)), try #require(try server.sessionRecord(id: id)))
            // A signed note renders from its frozen document (neither backend's record then carries lots of its own).
            let lots = try #require(a.signedNote?.document.note.session.closeOut.needleLots ?? JSONExport.document(a, context: context).session.closeOut.needleLots)
            let theirs = try #require(b.signedNote?.document.note.session.closeOut.needleLots ?? JSONExport.document(b, context: context).session.closeOut.needleLots)
            #expect(!lots.isEmpty && lots.map(\.lot) == theirs.map(\.lot), "\(lots)\n\(theirs)")
            #expect(a.needleLots == b.needleLots)
            let (ta, tb) = (TextExport.session(a, context: context), TextExport.session(b, context: context))
            #expect(ta == tb, "session \(id): \(zip(ta.split(separator: "\n"), tb.split(separator: "\n")).filter { $0 != $1 })")
            #expect(try JSONExport.session(a, context: context) == JSONExport.session(b, context: context))
        }
        let patientID = try #require(try file.session(id: signed)?.patientID)
        #expect(try JSONExport.patient(file.sessionRecords(patientID: patientID), context: context)
                == JSONExport.patient(server.sessionRecords(patientID: patientID), context: context))
        var batched: [Int64: SessionRecord] = [:]
        try server.forEachSessionRecord { batched[$0.session.id] = $0 }
        for id in [signed, draft] {
            let (a, b) = (try #require(try file.sessionRecord(id: id)), try #require(batched[id]))
            #expect(try JSONExport.session(a, context: context) == JSONExport.session(b, context: context))
        }
        #expect(batched[draft]?.needleLots == (try file.sessionRecord(id: draft)?.needleLots))
    }

    /// A session signed on the server with lots per size: the frozen note and the whole-clinic
    /// export show them as a single session's export does, and `check` verifies the signing.
    @Test(.enabled(if: TestPostgres.runs))
    func aSessionSignedOnTheServerFreezesItsLots() throws {
        let db = try PostgresStore.connect(url: try TestPostgres.freshClinic(), environment: .fixed())
        let (_, s) = try chartedSession(in: db)
        try db.recordNeedleLot(NeedleLot(size: Self.thick, lot: "K-77", expiry: CalendarDate(iso: "2028-01-31")), sessionID: s.id, by: "ahale")
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: s.version)
        let record = try #require(try db.sessionRecord(id: s.id))
        let frozen = try #require(record.signedNote?.document.note.session.closeOut.needleLots)
        #expect(frozen.contains { $0.lot == "K-77" } && frozen.map(\.lot) == ["K-77", "L2311"], "\(frozen)")
        #expect(record.signedNote?.noteText?.contains("K-77") == true)
        var batched: SessionRecord?
        try db.forEachSessionRecord { batched = $0 }
        #expect(batched?.needleLots == record.needleLots)
        let report = try db.check(seal: nil)
        #expect(report.ok, "\(report.problems)")
    }
}
