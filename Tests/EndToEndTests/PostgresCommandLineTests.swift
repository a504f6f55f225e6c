import Foundation
import TestPostgresServer
import Testing

/// Issue 11: the command line on a shared clinic's PostgreSQL server, as README's section runs it.
@Suite struct PostgresCommandLineTests {
    @Test(.enabled(if: TestPostgres.runs))
    func aSQLiteClinicCopiedToTheServerListsExportsAndChecksTheSame() throws {
        let box = Sandbox()
        defer { box.remove() }
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let url = try TestPostgres.freshClinic(initialize: false)

        let initialized = try box.run(["admin", "init", "--db", url])
        #expect(initialized.status == 0, "\(initialized.stderr)")
        #expect(initialized.stdout.contains("Set up database"))
        #expect(try box.run(["admin", "init", "--db", url]).stdout.contains("set up and current"))

        let copy = try box.run(["admin", "copy", "--from", box.db, "--to", url])
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(copy.stdout.contains("Verified: audit chain head"))
        let again = try box.run(["admin", "copy", "--from", box.db, "--to", url])
        #expect(again.status == 1 && again.stderr.contains("already holds a clinic") && again.stderr.split(separator: "\n").count == 1)

        let check = try box.run(["check", "--db", url])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        for args in [["patients"], ["patients", "--search", "zoe"], ["patients", "-s", "nc-000"], ["sessions", "NC-0001"], ["export", "1"], ["export", "--patient", "NC-0002", "--format", "json"],
                     ["report", "safety"], ["report", "safety", "--json", "--from", "2020-01-01"], ["report", "outcomes"], ["report", "outcomes", "--json"]] {
            let here = try box.run(args + ["--db", box.db]), there = try box.run(args + ["--db", url])
            #expect(there.status == 0, "\(args): \(there.stderr)")
            #expect(here.stdout == there.stdout, "\(args)")
        }

        let added = try box.run(["admin", "add-clinician", "ahale", "--name", "Alex Hale", "--credentials", "PT, DPT", "--db", url])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try TestPostgres.psql(url, "SELECT rolname FROM pg_roles WHERE pg_has_role(rolname, 'needlechart_clinician', 'MEMBER') AND rolname = 'ahale'").hasPrefix("ahale"))
        #expect(try TestPostgres.psql(url, "SELECT display_name FROM clinicians WHERE username = 'ahale'").hasPrefix("Alex Hale"))

        let backup = try box.run(["backup", "--db", url, box.root + "/b.sqlite"])
        #expect(backup.status == 1 && backup.stderr.contains("pg_dump"))
        #expect(!FileManager.default.fileExists(atPath: box.root + "/b.sqlite"))
        let notServer = try box.run(["admin", "init", "--db", box.db])
        #expect(notServer.status == 1 && notServer.stderr.contains("postgresql://"))
    }

    /// Opening the clinic for a command (or the app) reads a clinician's stored profile and
    /// writes nothing for it: each start used to save it again, locking its row on the server
    /// (SELECT … FOR UPDATE marks the row, a write) for three round trips more.
    @Test(.enabled(if: TestPostgres.runs))
    func aStoredProfileIsReadNotSavedAgainAtEachStart() throws {
        let box = Sandbox()
        defer { box.remove() }
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let url = try TestPostgres.freshClinic(initialize: false)
        #expect(try box.run(["admin", "copy", "--from", box.db, "--to", url]).status == 0)
        let first = try box.run(["export", "1", "--db", url])
        #expect(first.status == 0, "\(first.stderr)")
        let rows = "SELECT string_agg(username || ':' || xmin::text || ':' || xmax::text, ',' ORDER BY username) FROM clinicians"
        let before = try TestPostgres.psql(url, rows), audit = try TestPostgres.psql(url, "SELECT count(*) FROM audit_log WHERE entity = 'clinician'")
        let again = try box.run(["export", "1", "--db", url])
        #expect(again.status == 0 && again.stdout == first.stdout, "\(again.stderr)")
        #expect(try TestPostgres.psql(url, rows) == before, "no clinician's row was locked or changed")
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM audit_log WHERE entity = 'clinician'") == audit)
    }

    /// `clinician` on a server edits the role's own profile: a local account of another name
    /// wrote its own login and empty credentials over it (the reviewer's find: "root: root", and
    /// a new name wiped the role's credentials).
    @Test(.enabled(if: TestPostgres.runs))
    func theClinicianCommandOnAServerEditsTheRolesProfile() throws {
        let box = Sandbox()
        defer { box.remove() }
        let url = try TestPostgres.freshClinic()
        #expect(try box.run(["admin", "add-clinician", "ahale", "--name", "Alex Hale", "--credentials", "PT, DPT", "--db", url]).status == 0)
        let mine = TestPostgres.url(url, as: "ahale")
        let shown = try box.run(["clinician", "--db", mine])
        #expect(shown.status == 0 && shown.stdout.hasPrefix("ahale: Alex Hale, PT, DPT"), "\(shown.stdout)\(shown.stderr)")
        let renamed = try box.run(["clinician", "--name", "Alex J. Hale", "--db", mine])
        #expect(renamed.status == 0, "\(renamed.stderr)")
        #expect(try TestPostgres.psql(url, "SELECT username || '|' || display_name || '|' || credentials FROM clinicians ORDER BY username")
                    .split(separator: "\n").contains("ahale|Alex J. Hale|PT, DPT"))
    }

    /// Needle traceability on the server (SPEC §9): `lots` and `recall` answer from a copied
    /// clinic as from its SQLite file, record a lot on a draft there, and a recall finds it.
    @Test(.enabled(if: TestPostgres.runs))
    func lotsAndRecallWorkOnTheServerAsOnTheFile() throws {
        let box = Sandbox()
        defer { box.remove() }
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let url = try TestPostgres.freshClinic(initialize: false)
        let copy = try box.run(["admin", "copy", "--from", box.db, "--to", url])
        #expect(copy.status == 0, "\(copy.stderr)")
        let lot = try TestPostgres.psql(url, "SELECT needle_lot FROM sessions WHERE needle_lot <> '' ORDER BY id LIMIT 1")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let draft = try TestPostgres.psql(url, "SELECT id FROM sessions WHERE signed_at IS NULL ORDER BY id LIMIT 1")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!lot.isEmpty && !draft.isEmpty)
        let record = ["lots", draft, "--size", "0.25x40", "--lot", "RC-2611", "--expiry", "2030-01-31", "--brand", "Seirin"]
        for args in [["recall", lot], ["recall", lot.lowercased(), "--json"], ["lots", "1"], ["lots", "1", "--json"], record,
                     ["recall", "rc-2611"], ["recall", "RC-2611", "--json"], ["lots", draft, "--json"]] {
            let here = try box.run(args + ["--db", box.db]), there = try box.run(args + ["--db", url])
            #expect(there.status == 0, "\(args): \(there.stderr)")
            #expect(here.stdout == there.stdout, "\(args)")
        }
        #expect(try box.run(["recall", "RC-2611", "--db", url]).stdout.contains("1 use in 1 session(s), 1 patient"))
        // Bad input: one line, nothing recorded.
        let expired = try box.run(["lots", draft, "--size", "0.25x40", "--lot", "OLD-1", "--expiry", "2001-01-31", "--db", url])
        #expect(expired.status == 1 && expired.stderr.split(separator: "\n").count == 1 && expired.stderr.contains("expired"), "\(expired.stderr)")
        #expect(try TestPostgres.psql(url, "SELECT count(*) FROM needle_lots").hasPrefix("1"))
    }

    /// SPEC §9 on a server: the clinic's coding and minimum training, a clinician's credentials
    /// and the consent form's versions, set and read with the same commands as on SQLite.
    @Test(.enabled(if: TestPostgres.runs))
    func credentialsCodingAndTheConsentFormWorkOnTheServer() throws {
        let box = Sandbox()
        defer { box.remove() }
        let url = try TestPostgres.freshClinic()
        let clinic = try box.run(["clinic", "--db", url, "--coding", "us-cpt", "--min-training-hours", "27"])
        #expect(clinic.status == 0, "\(clinic.stderr)")
        #expect(clinic.stdout.contains("Coding: us-cpt\nMinimum dry needling training: 27 hours\n"), "\(clinic.stdout)")
        // Every value is checked before any is set: a bad jurisdiction leaves the coding as it was.
        let refused = try box.run(["clinic", "--db", url, "--coding", "none", "--jurisdiction", "kansas"])
        #expect(refused.status == 1 && refused.stderr.contains("--jurisdiction must be none, virginia or new-jersey, not 'kansas'"), "\(refused.stderr)")
        #expect(try box.run(["clinic", "--db", url]).stdout.contains("Coding: us-cpt"), "nothing was set by the refused command")

        let me = try box.run(["clinician", "--db", url, "--role", "physiotherapist", "--licence", "PT-12345",
                              "--training-hours", "30", "--training-course", "DN Level 1", "--training-date", "2024-03-02"])
        #expect(me.status == 0, "\(me.stderr)")
        #expect(me.stdout.contains("Role: physiotherapist\nLicence: PT-12345\nDry needling training: 30 hours, DN Level 1, 2024-03-02\n"), "\(me.stdout)")
        let future = try box.run(["clinician", "--db", url, "--training-date", "2999-01-01"])
        #expect(future.status == 1 && future.stderr.split(separator: "\n").count == 1 && future.stderr.contains("in the future"), "\(future.stderr)")

        let text = box.root + "/form.txt"
        try "Our clinic's own form.\n\n- a risk\n".write(toFile: text, atomically: true, encoding: .utf8)
        let edit = try box.run(["consent-form", "edit", "--file", text, "--db", url])
        #expect(edit.status == 0 && edit.stdout.hasPrefix("Consent form version 2 stored (sha256 "), "\(edit.stdout)\(edit.stderr)")
        let all = try box.run(["consent-form", "show", "--all", "--db", url])
        #expect(all.stdout.split(separator: "\n").count == 3, "a header, version 1 (the default, stored first) and version 2: \(all.stdout)")
        #expect(try box.run(["consent-form", "show", "--version", "1", "--db", url]).stdout.contains("(current is 2)"))
        let copy = try box.run(["consent-form", "print", "--db", url])
        #expect(copy.status == 0 && copy.stdout.contains("Form version 2, sha256 ") && copy.stdout.contains("  - a risk\n"), "\(copy.stdout)\(copy.stderr)")
        #expect(copy.stdout.contains("licence PT-12345"), "the clinician's credentials from their profile: \(copy.stdout)")
        let same = try box.run(["consent-form", "edit", "--file", text, "--db", url])
        #expect(same.stderr == "needlechart: Consent form: is the same as version 2; nothing was stored\n")
        // A clinician's role (not this machine's account) sets its own credentials a part at a
        // time, keeping the rest; the clinic's settings are not theirs to change.
        #expect(try box.run(["admin", "add-clinician", "bkim", "--name", "Bo Kim", "--credentials", "PT", "--db", url]).status == 0)
        let bkim = TestPostgres.url(url, as: "bkim")
        let trained = try box.run(["clinician", "--db", bkim, "--role", "physiotherapist", "--training-hours", "40", "--training-course", "DN 2",
                                   "--training-date", "2025-01-10"])
        #expect(trained.status == 0, "\(trained.stderr)")
        let licensed = try box.run(["clinician", "--db", bkim, "--licence", "PT-9"])
        #expect(licensed.stdout.contains("Role: physiotherapist\nLicence: PT-9\nDry needling training: 40 hours, DN 2, 2025-01-10\n"), "\(licensed.stdout)\(licensed.stderr)")
        // Only what was asked changed: the role's name and free-text credentials stay as recorded.
        #expect(try TestPostgres.psql(url, "SELECT display_name || '|' || credentials || '|' || licence FROM clinicians WHERE username = 'bkim'")
                == "Bo Kim|PT|PT-9\n")
        #expect(try box.run(["clinic", "--db", bkim, "--coding", "none"]).status == 1)
        #expect(try box.run(["clinic", "--db", url]).stdout.contains("Coding: us-cpt"))
        let check = try box.run(["check", "--db", url])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
}
