import ChartCore
import ChartStore
import Foundation
import TestPostgresServer
import Testing

/// Issue 11: a server's clinic is backed up with pg_dump, as README says, and restored with
/// pg_restore into a new database of the same server (its roles are the server's): the restored
/// clinic passes `check` against the seal taken at the backup, exports the same, and still
/// enforces the record against a clinician's role.
@Suite struct PostgresBackupTests {
    @Test(.enabled(if: TestPostgres.runs))
    func aPgDumpRestoredIntoANewDatabasePassesCheckAgainstItsSealAndStillGuards() throws {
        let url = try TestPostgres.freshClinic()
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        let env = ChartEnvironment(now: { start }, newID: ChartEnvironment.fixed().newID, timeZone: TimeZone(identifier: "UTC")!)
        let db = try PostgresStore.connect(url: url, environment: env)
        try db.loadDemo(DemoClinic.make(seed: 5, today: start, timeZone: env.timeZone, catalogue: .builtIn))
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        let mine = try PostgresStore.connect(url: TestPostgres.url(url, as: "ahale"), environment: .fixed())
        let (_, charted) = try chartedSession(in: mine, chart: "NC-9001", profile: false)
        let signed = try mine.sign(sessionID: charted.id, by: therapist, catalogue: catalogue, version: charted.version)
        let seal = try #require(try db.auditLog(limit: 1).last?.hash)

        let dump = temporaryDirectory() + "/clinic.dump"
        try TestPostgres.tool("pg_dump", ["--format=custom", "--file=\(dump)", url])
        let restoredURL = try TestPostgres.freshClinic(initialize: false)
        try TestPostgres.tool("pg_restore", ["--exit-on-error", "--dbname=\(restoredURL)", dump])

        let restored = try PostgresStore.connect(url: restoredURL, environment: env)
        let report = try restored.check(seal: seal)
        #expect(report.ok, "\(report.problems)")
        #expect(try restored.auditLog(limit: nil) == db.auditLog(limit: nil))
        let context = ExportContext(clinicName: try db.clinicName(), catalogue: .builtIn, timeZone: try db.clinicTimeZone())
        var before: [String] = [], after: [String] = []
        try db.forEachSessionRecord { before.append(try JSONExport.session($0, context: context)) }
        try restored.forEachSessionRecord { after.append(try JSONExport.session($0, context: context)) }
        #expect(before.count > 100 && before == after)

        // The guards came back with the record: the clinician still cannot change a signed
        // session or the audit log, and still charts.
        let clinician = TestPostgres.url(restoredURL, as: "ahale")
        for sql in ["UPDATE sessions SET nprs_after = 0 WHERE id = \(signed.id)", "DELETE FROM audit_log WHERE id = 1",
                    "ALTER TABLE sessions DISABLE TRIGGER USER"] {
            #expect(throws: (any Error).self, "\(sql)") { try TestPostgres.psql(clinician, sql) }
        }
        let again = try PostgresStore.connect(url: clinician, environment: .fixed())
        let patient = try #require(try again.patient(chartNumber: "NC-9001"))
        let next = try again.startSession(patientID: patient.id, clinician: "ahale")
        #expect(try again.session(id: next.id)?.clinician == "ahale")
        #expect(try restored.check(seal: seal).ok)
    }
}
