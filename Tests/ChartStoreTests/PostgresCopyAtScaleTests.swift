import ChartCore
@testable import ChartStore
import Foundation
import GRDB
import TestPostgresServer
import Testing

/// Issue 11, the copy at scale: `admin copy` sends many rows to an INSERT and moves the audit
/// head once, after verifying the chain on the server; `check` streams each table through a
/// cursor into a scratch file. Small batches make the demo clinic span many of each.
@Suite struct PostgresCopyAtScaleTests {
    /// The demo clinic in a new file; its path and store.
    static func demoFile() throws -> (path: String, file: AppDatabase) {
        let env = ChartEnvironment.fixed()
        let path = temporaryDirectory() + "/clinic.sqlite"
        let file = try AppDatabase.open(path: path, environment: env)
        try file.loadDemo(DemoClinic.make(seed: 3, today: env.now(), timeZone: env.timeZone, catalogue: .builtIn))
        return (path, file)
    }

    /// Rows of `table` in the file as the copy reads them, counted.
    static func fileCount(_ file: AppDatabase, _ table: String) throws -> Int {
        try file.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? -1 }
    }

    static func serverCount(_ url: String, _ table: String) throws -> Int {
        Int(try TestPostgres.psql(url, "SELECT count(*) FROM \(table)").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test(.enabled(if: TestPostgres.runs))
    func aClinicLargerThanManyBatchesIsCopiedRowForRowAndPassesCheck() throws {
        let env = ChartEnvironment.fixed()
        let (path, file) = try Self.demoFile()
        let seal = try #require(try file.auditLog(limit: 1).last?.hash)
        // Several batches of every table that has more than three rows.
        #expect(try Self.fileCount(file, "entries") > 30 && Self.fileCount(file, "audit_log") > 30)
        let target = try TestPostgres.freshClinic(initialize: false)
        let report = try PostgresAdmin.copy(from: path, to: target, environment: env, batchRows: 3)
        #expect(report.seal == seal)
        for (table, _, _) in ClinicCopy.order where table != "settings" {
            let n = try Self.fileCount(file, table)
            #expect(report.counts.first { $0.table == table }?.rows == n, "\(table)")
            #expect(try Self.serverCount(target, table) == n, "\(table)")
        }
        let server = try PostgresStore.connect(url: target, environment: env)
        // The log went in link for link: every row as the file holds it, the head on its last.
        #expect(try server.auditLog(limit: nil) == file.auditLog(limit: nil))
        #expect(try TestPostgres.psql(target, "SELECT hash FROM audit_head").trimmingCharacters(in: .whitespacesAndNewlines) == seal)
        // The chain trigger is on again: a new row chains onto the copied head.
        #expect(try TestPostgres.psql(target, "SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_chain'").hasPrefix("O"))
        _ = try server.addPatient(Patient(name: "New Person", dateOfBirth: CalendarDate(iso: "1999-09-09")!, chartNumber: "NEW-1"), by: "admin")
        let log = try server.auditLog(limit: nil)
        #expect(log.last?.prevHash == seal)
        // Checked through cursors a few rows a fetch, as in one.
        let small = try server.check(seal: seal, fetchRows: 4)
        #expect(small.ok, "\(small.problems.prefix(3))")
        #expect(small.checked == (try server.check(seal: seal)).checked)
    }

    @Test(.enabled(if: TestPostgres.runs))
    func aSourceWhoseAuditChainWasTamperedIsRefusedAndNothingIsCopied() throws {
        let env = ChartEnvironment.fixed()
        let (path, file) = try Self.demoFile()
        let row = try #require(try file.auditLog(limit: nil).dropFirst(5).first)
        try behindTheGuard(file, "audit_no_update", "UPDATE audit_log SET detail = 'nothing happened' WHERE id = ?", arguments: [row.id])
        let target = try TestPostgres.freshClinic(initialize: false)
        #expect { try PostgresAdmin.copy(from: path, to: target, environment: env, batchRows: 3) } throws: {
            "\($0)".contains("does not pass check") && "\($0)".contains("Nothing was copied")
        }
        #expect(try TestPostgres.psql(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").hasPrefix("0"))
    }

    /// The server's own verification of the copied log, which stands in for the chain trigger
    /// per row: a row whose hash does not follow from its fields, or that does not link to the
    /// row before, rolls the copy back, and the trigger is enabled again by that rollback.
    @Test(.enabled(if: TestPostgres.runs))
    func theServerRefusesACopiedLogThatDoesNotChainAndTheTriggerStaysOn() throws {
        let url = try TestPostgres.freshClinic()
        let store = try PostgresStore.connect(url: url, environment: .fixed())
        let link = store.link
        let genesis = String(repeating: "0", count: 64)
        func hash(_ id: Int64, _ detail: String, _ prev: String) throws -> String {
            try #require(try link.value("SELECT needlechart_audit_hash($1, '2026-01-01T00:00:00Z', 'admin', 'create', 'patient', '1', $2, $3)",
                                        [id, detail, prev], as: String.self))
        }
        func insert(_ id: Int64, _ detail: String, _ prev: String, _ hash: String) throws {
            try link.execute("""
                INSERT INTO audit_log(id, at, actor, action, entity, entity_id, detail, prev_hash, hash)
                VALUES ($1, '2026-01-01T00:00:00Z', 'admin', 'create', 'patient', '1', $2, $3, $4)
                """, [id, detail, prev, hash])
        }
        let h1 = try hash(1, "one", genesis)
        let h2 = try hash(2, "two", h1)
        let cases: [(String, () throws -> Void)] = [
            ("a hash that does not follow from its row", { try insert(1, "one", genesis, h1); try insert(2, "altered", h1, h2) }),
            ("a row that does not link to the one before", { try insert(1, "one", genesis, h1); try insert(2, "two", genesis, h2) }),
            ("an id missing", { try insert(1, "one", genesis, h1); try insert(3, "two", h1, try hash(3, "two", h1)) }),
            ("a first row not on the head", { try insert(1, "one", h2, try hash(1, "one", h2)) }),
        ]
        for (what, rows) in cases {
            #expect(throws: StoreError.self, "\(what)") {
                try link.transaction {
                    try ClinicCopy.beginAuditLog(link)
                    try rows()
                    try ClinicCopy.endAuditLog(link)
                }
            }
            #expect(try TestPostgres.psql(url, "SELECT count(*) FROM audit_log").hasPrefix("0"), "\(what)")
            #expect(try TestPostgres.psql(url, "SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_chain'").hasPrefix("O"), "\(what)")
        }
        // The same rows, chained: accepted, and the head moved once, onto the last.
        try link.transaction {
            try ClinicCopy.beginAuditLog(link)
            try insert(1, "one", genesis, h1)
            try insert(2, "two", h1, h2)
            try ClinicCopy.endAuditLog(link)
        }
        #expect(try TestPostgres.psql(url, "SELECT id || ' ' || hash FROM audit_head").trimmingCharacters(in: .whitespacesAndNewlines) == "2 \(h2)")
        #expect(try TestPostgres.psql(url, "SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_chain'").hasPrefix("O"))
        #expect(try store.check(seal: h2).ok)
    }

    @Test(.enabled(if: TestPostgres.runs))
    func checkStreamedStillNamesATamperedSignedSessionAndLeavesNoScratchFile() throws {
        let env = ChartEnvironment.fixed()
        let (path, file) = try Self.demoFile()
        let target = try TestPostgres.freshClinic(initialize: false)
        _ = try PostgresAdmin.copy(from: path, to: target, environment: env, batchRows: 5)
        let signed = try #require(try file.writer.read { db in
            try Int64.fetchOne(db, sql: "SELECT max(id) FROM sessions WHERE signed_at IS NOT NULL")
        })
        let server = try PostgresStore.connect(url: target, environment: env)
        let scratch = temporaryDirectory()
        #expect(try server.check(seal: nil, fetchRows: 3, scratchIn: scratch).ok)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)

        // A superuser behind the guard changes a signed session's data on the server.
        try TestPostgres.psql(target, """
            ALTER TABLE sessions DISABLE TRIGGER sessions_guard;
            UPDATE sessions SET nprs_after = CASE WHEN nprs_after = 5 THEN 4 ELSE 5 END WHERE id = \(signed);
            ALTER TABLE sessions ENABLE TRIGGER sessions_guard;
            """)
        let report = try server.check(seal: nil, fetchRows: 3, scratchIn: scratch)
        #expect(report.problems == ["signed session \(signed): its data has changed since it was signed"])
        #expect(try server.check(seal: nil).problems == report.problems)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)

        // An entry of no session is named (the scratch file does not enforce its foreign keys,
        // so the check's foreign_key_check finds it) and leaves no scratch file behind.
        try TestPostgres.psql(target, """
            SET session_replication_role = replica;
            UPDATE entries SET session_id = 999999 WHERE id = (SELECT min(id) FROM entries);
            """)
        #expect(try server.check(seal: nil, fetchRows: 3, scratchIn: scratch).problems.contains { $0.hasPrefix("foreign key: a row of entries") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)

        // A check that fails part way (an addendum moved onto a draft: the scratch file's own
        // guard refuses it) throws, and still leaves no scratch file behind.
        try TestPostgres.psql(target, """
            SET session_replication_role = replica;
            UPDATE addenda SET session_id = (SELECT min(id) FROM sessions WHERE signed_at IS NULL) WHERE seq = (SELECT min(seq) FROM addenda);
            """)
        #expect(throws: (any Error).self) { try server.check(seal: nil, fetchRows: 3, scratchIn: scratch) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch).isEmpty)
    }
}
