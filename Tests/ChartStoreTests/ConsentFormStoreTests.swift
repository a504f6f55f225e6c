import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

/// The clinic's consent form (SPEC §9, issue 12 item 4): versioned, insert-only text; a session
/// records the version and hash its consent was given to, and signing binds them. Run on both
/// backends where they go through the storage seam.
@Suite struct ConsentFormStoreTests {
    /// The built-in default's hash, worked out here from its text.
    var defaultHash: String { Evidence.hex(Data(ConsentForms.defaultText.utf8)) }

    @Test(arguments: Backend.under)
    func theDefaultIsVersionOneAndReadingItStoresNothing(_ backend: Backend) throws {
        let db = try backend.clinic()
        let audit = try db.auditLog().count
        let form = try db.consentForm()
        #expect(form.version == 1 && form.text == ConsentForms.defaultText && form.sha256 == defaultHash && form.createdBy == nil)
        for words in ["not acupuncture", "Benefits", "Common effects", "Rare but serious risks", "pneumothorax", "Alternatives",
                      "Your clinician's training", "stop dry needling at any time"] {
            #expect(form.text.contains(words), "the default covers: \(words)")
        }
        #expect(try db.consentFormVersions().isEmpty && db.auditLog().count == audit)
        #expect(throws: StoreError.self) { try db.consentForm(version: 2) }
    }

    @Test(arguments: Backend.under)
    func consentRecordsTheFormItWasGivenToStoringTheDefaultFirst(_ backend: Backend) throws {
        let db = try backend.clinic()
        let (_, s) = try chartedSession(in: db)
        #expect(try db.consentFormReference(sessionID: s.id) == ConsentFormReference(version: 1, sha256: defaultHash))
        let stored = try db.consentFormVersions()
        #expect(stored.map(\.version) == [1] && stored.first?.sha256 == defaultHash && stored.first?.createdBy == "ahale")
        let log = try db.auditLog()
        #expect(log.contains { $0.entity == "consent-form" && $0.entityID == "1" && $0.detail.contains("form sha256 \(defaultHash)") })
        #expect(log.contains { $0.entity == "session" && $0.detail.contains("consent to form version 1") })
        // Who obtained it and when stay where they were (the app's consent key sets them).
        #expect(try db.session(id: s.id)?.consent.obtained == true)
    }

    @Test(arguments: Backend.under)
    func anEditIsANewVersionAndAConsentKeepsTheVersionItWasGivenTo(_ backend: Backend) throws {
        let db = try backend.clinic()
        let (patient, s) = try chartedSession(in: db)
        let v2 = try db.editConsentForm(text: ConsentForms.defaultText + "\nA clinic's own paragraph.\r\n\n", by: "ahale")
        #expect(v2.version == 2 && v2.text.hasSuffix("A clinic's own paragraph.\n") && v2.sha256 == Evidence.hex(Data(v2.text.utf8)))
        #expect(try db.consentForm(version: 1).text == ConsentForms.defaultText, "version 1 never changes")
        #expect(try db.consentForm().version == 2)
        // The first session is saved again with consent still given: it keeps version 1.
        var again = try #require(try db.session(id: s.id))
        again.closeOut.nprsAfter = 3
        again.version = try db.saveSessionDetails(again, by: "ahale")
        #expect(try db.consentFormReference(sessionID: s.id)?.version == 1)
        #expect(try db.consentFormStatus(patientID: patient.id) == ConsentFormStatus(lastConsented: .init(version: 1, sha256: defaultHash), current: 2))
        #expect(try db.consentFormStatus(patientID: patient.id).newerVersion == true, "a newer form asks for consent again")
        // Consent withdrawn clears it; given again, it is to today's version.
        again.consent = Consent()
        again.version = try db.saveSessionDetails(again, by: "ahale")
        #expect(try db.consentFormReference(sessionID: s.id) == nil)
        again.consent = Consent(obtained: true, at: again.startedAt, explained: ["not-acupuncture"], obtainedBy: "ahale")
        again.version = try db.saveSessionDetails(again, by: "ahale")
        #expect(try db.consentFormReference(sessionID: s.id) == v2.reference)
        #expect(try db.consentFormStatus(patientID: patient.id).newerVersion == false)
        // A patient who never consented against a form is not flagged (nothing to compare).
        let other = try db.addPatient(Patient(name: "New Patient", dateOfBirth: CalendarDate(iso: "1990-01-01")!, chartNumber: "NC-0002"), by: "ahale")
        #expect(try db.consentFormStatus(patientID: other.id) == ConsentFormStatus(lastConsented: nil, current: 2))
        let problems = try db.check().problems
        #expect(problems.isEmpty, "\(problems)")
    }

    /// A draft whose consent was recorded before the upgrade that keeps forms: saving it again
    /// does not claim its consent was given to today's form (which the patient may never have seen).
    @Test func aConsentFromBeforeFormsWereKeptIsNotStampedWithTodaysForm() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        try db.writer.write { try $0.execute(sql: "UPDATE sessions SET consent_form_version = NULL, consent_form_sha256 = NULL WHERE id = ?", arguments: [s.id]) }
        var again = try #require(try db.session(id: s.id))
        again.closeOut.nprsAfter = 2
        again.version = try db.saveSessionDetails(again, by: "ahale")
        #expect(try db.consentFormReference(sessionID: s.id) == nil)
    }

    @Test(arguments: Backend.under)
    func theFirstEditStoresTheDefaultAsVersionOneBeforeIt(_ backend: Backend) throws {
        let db = try backend.clinic()
        let form = try db.editConsentForm(text: "Our clinic's form.\n", by: "ahale")
        #expect(form.version == 2)
        #expect(try db.consentFormVersions().map(\.version) == [1, 2])
        #expect(try db.check().ok)
    }

    @Test(arguments: Backend.under)
    func aBadEditIsRefusedWithAMessageAndNothingStored(_ backend: Backend) throws {
        let db = try backend.clinic()
        for (text, says) in [("  \n\n ", "is empty"), ("Form with \u{1B}[2J an escape", "control characters"),
                             ("tab\tbetween", "control characters"), (String(repeating: "x", count: ConsentForms.maxLength + 1), "at most"),
                             (ConsentForms.defaultText, "is the same as version 1")] {
            #expect(throws: ValidationError.self, "\(says)") { try db.editConsentForm(text: text, by: "ahale") }
            do { try db.editConsentForm(text: text, by: "ahale") } catch { #expect("\(error)".contains(says), "\(error)") }
        }
        // The identical text was compared after storing the default as version 1; nothing else.
        #expect(try db.consentFormVersions().count <= 1)
        #expect(try db.consentForm().version == 1)
    }

    @Test func aStoredVersionNeverChangesWhateverCodeSendsIt() throws {
        let db = try makeStore()
        try db.editConsentForm(text: "Version two.\n", by: "ahale")
        for sql in ["UPDATE consent_forms SET text = 'changed' WHERE version = 1",
                    "DELETE FROM consent_forms WHERE version = 1",
                    "INSERT OR REPLACE INTO consent_forms(version, text, sha256, created_by, created_at) VALUES (1, 'x', 'y', 'z', 'w')",
                    "INSERT INTO consent_forms(version, text, sha256, created_by, created_at) VALUES (7, 'x', 'y', 'z', 'w')"] {
            #expect(throws: (any Error).self, "\(sql)") { try db.writer.write { try $0.execute(sql: sql) } }
        }
        #expect(try db.consentForm(version: 1).text == ConsentForms.defaultText)
    }

    @Test(arguments: Backend.under)
    func signingBindsTheFormAndCheckNamesAnyChange(_ backend: Backend) throws {
        let db = try backend.clinic()
        let (_, s) = try chartedSession(in: db)
        try db.editConsentForm(text: "Version two.\n", by: "ahale")
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        let record = try #require(try db.sessionRecord(id: s.id))
        let note = try #require(record.signedNote).document.note
        #expect(note.formatVersion == ExportFormat.version, "today's format: 5 added the form")
        #expect(note.session.screening.consent.form?.version == 1 && note.session.screening.consent.form?.sha256 == defaultHash)
        #expect(try db.auditLog().last { $0.action == "sign" }?.detail.contains("data\(Evidence.dataVersion) sha256 ") == true)
        let text = try #require(record.signedNote?.noteText)
        #expect(text.contains("Consent form:      version 1, sha256 \(defaultHash.prefix(16))"))
        #expect(try db.check().ok)
        // What the server's guards refuse outright is tried in PostgresGuardTests.
        guard let db = db as? AppDatabase else { return }

        // The signed session's form pointed at version 2 behind the guard: its data hash changed.
        try behindTheGuard(db, "sessions_signed_no_update", "UPDATE sessions SET consent_form_version = 2 WHERE id = \(s.id)")
        #expect(try db.check().problems == ["signed session \(s.id): its data has changed since it was signed"])
        try behindTheGuard(db, "sessions_signed_no_update", "UPDATE sessions SET consent_form_version = 1 WHERE id = \(s.id)")
        #expect(try db.check().ok)
        // The text of the version it consented to rewritten (hash and all): named.
        try behindTheGuard(db, "consent_forms_no_update", "UPDATE consent_forms SET text = 'No risks at all.', sha256 = ? WHERE version = 1",
                           arguments: [Evidence.hex(Data("No risks at all.".utf8))])
        #expect(try db.check().problems == ["consent form version 1: its text has changed since it was stored"])
    }

    @Test func aVersionAddedOrRemovedBehindTheGuardsIsNamed() throws {
        let db = try makeStore()
        try db.editConsentForm(text: "Version two.\n", by: "ahale")
        try behindTheGuard(db, "consent_forms_no_delete", "DELETE FROM consent_forms WHERE version = 2")
        #expect(try db.check().problems == ["consent form version 2: removed (the audit log records it)"])
        try db.writer.write { try $0.execute(sql: "INSERT INTO consent_forms VALUES (2, 'Forged.', 'x', 'ahale', '2026-11-18T10:00:00Z')") }
        #expect(try db.check().problems == ["consent form version 2: its text has changed since it was stored"])
        try db.writer.write { try $0.execute(sql: "INSERT INTO consent_forms VALUES (3, 'Forged.', 'x', 'ahale', '2026-11-18T10:00:00Z')") }
        #expect(try db.check().problems.contains("consent form version 3: stored outside NeedleChart (no audit row)"))
    }
}
