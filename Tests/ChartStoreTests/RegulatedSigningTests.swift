import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import TestPostgresServer
import Testing

/// Signing binds what regulated practice adds (SPEC §2, §9): the lots per size, the procedure
/// code and the signer's credentials are in the frozen document and in the data hash (version 3);
/// the signer's role and training are checked at signing; older signings still verify.
@Suite struct RegulatedSigningTests {
    let thin = NeedleSize(diameter: NeedleDiameter(hundredths: 25), lengthMM: 40)

    func trained(_ hours: Int) -> ClinicianCredentials {
        ClinicianCredentials(role: .physiotherapist, licence: "PT-77", training: DryNeedlingTraining(hours: hours, course: "DN Level 1", date: CalendarDate(iso: "2024-05-01")!))
    }

    @Test func theSignedDocumentAndDataHashCarryLotsCodingAndCredentials() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        try db.setCodingSystem(.usCPT, by: "ahale")
        try db.saveClinicianCredentials(trained(30), by: "ahale")
        try db.recordNeedleLot(NeedleLot(size: thin, lot: "A-1", expiry: CalendarDate(iso: "2027-01-31"), brand: "Seirin"), sessionID: s.id, by: "ahale")
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)

        let record = try #require(try db.sessionRecord(id: s.id))
        let note = try #require(record.signedNote).document.note
        #expect(note.formatVersion == ExportFormat.version, "signed today: today's format (4 added these keys)")
        let coding = try #require(note.session.coding)
        #expect(coding.system == "us-cpt" && coding.code == "20560" && coding.descriptor == "needle insertion(s) without injection, 1 or 2 muscles")
        #expect(coding.muscles == ["upper trapezius, right", "infraspinatus, right"])
        // The session's single lot field (L2311, another lot) stays beside the lot recorded for
        // its one size, without a size: which needles it was for is not known.
        #expect(note.session.closeOut.needleLots?.map(\.lot) == ["A-1", "L2311"])
        #expect(note.session.closeOut.needleLots?.first?.expiry == "2027-01-31")
        #expect(note.session.signature?.credentials?.licence == "PT-77")
        #expect(note.session.signature?.credentials?.training?.hours == 30)
        let signing = try #require(try db.auditLog().last { $0.action == "sign" })
        #expect(signing.detail.contains("data\(Evidence.dataVersion) sha256 "), "today's data hash (3 added lots, coding, credentials)")
        #expect(try db.check().ok)

        // Later changes to the clinic's coding or the profile never change the signed note.
        let text = TextExport.session(record, context: ExportContext(clinicName: "x", catalogue: catalogue, timeZone: try db.clinicTimeZone()))
        try db.setCodingSystem(.none, by: "ahale")
        try db.saveClinicianCredentials(ClinicianCredentials(role: .physiotherapist), by: "ahale")
        let again = try #require(try db.sessionRecord(id: s.id))
        #expect(TextExport.session(again, context: ExportContext(clinicName: "y", catalogue: catalogue, timeZone: try db.clinicTimeZone())) == text)
        #expect(text.contains("CPT 20560"))
        #expect(text.contains("Credentials: physiotherapist; licence PT-77; dry needling training 30 h, DN\n  Level 1 (2024-05-01)."))
    }

    @Test func checkNamesALotOrCredentialsChangedBehindTheGuards() throws {
        for edit in [("needle_lots_signed_no_update", "UPDATE needle_lots SET lot = 'FORGED'"),
                     ("needle_lots_signed_no_delete", "DELETE FROM needle_lots"),
                     ("needle_lots_signed_no_insert", "INSERT INTO needle_lots(session_id, diameter_hundredths, length_mm, lot, recorded_by, recorded_at) VALUES (1, 30, 50, 'NEW', 'x', 'y')"),
                     ("sessions_signed_no_update", "UPDATE sessions SET signer_credentials = replace(signer_credentials, 'PT-77', 'PT-99')"),
                     ("sessions_signed_no_update", "UPDATE sessions SET procedure_code = replace(procedure_code, '20560', '20561')")] {
            let db = try makeStore()
            let (_, s) = try chartedSession(db)
            #expect(s.id == 1)
            try db.setCodingSystem(.usCPT, by: "ahale")
            try db.saveClinicianCredentials(trained(30), by: "ahale")
            try db.recordNeedleLot(NeedleLot(size: thin, lot: "A-1"), sessionID: s.id, by: "ahale")
            try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
            #expect(try db.check().ok)
            try behindTheGuard(db, edit.0, edit.1)
            #expect(try db.check().problems == ["signed session 1: its data has changed since it was signed"], "\(edit.1)")
        }
    }

    @Test(arguments: Backend.under)
    func aStudentOrAssistantCannotSignAndNothingIsSigned(_ backend: Backend) throws {
        for role in [ClinicianRole.student, .assistant] {
            let db = try backend.clinic()
            let (_, s) = try chartedSession(in: db)
            try db.saveClinicianCredentials(ClinicianCredentials(role: role), by: "ahale")
            let audit = try db.auditLog().count
            #expect(throws: SessionError.blocked(["A \(role.rawValue) cannot sign a dry needling note: the supervising physiotherapist signs it."])) {
                try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
            }
            #expect(try db.session(id: s.id)?.signature == nil)
            #expect(try db.auditLog().count == audit)
        }
    }

    @Test(arguments: Backend.under)
    func theClinicsMinimumTrainingIsCheckedAtSigning(_ backend: Backend) throws {
        let db = try backend.clinic()
        let (_, s) = try chartedSession(in: db)
        try db.setMinimumTrainingHours(27, by: "ahale")
        #expect(try db.minimumTrainingHours() == 27)
        #expect(throws: SessionError.blocked(["No dry needling training is recorded on your profile; this clinic requires at least 27 hours to sign a needling note (needlechart clinician --training-hours …)."])) {
            try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        }
        try db.saveClinicianCredentials(trained(20), by: "ahale")
        #expect(throws: SessionError.blocked(["Your recorded dry needling training is 20 hours; this clinic requires at least 27 to sign a needling note."])) {
            try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        }
        try db.saveClinicianCredentials(trained(27), by: "ahale")
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        #expect(try db.session(id: s.id)?.signature != nil)
        #expect(throws: ValidationError.self) { try db.setMinimumTrainingHours(-1, by: "ahale") }
        try db.setMinimumTrainingHours(0, by: "ahale")
        #expect(try db.minimumTrainingHours() == nil)
        #expect(try db.check().ok)
    }

    @Test(arguments: Backend.under)
    func credentialsAreSetOnOnesOwnProfileOnly(_ backend: Backend) throws {
        let db = try backend.clinic()
        try db.saveClinician(Clinician(username: "sbrennan", displayName: "Sam Brennan"))
        try db.saveClinicianCredentials(ClinicianCredentials(role: .student), by: "ahale")
        #expect(try db.clinicianCredentials("ahale").role == .student)
        #expect(try db.clinicianCredentials("sbrennan").isEmpty)
        #expect(throws: StoreError.self) { try db.saveClinicianCredentials(ClinicianCredentials(role: .student), by: "nobody") }
        // A training date after today (the fixed clock: 2026-11-18) is refused; nothing changes.
        #expect(throws: ValidationError.self) {
            try db.saveClinicianCredentials(ClinicianCredentials(training: DryNeedlingTraining(hours: 5, course: "x", date: CalendarDate(iso: "2026-12-01")!)), by: "ahale")
        }
        #expect(try db.clinicianCredentials("ahale").role == .student)
    }

    @Test(arguments: Backend.under)
    func aDraftsExportUsesTheClinicsCodingAndItsLots(_ backend: Backend) throws {
        let db = try backend.clinic()
        let (_, s) = try chartedSession(in: db)
        #expect(try db.codingSystem() == .none)
        try db.setCodingSystem(.usCPT, by: "ahale")
        let record = try #require(try db.sessionRecord(id: s.id))
        #expect(record.coding == .usCPT)
        #expect(record.needleLots == [NeedleLot(size: thin, lot: "L2311", brand: "Seirin", fromSessionLot: true)])
        let json = try JSONExport.session(record, context: ExportContext(clinicName: "x", catalogue: catalogue, timeZone: try db.clinicTimeZone()))
        #expect(json.contains("\"code\" : \"20560\""))
    }

    /// Signing under the clinic's coding and the signer's credentials gives the same record on
    /// both backends: the same text and JSON export, the same frozen document and data hash.
    @Test(.enabled(if: TestPostgres.runs))
    func codingCredentialsAndConsentFormSignTheSameOnBothBackends() throws {
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        var outputs: [[String]] = []
        for backend in Backend.allCases {
            // A clock that does not move: both backends stamp the same times.
            let env = ChartEnvironment(now: { start }, newID: ChartEnvironment.fixed().newID, timeZone: TimeZone(identifier: "UTC")!)
            let db = try backend.clinic(env)
            try db.setClinicName("Linden Street Physio", by: "ahale")
            try db.setCodingSystem(.usCPT, by: "ahale")
            try db.setMinimumTrainingHours(20, by: "ahale")
            try db.saveClinicianCredentials(trained(30), by: "ahale")
            let (_, s) = try chartedSession(in: db)
            try db.editConsentForm(text: "Our own form.\n", by: "ahale")
            let context = ExportContext(clinicName: try db.clinicName(), catalogue: catalogue, timeZone: try db.clinicTimeZone())
            let draft = try #require(try db.sessionRecord(id: s.id))
            try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
            let record = try #require(try db.sessionRecord(id: s.id))
            let note = try #require(record.signedNote)
            let signing = try #require(try db.auditLog(limit: nil).last { $0.action == "sign" })
            #expect(note.document.note.session.coding?.code == "20560", "\(backend)")
            #expect(note.document.note.session.signature?.credentials?.training?.hours == 30, "\(backend)")
            #expect(note.document.note.session.screening.consent.form?.version == 1, "\(backend)")
            #expect(try db.check().ok, "\(backend)")
            outputs.append([TextExport.session(draft, context: context), try JSONExport.session(draft, context: context),
                            TextExport.session(record, context: context), try JSONExport.session(record, context: context),
                            note.sha256, signing.detail])
        }
        #expect(outputs[0] == outputs[1])
    }

    /// A signing bound before data-hash version 3 (here version 2, written as the code of schema
    /// v7 wrote it) still verifies after the upgrade: the new columns and table are outside it.
    @Test func aSigningBoundWithDataHashVersion2StillVerifies() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/v7.sqlite"
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: "v7: signed notes keep their text")
        var before = ""
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO clinicians(username, display_name, credentials) VALUES ('ahale', 'Alex Hale', 'PT');
                INSERT INTO patients(name, date_of_birth, chart_number, created_at, updated_at) VALUES ('Ann Old', '1950-01-01', 'OLD-1', 'x', 'x');
                INSERT INTO sessions(patient_id, clinician, started_at, state, needle_lot, signed_by, signature_line, signed_at, updated_at)
                    VALUES (1, 'ahale', '2025-01-01T10:00:00Z', 'signed', 'L1', 'ahale', 'Alex Hale, PT', '2025-01-01T11:00:00Z', 'x');
                """)
            try Audit.append(db, at: "2025-01-01T09:00:00Z", actor: "ahale", action: .create, entity: "patient", entityID: "1",
                             detail: Evidence.tagged("identity", Evidence.identityHash(name: "Ann Old", dateOfBirth: "1950-01-01", chartNumber: "OLD-1")))
            before = try #require(try Evidence.dataHash(db, sessionID: 1, version: 2))
            let document = "{}\n", sha = Evidence.hex(Data(document.utf8))
            let seal = try Audit.append(db, at: "2025-01-01T11:00:00Z", actor: "ahale", action: .sign, entity: "session", entityID: "1",
                                        detail: "1 points; \(Evidence.tagged("document", sha)); \(Evidence.tagged("data2", before))")
            try db.execute(sql: "INSERT INTO signed_documents(session_id, document, sha256, seal) VALUES (1, ?, ?, ?)", arguments: [document, sha, seal])
        }
        try queue.close()
        let db = try AppDatabase.open(path: path, environment: .fixed())
        #expect(try db.writer.read { try Evidence.dataHash($0, sessionID: 1, version: 2) } == before)
        let report = try db.check()
        #expect(report.ok, "\(report.problems)")
        // …and a change to what version 2 covers is still named.
        try behindTheGuard(db, "sessions_signed_no_update", "UPDATE sessions SET needle_lot = 'L2' WHERE id = 1")
        #expect(try db.check().problems == ["signed session 1: its data has changed since it was signed"])
    }
}
