import Foundation
import ChartCore
import Testing

/// The command line run as a real process against a temporary database.
@Suite struct CommandLineTests {
    /// `compact` re-packs a demo clinic's kept note texts, which then passes check and exports the
    /// same; a server's URL is refused before anything connects.
    @Test func compactRepacksAndTheClinicStillChecksAndExportsTheSame() throws {
        let box = Sandbox()
        defer { box.remove() }
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let patients = try #require(try JSONSerialization.jsonObject(with: Data(try box.run(["patients", "--db", box.db, "--json"]).stdout.utf8)) as? [[String: Any]])
        let chart = try #require(patients.first?["chartNumber"] as? String)
        let before = try box.run(["export", "--patient", chart, "--db", box.db])
        let compact = try box.run(["compact", "--db", box.db])
        #expect(compact.status == 0, "\(compact.stderr)")
        #expect(compact.stdout.contains("\nRe-packed ") || compact.stdout.hasPrefix("Re-packed "), "\(compact.stdout)")
        #expect(compact.stdout.contains(" signed notes' kept texts in ") && !compact.stdout.contains("Re-packed 0 "), "the demo's signed notes: \(compact.stdout)")
        #expect(try box.run(["check", "--db", box.db]).status == 0)
        let after = try box.run(["export", "--patient", chart, "--db", box.db])
        #expect(after.status == 0 && after.stdout == before.stdout)
        let missing = try box.run(["compact", "--db", box.root + "/typo.sqlite"])
        #expect(missing.status == 1 && missing.stderr.contains("there is no database at") && !FileManager.default.fileExists(atPath: box.root + "/typo.sqlite"))
        let server = try box.run(["compact", "--db", "postgresql://nobody@/nowhere?host=/nonexistent"])
        #expect(server.status == 1)
        #expect(server.stderr == "needlechart: compact: a PostgreSQL clinic's pages are the server's to arrange (VACUUM, CLUSTER); nothing was changed\n")
    }

    @Test func demoThenListThenExport() throws {
        let box = Sandbox()
        defer { box.remove() }
        let demo = try box.run(["demo", "--db", box.db])
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("30 patients"))
        let perms = try FileManager.default.attributesOfItem(atPath: box.db)[.posixPermissions] as? Int
        #expect(perms == 0o600)

        let again = try box.run(["demo", "--db", box.db])
        #expect(again.status == 1)
        #expect(again.stderr.hasPrefix("needlechart: The database already has 30 patient(s)"))
        let rerun = try box.run(["demo", "--if-empty", "--db", box.db])
        #expect(rerun.status == 0, "README's run line works a second time")
        #expect(rerun.stdout.contains("already has patients"))

        let list = try box.run(["patients", "--db", box.db, "--json"])
        #expect(list.status == 0)
        let patients = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(patients.count == 30)
        let chart = try #require(patients.first?["chartNumber"] as? String)

        let sessions = try box.run(["sessions", chart, "--db", box.db, "--json"])
        #expect(sessions.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(sessions.stdout.utf8)) as? [[String: Any]])
        #expect(!rows.isEmpty)
        let signed = try #require(rows.first { $0["state"] as? String == "signed" })
        let id = try #require(signed["id"] as? Int)

        let text = try box.run(["export", String(id), "--db", box.db])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("DRY NEEDLING SESSION NOTE\n"))
        #expect(text.stdout.contains("Status:       signed"))
        #expect(text.stdout.contains("POINTS NEEDLED"))
        #expect(text.stdout.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy { $0.count <= 80 })
        let twice = try box.run(["export", String(id), "--db", box.db])
        #expect(twice.stdout == text.stdout, "the same session exports byte-for-byte the same")

        let file = box.root + "/out.json"
        let json = try box.run(["export", String(id), "--format", "json", "--output", file, "--db", box.db])
        #expect(json.status == 0)
        #expect(json.stderr.contains("Exported to \(file)"))
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        #expect(doc["formatVersion"] as? Int == ExportFormat.version, "a note signed today is in today's format")

        let all = try box.run(["export", "--patient", chart, "--db", box.db])
        #expect(all.status == 0)
        #expect(all.stdout.components(separatedBy: "DRY NEEDLING SESSION NOTE").count - 1 == rows.count)

        let check = try box.run(["check", "--db", box.db])
        #expect(check.status == 0)
        #expect(check.stdout.contains("OK:"))
    }

    @Test func searchFindsPatientsWithoutAccents() throws {
        let box = Sandbox()
        defer { box.remove() }
        try box.run(["demo", "--db", box.db])
        let all = try box.run(["patients", "--db", box.db, "--json"])
        let patients = try #require(try JSONSerialization.jsonObject(with: Data(all.stdout.utf8)) as? [[String: Any]])
        let accented = try #require(patients.compactMap { $0["name"] as? String }.first { $0.unicodeScalars.contains { $0.value > 0xBF && $0.value < 0x250 } })
        let plain = accented.folding(options: [.diacriticInsensitive], locale: nil).split(separator: " ")[0].lowercased()
        let found = try box.run(["patients", "--search", plain, "--db", box.db])
        #expect(found.status == 0)
        #expect(found.stdout.contains(accented), "searching \(plain) should find \(accented)")
    }

    @Test func errorsAreOneLineWithNonZeroExit() throws {
        let box = Sandbox()
        defer { box.remove() }
        let cases: [([String], String)] = [
            (["sessions", "NOPE", "--db", box.db], "needlechart: There is no database at"),
            (["export", "999", "--db", box.db], "needlechart: no session has id 999"),
            (["export", "--patient", "NOPE", "--db", box.db], "needlechart: no patient has chart number NOPE"),
            (["sessions", "NOPE", "--db", box.db], "needlechart: no patient has chart number NOPE"),
            (["backup", box.root + "/missing-dir/deeper/../x.sqlite", "--db", box.root + "/notes.txt"], "needlechart: "),
        ]
        try "not a database".write(toFile: box.root + "/notes.txt", atomically: true, encoding: .utf8)
        for (args, prefix) in cases {
            let r = try box.run(args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.hasPrefix(prefix), "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): one line")
        }
        #expect(try String(contentsOfFile: box.root + "/notes.txt", encoding: .utf8) == "not a database", "never overwritten")
        let usage = try box.run(["export", "--db", box.db])
        #expect(usage.status != 0)
        #expect(usage.stderr.contains("give a session id, or --patient CHART_NUMBER"))
    }

    @Test func backupAndCheckDetectTampering() throws {
        let box = Sandbox()
        defer { box.remove() }
        try box.run(["demo", "--db", box.db])
        let copy = box.root + "/backup.sqlite"
        let backup = try box.run(["backup", copy, "--db", box.db])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(try box.run(["check", "--db", copy]).status == 0)
        // A backup is one file out of WAL mode (header bytes 18 and 19 are 1), so a read-only copy
        // in a read-only folder can be opened without its -wal and -shm.
        let header = try Data(contentsOf: URL(fileURLWithPath: copy)).prefix(20)
        #expect(header[18] == 1 && header[19] == 1)
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"))
        // The backup prints its record seal: both the copy and the live file still hold it.
        let sealLine = try #require(backup.stdout.split(separator: "\n").first { $0.hasPrefix("Record seal: ") })
        let seal = String(sealLine.dropFirst("Record seal: ".count).prefix(64))
        for file in [copy, box.db] {
            let proved = try box.run(["check", "--db", file, "--seal", seal])
            #expect(proved.status == 0 && proved.stdout.contains("record seal \(seal) held by audit row"), "\(proved.stdout)")
        }
        #expect(try box.run(["check", "--db", box.db, "--seal", String(repeating: "ab", count: 32)]).status == 1, "an unknown seal is not held")
        #expect(try box.run(["backup", copy, "--db", box.db]).status == 1, "never overwrites")

        // Tamper behind the guards with the sqlite3 library through a tiny script of SQL.
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [copy, "DROP TRIGGER entries_signed_no_update; UPDATE entries SET needle_count = needle_count + 1 WHERE rowid = 1;"]
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") else {
            Issue.record("sqlite3 is needed for this test (.ci/run installs it)")
            return
        }
        try sqlite.run(); sqlite.waitUntilExit()
        let check = try box.run(["check", "--db", copy])
        #expect(check.status == 1)
        #expect(check.stdout.contains("PROBLEM: guard missing: trigger entries_signed_no_update"))
        #expect(check.stdout.contains("PROBLEM: signed session 1: its data has changed since it was signed"))
    }

    @Test func helpEverywhere() throws {
        let box = Sandbox()
        defer { box.remove() }
        for sub in ["", "demo", "patients", "sessions", "export", "backup", "check", "clinician", "clinic"] {
            let r = try box.run(sub.isEmpty ? ["--help"] : [sub, "--help"])
            #expect(r.status == 0, "\(sub)")
            #expect(r.stdout.contains("USAGE:"), "\(sub)")
        }
    }

    @Test func aBadCatalogueOverrideNamesTheFileAndLine() throws {
        let box = Sandbox()
        defer { box.remove() }
        #expect(try box.run(["demo", "--db", box.db]).status == 0)
        let dir = box.root + "/config/needlechart"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "regions:\n  - {id: x, name: x, view: sideways, muscles: [a]}\n".write(toFile: dir + "/catalogue.yaml", atomically: true, encoding: .utf8)
        let r = try box.run(["sessions", "NC-0001", "--db", box.db])
        #expect(r.status == 1)
        #expect(r.stderr == "needlechart: \(dir)/catalogue.yaml:2: view must be front or back, not 'sideways'\n")
    }
}

/// Issue 10 item 6: global options work before the subcommand, as with git.
@Suite struct GlobalOptionTests {
    @Test func theDatabaseOptionMayComeBeforeTheSubcommand() throws {
        let box = Sandbox()
        defer { box.remove() }
        let demo = try box.run(["--db", box.db, "demo"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let list = try box.run(["--db=\(box.db)", "patients"])
        #expect(list.status == 0 && list.stdout.contains("NC-0001"), "\(list.stderr)")
        let sessions = try box.run(["--db", box.db, "sessions", "NC-0001", "--json"])
        #expect(sessions.status == 0, "\(sessions.stderr)")
        // Without a subcommand it is the app's option, as before; a wrong word is still refused.
        let wrong = try box.run(["--db", box.db, "bogus"])
        #expect(wrong.status != 0 && wrong.stderr.contains("Unexpected argument 'bogus'"))
    }
}
