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
        let check = try box.run(["check", "--db", url])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }
}
