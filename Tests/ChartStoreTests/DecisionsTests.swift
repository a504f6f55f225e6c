import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

/// Issue 9 item 3, 7 and 8: what was decided during a session is on the record, with who and
/// when, and reaches the note.
@Suite struct DecisionsTests {
    let context = ExportContext(clinicName: "Clinic", catalogue: .builtIn, timeZone: TimeZone(identifier: "UTC")!)

    /// A session in screening whose carried-forward answers say "pregnancy: present".
    func pregnantScreening(_ db: AppDatabase) throws -> NeedlingSession {
        let patient = try db.addPatient(Patient(name: "Maya Lind", dateOfBirth: CalendarDate(iso: "1990-02-02")!, chartNumber: "ML-1"), by: "ahale")
        var s = try db.startSession(patientID: patient.id, clinician: "ahale")
        s.condition = PresentingCondition(catalogueID: "low-back-pain", onset: .acute)
        s.screening = allNo().map { $0.itemID == "pregnancy" ? ScreeningAnswer(itemID: "pregnancy", present: true) : $0 }
        s.version = try db.saveSessionDetails(s, by: "ahale")
        return s
    }

    @Test func liftingAContraindicationNeedsAReasonAndIsRecorded() throws {
        let db = try makeStore()
        var s = try pregnantScreening(db)
        s.screening = allNo()
        #expect { try db.saveSessionDetails(s, by: "ahale") } throws: { error in
            (error as? ValidationError)?.description.contains("Pregnancy (especially the first trimester): was present and blocked needling; say why it is now absent") == true
        }
        #expect(try db.session(id: s.id)?.screening.first { $0.itemID == "pregnancy" }?.present == true, "nothing saved")

        s.screeningChanges.append(ScreeningChange(itemID: "pregnancy", before: "present", after: "absent",
                                                  reason: "Answered for the wrong patient; she is not pregnant.", by: "someone", at: Date(timeIntervalSince1970: 0)))
        s.version = try db.saveSessionDetails(s, by: "ahale")
        let stored = try #require(try db.session(id: s.id))
        let change = try #require(stored.screeningChanges.first)
        #expect(change.by == "ahale", "who is the account that saved it, not what the screen said")
        #expect(change.at != Date(timeIntervalSince1970: 0))
        let audit = try #require(try db.auditLog().last)
        #expect(audit.detail.contains("screening change: pregnancy present → absent: Answered for the wrong patient"))
        let text = TextExport.session(try #require(try db.sessionRecord(id: s.id)), context: context)
        #expect(text.contains("Changed:"))
        let flat = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
        #expect(flat.contains("Pregnancy (especially the first trimester): present → absent, by ahale"))
    }

    @Test func anAcknowledgementRecordsWhoAndWhenOnce() throws {
        let db = try makeStore()
        let (_, s0) = try chartedSession(db)
        var s = try #require(try db.session(id: s0.id))
        s.screening = s.screening.map { $0.itemID == "diabetes" ? ScreeningAnswer(itemID: "diabetes", present: true, acknowledged: true) : $0 }
        s.version = try db.saveSessionDetails(s, by: "ahale")
        let first = try #require(try db.session(id: s.id)?.screening.first { $0.itemID == "diabetes" })
        #expect(first.acknowledgedBy == "ahale" && first.acknowledgedAt != nil)
        // Saved again by a colleague: the acknowledgement keeps who and when it was given.
        s.version = try db.saveSessionDetails(s, by: "sbrennan")
        let again = try #require(try db.session(id: s.id)?.screening.first { $0.itemID == "diabetes" })
        #expect(again.acknowledgedBy == "ahale" && again.acknowledgedAt == first.acknowledgedAt)
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        let text = TextExport.session(try #require(try db.sessionRecord(id: s.id)), context: context)
        #expect(text.contains("Diabetes: acknowledged by ahale"))
    }

    @Test func aSessionThatCannotGoAheadIsSignedAsNotTreated() throws {
        let db = try makeStore()
        var s = try pregnantScreening(db)
        try s.markNotTreated(reason: "Pregnant (first trimester): dry needling deferred until after delivery.")
        s.version = try db.saveSessionDetails(s, by: "ahale")
        let signed = try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: s.version)
        #expect(signed.isSigned && signed.entries.isEmpty)
        #expect(try db.unfinishedSessions(clinician: "ahale").isEmpty, "no dangling draft")
        let text = TextExport.session(try #require(try db.sessionRecord(id: s.id)), context: context)
        #expect(text.contains("Status:       signed: NOT TREATED"))
        #expect(text.contains("NOT TREATED\n  No needle was inserted. Reason: Pregnant (first trimester)"))
        #expect(try db.check().ok)
        // A point cannot be added to it.
        #expect(throws: (any Error).self) {
            try db.saveEntry(TriggerPointEntry(id: "x", regionID: "calf", muscle: "soleus", side: .left, recordedAt: Date()), sessionID: s.id, by: "ahale")
        }
    }

    @Test func warningsConfirmedAndCopiedPointsAreOnTheRecord() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        let at = Date(timeIntervalSince1970: 1_795_000_600)
        let e = TriggerPointEntry(id: "chest-1", regionID: "chest", muscle: "pectoralis major", side: .right, depth: .superficial,
                                  recordedAt: at, confirmedWarnings: ["Chest — pectoralis major: lung (pneumothorax)"],
                                  warningsConfirmedAt: at, copiedFrom: 41)
        try db.saveEntry(e, sessionID: s.id, by: "ahale")
        let stored = try #require(try db.session(id: s.id)?.entries.first { $0.id == "chest-1" })
        #expect(stored.confirmedWarnings == e.confirmedWarnings && stored.warningsConfirmedAt == at && stored.copiedFrom == 41)
        let text = TextExport.session(try #require(try db.sessionRecord(id: s.id)), context: context)
        #expect(text.contains("Safety warning shown and confirmed at 11:16: Chest — pectoralis major:\n      lung (pneumothorax)"))
        #expect(text.contains("Copied from the last session (record 41)."))
    }

    @Test func aLateAdverseEventIsACodedAddendum() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        let event = AdverseEvent(typeID: "infection", severity: .serious, note: "red, hot swelling at the calf point", entryID: "e1")
        try db.addAddendum(sessionID: s.id, text: "Patient phoned on day 3; sent to GP, antibiotics started.", adverseEvent: event, by: "ahale")
        let stored = try #require(try db.session(id: s.id)?.addenda.first)
        #expect(stored.adverseEvent?.onset == .later && stored.adverseEvent?.typeID == "infection")
        let text = TextExport.session(try #require(try db.sessionRecord(id: s.id)), context: context)
        #expect(text.contains("Late adverse event: infection (serious, later, point 1): red, hot swelling"))
        #expect(try db.check().ok)
        // The addendum's hash covers the coded event: changing it behind the guards is named.
        try behindTheGuard(db, "addenda_no_update", "UPDATE addenda SET adverse_event = replace(adverse_event, 'serious', 'mild')")
        #expect(try db.check().problems.contains { $0.contains("changed since it was added") })
    }

    @Test func anUnknownLateEventTypeIsRefused() throws {
        let db = try makeStore()
        let (_, s) = try chartedSession(db)
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        #expect(throws: ValidationError.self) {
            try db.addAddendum(sessionID: s.id, text: "x", adverseEvent: AdverseEvent(typeID: "nonsense", severity: .mild), by: "ahale")
        }
        #expect(try db.session(id: s.id)?.addenda.isEmpty == true)
    }
}

/// Issue 9 item 9: a severe or widespread course is charted, and the plan is compared with its guidance.
@Suite struct SevereCourseTests {
    @Test func aSevereOrWidespreadCourseIsStoredShownAndGuidesThePlan() throws {
        let db = try makeStore()
        let (_, s0) = try chartedSession(db)
        var s = try #require(try db.session(id: s0.id))
        s.condition.severeOrWidespread = true
        s.closeOut.plan.sessionsPlanned = 10
        s.version = try db.saveSessionDetails(s, by: "ahale")
        #expect(try db.session(id: s.id)?.condition.severeOrWidespread == true)
        #expect(try db.sessions(patientID: s.patientID).first?.condition.severeOrWidespread == true)
        let context = ExportContext(clinicName: "Clinic", catalogue: .builtIn, timeZone: TimeZone(identifier: "UTC")!)
        let record = try #require(try db.sessionRecord(id: s.id))
        let text = TextExport.session(record, context: context)
        #expect(text.contains("neck pain (chronic, severe or widespread)"))
        #expect(!text.contains("more than the guidance"), "10 sessions are within up to 12-14")
        let doc = JSONExport.document(record, context: context)
        #expect(doc.session.condition.severeOrWidespread == true)
        #expect(doc.session.closeOut.plan.guidance?.course == "severeOrWidespread")
        // Chronic alone: 10 is more than the guidance.
        s.condition.severeOrWidespread = false
        s.version = try db.saveSessionDetails(s, by: "ahale")
        let chronic = TextExport.session(try #require(try db.sessionRecord(id: s.id)), context: context)
        #expect(chronic.contains("Sessions planned 10: more than the guidance for a chronic\n                     condition (4-6)."))
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue)
        #expect(try db.check().ok)
    }
}
