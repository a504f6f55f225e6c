import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

/// A signed note is a frozen document (SPEC §2): what was signed reads the same whatever changes
/// later in the catalogue, the profiles, the clinic's name or time zone.
@Suite struct SignedDocumentTests {
    /// The demo clinic, loaded under the built-in catalogue, in a clinic on UTC.
    func demoStore() throws -> AppDatabase {
        let env = ChartEnvironment.fixed(start: Date(timeIntervalSince1970: 1_795_000_000))
        let db = try AppDatabase.inMemory(environment: env)
        try db.loadDemo(DemoClinic.make(seed: 3, today: env.now(), timeZone: env.timeZone, catalogue: .builtIn))
        return db
    }

    /// Every session's text and JSON export under `catalogue` and the clinic's current settings.
    func exports(_ db: AppDatabase, catalogue: Catalogue) throws -> [Int64: (signed: Bool, text: String, json: String)] {
        let context = ExportContext(clinicName: try db.clinicName(), catalogue: catalogue, timeZone: try db.clinicTimeZone())
        var out: [Int64: (Bool, String, String)] = [:]
        let ids = try db.writer.read { try Int64.fetchAll($0, sql: "SELECT id FROM sessions ORDER BY id") }
        for id in ids {
            let record = try #require(try db.sessionRecord(id: id))
            out[id] = (record.session.isSigned, TextExport.session(record, context: context), try JSONExport.session(record, context: context))
        }
        return out
    }

    /// The built-in catalogue with a region renamed, a consent item reworded and diabetes
    /// reclassified: the changes a clinic's override can make.
    func changedCatalogue() -> Catalogue {
        var c = Catalogue.builtIn
        for i in c.regions.indices { c.regions[i].name = "renamed " + c.regions[i].name; c.regions[i].warnings = ["a new warning"] }
        for i in c.consentItems.indices where c.consentItems[i].id == "not-acupuncture" { c.consentItems[i].name = "it is the same as acupuncture" }
        for i in c.screening.indices where c.screening[i].id == "diabetes" { c.screening[i].kind = .contraindicated }
        for i in c.sensations.indices { c.sensations[i].name = "felt " + c.sensations[i].name }
        return c
    }

    @Test func signedExportsAreByteIdenticalAfterCatalogueProfileClinicAndZoneChange() throws {
        let db = try demoStore()
        let before = try exports(db, catalogue: .builtIn)
        #expect(before.values.filter(\.signed).count > 50)

        for username in try db.writer.read({ try String.fetchAll($0, sql: "SELECT username FROM clinicians") }) {
            try db.saveClinician(Clinician(username: username, displayName: "Mallory \(username)", credentials: "MD (fake)"))
        }
        try db.setClinicName("Another Clinic Entirely", by: "admin")
        try db.setClinicTimeZone("America/New_York", by: "admin")
        let after = try exports(db, catalogue: changedCatalogue())

        var drafts = 0
        for (id, b) in before {
            let a = try #require(after[id])
            if b.signed {
                #expect(a.text == b.text, "signed session \(id): text changed")
                #expect(a.json == b.json, "signed session \(id): JSON changed")
            } else {
                // A draft renders live, so the changes did take effect.
                #expect(a.text != b.text && a.text.contains("Another Clinic Entirely"))
                drafts += 1
            }
        }
        #expect(drafts > 0)
        #expect(try db.check().ok)
    }

    @Test func signingFreezesTheNoteAsItRendersThen() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        let record = try #require(try db.sessionRecord(id: s.id))
        let note = try #require(record.signedNote)
        #expect(note.document.documentVersion == SignedDocument.version)
        #expect(note.document.note.clinician.displayName == therapist.displayName)
        #expect(note.document.note.session.addenda.isEmpty && note.document.note.session.seal == nil)
        #expect(note.sha256 == Evidence.hex(Data(note.document.canonicalText.utf8)))
        // The seal is the hash of the audit row that recorded the signing, and binds the document.
        let sign = try #require(try db.auditLog().last { $0.action == "sign" })
        #expect(note.seal == sign.hash)
        #expect(sign.detail.contains("document sha256 \(note.sha256)"))
        // The export shows both hashes, each line within 80 columns.
        let text = TextExport.session(record, context: ExportContext(clinicName: "x", catalogue: .builtIn, timeZone: .current))
        #expect(text.contains("  Document: \(note.sha256)\n  Signing seal: \(note.seal)\n"))
        // Addenda are added to the frozen note.
        try db.addAddendum(sessionID: s.id, text: "Patient phoned: soreness gone next day.", by: therapist.username)
        let withAddendum = try #require(try db.sessionRecord(id: s.id))
        #expect(TextExport.session(withAddendum, context: ExportContext(clinicName: "x", catalogue: .builtIn, timeZone: .current))
            .contains("Patient phoned: soreness gone next day."))
        #expect(try db.check().ok)
    }

    @Test func theDocumentCannotBeChangedOrWrittenForADraft() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        #expect(throws: (any Error).self) {
            try db.writer.write { try $0.execute(sql: "INSERT INTO signed_documents(session_id, document, sha256, seal) VALUES (?, '{}', 'x', 'y')", arguments: [s.id]) }
        }
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        for sql in ["UPDATE signed_documents SET document = '{}'", "DELETE FROM signed_documents",
                    "INSERT OR REPLACE INTO signed_documents(session_id, document, sha256, seal) VALUES (\(s.id), '{}', 'x', 'y')"] {
            #expect(throws: (any Error).self, "\(sql)") { try db.writer.write { try $0.execute(sql: sql) } }
        }
    }

    @Test func upgradeFreezesOlderSignaturesAndSaysSo() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/old.sqlite"
        // A clinic on the schema before signed documents, with a signed session and an addendum.
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v3: guards against REPLACE")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO clinicians(username, display_name, credentials) VALUES ('ahale', 'Alex Hale', 'PT')")
            try db.execute(sql: """
                INSERT INTO patients(name, date_of_birth, chart_number, created_at, updated_at) VALUES ('Ann Old', '1950-01-01', 'OLD-1', 'x', 'x');
                INSERT INTO sessions(patient_id, clinician, started_at, state, condition_text, updated_at)
                    VALUES (1, 'ahale', '2025-01-01T10:00:00Z', 'close-out', 'neck', 'x');
                UPDATE sessions SET state = 'signed', signed_by = 'ahale', signature_line = 'Alex Hale, PT', signed_at = '2025-01-01T11:00:00Z' WHERE id = 1;
                INSERT INTO addenda(id, session_id, author, at, text) VALUES ('a1', 1, 'ahale', '2025-01-02T09:00:00Z', 'Called: fine.');
                """)
        }
        try queue.close()
        let db = try AppDatabase.open(path: path, environment: .fixed())
        let note = try #require(try db.sessionRecord(id: 1)?.signedNote)
        #expect(note.document.note.patient.name == "Ann Old")
        let log = try db.auditLog()
        #expect(log.contains { $0.detail.hasPrefix("signed note frozen as it rendered at upgrade to schema v4") && $0.entityID == "1" })
        #expect(log.contains { $0.detail.hasPrefix("addendum a1 as stored at upgrade") })
        #expect(log.contains { $0.entity == "patient" && $0.detail.contains("identity sha256") })
        #expect(try db.check().ok)
    }

    @Test func theClinicTimeZoneIsASettingWithAClearRefusal() throws {
        let db = try makeStore()
        #expect(try db.clinicTimeZone().secondsFromGMT() == 0, "the machine's zone when made: UTC here")
        try db.setClinicTimeZone("Europe/Berlin", by: "admin")
        #expect(try db.clinicTimeZone().identifier == "Europe/Berlin")
        #expect(throws: ValidationError.self) { try db.setClinicTimeZone("Mars/Olympus", by: "admin") }
        try db.setClinicTimeZone("UTC", by: "admin")
        try db.setClinicTimeZone("Europe/Berlin", by: "admin")
        #expect(try db.clinicTimeZone().identifier == "Europe/Berlin")
    }
}

/// SPEC §6: a save based on a stale copy of a draft is refused; nothing is overwritten.
@Suite struct DraftVersionTests {
    @Test func aStaleSaveOrSigningIsRefusedWithWhoAndWhen() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        var mine = try #require(try db.session(id: s.id))
        var theirs = mine
        theirs.closeOut.nprsAfter = 2
        theirs.version = try db.saveSessionDetails(theirs, by: "sbrennan")
        #expect(theirs.version == mine.version + 1)

        mine.closeOut.nprsAfter = 9
        #expect { try db.saveSessionDetails(mine, by: "ahale") } throws: { error in
            guard let e = error as? StoreError, e.kind == .staleDraft else { return false }
            return e.message.hasPrefix("sbrennan changed this draft at ")
        }
        #expect { try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: mine.version) } throws: {
            ($0 as? StoreError)?.kind == .staleDraft
        }
        let stored = try #require(try db.session(id: s.id))
        #expect(stored.closeOut.nprsAfter == 2 && !stored.isSigned, "theirs kept, nothing signed")
        // Based on the stored version, both go through.
        mine = stored
        mine.closeOut.nprsAfter = 3
        mine.version = try db.saveSessionDetails(mine, by: "ahale")
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: mine.version)
        #expect(try db.session(id: s.id)?.closeOut.nprsAfter == 3)
    }
}

/// Issue 11: a URL is never taken as a file name (today a folder "postgresql:" was created).
@Suite struct DatabaseURLTests {
    @Test func aURLIsRefusedAndNothingIsCreated() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for url in ["postgresql:///clinic?host=/var/run/postgresql", "postgres://ahale@db.example/clinic", "file:clinic.sqlite"] {
            #expect { try AppDatabase.open(path: url) } throws: { ($0 as? StoreError)?.message.contains("nothing was created") == true }
            #expect { try AppDatabase.openReadOnly(path: url) } throws: { $0 is StoreError }
        }
        // Relative to the working directory, as the old code made them.
        for made in ["postgresql:", "postgres:", "file:clinic.sqlite"] { #expect(!FileManager.default.fileExists(atPath: made)) }
        // A path that merely has a colon in a file name still opens, written as a path.
        _ = try AppDatabase.open(path: dir + "/odd:name.sqlite")
    }
}

/// The text kept at signing is the text the document renders: exporting through it (no JSON
/// decoding) gives the same bytes as rendering the document.
@Suite struct KeptNoteTextTests {
    @Test func everySignedDemoNoteExportsTheSameThroughItsKeptText() throws {
        let env = ChartEnvironment.fixed(start: Date(timeIntervalSince1970: 1_795_000_000))
        let db = try AppDatabase.inMemory(environment: env)
        try db.loadDemo(DemoClinic.make(seed: 5, today: env.now(), timeZone: env.timeZone, catalogue: .builtIn))
        let context = ExportContext(clinicName: try db.clinicName(), catalogue: .builtIn, timeZone: try db.clinicTimeZone())
        var kept = 0
        for id in try db.writer.read({ try Int64.fetchAll($0, sql: "SELECT session_id FROM signed_documents") }) {
            let record = try #require(try db.sessionRecord(id: id))
            let note = try #require(record.signedNote)
            #expect(note.noteText != nil)
            kept += 1
            var slow = record
            slow.signedNote?.noteText = nil
            #expect(TextExport.session(record, context: context) == TextExport.session(slow, context: context), "session \(id)")
        }
        #expect(kept > 50)
        // The kept text is bound: changed behind the guards, check names it.
        try behindTheGuard(db, "signed_note_texts_no_update", "UPDATE signed_note_texts SET note_text = replace(note_text, 'Status:', 'Statvs:') WHERE rowid = 1")
        #expect(try db.check().problems.contains { $0.contains("its note's kept text has changed since it was signed") })
    }
}
