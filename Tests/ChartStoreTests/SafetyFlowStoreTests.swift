import ChartCore
import Foundation
import GRDB
import Testing
@testable import ChartStore

/// The store's side of issue 9's consent and lost-needle paths: who obtained consent is a column
/// of its own (migration v5), an adverse event's needle count lives in the stored events, and
/// rows written before either read back as they were.
@Suite struct SafetyFlowStoreTests {
    @Test func whoObtainedConsentIsStoredAndSigned() throws {
        let db = try makeStore()
        var (_, s) = try chartedSession(db)
        s.consent.obtainedBy = therapist.username
        s.version = try db.saveSessionDetails(s, by: therapist.username)
        #expect(try db.session(id: s.id)?.consent.obtainedBy == "ahale")
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        let record = try #require(try db.sessionRecord(id: s.id))
        #expect(record.signedNote?.document.note.session.screening.consent.obtainedBy == "ahale")
        let text = TextExport.session(record, context: ExportContext(clinicName: "x", catalogue: catalogue, timeZone: TimeZone(identifier: "UTC")!))
        let at = Timestamp.display(try #require(s.consent.at), in: TimeZone(identifier: "UTC")!)
        #expect(text.contains("  Consent:           obtained \(at) by ahale\n"))
        #expect(try db.check().ok)
    }

    @Test func aLostNeedleSessionSignsThroughTheStoreAndTheEventKeepsItsCount() throws {
        let db = try makeStore()
        var (_, s) = try chartedSession(db)  // 3 inserted, 3 removed
        s.closeOut.needlesRemoved = 2
        s.closeOut.adverseEvents = [AdverseEvent(typeID: AdverseEvent.retainedNeedleTypeID, severity: .serious, note: "not found", needlesNotFound: 1)]
        s.version = try db.saveSessionDetails(s, by: therapist.username)
        #expect(try db.session(id: s.id)?.closeOut.adverseEvents.first?.needlesNotFound == 1)
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        let record = try #require(try db.sessionRecord(id: s.id))
        let text = TextExport.session(record, context: ExportContext(clinicName: "x", catalogue: catalogue, timeZone: .gmt))
        #expect(text.contains("3 inserted, 2 removed and disposed; 1 not found: recorded"))
        #expect(try db.check().ok)
    }

    @Test func aShortCountWithoutTheEventIsRefusedByTheStore() throws {
        let db = try makeStore()
        var (_, s) = try chartedSession(db)
        s.closeOut.needlesRemoved = 2
        s.version = try db.saveSessionDetails(s, by: therapist.username)
        #expect(throws: SessionError.self) { try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue) }
    }

    /// A clinic on schema v4 with a session whose events carry no count and whose consent names
    /// no one: after v5 both read back as before.
    @Test func rowsFromBeforeReadBack() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/v4.sqlite"
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v4: signed documents, tamper evidence, draft versions")
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO clinicians(username, display_name, credentials) VALUES ('ahale', 'Alex Hale', 'PT');
                INSERT INTO patients(name, date_of_birth, chart_number, created_at, updated_at) VALUES ('Ann Old', '1950-01-01', 'OLD-1', 'x', 'x');
                INSERT INTO sessions(patient_id, clinician, started_at, state, consent_obtained, consent_at, adverse_events, updated_at)
                    VALUES (1, 'ahale', '2025-01-01T10:00:00Z', 'close-out', 1, '2025-01-01T10:01:00Z',
                            '[{"note":"","severity":"serious","typeID":"retained-needle"}]', 'x');
                """)
        }
        try queue.close()
        let db = try AppDatabase.open(path: path, environment: .fixed())
        let s = try #require(try db.session(id: 1))
        #expect(s.consent.obtained && s.consent.obtainedBy == nil)
        #expect(s.closeOut.adverseEvents == [AdverseEvent(typeID: "retained-needle", severity: .serious)])
        let applied = try db.writer.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(applied.contains("v5: consent obtained by"))
    }
}
