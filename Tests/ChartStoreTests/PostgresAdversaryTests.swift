import ChartCore
import ChartStore
import Foundation
import TestPostgresServer
import Testing

/// An adversarial review of regulated practice on the server (migrations v4 to v6): what a
/// clinician's role could still do with psql that the guards were written to refuse.
@Suite struct PostgresAdversaryTests {
    /// A student (or assistant) marks a charted session "not treated" with psql, its points still
    /// charted, and signs it: the note carries the needled points, signed by a student. The app
    /// never signs a session marked not treated that has points (`signingBlockers`), so the
    /// server treats any session with points as a needling note.
    @Test(.enabled(if: TestPostgres.runs))
    func aStudentCannotSignANeedlingNoteByMarkingItNotTreated() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "bkim", displayName: "Bo Kim", credentials: "PT", password: nil, environment: .fixed())
        let bkim = TestPostgres.url(url, as: "bkim")
        let b = try PostgresStore.connect(url: bkim, environment: .fixed())
        try b.saveClinicianCredentials(ClinicianCredentials(role: .student), by: "bkim")
        let (_, s) = try chartedSession(in: b, entryIDs: "b", profile: false)
        #expect(throws: SessionError.self) { try b.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: nil) }

        try TestPostgres.psql(bkim, "UPDATE sessions SET not_treated_reason = 'declined' WHERE id = \(s.id)")
        #expect(throws: (any Error).self) {
            try TestPostgres.psql(bkim, PostgresGuardTests.psqlSign(s.id, as: "bkim", line: "Bo Kim, PT"))
        }
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM sessions WHERE signed_at IS NOT NULL").hasPrefix("0"))
    }

    /// A point slipped into a session while another connection signs it: the entries' guard read
    /// the session unsigned (the signing not yet committed) and nothing made it wait, so the
    /// point landed in a signed session, outside what the signing hashed. The guard now waits for
    /// a signing under way (the session's row, FOR SHARE), as the lots' guard does.
    @Test(.enabled(if: TestPostgres.runs))
    func aPointCannotSlipIntoASessionWhileItIsBeingSigned() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        let ahale = TestPostgres.url(url, as: "ahale")
        let db = try PostgresStore.connect(url: ahale, environment: .fixed())
        let (_, s) = try chartedSession(in: db)

        // The signing holds its transaction open for two seconds after its UPDATE.
        let signing = Process()
        signing.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        signing.arguments = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", ahale, "-c",
                             "BEGIN; \(PostgresGuardTests.psqlSign(s.id, as: "ahale", line: "Alex Hale, PT, DPT")); SELECT pg_sleep(2); COMMIT;"]
        signing.standardOutput = FileHandle.nullDevice
        signing.standardError = FileHandle.nullDevice
        try signing.run()
        Thread.sleep(forTimeInterval: 0.7)
        _ = try? TestPostgres.psql(ahale, """
            INSERT INTO entries(id, session_id, position, region_id, muscle, side, needle_count, diameter_hundredths, length_mm,
                                depth, technique, twitch_count, recorded_at)
            SELECT 'slipped', session_id, position + 100, region_id, muscle, side, needle_count, diameter_hundredths, length_mm,
                   depth, technique, twitch_count, recorded_at FROM entries WHERE session_id = \(s.id) ORDER BY position LIMIT 1
            """)
        signing.waitUntilExit()
        #expect(signing.terminationStatus == 0)
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM sessions WHERE signed_at IS NOT NULL").hasPrefix("1"))
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM entries WHERE id = 'slipped'").hasPrefix("0"))
    }
    /// A draft pointed at half a consent form reference with psql: a version with no hash (even
    /// a version never stored) passed the composite foreign key (MATCH SIMPLE ignores a row with
    /// a NULL column), and SQLite's own key on the version then made the server's `check` fail
    /// outright (a foreign key error at the scratch copy's commit) for every clinician, naming
    /// nothing. A session's reference is both columns or neither.
    @Test(.enabled(if: TestPostgres.runs))
    func aSessionPointsAtAWholeConsentFormVersionOrNone() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        let ahale = TestPostgres.url(url, as: "ahale")
        let db = try PostgresStore.connect(url: ahale, environment: .fixed())
        let (_, s) = try chartedSession(in: db)
        for sql in ["UPDATE sessions SET consent_form_version = NULL, consent_form_sha256 = repeat('0', 64) WHERE id = \(s.id)",
                    "UPDATE sessions SET consent_form_version = 99, consent_form_sha256 = NULL WHERE id = \(s.id)"] {
            #expect(throws: (any Error).self, "\(sql)") { try TestPostgres.psql(ahale, sql) }
        }
        let report = try PostgresStore.connect(url: url, environment: .fixed()).check(seal: nil)
        #expect(report.ok, "\(report.problems)")
    }
    /// A row the server holds that points nowhere (a superuser's write behind the keys, with
    /// `session_replication_role = replica`): `check` names it, where its scratch copy's
    /// enforced foreign keys failed the whole check at the commit, naming nothing.
    @Test(.enabled(if: TestPostgres.runs))
    func checkNamesARowThatPointsNowhereRatherThanFailing() throws {
        let url = try TestPostgres.freshClinic()
        let admin = try PostgresStore.connect(url: url, environment: .fixed())
        let (_, s) = try chartedSession(in: admin)
        try TestPostgres.psql(url, """
            SET session_replication_role = replica;
            UPDATE sessions SET consent_form_version = 99, consent_form_sha256 = repeat('0', 64) WHERE id = \(s.id);
            """)
        let report = try admin.check(seal: nil)
        #expect(report.problems.contains { $0.hasPrefix("foreign key: a row of sessions") }, "\(report.problems)")
    }
    /// A point inserted with psql while another transaction sends the plan's letter: the
    /// points' guard found no letter yet and nothing made it wait, so the point landed in the
    /// sent plan, outside the letter. A letter with a hash not its text's was taken too.
    @Test(.enabled(if: TestPostgres.runs))
    func aPointCannotSlipIntoAPlanWhileItsLetterIsSent() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        let ahale = TestPostgres.url(url, as: "ahale")
        let db = try PostgresStore.connect(url: ahale, environment: .fixed())
        let (patient, _) = try chartedSession(in: db)
        let point = { (position: Int, side: String) in """
            INSERT INTO planned_points(patient_id, condition_key, version, position, region_id, muscle, side, needle_count,
                                       diameter_hundredths, length_mm, technique, added_by, added_at)
            VALUES (\(patient.id), 'neck-pain', 1, \(position), 'back-neck', 'upper trapezius', '\(side)', 1, 25, 40, 'pistoning', 'ahale', 'x')
            """ }
        try TestPostgres.psql(ahale, "INSERT INTO plans VALUES (\(patient.id), 'neck-pain', 1, 'ahale', 'x')")
        try TestPostgres.psql(ahale, point(1, "right"))
        let letter = "INSERT INTO plan_letters VALUES (\(patient.id), 'neck-pain', 1, '2026-11-30', 'one point', encode(sha256('one point'), 'hex'), 'ahale', 'x')"
        let sending = Process()
        sending.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        sending.arguments = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", ahale, "-c", "BEGIN; \(letter); SELECT pg_sleep(2); COMMIT;"]
        sending.standardOutput = FileHandle.nullDevice
        sending.standardError = FileHandle.nullDevice
        try sending.run()
        Thread.sleep(forTimeInterval: 0.7)
        _ = try? TestPostgres.psql(ahale, point(2, "left"))
        sending.waitUntilExit()
        #expect(sending.terminationStatus == 0)
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM plan_letters").hasPrefix("1"))
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM planned_points").hasPrefix("1"))

        try TestPostgres.psql(ahale, "INSERT INTO plans VALUES (\(patient.id), 'neck-pain', 2, 'ahale', 'x')")
        #expect(throws: (any Error).self) {
            try TestPostgres.psql(ahale, "INSERT INTO plan_letters VALUES (\(patient.id), 'neck-pain', 2, '2026-11-30', 'one point', 'not its hash', 'ahale', 'x')")
        }

        // An answer is to a letter sent: one dated before the letter went out is refused by the
        // server, as the app refuses it; one on or after that day is kept.
        let answer = { (day: String) in """
            INSERT INTO plan_letter_answers(patient_id, condition_key, version, answer, answered_on, how, recorded_by, recorded_at)
            VALUES (\(patient.id), 'neck-pain', 1, 'agrees', '\(day)', 'phone', 'ahale', 'x')
            """ }
        #expect(throws: (any Error).self) { try TestPostgres.psql(ahale, answer("2026-11-29")) }
        try TestPostgres.psql(ahale, answer("2026-11-30"))
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM plan_letter_answers").hasPrefix("1"))
    }
}
