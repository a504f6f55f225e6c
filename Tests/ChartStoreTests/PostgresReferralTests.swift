import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import TestPostgresServer
import Testing

/// Referrals and New Jersey's plan letters on a shared clinic (SPEC §9): the server holds a sent
/// plan, its letter and the physician's answers even against psql, `check` covers them, and
/// `admin copy` carries them from a SQLite clinic.
@Suite struct PostgresReferralTests {
    let today = CalendarDate(iso: "2026-11-18")!   // the fixed clock's day
    let neck = PresentingCondition(catalogueID: "neck-pain")
    let trapezius = PlannedPoint(regionID: "back-neck", muscle: "upper trapezius", side: .right, needleCount: 2)
    let rhomboids = PlannedPoint(regionID: "upper-back", muscle: "rhomboids", side: .left, lengthMM: 30, depth: .superficial)

    /// A psql statement that adds a point to plan 1 (sent) as `by`.
    func pointInto(_ version: Int, by: String) -> String {
        """
        INSERT INTO planned_points SELECT patient_id, condition_key, \(version), 99, region_id, muscle, side, needle_count, diameter_hundredths,
            length_mm, technique, technique_minutes, frequency_hz, depth, '\(by)', added_at FROM planned_points WHERE version = 1 LIMIT 1
        """
    }

    @Test(.enabled(if: TestPostgres.runs))
    func aClinicianCannotChangeOrRemoveASentLetterItsPointsOrAnAnswerEvenWithPsql() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        let ahale = TestPostgres.url(url, as: "ahale")
        let db = try PostgresStore.connect(url: ahale, environment: .fixed())
        let s = try neckPainDraft(db)
        try db.saveReferral(Referral(referrer: "Dr Ada Reyes", date: today, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia"),
                            patientID: s.patientID, condition: neck, by: "ahale")
        try db.addPlannedPoint(trapezius, patientID: s.patientID, condition: neck, by: "ahale")
        let letter = try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
        try db.recordPhysicianAnswer(.contraindicated, on: today, how: "phone", patientID: s.patientID, condition: neck, by: "ahale")
        try db.startNewPlan(patientID: s.patientID, condition: neck, by: "ahale")
        let snapshot = """
            SELECT (SELECT string_agg(l::text, '|' ORDER BY version) FROM plan_letters l) || (SELECT string_agg(p::text, '|' ORDER BY version, position) FROM planned_points p)
                || (SELECT string_agg(a::text, '|' ORDER BY id) FROM plan_letter_answers a) || (SELECT string_agg(p::text, '|' ORDER BY version) FROM plans p)
            """
        let before = try TestPostgres.psql(url, snapshot)

        let refused = [
            "UPDATE plan_letters SET text = 'forged'", "DELETE FROM plan_letters", "TRUNCATE plan_letters CASCADE",
            "UPDATE planned_points SET needle_count = 9 WHERE version = 1", "DELETE FROM planned_points WHERE version = 1",
            "UPDATE planned_points SET version = 1 WHERE version = 2", pointInto(1, by: "ahale"),
            "UPDATE plan_letter_answers SET answer = 'agrees'", "DELETE FROM plan_letter_answers", "TRUNCATE plan_letter_answers",
            "UPDATE plans SET started_by = 'x' WHERE version = 1", "DELETE FROM plans WHERE version = 1",
        ]
        for sql in refused {
            #expect(throws: (any Error).self, "ahale: \(sql)") { try TestPostgres.psql(ahale, sql) }
            // Not only the clinician's grants: the guards refuse the clinic's superuser too.
            #expect(throws: (any Error).self, "postgres: \(sql)") { try TestPostgres.psql(url, sql) }
        }
        // A clinician's rows are in their own name.
        for sql in [pointInto(2, by: "bkim"), """
            INSERT INTO plan_letter_answers(patient_id, condition_key, version, answer, answered_on, how, recorded_by, recorded_at)
            SELECT patient_id, condition_key, version, 'agrees', answered_on, 'fax', 'bkim', recorded_at FROM plan_letter_answers
            """, "UPDATE referrals SET recorded_by = 'bkim'"] {
            #expect(throws: (any Error).self, "ahale: \(sql)") { try TestPostgres.psql(ahale, sql) }
        }
        // Nor is the physician's "contraindicated" lifted by rewriting the referral the rules read.
        let referral = "SELECT referral FROM referrals"
        let stored = try TestPostgres.psql(url, referral)
        for sql in [
            "UPDATE referrals SET referral = jsonb_set(referral::jsonb, '{physicianAnswer}', '\"agrees\"')::text",
            "UPDATE referrals SET referral = (referral::jsonb - 'physicianAnswer' - 'answeredOn')::text",
            "UPDATE referrals SET referral = jsonb_set(referral::jsonb, '{planLetterSent}', '\"2026-11-17\"')::text",
            "UPDATE referrals SET referral = jsonb_set(referral::jsonb, '{standingContraindication}', '\"2026-11-18\"')::text",
        ] {
            #expect(throws: (any Error).self, "ahale: \(sql)") { try TestPostgres.psql(ahale, sql + ", recorded_by = 'ahale'") }
        }
        #expect(try TestPostgres.psql(url, referral) == stored)
        // (The guard, not the grants: the referral as it stands may be written again.)
        _ = try TestPostgres.psql(ahale, "UPDATE referrals SET recorded_by = 'ahale'")
        #expect(try TestPostgres.psql(url, snapshot) == before, "nothing changed")
        #expect(try db.episodePlan(patientID: s.patientID, condition: neck).letters == [{ var l = letter; l.answer = .contraindicated; l.answeredOn = today; l.answeredHow = "phone"; return l }()])
        // Needling waits on the answer, as on SQLite.
        #expect(throws: SessionError.blocked(["The referring physician judged dry needling contraindicated (2026-11-18): it may not go ahead."])) {
            try db.saveEntry(TriggerPointEntry(id: "p1", regionID: "back-neck", muscle: "upper trapezius", side: .right, depthMM: 15, recordedAt: s.startedAt),
                             sessionID: s.id, by: "ahale")
        }
        // The draft plan (2) is still the clinician's to edit and send; the earlier
        // "contraindicated" stands until the physician answers it, then "agrees" lets needling go ahead.
        #expect(try db.removePlannedPoint(number: 1, patientID: s.patientID, condition: neck, by: "ahale").isEmpty)
        try db.addPlannedPoint(rhomboids, patientID: s.patientID, condition: neck, by: "ahale")
        try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
        #expect(try db.referral(patientID: s.patientID, condition: neck)?.standingContraindication == today)
        #expect(throws: SessionError.blocked(["The referring physician judged an earlier plan contraindicated (2026-11-18): needling waits for their answer to the new plan letter (History p, then a; or needlechart referral answer)."])) {
            try db.saveEntry(TriggerPointEntry(id: "p1", regionID: "back-neck", muscle: "upper trapezius", side: .right, depthMM: 15, recordedAt: s.startedAt),
                             sessionID: s.id, by: "ahale")
        }
        #expect(throws: (any Error).self, "lifting it by hand") {
            try TestPostgres.psql(ahale, "UPDATE referrals SET referral = (referral::jsonb - 'standingContraindication')::text")
        }
        try db.recordPhysicianAnswer(.agrees, on: today, how: "letter", patientID: s.patientID, condition: neck, by: "ahale")
        try db.saveEntry(TriggerPointEntry(id: "p1", regionID: "back-neck", muscle: "upper trapezius", side: .right, depthMM: 15, recordedAt: s.startedAt),
                         sessionID: s.id, by: "ahale")
        let report = try db.check(seal: nil)
        #expect(report.ok, "\(report.problems)")
        #expect(report.checked.contains("2 plan letters as sent") && report.checked.contains("2 physicians' answers as recorded"), "\(report.checked)")
    }

    /// Two clinicians planning the same episode at once: each point is numbered once, in one
    /// plan, as on SQLite (the patient's row orders their changes).
    @Test(.enabled(if: TestPostgres.runs))
    func twoConnectionsPlanningTheSameEpisodeAtOnceNumberEveryPointOnce() throws {
        let url = try TestPostgres.freshClinic()
        let admin = try PostgresStore.connect(url: url, environment: .fixed())
        try admin.saveClinician(therapist)
        let patient = try admin.addPatient(Patient(name: "Rita Referred", dateOfBirth: CalendarDate(iso: "1970-05-05")!, chartNumber: "REF-1"), by: "ahale")
        let stores = try (0..<2).map { _ in try PostgresStore.connect(url: url, environment: .fixed()) }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: stores.count) { i in
            for _ in 0..<8 {
                do { try stores[i].addPlannedPoint(trapezius, patientID: patient.id, condition: neck, by: "ahale") } catch { failures.add("\(error)") }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let plan = try admin.episodePlan(patientID: patient.id, condition: neck)
        #expect(plan.draft?.version == 1 && plan.draft?.points.count == 16)
        let report = try admin.check(seal: nil)
        #expect(report.ok, "\(report.problems)")
    }

    /// `check` names a new guard disabled, and a sent letter or its points changed behind it.
    @Test(.enabled(if: TestPostgres.runs))
    func checkNamesAGuardDisabledAndALetterOrItsPointsChangedBehindIt() throws {
        let url = try TestPostgres.freshClinic()
        let db = try PostgresStore.connect(url: url, environment: .fixed())
        try db.saveClinician(therapist)
        let s = try neckPainDraft(db)
        try db.saveReferral(Referral(referrer: "Dr Ada Reyes", date: today, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia"),
                            patientID: s.patientID, condition: neck, by: "ahale")
        try db.addPlannedPoint(rhomboids, patientID: s.patientID, condition: neck, by: "ahale")
        try db.sendPlanLetter(patientID: s.patientID, condition: neck, by: "ahale")
        #expect(try db.check(seal: nil).ok)
        _ = try TestPostgres.psql(url, "ALTER TABLE plan_letters DISABLE TRIGGER plan_letters_guard; UPDATE plan_letters SET text = text || ' '")
        _ = try TestPostgres.psql(url, "ALTER TABLE planned_points DISABLE TRIGGER planned_points_guard; UPDATE planned_points SET needle_count = 5")
        let problems = try db.check(seal: nil).problems
        #expect(problems.contains("guard plan_letters_guard: missing or disabled on the server"), "\(problems)")
        #expect(problems.contains("guard planned_points_guard: missing or disabled on the server"), "\(problems)")
        #expect(problems.contains("plan letter 1 of patient \(s.patientID) (neck-pain): changed since it was sent"), "\(problems)")
        #expect(problems.contains("planned points of plan letter 1 of patient \(s.patientID) (neck-pain): changed since the letter was sent"), "\(problems)")
        // A guard's body replaced, and a trigger NeedleChart did not write on one of these tables.
        _ = try TestPostgres.psql(url, """
            CREATE OR REPLACE FUNCTION needlechart_plan_letter_answers_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$ BEGIN RETURN NEW; END $$;
            CREATE FUNCTION sneaky() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
            CREATE TRIGGER sneaky BEFORE DELETE ON plan_letter_answers FOR EACH ROW EXECUTE FUNCTION sneaky();
            """)
        let more = try db.check(seal: nil).problems
        #expect(more.contains("guard function needlechart_plan_letter_answers_guard: its body has been altered since the clinic was set up"), "\(more)")
        #expect(more.contains("unexpected trigger sneaky on plan_letter_answers: not written by NeedleChart"), "\(more)")
    }

    /// A SQLite clinic with the jurisdiction, a referral, a sent letter, its answer and a new
    /// plan copies onto a server: equal rows, `check` passing, and the server carries on.
    @Test(.enabled(if: TestPostgres.runs))
    func aSQLiteClinicWithAReferralASentLetterAndAnAnswerCopies() throws {
        let env = ChartEnvironment.fixed()
        let path = temporaryDirectory() + "/clinic.sqlite"
        let file = try AppDatabase.open(path: path, environment: env)
        try file.loadDemo(DemoClinic.make(seed: 3, today: env.now(), timeZone: env.timeZone, catalogue: .builtIn))
        let patient = try #require(try file.searchPatients("", limit: 1).first)
        try file.setJurisdiction(.newJersey, by: "admin")
        try file.saveReferral(Referral(referrer: "Dr Ada Reyes", date: today, form: .written, dryNeedlingSpecific: true, diagnosis: "cervicalgia"),
                              patientID: patient.id, condition: neck, by: "admin")
        try file.addPlannedPoint(trapezius, patientID: patient.id, condition: neck, by: "admin")
        try file.addPlannedPoint(rhomboids, patientID: patient.id, condition: neck, by: "admin")
        try file.sendPlanLetter(patientID: patient.id, condition: neck, by: "admin")
        try file.recordPhysicianAnswer(.agrees, on: today, how: "letter", patientID: patient.id, condition: neck, by: "admin")
        try file.startNewPlan(patientID: patient.id, condition: neck, by: "admin")
        try file.removePlannedPoint(number: 2, patientID: patient.id, condition: neck, by: "admin")

        let target = try TestPostgres.freshClinic(initialize: false)
        let report = try PostgresAdmin.copy(from: path, to: target, environment: env)
        let counts = Dictionary(uniqueKeysWithValues: report.counts.map { ($0.table, $0.rows) })
        #expect(counts["referrals"] == 1 && counts["plans"] == 2 && counts["planned_points"] == 3 && counts["plan_letters"] == 1
                && counts["plan_letter_answers"] == 1, "\(report.counts)")
        let server = try PostgresStore.connect(url: target, environment: env)
        for (table, order, _) in ClinicCopy.order where ["referrals", "plans", "planned_points", "plan_letters", "plan_letter_answers"].contains(table) {
            let there = try server.link.rows("SELECT * FROM \(table) ORDER BY \(order)").map { Array($0.databaseValues) }
            let here = try file.writer.read { try Row.fetchAll($0, sql: "SELECT * FROM \(table) ORDER BY \(order)").map { Array($0.databaseValues) } }
            #expect(there == here, "\(table)")
        }
        #expect(try server.jurisdiction() == .newJersey)
        #expect(try server.episodePlan(patientID: patient.id, condition: neck) == file.episodePlan(patientID: patient.id, condition: neck))
        #expect(try server.referral(patientID: patient.id, condition: neck) == file.referral(patientID: patient.id, condition: neck))
        // The server carries on: plan 2's letter, then an answer numbered after the copied one.
        try server.sendPlanLetter(patientID: patient.id, condition: neck, by: "admin")
        try server.recordPhysicianAnswer(.agrees, on: today, how: "phone", patientID: patient.id, condition: neck, by: "admin")
        #expect(try server.episodePlan(patientID: patient.id, condition: neck).letters.map(\.answer) == [.agrees, .agrees])
        let after = try server.check(seal: nil)
        #expect(after.ok, "\(after.problems)")
    }
}
