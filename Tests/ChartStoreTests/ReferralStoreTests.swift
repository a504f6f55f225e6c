import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import Testing

/// Jurisdiction rules applied by the store (SPEC §9): needling waits for what the clinic's
/// rules require of the episode's referral, and "contraindicated" stops it.
/// Each runs on both backends: a PostgreSQL clinic records referrals and applies the rules as a
/// SQLite clinic does.
@Suite struct ReferralStoreTests {
    /// A patient's draft in charting (neck pain), with no point yet.
    func draft(_ db: any ClinicStore) throws -> NeedlingSession { try neckPainDraft(db) }

    func point(_ s: NeedlingSession, _ id: String) -> TriggerPointEntry {
        TriggerPointEntry(id: id, regionID: "back-neck", muscle: "upper trapezius", side: .right, depthMM: 15, recordedAt: s.startedAt)
    }

    let today = CalendarDate(iso: "2026-11-18")!   // the fixed clock's day
    let neck = PresentingCondition(catalogueID: "neck-pain")

    @Test(arguments: Backend.under)
    func withoutRulesNoReferralIsNeeded(_ backend: Backend) throws {
        let db = try referralStore(backend)
        let s = try draft(db)
        #expect(try db.jurisdiction() == .none)
        try db.saveEntry(point(s, "p1"), sessionID: s.id, by: "ahale")
    }

    @Test(arguments: Backend.under)
    func virginiaWaitsForAWrittenReferralSpecificToDryNeedling(_ backend: Backend) throws {
        let db = try referralStore(backend)
        let s = try draft(db)
        try db.setJurisdiction(.virginia, by: "ahale")
        let audit = try db.auditLog().count
        #expect(throws: SessionError.blocked(["Virginia: needling waits for a written referral specific to dry needling; none is recorded for this episode."])) {
            try db.saveEntry(point(s, "p1"), sessionID: s.id, by: "ahale")
        }
        #expect(try db.session(id: s.id)?.entries.isEmpty == true)
        #expect(try db.auditLog().count == audit)
        var referral = Referral(referrer: "Dr Ada Reyes", date: today, form: .written, dryNeedlingSpecific: false, diagnosis: "cervicalgia")
        try db.saveReferral(referral, patientID: s.patientID, condition: neck, by: "ahale")
        #expect(throws: SessionError.blocked(["Virginia: the referral must be specific to dry needling."])) {
            try db.saveEntry(point(s, "p1"), sessionID: s.id, by: "ahale")
        }
        referral.dryNeedlingSpecific = true
        try db.saveReferral(referral, patientID: s.patientID, condition: neck, by: "ahale")
        try db.saveEntry(point(s, "p1"), sessionID: s.id, by: "ahale")
        #expect(try db.referral(patientID: s.patientID, condition: neck) == referral)
        // Another condition is another episode: this referral does not cover it.
        #expect(try db.referral(patientID: s.patientID, condition: PresentingCondition(catalogueID: "low-back-pain")) == nil)
    }

    @Test(arguments: Backend.under)
    func newJerseyWaitsForThePlanLetterAndContraindicatedStops(_ backend: Backend) throws {
        let db = try referralStore(backend)
        let s = try draft(db)
        try db.setJurisdiction(.newJersey, by: "ahale")
        var referral = Referral(referrer: "Dr Ada Reyes", date: today, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia")
        try db.saveReferral(referral, patientID: s.patientID, condition: neck, by: "ahale")
        #expect(throws: SessionError.self) { try db.saveEntry(point(s, "p1"), sessionID: s.id, by: "ahale") }
        referral.planLetterSent = today
        try db.saveReferral(referral, patientID: s.patientID, condition: neck, by: "ahale")
        try db.saveEntry(point(s, "p1"), sessionID: s.id, by: "ahale")
        referral.physicianAnswer = .contraindicated; referral.answeredOn = today; referral.answeredHow = "phone"
        try db.saveReferral(referral, patientID: s.patientID, condition: neck, by: "ahale")
        #expect(throws: SessionError.blocked(["The referring physician judged dry needling contraindicated (2026-11-18): it may not go ahead."])) {
            try db.saveEntry(point(s, "p2"), sessionID: s.id, by: "ahale")
        }
        // Even with the rules switched off.
        try db.setJurisdiction(.none, by: "ahale")
        #expect(throws: SessionError.self) { try db.saveEntry(point(s, "p2"), sessionID: s.id, by: "ahale") }
        #expect(try db.session(id: s.id)?.entries.map(\.id) == ["p1"])
    }

    @Test(arguments: Backend.under)
    func aWrongReferralIsRefusedAndNothingStored(_ backend: Backend) throws {
        let db = try referralStore(backend)
        let s = try draft(db)
        let future = Referral(referrer: "Dr Ada Reyes", date: CalendarDate(iso: "2026-12-01")!, form: .written, dryNeedlingSpecific: true, diagnosis: "x")
        #expect(throws: ValidationError.self) { try db.saveReferral(future, patientID: s.patientID, condition: neck, by: "ahale") }
        let oral = Referral(referrer: "Dr Ada Reyes", date: today, form: .oral, dryNeedlingSpecific: true, diagnosis: "x")
        #expect(throws: ValidationError.self) { try db.saveReferral(oral, patientID: s.patientID, condition: neck, by: "ahale") }
        #expect(throws: ValidationError.self) { try db.saveReferral(oral, patientID: s.patientID, condition: PresentingCondition(), by: "ahale") }
        #expect(try db.referral(patientID: s.patientID, condition: neck) == nil)
    }
}

/// A fresh clinic on `backend` with the fixed clock and the therapist's profile (a server needs
/// it before a session), as `makeStore` makes SQLite's.
func referralStore(_ backend: Backend) throws -> any ClinicStore {
    let db = try backend.make()
    try db.saveClinician(therapist)
    return db
}
