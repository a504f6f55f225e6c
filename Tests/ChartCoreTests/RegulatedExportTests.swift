import Foundation
import Testing
@testable import ChartCore

/// Export format 4 (SPEC §9): needle lots per size, the procedure code and the signer's
/// credentials on the note and in the JSON; notes signed under earlier formats unchanged.
@Suite struct RegulatedExportTests {
    let context = ExportFixtures.context

    /// The signed fixture as a US CPT clinic with per-size lots and a credentialled signer.
    static func regulated() throws -> SessionRecord {
        var r = try ExportFixtures.signed()
        r.coding = .usCPT
        r.needleLots = [
            NeedleLot(size: NeedleSize(diameter: NeedleDiameter(hundredths: 18), lengthMM: 30), lot: "S1830-77", expiry: CalendarDate(year: 2027, month: 2, day: 28),
                      brand: "Seirin J-Type", gtin: "09506000134352"),
            NeedleLot(size: NeedleSize(diameter: NeedleDiameter(hundredths: 25), lengthMM: 40), lot: "J2509-0417", expiry: CalendarDate(year: 2027, month: 5, day: 31),
                      brand: "Seirin J-Type"),
            NeedleLot(size: NeedleSize(diameter: NeedleDiameter(hundredths: 30), lengthMM: 50), lot: "J3050-0112", brand: "Seirin J-Type"),
        ]
        r.signerCredentials = ClinicianCredentials(role: .physiotherapist, licence: "PT-004521",
                                                   training: DryNeedlingTraining(hours: 54, course: "Kinetacore Functional Dry Needling 1+2",
                                                                                 date: CalendarDate(year: 2021, month: 6, day: 12)!))
        // Consent given to version 2 of the clinic's form (format 5).
        r.consentForm = ConsentFormReference(version: 2, sha256: "5f2b9c0e4a7d3e18c6b1f0a9d8e7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2918070")
        return r
    }

    @Test func theRegulatedNoteMatchesItsGoldens() throws {
        let r = try Self.regulated()
        try Golden.check(TextExport.session(r, context: context), "session-signed-regulated.txt")
        try Golden.check(try JSONExport.session(r, context: context), "session-signed-regulated.json")
    }

    /// From a new user's walk: with lots recorded per size and none in the single field, the note
    /// said "Lot number: not recorded" just above "Lots by size:". From format 6 the empty field
    /// is left out; a note frozen under an earlier format prints as it was signed.
    @Test func lotsBySizeAloneNoLongerSayTheLotWasNotRecorded() throws {
        var r = try Self.regulated()
        r.session.closeOut.needleLot = ""
        let text = TextExport.session(r, context: context)
        #expect(text.contains("Lots by size:") && !text.contains("Lot number:"), "\(text)")
        var frozen = JSONExport.document(r, context: context)
        frozen.formatVersion = 5
        let older = TextExport.signedBody(frozen)
        #expect(older.contains("Lot number:        not recorded") && older.contains("Lots by size:"))
        // A single lot recorded still prints, beside the lots by size.
        #expect(TextExport.session(try Self.regulated(), context: context).contains("Lot number:        J2509-0417"))
        // No lot by size: the field says it was not recorded, as before.
        r.needleLots = []
        #expect(TextExport.session(r, context: context).contains("Lot number:        not recorded"))
    }

    @Test func theNoteNamesTheCodeEachMuscleTheLotsAndTheCredentials() throws {
        let text = TextExport.session(try Self.regulated(), context: context)
        // upper trapezius right and left are two muscles; infraspinatus and suboccipitals make four.
        #expect(text.contains("CPT 20561"))
        #expect(text.contains("muscles: upper trapezius, right; upper trapezius, left; infraspinatus, right;"))
        #expect(text.contains("0.18x30: S1830-77 (expires 2027-02-28, Seirin J-Type, GTIN\n"))
        #expect(text.contains("Credentials: physiotherapist; licence PT-004521; dry needling training 54 h,"))
        let doc = JSONExport.document(try Self.regulated(), context: context)
        #expect(doc.formatVersion == ExportFormat.version, "a draft is written in today's format (4 added these keys)")
        #expect(doc.session.coding?.code == "20561")
        #expect(doc.session.coding?.muscles.count == 4)
        #expect(doc.session.closeOut.needleLots?.map(\.lot) == ["S1830-77", "J2509-0417", "J3050-0112"])
        #expect(doc.session.signature?.credentials?.training?.hours == 54)
        #expect(doc.session.screening.consent.form == .init(version: 2, sha256: "5f2b9c0e4a7d3e18c6b1f0a9d8e7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2918070"))
        #expect(text.contains("  Consent form:      version 2, sha256 5f2b9c0e4a7d3e18\n"), "\(text)")
    }

    @Test func withoutCodingTheNoteHasNoCodingSectionAndTheJSONSaysNone() throws {
        let r = try ExportFixtures.signed()
        #expect(!TextExport.session(r, context: context).contains("CODING"))
        let coding = JSONExport.document(r, context: context).session.coding
        #expect(coding == ExportFormat.CodingDTO(system: "none", code: nil, descriptor: "", muscles: []))
    }

    @Test func aFrozenFormat4NoteRendersAsTheLiveOneDid() throws {
        var record = try Self.regulated()
        let live = TextExport.session(record, context: context)
        let liveJSON = try JSONExport.session(record, context: context)
        let document = try #require(SignedDocument.decode(SignedDocument.freeze(record, context: context).canonicalText))
        record.signedNote = SignedNote(document: document, sha256: "h", seal: "s")
        // Whatever the record says now (another coding, no lots, other credentials), the note is as signed.
        record.coding = .none; record.needleLots = []; record.signerCredentials = nil
        let other = ExportContext(clinicName: "Someone Else", catalogue: .builtIn, timeZone: TimeZone(identifier: "Asia/Tokyo")!)
        #expect(TextExport.session(record, context: other) == live.replacingOccurrences(of: "\n\nADDENDA", with: "\n  Document: h\n  Signing seal: s\n\nADDENDA"))
        let frozenJSON = try JSONExport.session(record, context: other)
        #expect(frozenJSON.contains("\"code\" : \"20561\""))
        #expect(frozenJSON.replacingOccurrences(of: "\"seal\" : {\n      \"chain\" : \"s\",\n      \"document\" : \"h\"\n    }", with: "\"seal\" : null") == liveJSON)
    }

    /// A note frozen under format 3 is exported as format 3 was: its version, and none of the keys
    /// format 4 added (the golden `signed-document-v1.export.json` pins the format-2 note too).
    @Test func aFormat3NoteIsExportedAsBefore() throws {
        let stored = try SignedDocumentFormatTests.stored("signed-document-v1-format3.json")
        let document = try #require(SignedDocument.decode(stored))
        var record = try Self.regulated()
        record.signedNote = SignedNote(document: document, sha256: "h", seal: "s")
        let json = try JSONExport.session(record, context: context)
        #expect(json.contains("\"formatVersion\" : 3,"))
        for key in ["\"needleLots\"", "\"coding\"", "\"credentials\" : {"] { #expect(!json.contains(key), "\(key)") }
        let text = TextExport.session(record, context: context)
        #expect(!text.contains("CODING") && !text.contains("Lots by size") && !text.contains("Credentials:"))
    }
}

/// Procedure coding (US CPT 20560/20561) from the muscles needled.
@Suite struct ProcedureCodingTests {
    let at = Date(timeIntervalSince1970: 0)
    func entry(_ muscle: String, _ side: Side) -> TriggerPointEntry {
        TriggerPointEntry(id: UUID().uuidString, regionID: "r", muscle: muscle, side: side, recordedAt: at)
    }

    @Test func oneOrTwoMusclesAre20560AndThreeOrMore20561() {
        #expect(ProcedureCoding.code(.usCPT, entries: [entry("upper trapezius", .right)])?.code == "20560")
        // Two points in one muscle are one muscle; case and spaces do not make another.
        let two = [entry("upper trapezius", .right), entry(" Upper Trapezius ", .right), entry("infraspinatus", .right)]
        #expect(ProcedureCoding.code(.usCPT, entries: two) == ProcedureCode(system: "us-cpt", code: "20560", muscles: ["upper trapezius, right", "infraspinatus, right"]))
        // Left and right are two muscles.
        let three = two + [entry("infraspinatus", .left)]
        #expect(ProcedureCoding.code(.usCPT, entries: three)?.code == "20561")
        #expect(ProcedureCoding.code(.usCPT, entries: three)?.muscles.count == 3)
        #expect(ProcedureCoding.muscles([entry("multifidus", .midline)]) == ["multifidus"])
    }

    @Test func noCodingOrNoMuscleGivesNoCode() {
        #expect(ProcedureCoding.code(.none, entries: [entry("a", .left)]) == nil)
        #expect(ProcedureCoding.code(.usCPT, entries: []) == nil)
    }
}

/// Credentials at signing: role and the clinic's minimum training.
@Suite struct CredentialRuleTests {
    let today = CalendarDate(year: 2026, month: 11, day: 18)!
    func trained(_ hours: Int) -> DryNeedlingTraining { DryNeedlingTraining(hours: hours, course: "DN 1", date: CalendarDate(year: 2024, month: 1, day: 1)!) }

    @Test func aStudentOrAssistantCannotSignANeedlingNote() {
        for role in [ClinicianRole.student, .assistant] {
            let blockers = CredentialRules.signingBlockers(ClinicianCredentials(role: role, training: trained(100)), minimumHours: nil, needled: true)
            #expect(blockers == ["A \(role.rawValue) cannot sign a dry needling note: the supervising physiotherapist signs it."])
            // A non-treatment note has no needling to sign for.
            #expect(CredentialRules.signingBlockers(ClinicianCredentials(role: role), minimumHours: nil, needled: false).isEmpty)
        }
        #expect(CredentialRules.signingBlockers(ClinicianCredentials(role: .physiotherapist), minimumHours: nil, needled: true).isEmpty)
        #expect(CredentialRules.signingBlockers(ClinicianCredentials(), minimumHours: nil, needled: true).isEmpty)
    }

    @Test func theClinicsMinimumIsChecked() {
        #expect(CredentialRules.signingBlockers(ClinicianCredentials(role: .physiotherapist, training: trained(27)), minimumHours: 27, needled: true).isEmpty)
        #expect(CredentialRules.signingBlockers(ClinicianCredentials(role: .physiotherapist, training: trained(26)), minimumHours: 27, needled: true)
                == ["Your recorded dry needling training is 26 hours; this clinic requires at least 27 to sign a needling note."])
        #expect(CredentialRules.signingBlockers(ClinicianCredentials(role: .physiotherapist), minimumHours: 27, needled: true).first?
            .hasPrefix("No dry needling training is recorded on your profile") == true)
    }

    @Test func badCredentialsAreRefused() {
        let future = DryNeedlingTraining(hours: 10, course: "DN", date: CalendarDate(year: 2027, month: 1, day: 1)!)
        #expect(CredentialRules.validate(ClinicianCredentials(training: future), today: today).map(\.field) == ["Training date"])
        #expect(CredentialRules.validate(ClinicianCredentials(training: DryNeedlingTraining(hours: 0, course: " ", date: today)), today: today).map(\.field)
                == ["Training hours", "Training course"])
        #expect(CredentialRules.validate(ClinicianCredentials(licence: "PT\u{1B}[2J"), today: today).map(\.field) == ["Licence"])
    }
}
