import ChartCore
import ChartStore
import Foundation
import TestPostgresServer
import Synchronization
import Testing

/// Issue 11, "the server enforces the record", a review's gaps: who signs and when, who stamps
/// audit rows, whose row of the clinicians table a clinician may change, and what `check` verifies
/// of the guards. Each is tried with psql as a clinician's role, as a clinician could.
@Suite struct PostgresGuardTests {
    /// A clock far from the server's: a time the app sends cannot pass for the server's.
    static let oldClock = ChartEnvironment(now: { Date(timeIntervalSince1970: 978_307_200) }, newID: ChartEnvironment.fixed().newID,
                                           timeZone: TimeZone(identifier: "UTC")!)

    /// The server's clock as the record stores times, written out so that the statement means
    /// the same before and after the server had its own function for it.
    static let serverNow = #"to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"#

    /// Whether a stored time is within a few minutes of this machine's clock (the server's).
    static func isNow(_ text: String?) -> Bool {
        guard let text, let date = Timestamp.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return false }
        return abs(date.timeIntervalSinceNow) < 300
    }

    @Test(.enabled(if: TestPostgres.runs))
    func onlyTheSessionsOwnClinicianSignsItAsThemselvesAtTheServersTimeAndOnce() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        try PostgresAdmin.addClinician(url: url, login: "bkim", displayName: "Bo Kim", credentials: "PT", password: nil, environment: .fixed())
        let (ahale, bkim) = (TestPostgres.url(url, as: "ahale"), TestPostgres.url(url, as: "bkim"))
        let db = try PostgresStore.connect(url: ahale, environment: Self.oldClock)
        let (patient, s) = try chartedSession(in: db)

        let refused = [
            // Another clinician signs ahale's draft in their own name, or takes the draft over.
            "UPDATE sessions SET state = 'signed', signed_by = 'bkim', signature_line = 'Bo Kim, PT', signed_at = \(Self.serverNow), signed_snapshot = '{}' WHERE id = \(s.id)",
            "UPDATE sessions SET clinician = 'bkim' WHERE id = \(s.id)",
            "INSERT INTO sessions(patient_id, clinician, started_at, state, updated_at) VALUES (\(patient.id), 'ahale', '2026-01-01T00:00:00Z', 'screening', '2026-01-01T00:00:00Z')",
        ]
        for sql in refused {
            #expect(throws: (any Error).self, "bkim: \(sql)") { try TestPostgres.psql(bkim, sql) }
        }
        let refusedOwn = [
            // The session's own clinician backdates the signature, or signs in another's words.
            "UPDATE sessions SET state = 'signed', signed_by = 'ahale', signature_line = 'Alex Hale, PT, DPT', signed_at = '2026-01-02T03:04:05Z', signed_snapshot = '{}' WHERE id = \(s.id)",
            "UPDATE sessions SET state = 'signed', signed_by = 'ahale', signature_line = 'Bo Kim, PT', signed_at = \(Self.serverNow), signed_snapshot = '{}' WHERE id = \(s.id)",
            // A session written already signed, at any time.
            """
            INSERT INTO sessions(patient_id, clinician, started_at, state, updated_at, signed_by, signature_line, signed_at, signed_snapshot)
            VALUES (\(patient.id), 'ahale', '2026-01-01T00:00:00Z', 'signed', '2026-01-01T00:00:00Z', 'ahale', 'Alex Hale, PT, DPT', '2026-01-01T00:00:00Z', '{}')
            """,
        ]
        for sql in refusedOwn {
            #expect(throws: (any Error).self, "ahale: \(sql)") { try TestPostgres.psql(ahale, sql) }
        }
        #expect(try db.session(id: s.id)?.signature == nil)
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM sessions").hasPrefix("1"))

        // Through the app: bkim cannot sign it either; ahale signs it at the server's time.
        let other = try PostgresStore.connect(url: bkim, environment: .fixed())
        #expect(throws: (any Error).self) { try other.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: nil) }
        let signed = try db.sign(sessionID: s.id, by: Clinician(username: "ahale", displayName: "Someone Else", credentials: "MD"),
                                 catalogue: catalogue, version: s.version)
        let signature = try #require(signed.signature)
        #expect(signature.by == "ahale" && signature.signatureLine == "Alex Hale, PT, DPT")
        #expect(Self.isNow(Timestamp.iso(signature.at)), "\(signature.at)")
        let stored = try TestPostgres.psql(url, "SELECT signed_by || '|' || signature_line || '|' || signed_at FROM sessions WHERE id = \(s.id)")
        #expect(stored.trimmingCharacters(in: .whitespacesAndNewlines) == "ahale|Alex Hale, PT, DPT|\(Timestamp.iso(signature.at))")

        // Signed once: neither un-signed nor signed again, by anyone.
        for (who, sql) in [
            (ahale, "UPDATE sessions SET signed_at = \(Self.serverNow) WHERE id = \(s.id)"),
            (ahale, "UPDATE sessions SET signed_by = NULL, signature_line = NULL, signed_at = NULL, signed_snapshot = NULL, state = 'close-out' WHERE id = \(s.id)"),
            (bkim, "UPDATE sessions SET signed_by = 'bkim', signature_line = 'Bo Kim, PT' WHERE id = \(s.id)"),
        ] {
            #expect(throws: (any Error).self, "\(sql)") { try TestPostgres.psql(who, sql) }
        }
        #expect(try db.session(id: s.id)?.signature == signature)
        let report = try db.check(seal: nil)
        #expect(report.ok, "\(report.problems)")
    }

    @Test(.enabled(if: TestPostgres.runs))
    func aSignedNoteIsWrittenOnlyBySignerInTheTransactionThatSigned() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        try PostgresAdmin.addClinician(url: url, login: "bkim", displayName: "Bo Kim", credentials: "PT", password: nil, environment: .fixed())
        let (ahale, bkim) = (TestPostgres.url(url, as: "ahale"), TestPostgres.url(url, as: "bkim"))
        let db = try PostgresStore.connect(url: ahale, environment: .fixed())
        let (_, s) = try chartedSession(in: db)
        // Signed with psql as the server allows (its own clinician, the server's time), with no note frozen.
        try TestPostgres.psql(ahale, """
            UPDATE sessions SET state = 'signed', signed_by = 'ahale', signature_line = 'Alex Hale, PT, DPT', signed_at = \(Self.serverNow),
                signed_snapshot = '{}', coding_system = 'none', signer_credentials = '{"licence": ""}' WHERE id = \(s.id)
            """)
        // A note forged afterwards, by another clinician or by the signer, is refused.
        for who in [bkim, ahale] {
            #expect(throws: (any Error).self, "\(who)") {
                try TestPostgres.psql(who, "INSERT INTO signed_documents(session_id, document, sha256, seal) VALUES (\(s.id), 'forged', 'x', 'y')")
            }
        }
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM signed_documents").hasPrefix("0"))
        // The app signs and freezes in one transaction: that still works.
        let (_, t) = try chartedSession(in: db, chart: "NC-0002", name: "Second Patient", entryIDs: "t")
        try db.sign(sessionID: t.id, by: therapist, catalogue: catalogue, version: t.version)
        #expect(try db.sessionRecord(id: t.id)?.signedNote != nil)
    }

    @Test(.enabled(if: TestPostgres.runs))
    func aCliniciansAuditRowsCarryTheServersClockAndTheirRole() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        let mine = TestPostgres.url(url, as: "ahale")
        let db = try PostgresStore.connect(url: mine, environment: Self.oldClock)
        try db.addPatient(Patient(name: "Clock Test", dateOfBirth: CalendarDate(iso: "1980-01-01")!, chartNumber: "CL-1"), by: "bkim")
        let row = try #require(try db.auditLog(limit: 1).last)
        #expect(row.actor == "ahale")
        #expect(Self.isNow(row.at), "\(row.at)")
        // With psql: a backdated row, in someone else's name, is stamped by the server.
        let written = try TestPostgres.psql(mine, """
            INSERT INTO audit_log(id, at, actor, action, entity, entity_id, prev_hash, hash)
            VALUES (0, '2001-01-01T00:00:00Z', 'bkim', 'export', 'session', '1', '', '') RETURNING actor || '|' || at
            """).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(written.hasPrefix("ahale|") && Self.isNow(String(written.dropFirst(6))), "\(written)")
        // The clinic's administrator keeps the times of records made elsewhere (imports, copies).
        let admin = try PostgresStore.connect(url: url, environment: Self.oldClock)
        try admin.addPatient(Patient(name: "Imported", dateOfBirth: CalendarDate(iso: "1980-01-01")!, chartNumber: "CL-2"), by: "import")
        #expect(try admin.auditLog(limit: 1).last?.at == "2001-01-01T00:00:00Z")
        let report = try db.check(seal: nil)
        #expect(report.ok, "\(report.problems)")
    }

    @Test(.enabled(if: TestPostgres.runs))
    func aClinicianChangesOnlyTheirOwnRowOfTheCliniciansTable() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        try PostgresAdmin.addClinician(url: url, login: "bkim", displayName: "Bo Kim", credentials: "PT", password: nil, environment: .fixed())
        // A clinician's role with no row of its own yet (roles belong to the whole server: a name of its own).
        let newcomer = "nc_new_" + UUID().uuidString.prefix(8).lowercased()
        try TestPostgres.psql(url, "CREATE ROLE \(newcomer) LOGIN; GRANT \(PostgresAdmin.clinicianRole) TO \(newcomer)")
        let refused = [
            (newcomer, "UPDATE clinicians SET username = '\(newcomer)' WHERE username = 'bkim'"),
            (newcomer, "UPDATE clinicians SET username = '\(newcomer)', display_name = 'Bo Kim', credentials = 'PT, DPT' WHERE username = 'bkim'"),
            ("ahale", "UPDATE clinicians SET display_name = 'Forged Kim', credentials = 'student' WHERE username = 'bkim'"),
            ("ahale", "UPDATE clinicians SET username = 'ahale2' WHERE username = 'ahale'"),
            // Credentials are a clinician's own too: no one promotes a colleague or lends them training.
            ("ahale", "UPDATE clinicians SET role = 'student', licence = 'FORGED', dn_training = '{\"hours\": 1}' WHERE username = 'bkim'"),
            ("ahale", "UPDATE clinicians SET dn_training = (SELECT dn_training FROM clinicians WHERE username = 'ahale') WHERE username = 'bkim'"),
        ]
        for (role, sql) in refused {
            #expect(throws: (any Error).self, "\(role): \(sql)") { try TestPostgres.psql(TestPostgres.url(url, as: role), sql) }
        }
        let rows = try TestPostgres.psql(url, """
            SELECT string_agg(username || '=' || display_name || '/' || credentials || '/' || coalesce(role, '-') || '/' || licence || '/' || coalesce(dn_training, '-'),
                              ';' ORDER BY username) FROM clinicians
            """)
        #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "ahale=Alex Hale/PT, DPT/-//-;bkim=Bo Kim/PT/-//-")
        // Their own row: still theirs to keep up to date.
        let db = try PostgresStore.connect(url: TestPostgres.url(url, as: "ahale"), environment: .fixed())
        try db.saveClinician(Clinician(username: "ahale", displayName: "Alex Hale-Ng", credentials: "PT, DPT"))
        #expect(try db.clinician("ahale")?.displayName == "Alex Hale-Ng")
        // …and their credentials: saved on their own row, whoever the app names.
        let mine = ClinicianCredentials(role: .physiotherapist, licence: "PT-1",
                                        training: DryNeedlingTraining(hours: 30, course: "DN 1", date: CalendarDate(iso: "2024-05-01")!))
        try db.saveClinicianCredentials(mine, by: "bkim")
        #expect(try db.clinicianCredentials("ahale") == mine)
        #expect(try db.clinicianCredentials("bkim").isEmpty)
        try TestPostgres.psql(TestPostgres.url(url, as: newcomer), "INSERT INTO clinicians(username, display_name) VALUES ('\(newcomer)', 'New Comer')")
    }

    /// A clinician's signing with psql that passes v2's checks (own session, own name and line,
    /// the server's time), carrying `credentials` (SQL; default: exactly what their row records)
    /// and `coding`.
    static func psqlSign(_ id: Int64, as role: String, line: String, credentials: String? = nil, coding: String = "'none'") -> String {
        let recorded = credentials ?? """
            (SELECT jsonb_strip_nulls(jsonb_build_object('role', role, 'licence', licence, 'training', dn_training::jsonb))::text
             FROM clinicians WHERE username = '\(role)')
            """
        return """
            UPDATE sessions SET state = 'signed', signed_by = '\(role)', signature_line = '\(line)', signed_at = \(serverNow),
                signed_snapshot = '{}', coding_system = \(coding), signer_credentials = \(recorded) WHERE id = \(id)
            """
    }

    /// SPEC §9 on the server: a student or assistant, or a signer under the clinic's minimum
    /// training, cannot sign a needling note even with psql; a signature carries the signer's
    /// recorded credentials and the clinic's coding, and a signed note's never change; the
    /// settings are the administrator's.
    @Test(.enabled(if: TestPostgres.runs))
    func signingUnderTheClinicsRulesIsTheServersToEnforce() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        try PostgresAdmin.addClinician(url: url, login: "bkim", displayName: "Bo Kim", credentials: "PT", password: nil, environment: .fixed())
        let (ahale, bkim) = (TestPostgres.url(url, as: "ahale"), TestPostgres.url(url, as: "bkim"))
        let admin = try PostgresStore.connect(url: url, environment: .fixed())
        let a = try PostgresStore.connect(url: ahale, environment: .fixed())
        let b = try PostgresStore.connect(url: bkim, environment: .fixed())
        let trained = DryNeedlingTraining(hours: 30, course: "DN 1", date: CalendarDate(iso: "2024-05-01")!)
        try a.saveClinicianCredentials(ClinicianCredentials(role: .physiotherapist, licence: "PT-1", training: trained), by: "ahale")
        try b.saveClinicianCredentials(ClinicianCredentials(role: .student), by: "bkim")

        // The settings are the administrator's, as the clinic's name and time zone.
        #expect(throws: StoreError.self) { try a.setCodingSystem(.usCPT, by: "ahale") }
        #expect(throws: StoreError.self) { try b.setMinimumTrainingHours(0, by: "bkim") }
        #expect(throws: (any Error).self) { try TestPostgres.psql(ahale, "INSERT INTO settings(key, value) VALUES ('dn_min_training_hours', '0')") }

        // A student's needling note: refused by the store, and by the server to psql.
        let (_, student) = try chartedSession(in: b, chart: "NC-0002", name: "Second Patient", entryIDs: "b", profile: false)
        #expect(throws: SessionError.blocked(["A student cannot sign a dry needling note: the supervising physiotherapist signs it."])) {
            try b.sign(sessionID: student.id, by: therapist, catalogue: catalogue, version: nil)
        }
        #expect(throws: (any Error).self) { try TestPostgres.psql(bkim, Self.psqlSign(student.id, as: "bkim", line: "Bo Kim, PT")) }
        try admin.setMinimumTrainingHours(40, by: "admin")
        #expect(try a.minimumTrainingHours() == 40)
        // 30 hours against the clinic's 40: refused both ways, as is a signature with borrowed
        // credentials, with no credentials, or under another coding than the clinic's.
        let (_, s) = try chartedSession(in: a, profile: false)
        #expect(throws: SessionError.self) { try a.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: nil) }
        for sql in [Self.psqlSign(s.id, as: "ahale", line: "Alex Hale, PT, DPT"),
                    Self.psqlSign(s.id, as: "ahale", line: "Alex Hale, PT, DPT", credentials: #"'{"role": "physiotherapist", "licence": "PT-1", "training": {"hours": 99, "course": "DN 1", "date": "2024-05-01"}}'"#),
                    Self.psqlSign(s.id, as: "ahale", line: "Alex Hale, PT, DPT", credentials: "NULL")] {
            #expect(throws: (any Error).self, "\(sql)") { try TestPostgres.psql(ahale, sql) }
        }
        try admin.setMinimumTrainingHours(0, by: "admin")
        try admin.setCodingSystem(.usCPT, by: "admin")
        #expect(throws: (any Error).self) { try TestPostgres.psql(ahale, Self.psqlSign(s.id, as: "ahale", line: "Alex Hale, PT, DPT")) }
        // A draft carries nothing of a signature, these columns included.
        for sql in ["UPDATE sessions SET coding_system = 'us-cpt' WHERE id = \(s.id)",
                    "UPDATE sessions SET signer_credentials = '{\"licence\": \"\"}' WHERE id = \(s.id)"] {
            #expect(throws: (any Error).self, "\(sql)") { try TestPostgres.psql(ahale, sql) }
        }
        #expect(try a.session(id: s.id)?.signature == nil && b.session(id: student.id)?.signature == nil)

        // Signed through the app under the clinic's coding and the signer's credentials; then fixed.
        try a.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: nil)
        let record = try #require(try a.sessionRecord(id: s.id))
        #expect(record.signedNote?.document.note.session.coding?.code == "20560")
        #expect(record.signedNote?.document.note.session.signature?.credentials?.licence == "PT-1")
        for sql in ["UPDATE sessions SET coding_system = 'none', procedure_code = NULL WHERE id = \(s.id)",
                    "UPDATE sessions SET signer_credentials = '{\"licence\": \"\"}' WHERE id = \(s.id)",
                    "UPDATE sessions SET consent_form_version = NULL, consent_form_sha256 = NULL WHERE id = \(s.id)"] {
            #expect(throws: (any Error).self, "\(sql)") { try TestPostgres.psql(ahale, sql) }
        }
        let report = try admin.check(seal: nil)
        #expect(report.ok, "\(report.problems)")
    }

    /// Consent form versions on the server: insert-only, the next version only, with its own
    /// text's hash, in the name of the role that stores it at the server's time; never updated,
    /// deleted or truncated, and a session points only at a stored version and its hash.
    @Test(.enabled(if: TestPostgres.runs))
    func aConsentFormVersionIsNeverChangedAndOnlyTheNextIsAdded() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        let ahale = TestPostgres.url(url, as: "ahale")
        let db = try PostgresStore.connect(url: ahale, environment: Self.oldClock)
        let (_, s) = try chartedSession(in: db, profile: false)
        let v2 = try db.editConsentForm(text: "Version two.\n", by: "someone else")
        #expect(v2.version == 2 && v2.createdBy == "ahale")
        let stamped = try TestPostgres.psql(url, "SELECT created_by || '|' || created_at FROM consent_forms WHERE version = 2")
        #expect(stamped.hasPrefix("ahale|") && Self.isNow(String(stamped.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst(6))), "\(stamped)")
        let sha = { (text: String) in "encode(sha256(convert_to('\(text)', 'UTF8')), 'hex')" }
        for sql in ["UPDATE consent_forms SET text = 'No risks at all.', sha256 = \(sha("No risks at all.")) WHERE version = 1",
                    "DELETE FROM consent_forms WHERE version = 2",
                    "TRUNCATE consent_forms CASCADE",
                    "INSERT INTO consent_forms VALUES (7, 'Out of turn.', \(sha("Out of turn.")), 'ahale', \(Self.serverNow))",
                    "INSERT INTO consent_forms VALUES (2, 'Again.', \(sha("Again.")), 'ahale', \(Self.serverNow)) ON CONFLICT (version) DO UPDATE SET text = excluded.text",
                    "INSERT INTO consent_forms VALUES (3, 'Wrong hash.', 'abc', 'ahale', \(Self.serverNow))",
                    "INSERT INTO consent_forms VALUES (3, 'In another name.', \(sha("In another name.")), 'bkim', \(Self.serverNow))",
                    "INSERT INTO consent_forms VALUES (3, 'Backdated.', \(sha("Backdated.")), 'ahale', '2001-01-01T00:00:00Z')",
                    "UPDATE sessions SET consent_form_sha256 = 'abc' WHERE id = \(s.id)",
                    "UPDATE sessions SET consent_form_version = 9 WHERE id = \(s.id)"] {
            #expect(throws: (any Error).self, "\(sql)") { try TestPostgres.psql(ahale, sql) }
        }
        #expect(try db.consentFormVersions().map(\.version) == [1, 2])
        #expect(try db.consentForm(version: 1).text == ConsentForms.defaultText)
        #expect(try db.consentFormReference(sessionID: s.id)?.version == 1)
        let report = try db.check(seal: nil)
        #expect(report.ok, "\(report.problems)")
    }

    /// CI found it: roles belong to the whole server, so two clinics adding the same login at once
    /// (two sites' administrators, or parallel tests) raced between "is there a role?" and CREATE
    /// ROLE, and one failed with "duplicate key … pg_authid_rolname_index".
    @Test(.enabled(if: TestPostgres.runs))
    func theSameLoginAddedToSeveralClinicsAtOnceIsAddedToEach() throws {
        let clinics = try (0..<6).map { _ in try TestPostgres.freshClinic() }
        for round in 0..<3 {
            let login = "nc_race_\(round)_" + UUID().uuidString.prefix(8).lowercased()
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: clinics.count) { i in
                do {
                    try PostgresAdmin.addClinician(url: clinics[i], login: login, displayName: "Race \(i)", credentials: "PT",
                                                   password: nil, environment: .fixed())
                } catch { failures.withLock { $0.append("clinic \(i): \(error)") } }
            }
            #expect(failures.withLock { $0 } == [], "round \(round)")
            for (i, url) in clinics.enumerated() {
                let db = try PostgresStore.connect(url: TestPostgres.url(url, as: login), environment: .fixed())
                #expect(try db.clinician(login)?.displayName == "Race \(i)")
            }
        }
    }

    @Test(.enabled(if: TestPostgres.runs))
    func checkNamesAGuardFunctionsSearchPathOrSecurityChangedAndIgnoresAGuardsNameOnAScratchTable() throws {
        let url = try TestPostgres.freshClinic()
        let db = try PostgresStore.connect(url: url, environment: .fixed())
        let clean = try db.check(seal: nil)
        #expect(clean.ok, "\(clean.problems)")
        // What check names is the server's: not the scratch copy it reads the record into.
        #expect(!clean.checked.contains { $0.hasPrefix("record guards") || $0.contains("search keys") }, "\(clean.checked)")
        let path = "'pg_catalog, public, pg_temp'"

        try TestPostgres.psql(url, "ALTER FUNCTION needlechart_entries_guard() RESET search_path")
        try TestPostgres.psql(url, "ALTER FUNCTION needlechart_audit_chain() SECURITY INVOKER")
        #expect(try db.check(seal: nil).problems == [
            "guard function needlechart_audit_chain: no longer runs as its owner (SECURITY DEFINER), as written",
            "guard function needlechart_entries_guard: its search_path is not fixed, where the clinic's setup fixed it at \(path)",
        ])
        try TestPostgres.psql(url, "ALTER FUNCTION needlechart_entries_guard() SET search_path = public, pg_temp")
        try TestPostgres.psql(url, "ALTER FUNCTION needlechart_audit_chain() SECURITY DEFINER")
        #expect(try db.check(seal: nil).problems == [
            "guard function needlechart_entries_guard: its search_path is 'public, pg_temp', where the clinic's setup fixed it at \(path)",
        ])
        try TestPostgres.psql(url, "ALTER FUNCTION needlechart_entries_guard() SET search_path = pg_catalog, public, pg_temp")
        #expect(try db.check(seal: nil).ok)

        // A guard's name on a scratch table stands in for nothing; a trigger added to the record's tables is named.
        try TestPostgres.psql(url, """
            CREATE TABLE scratch(id int);
            CREATE TRIGGER sessions_guard BEFORE UPDATE ON scratch FOR EACH ROW EXECUTE FUNCTION needlechart_sessions_guard();
            ALTER TABLE sessions DISABLE TRIGGER sessions_guard;
            CREATE TRIGGER zz_extra BEFORE UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION needlechart_head_forward();
            """)
        #expect(try db.check(seal: nil).problems == [
            "guard sessions_guard: missing or disabled on the server",
            "unexpected trigger zz_extra on sessions: not written by NeedleChart",
        ])
    }

    /// Needle lots per size (SPEC §9) are guarded as the entries are: a signed session's lots are
    /// neither added, changed nor deleted by a clinician's role with psql (nor emptied at once), a
    /// lot is recorded in the role's own name, and `check` names the lots' guard disabled or a
    /// trigger added to their table.
    @Test(.enabled(if: TestPostgres.runs))
    func aSignedSessionsLotsNeverChangeWhateverAClinicianSendsWithPsql() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        let ahale = TestPostgres.url(url, as: "ahale")
        let db = try PostgresStore.connect(url: ahale, environment: .fixed())
        let (_, s) = try chartedSession(in: db)
        let (_, draft) = try chartedSession(in: db, chart: "NC-0002", name: "Second Patient", entryIDs: "d")
        let size = try #require(NeedleSize.used(in: s.entries).first)
        try db.recordNeedleLot(NeedleLot(size: size, lot: "A-1", expiry: CalendarDate(iso: "2027-05-31"), brand: "Seirin"), sessionID: s.id, by: "ahale")
        try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: s.version)
        let values = "\(size.diameter.hundredths), \(size.lengthMM)"
        for sql in [
            "INSERT INTO needle_lots(session_id, diameter_hundredths, length_mm, lot, recorded_by, recorded_at) VALUES (\(s.id), \(values), 'B-2', 'ahale', 'x')",
            "UPDATE needle_lots SET lot = 'X-9' WHERE session_id = \(s.id)",
            "UPDATE needle_lots SET expiry = '2030-01-01' WHERE session_id = \(s.id)",
            "UPDATE needle_lots SET session_id = \(draft.id) WHERE session_id = \(s.id)",
            "DELETE FROM needle_lots WHERE session_id = \(s.id)",
            "TRUNCATE needle_lots",
            // A draft's lot in another clinician's name.
            "INSERT INTO needle_lots(session_id, diameter_hundredths, length_mm, lot, recorded_by, recorded_at) VALUES (\(draft.id), \(values), 'C-3', 'bkim', 'x')",
        ] {
            #expect(throws: (any Error).self, "ahale: \(sql)") { try TestPostgres.psql(ahale, sql) }
        }
        #expect(try TestPostgres.psql(url, "SELECT string_agg(session_id || ':' || lot || ':' || expiry, ';') FROM needle_lots")
            .trimmingCharacters(in: .whitespacesAndNewlines) == "\(s.id):A-1:2027-05-31")
        // A draft's lots stay the clinician's to record and correct, with psql too.
        try TestPostgres.psql(ahale, "INSERT INTO needle_lots(session_id, diameter_hundredths, length_mm, lot, recorded_by, recorded_at) VALUES (\(draft.id), \(values), 'D-4', 'ahale', 'x')")
        try TestPostgres.psql(ahale, "DELETE FROM needle_lots WHERE session_id = \(draft.id)")
        let report = try db.check(seal: nil)
        #expect(report.ok, "\(report.problems)")

        try TestPostgres.psql(url, """
            ALTER TABLE needle_lots DISABLE TRIGGER needle_lots_guard;
            CREATE TRIGGER zz_lots BEFORE UPDATE ON needle_lots FOR EACH ROW EXECUTE FUNCTION needlechart_head_forward();
            """)
        #expect(try db.check(seal: nil).problems == [
            "guard needle_lots_guard: missing or disabled on the server",
            "unexpected trigger zz_lots on needle_lots: not written by NeedleChart",
        ])
        // A lot changed behind the disabled guard: the signing's data hash names the session.
        try TestPostgres.psql(url, "DROP TRIGGER zz_lots ON needle_lots; UPDATE needle_lots SET lot = 'X-9' WHERE session_id = \(s.id)")
        #expect(try db.check(seal: nil).problems.contains { $0.contains("session \(s.id)") })
    }
}
