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
                signed_snapshot = '{}' WHERE id = \(s.id)
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
        ]
        for (role, sql) in refused {
            #expect(throws: (any Error).self, "\(role): \(sql)") { try TestPostgres.psql(TestPostgres.url(url, as: role), sql) }
        }
        let rows = try TestPostgres.psql(url, "SELECT string_agg(username || '=' || display_name || '/' || credentials, ';' ORDER BY username) FROM clinicians")
        #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "ahale=Alex Hale/PT, DPT;bkim=Bo Kim/PT")
        // Their own row: still theirs to keep up to date.
        let db = try PostgresStore.connect(url: TestPostgres.url(url, as: "ahale"), environment: .fixed())
        try db.saveClinician(Clinician(username: "ahale", displayName: "Alex Hale-Ng", credentials: "PT, DPT"))
        #expect(try db.clinician("ahale")?.displayName == "Alex Hale-Ng")
        try TestPostgres.psql(TestPostgres.url(url, as: newcomer), "INSERT INTO clinicians(username, display_name) VALUES ('\(newcomer)', 'New Comer')")
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
