import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import TestPostgresServer
import Testing

/// New Jersey's plan letter kept by the store (SPEC §9): a plan editable until its letter is
/// sent, then frozen with the letter's text and hash; the physician's answer against the letter.
/// What goes through `ClinicStore` runs on both backends.
@Suite struct PlanLetterStoreTests {
    let today = CalendarDate(iso: "2026-11-18")!   // the fixed clock's day
    let neck = PresentingCondition(catalogueID: "neck-pain")
    let trapezius = PlannedPoint(regionID: "back-neck", muscle: "Upper Trapezius", side: .right, needleCount: 2)
    let rhomboids = PlannedPoint(regionID: "upper-back", muscle: "rhomboids", side: .left, lengthMM: 30, depth: .superficial)

    /// A patient with a draft in charting (neck pain, screened all "no") under New Jersey, and
    /// a referral recorded for the episode.
    func njDraft(_ db: any ClinicStore, referral: Bool = true) throws -> NeedlingSession {
        let s = try neckPainDraft(db)
        try db.setJurisdiction(.newJersey, by: "ahale")
        if referral {
            try db.saveReferral(Referral(referrer: "Dr Ada Reyes", date: today, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia"),
                                patientID: s.patientID, condition: neck, by: "ahale")
        }
        return s
    }

    func entry(_ s: NeedlingSession, _ id: String) -> TriggerPointEntry {
        TriggerPointEntry(id: id, regionID: "back-neck", muscle: "upper trapezius", side: .right, depthMM: 15, recordedAt: s.startedAt)
    }

    @Test(arguments: Backend.under)
    func thePlanIsEditableUntilItsLetterIsSentThenFrozen(_ backend: Backend) throws {
        let db = try referralStore(backend)
        let s = try njDraft(db)
        try db.addPlannedPoint(trapezius, patientID: s.patientID, condition: neck, by: "ahale")
        try db.addPlannedPoint(rhomboids, patientID: s.patientID, condition: neck, by: "ahale")
        try db.addPlannedPoint(rhomboids, patientID: s.patientID, condition: neck, by: "ahale")
        let left = try db.removePlannedPoint(number: 3, patientID: s.patientID, condition: neck, by: "ahale")
        #expect(left.map(\.muscle) == ["upper trapezius", "rhomboids"], "the catalogue's name is kept")
        let letter = try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
        #expect(letter.version == 1 && letter.sentOn == today && letter.points == left)
        #expect(letter.sha256 == Evidence.hex(Data(letter.text.utf8)) && letter.sha256.count == 64)
        #expect(letter.text.contains("To: Dr Ada Reyes (physician)") && letter.text.contains("Alex Hale, PT, DPT")
                && letter.text.contains("Back of neck, upper trapezius, right: 2 needles 0.25×40 mm"), "\(letter.text)")
        #expect(try db.episodePlan(patientID: s.patientID, condition: neck).letters == [letter])
        #expect(try db.referral(patientID: s.patientID, condition: neck)?.planLetterSent == today)

        // Frozen: the store refuses with a message, and nothing changes.
        let audit = try db.auditLog().count
        #expect(throws: StoreError.self) { try db.addPlannedPoint(trapezius, patientID: s.patientID, condition: neck, by: "ahale") }
        #expect(throws: StoreError.self) { try db.removePlannedPoint(number: 1, patientID: s.patientID, condition: neck, by: "ahale") }
        #expect(throws: StoreError.self) { try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale") }
        do {
            try db.addPlannedPoint(trapezius, patientID: s.patientID, condition: neck, by: "ahale")
        } catch let e as StoreError {
            #expect(e.message.hasPrefix("Plan 1 was sent to the referring physician on 2026-11-18 and cannot change: start a new plan"), "\(e.message)")
        }
        #expect(try db.auditLog().count == audit)
        // …and the database refuses whatever code sends the change.
        for sql in ["UPDATE planned_points SET needle_count = 9", "DELETE FROM planned_points", "UPDATE plan_letters SET text = 'forged'",
                    "DELETE FROM plan_letters",
                    "INSERT INTO planned_points SELECT patient_id, condition_key, version, 99, region_id, muscle, side, needle_count, diameter_hundredths, length_mm, technique, technique_minutes, frequency_hz, depth, added_by, added_at FROM planned_points LIMIT 1"] {
            #expect(throws: (any Error).self, "\(sql)") { try rawSQL(db, sql) }
        }
        #expect(try db.episodePlan(patientID: s.patientID, condition: neck).letters == [letter])

        // A new plan is a new version and a new letter; the first letter stays as sent.
        #expect(try db.startNewPlan(patientID: s.patientID, condition: neck, by: "ahale") == 2)
        #expect(throws: StoreError.self) { try db.startNewPlan(patientID: s.patientID, condition: neck, by: "ahale") }
        try db.removePlannedPoint(number: 2, patientID: s.patientID, condition: neck, by: "ahale")
        let second = try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
        #expect(second.version == 2 && second.points == [left[0]] && second.text.contains("letter 2"))
        let plan = try db.episodePlan(patientID: s.patientID, condition: neck)
        #expect(plan.letters == [letter, second] && plan.draft == nil)
        let report = try db.check()
        #expect(report.ok, "\(report.problems)")
    }

    @Test(arguments: Backend.under)
    func newJerseyNeedlesOnlyAfterTheLetterAndContraindicatedStops(_ backend: Backend) throws {
        let db = try referralStore(backend)
        let s = try njDraft(db)
        try db.addPlannedPoint(trapezius, patientID: s.patientID, condition: neck, by: "ahale")
        #expect(throws: SessionError.self) { try db.saveEntry(entry(s, "p1"), sessionID: s.id, by: "ahale") }
        try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
        try db.recordPhysicianAnswer(.agrees, on: today, how: "letter", patientID: s.patientID, condition: neck, by: "ahale")
        try db.saveEntry(entry(s, "p1"), sessionID: s.id, by: "ahale")
        try db.recordPhysicianAnswer(.contraindicated, on: today, how: "phone", patientID: s.patientID, condition: neck, by: "ahale")
        #expect(throws: SessionError.blocked(["The referring physician judged dry needling contraindicated (2026-11-18): it may not go ahead."])) {
            try db.saveEntry(entry(s, "p2"), sessionID: s.id, by: "ahale")
        }
        #expect(try db.episodePlan(patientID: s.patientID, condition: neck).letters.last?.answer == .contraindicated, "the later answer stands")
        // A new plan's letter does not lift it: the earlier judgement stands until the new letter is answered.
        try db.startNewPlan(patientID: s.patientID, condition: neck, by: "ahale")
        try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
        #expect(throws: SessionError.blocked(["The referring physician judged an earlier plan contraindicated (2026-11-18): needling waits for their answer to the new plan letter (History p, then a; or needlechart referral answer)."])) {
            try db.saveEntry(entry(s, "p2"), sessionID: s.id, by: "ahale")
        }
        try db.recordPhysicianAnswer(.agrees, on: today, how: "letter", patientID: s.patientID, condition: neck, by: "ahale")
        try db.saveEntry(entry(s, "p2"), sessionID: s.id, by: "ahale")
        #expect(try db.session(id: s.id)?.entries.map(\.id) == ["p1", "p2"])
        // The referral's letter and answer are the store's to record now, not a typed day's.
        var typed = try #require(try db.referral(patientID: s.patientID, condition: neck))
        typed.physicianAnswer = .contraindicated
        #expect(throws: ValidationError.self) { try db.saveReferral(typed, patientID: s.patientID, condition: neck, by: "ahale") }
        let report = try db.check()
        #expect(report.ok, "\(report.problems)")
    }

    @Test(arguments: Backend.under)
    func wrongRequestsAreRefusedAndNothingIsStored(_ backend: Backend) throws {
        let db = try referralStore(backend)
        let s = try njDraft(db, referral: false)
        let audit = try db.auditLog().count
        #expect(throws: ValidationError.self) {
            try db.addPlannedPoint(PlannedPoint(regionID: "back-neck", muscle: "gastrocnemius", side: .left), patientID: s.patientID, condition: neck, by: "ahale")
        }
        #expect(throws: ValidationError.self) {
            try db.addPlannedPoint(PlannedPoint(regionID: "elbow", muscle: "x", side: .left), patientID: s.patientID, condition: neck, by: "ahale")
        }
        #expect(throws: StoreError.self) { try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale") }
        #expect(throws: StoreError.self) {
            try db.recordPhysicianAnswer(.agrees, on: today, how: "", patientID: s.patientID, condition: neck, by: "ahale")
        }
        #expect(throws: StoreError.self) { try db.removePlannedPoint(number: 1, patientID: s.patientID, condition: neck, by: "ahale") }
        #expect(try db.auditLog().count == audit, "nothing written")
        // A plan without a referral is kept, but its letter has nobody to go to.
        try db.addPlannedPoint(trapezius, patientID: s.patientID, condition: neck, by: "ahale")
        do {
            try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
            Issue.record("sent without a referral")
        } catch let e as StoreError {
            #expect(e.message.hasPrefix("No referral is recorded for this episode"))
        }
        try db.saveReferral(Referral(referrer: "Dr Ada Reyes", date: today, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia"),
                            patientID: s.patientID, condition: neck, by: "ahale")
        try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
        // An answer dated before its letter, or in the future, is refused.
        for day in ["2026-11-17", "2026-11-19"] {
            #expect(throws: ValidationError.self, "\(day)") {
                try db.recordPhysicianAnswer(.agrees, on: CalendarDate(iso: day)!, how: "", patientID: s.patientID, condition: neck, by: "ahale")
            }
        }
        #expect(try db.episodePlan(patientID: s.patientID, condition: neck).letters.last?.answer == nil)
    }

    @Test(arguments: Backend.under)
    func sendingWritesTheAuditRowsAndPreviewWritesNothing(_ backend: Backend) throws {
        let db = try referralStore(backend)
        let s = try njDraft(db)
        try db.addPlannedPoint(trapezius, patientID: s.patientID, condition: neck, by: "ahale")
        let before = try db.auditLog().count
        let preview = try db.previewPlanLetter(patientID: s.patientID, condition: neck, clinician: "ahale")
        #expect(try db.auditLog().count == before && (try db.episodePlan(patientID: s.patientID, condition: neck).letters.isEmpty))
        let letter = try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
        #expect(letter.text == preview)
        #expect(preview.contains("From the patient's screening of 2026-11-18 and the planned sites:"), "the draft's screening")
        let rows = try db.auditLog().suffix(2)
        #expect(rows.first?.entity == "plan-letter" && rows.first?.action == "create" && rows.first?.detail.contains(letter.sha256) == true)
        #expect(rows.last?.entity == "referral" && rows.last?.detail.contains("\"planLetterSent\":\"2026-11-18\"") == true, "\(rows.last?.detail ?? "")")
    }

    /// Behind the guards, a letter's text rewritten or the letter deleted is named by `check`.
    @Test func checkNamesALetterChangedOrRemovedBehindTheGuards() throws {
        let db = try makeStore()
        let s = try njDraft(db)
        try db.addPlannedPoint(trapezius, patientID: s.patientID, condition: neck, by: "ahale")
        try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
        #expect(try db.check().ok)
        #expect(try db.check().checked.contains("1 plan letters as sent"))
        try behindTheGuard(db, "plan_letters_no_update", "UPDATE plan_letters SET text = replace(text, 'upper trapezius', 'levator scapulae')")
        #expect(try db.check().problems == ["plan letter 1 of patient \(s.patientID) (neck-pain): changed since it was sent"])
        try behindTheGuard(db, "plan_letters_no_delete", "DELETE FROM plan_letters")
        #expect(try db.check().problems == ["plan letter \(s.patientID)/neck-pain/1 (patient/episode/letter): removed (the audit log records it)"])
    }

    /// Behind the guards, a sent plan's points changed or removed are named by `check`: the
    /// letter's sending binds them (the letter's text alone did not, so the stored plan could
    /// say other than the letter the physician read).
    @Test func checkNamesASentPlansPointsChangedBehindTheGuards() throws {
        let db = try makeStore()
        let s = try njDraft(db)
        try db.addPlannedPoint(trapezius, patientID: s.patientID, condition: neck, by: "ahale")
        try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
        let report = try db.check()
        #expect(report.ok, "\(report.problems)")
        #expect(report.checked.contains("1 sent plans' points as sent"))
        let changed = "planned points of plan letter 1 of patient \(s.patientID) (neck-pain): changed since the letter was sent"
        try behindTheGuard(db, "planned_points_sent_no_update", "UPDATE planned_points SET muscle = 'levator scapulae'")
        #expect(try db.check().problems == [changed])
        try behindTheGuard(db, "planned_points_sent_no_update", "UPDATE planned_points SET muscle = 'upper trapezius'")
        #expect(try db.check().ok, "put back as it was sent")
        try behindTheGuard(db, "planned_points_sent_no_delete", "DELETE FROM planned_points")
        #expect(try db.check().problems == [changed])
    }

    /// Behind the guards, a physician's answer removed (a "contraindicated" that stops needling),
    /// changed, or added without its audit row is named by `check`.
    @Test func checkNamesAPhysiciansAnswerRemovedChangedOrAddedBehindTheGuards() throws {
        let db = try makeStore()
        let s = try njDraft(db)
        try db.addPlannedPoint(trapezius, patientID: s.patientID, condition: neck, by: "ahale")
        try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
        try db.recordPhysicianAnswer(.agrees, on: today, how: "letter", patientID: s.patientID, condition: neck, by: "ahale")
        try db.recordPhysicianAnswer(.contraindicated, on: today, how: "phone (Dr Byrne)", patientID: s.patientID, condition: neck, by: "ahale")
        let report = try db.check()
        #expect(report.ok, "\(report.problems)")
        #expect(report.checked.contains("2 physicians' answers as recorded"))
        let letter = "plan letter \(s.patientID)/neck-pain/1 (patient/episode/letter)"
        try behindTheGuard(db, "plan_letter_answers_no_delete", "DELETE FROM plan_letter_answers WHERE answer = 'contraindicated'")
        #expect(try db.check().problems == ["answer 2 to \(letter): removed (the audit log records 'answer: contraindicated on 2026-11-18 (phone (Dr Byrne))')"])
        try db.writer.write { db in
            try db.execute(sql: """
                INSERT INTO plan_letter_answers(patient_id, condition_key, version, answer, answered_on, how, recorded_by, recorded_at)
                SELECT patient_id, condition_key, version, 'contraindicated', answered_on, 'phone (Dr Byrne)', recorded_by, recorded_at FROM plan_letter_answers
                """)
        }
        #expect(try db.check().problems == ["answer 2 to \(letter): changed since it was recorded"], "put back, but at another time than recorded")
        try db.writer.write { db in
            try db.execute(sql: """
                INSERT INTO plan_letter_answers(patient_id, condition_key, version, answer, answered_on, how, recorded_by, recorded_at)
                SELECT patient_id, condition_key, version, 'agrees', answered_on, 'fax', recorded_by, recorded_at FROM plan_letter_answers WHERE id = 1
                """)
        }
        #expect(try db.check().problems == ["answer 2 to \(letter): changed since it was recorded",
                                            "answer 3 to \(letter) ('answer: agrees on 2026-11-18 (fax)'): recorded outside NeedleChart (no audit row)"])
        try behindTheGuard(db, "plan_letter_answers_no_update", "UPDATE plan_letter_answers SET answer = 'contraindicated' WHERE id = 1")
        #expect(try db.check().problems.first == "answer 1 to \(letter): changed since it was recorded")
    }
}

/// Runs `sql` on the store's database as its administrator would with psql or sqlite3: around
/// the app, not behind the guards.
func rawSQL(_ db: any ClinicStore, _ sql: String) throws {
    if let file = db as? AppDatabase {
        try file.writer.write { try $0.execute(sql: sql) }
    } else if let server = db as? PostgresStore {
        let u = server.url
        _ = try TestPostgres.psql("postgresql://\(u.user)@/\(u.database)?host=\(u.socketFolder)&port=\(u.port)", sql)
    }
}
