import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import TestPostgresServer
import Testing

/// Issue 11: the whole-clinic export on PostgreSQL reads a batch of sessions per statement; its
/// records are the ones reading each session by itself gives, in the same (chart) order.
@Suite struct PostgresBatchedExportTests {
    @Test(.enabled(if: TestPostgres.runs))
    func batchedExportYieldsThePerSessionRecords() throws {
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        let env = ChartEnvironment(now: { start }, newID: ChartEnvironment.fixed().newID, timeZone: TimeZone(identifier: "UTC")!)
        let url = try TestPostgres.freshClinic()
        let db = try PostgresStore.connect(url: url, environment: env)
        try db.loadDemo(DemoClinic.make(seed: 5, today: start, timeZone: env.timeZone, catalogue: .builtIn))
        // Addenda on some signed sessions (one with two), and the regulated columns on drafts
        // (a signed session's row never changes), so every table a record reads has rows.
        let signed = try db.link.rows("SELECT id, clinician FROM sessions WHERE signed_at IS NOT NULL ORDER BY id").map { ($0[0] as Int64, $0[1] as String) }
        for (i, (id, clinician)) in signed.enumerated() where i % 5 == 0 {
            try db.addAddendum(sessionID: id, text: "Addendum \(i): called, feeling better.", adverseEvent: nil, by: clinician)
            if i == 0 { try db.addAddendum(sessionID: id, text: "A second one.", adverseEvent: nil, by: clinician) }
        }
        // A draft points only at a stored consent form version and its hash (v5's foreign key).
        try db.editConsentForm(text: "Version two.\n", by: "admin")
        try TestPostgres.psql(url, """
            UPDATE sessions SET coding_system = 'us-cpt', consent_form_version = 2,
                   consent_form_sha256 = (SELECT sha256 FROM consent_forms WHERE version = 2),
                   signer_credentials = '{"licence":"PT-1"}'
            WHERE signed_at IS NULL AND id % 2 = 0
            """)
        // Lots per size on every draft (a frozen note carries its own): two sizes each.
        try TestPostgres.psql(url, """
            INSERT INTO needle_lots(session_id, diameter_hundredths, length_mm, lot, expiry, brand, recorded_by, recorded_at)
            SELECT s.id, z.d, z.l, 'L-' || s.id || '-' || z.d, '2030-01-31', 'Seirin', s.clinician, s.started_at
            FROM sessions s, (VALUES (25, 40), (30, 50)) AS z(d, l) WHERE s.signed_at IS NULL
            """)

        // Each session read by itself, in chart order, as the export read them before.
        let ids = try db.link.rows("SELECT id FROM sessions ORDER BY patient_id, started_at COLLATE \"C\", id").map { $0[0] as Int64 }
        let expected = try db.link.transaction { try ids.map { try #require(try db.sessionRecord(id: $0, frozen: true)) } }

        // What the test is worth: more sessions than a batch, of every kind.
        #expect(expected.count > 40)
        #expect(expected.contains { $0.signedNote != nil } && expected.contains { $0.session.signature == nil })
        #expect(expected.contains { $0.session.addenda.count > 1 })
        #expect(expected.contains { $0.consentForm != nil && $0.coding == .usCPT && $0.signerCredentials?.licence == "PT-1" })
        #expect(Set(expected.map(\.patient.id)).count > 3)
        #expect(expected.contains { $0.signedNote == nil && $0.needleLots.count >= 2 })
        #expect(Set(expected.map(\.clinician.username)).count > 1)
        #expect(expected.contains { ($0.sessionNumber ?? 0) > 2 })

        let context = ExportContext(clinicName: try db.clinicName(), catalogue: .builtIn, timeZone: try db.clinicTimeZone())
        for batchSize in [1, 7, expected.count, PostgresStore.exportBatchSize] {
            var batched: [SessionRecord] = []
            let n = try db.forEachSessionRecord(batchSize: batchSize) { batched.append($0) }
            #expect(n == expected.count, "batch size \(batchSize)")
            #expect(batched.map(\.session.id) == ids, "batch size \(batchSize): chart order")
            for (i, (x, y)) in zip(expected, batched).enumerated() where x != y {
                Issue.record("batch size \(batchSize): record \(i) (session \(x.session.id)) differs from the per-session read")
                break
            }
            let texts = { (r: [SessionRecord]) in try r.map { TextExport.session($0, context: context) + (try JSONExport.session($0, context: context)) } }
            #expect(try texts(batched) == texts(expected), "batch size \(batchSize): exports byte-equal")
            // A text export: kept notes from the cursor's rows, the others read whole, in order.
            var lean: [SessionRecord] = []
            #expect(try db.forEachSessionRecord(batchSize: batchSize, documents: false) { lean.append($0) } == expected.count)
            #expect(lean.map(\.session.id) == ids, "batch size \(batchSize): chart order, text export")
            #expect(lean.map { TextExport.session($0, context: context) } == expected.map { TextExport.session($0, context: context) }, "batch size \(batchSize): text")
            #expect(lean.contains { $0.signedNote?.documentUnread == true } && lean.contains { $0.signedNote?.documentUnread == false })
        }
        // Round trips: a text export reads the sessions it needs whole (drafts, notes with
        // addenda) ahead, `textExportWholeBatchSize` at a time, not with each fetch of the cursor
        // that holds one.
        // Fetching one session at a time: the setup (BEGIN, the isolation, the coding system,
        // the clinicians, the whole sessions' ids, DECLARE), a FETCH per session and the last,
        // empty one, CLOSE and COMMIT, and at most five statements (sessions, entries, addenda,
        // documents, lots) per batch read whole. Before: four or five per session read whole.
        let sentBefore = db.link.statementsSent
        var oneAFetch: [SessionRecord] = []
        try db.forEachSessionRecord(batchSize: 1, documents: false) { oneAFetch.append($0) }
        let wholes = oneAFetch.filter { $0.signedNote?.documentUnread != true }.count
        #expect(wholes >= 10 && wholes < 100, "\(wholes) sessions read whole")
        let sent = db.link.statementsSent - sentBefore
        #expect(oneAFetch.map { TextExport.session($0, context: context) } == expected.map { TextExport.session($0, context: context) })
        let aheads = (wholes + PostgresStore.textExportWholeBatchSize - 1) / PostgresStore.textExportWholeBatchSize
        #expect(sent <= 6 + (expected.count + 1) + 2 + 5 * aheads, "\(sent) statements for \(expected.count) sessions, \(wholes) read whole")
        // On several connections at once from one snapshot (the bench's whole-clinic export):
        // each part's records in order, the parts one after another, are the one-connection
        // records, text export or whole.
        for parts in [2, 3] {
            for documents in [false, true] {
                let collected = RecordsByPart(parts)
                let n = try db.forEachSessionRecord(parts: parts, documents: documents) { k, r in collected.add(k, r) }
                #expect(n == expected.count, "\(parts) parts")
                let all = collected.concatenated()
                #expect(all.map(\.session.id) == ids, "\(parts) parts, documents \(documents): chart order")
                #expect(collected.nonEmptyParts == parts, "\(parts) parts each read some patients")
                if documents {
                    #expect(all == expected)
                } else {
                    #expect(all.map { TextExport.session($0, context: context) } == expected.map { TextExport.session($0, context: context) })
                }
            }
        }
        // A part that fails stops the export with its own error, once every part has stopped.
        struct Refused: Error {}
        let seen = RecordsByPart(2)
        #expect(throws: Refused.self) {
            try db.forEachSessionRecord(parts: 2, documents: false) { k, r in
                if k == 1 { throw Refused() }
                seen.add(k, r)
            }
        }
        #expect(seen.concatenated().count < expected.count)
        // A failure of the first part stops the second too, at its next record.
        let second = RecordsByPart(2)
        #expect(throws: Refused.self) {
            try db.forEachSessionRecord(parts: 2, documents: false) { k, r in
                if k == 0 { throw Refused() }
                Thread.sleep(forTimeInterval: 0.01)
                second.add(k, r)
            }
        }
        #expect(second.concatenated().count < expected.count / 4, "\(second.concatenated().count) records after the first part failed")
        // The connection is usable after it (its transaction ended).
        #expect(try db.forEachSessionRecord(parts: 2, documents: false) { _, _ in } == expected.count)
        // The public entry point is the batched one.
        var all: [SessionRecord] = []
        #expect(try db.forEachSessionRecord { all.append($0) } == expected.count)
        #expect(all == expected)
        // One patient's sessions (History's and the command line's export of a patient) are read
        // the same way: each patient's records are the per-session ones, oldest first.
        for patientID in Set(expected.map(\.patient.id)) {
            let theirs = expected.filter { $0.patient.id == patientID }
            #expect(try db.sessionRecords(patientID: patientID) == theirs, "patient \(patientID)")
            // Streamed a batch at a time (the command line's export): the first and last records
            // and the count first, from the same snapshot, then the same records.
            var streamed: [SessionRecord] = [], ends: (first: SessionRecord?, last: SessionRecord?, count: Int)?
            try db.forEachSessionRecord(patientID: patientID, documents: true, start: { ends = ($0, $1, $2) }) { streamed.append($0) }
            #expect(streamed == theirs && ends?.first == theirs.first && ends?.last == theirs.last && ends?.count == theirs.count, "patient \(patientID)")
            var small: [SessionRecord] = []
            try db.forEachSessionRecord(batchSize: 2, patients: patientID...patientID) { small.append($0) }
            #expect(small == theirs, "patient \(patientID), two sessions a batch")
        }
        var none: (SessionRecord?, SessionRecord?, Int)?
        #expect(try db.forEachSessionRecord(patientID: 999_999, documents: false, start: { none = ($0, $1, $2) }) { _ in } == 0)
        #expect(none?.0 == nil && none?.1 == nil && none?.2 == 0)
        #expect(try db.sessionRecords(patientID: 999_999).isEmpty)
    }

    @Test func sessionColumnCountMatchesTheColumnList() {
        #expect(AppDatabase.sessionColumnCount == 32)
        #expect(PostgresStore.bigintArray([3, 1, 20]) == "{3,1,20}")
        #expect(PostgresStore.bigintArray([]) == "{}")
    }
}

/// Records handed to each part of an export, kept per part.
final class RecordsByPart: @unchecked Sendable {
    private let lock = NSLock()
    private var parts: [[SessionRecord]]
    init(_ n: Int) { parts = Array(repeating: [], count: n) }
    func add(_ k: Int, _ r: SessionRecord) { lock.lock(); parts[k].append(r); lock.unlock() }
    func concatenated() -> [SessionRecord] { lock.lock(); defer { lock.unlock() }; return parts.flatMap { $0 } }
    var nonEmptyParts: Int { lock.lock(); defer { lock.unlock() }; return parts.filter { !$0.isEmpty }.count }
}

/// A server row read without a GRDB `Row` reads as one: the same conversions, NULL as nil.
@Suite struct ServerRowTests {
    @Test func readsAsAGRDBRowReads() throws {
        let values: [DatabaseValue] = [.null, "text".databaseValue, Int64(3).databaseValue, 2.5.databaseValue, Int64(1).databaseValue]
        let server = ServerRow(values: values)
        // A row made as `PostgresLink.rows` makes one: the values selected through an in-memory SQLite.
        let row = try #require(try DatabaseQueue().read { db in
            try Row.fetchOne(db, sql: "SELECT ? AS a, ? AS b, ? AS c, ? AS d, ? AS e", arguments: StatementArguments(values))
        })
        #expect(server.count == row.count)
        #expect((server[0] as String?) == (row[0] as String?) && (server[0] as String?) == nil)
        #expect((server[1] as String) == (row[1] as String))
        #expect((server[1] as Data) == (row[1] as Data))
        #expect((server[2] as Int) == (row[2] as Int) && (server[2] as Int64?) == 3)
        #expect((server[3] as Double) == (row[3] as Double))
        #expect((server[4] as Bool) == (row[4] as Bool) && (server[4] as Bool))
    }
}
