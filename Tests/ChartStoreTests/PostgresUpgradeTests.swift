import ChartCore
@testable import ChartStore
import Foundation
import TestPostgresServer
import Testing

/// Migration v2 on a clinic set up by the previous version (v1 only): `admin init` upgrades it,
/// its records and audit chain stay as they were, and the server's new rules apply from then on.
@Suite struct PostgresUpgradeTests {
    @Test(.enabled(if: TestPostgres.runs))
    func aClinicSetUpAtV1IsUpgradedByAdminInitAndPassesCheck() throws {
        let url = try TestPostgres.freshClinic(initialize: false)
        // Set up as the previous version did: v1, its roles and grants, and a record.
        let link = try PostgresLink.connect(PostgresURL(url))
        try link.transaction {
            try link.script("CREATE TABLE needlechart_migrations (identifier TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            try link.script(PostgresSchema.v1)
            try link.execute("INSERT INTO needlechart_migrations(identifier, applied_at) VALUES ($1, '2026-11-01T00:00:00Z')", [PostgresSchema.migrations[0].0])
            try link.execute("INSERT INTO settings(key, value) VALUES ('time_zone', 'UTC')")
            try PostgresAdmin.setUpRoles(link, url: PostgresURL(url))
        }
        try TestPostgres.psql(url, """
            INSERT INTO audit_log(id, at, actor, action, entity, entity_id, prev_hash, hash)
            VALUES (0, '2026-11-01T00:00:00Z', 'admin', 'backup', 'clinic', '-', '', '')
            """)
        let head = try TestPostgres.psql(url, "SELECT hash FROM audit_head").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(refusal(url).contains("older version"))

        #expect(try PostgresAdmin.initialize(url: url, environment: .fixed()) == PostgresSchema.migrations.dropFirst().map(\.0))
        let admin = try PostgresStore.connect(url: url, environment: .fixed())
        let report = try admin.check(seal: head)
        #expect(report.ok, "\(report.problems)")
        // From now on a clinician signs at the server's time.
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        let db = try PostgresStore.connect(url: TestPostgres.url(url, as: "ahale"), environment: PostgresGuardTests.oldClock)
        let (_, s) = try chartedSession(in: db)
        let signed = try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: s.version)
        #expect(PostgresGuardTests.isNow(signed.signature.map { Timestamp.iso($0.at) }))
        #expect(try db.check(seal: head).ok)
    }

    /// v8's search keys on a clinic of the previous versions, and v9's (each key with its
    /// patient's terms) on a clinic of v8: made from the terms the patients already had, so search
    /// finds them after the upgrade as before it; the new keys are vacuumed at once, so a search
    /// reads them from their index alone (a table made anew has no visibility map until then).
    @Test(.enabled(if: TestPostgres.runs), arguments: [7, 8])
    func patientsOfAnOlderClinicAreFoundAfterTheUpgrade(applied: Int) throws {
        let url = try TestPostgres.freshClinic(initialize: false)
        let link = try PostgresLink.connect(PostgresURL(url))
        try link.transaction {
            try link.script("CREATE TABLE needlechart_migrations (identifier TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            for (identifier, sql) in PostgresSchema.migrations.prefix(applied) {
                try link.script(sql)
                try link.execute("INSERT INTO needlechart_migrations(identifier, applied_at) VALUES ($1, '2026-11-01T00:00:00Z')", [identifier])
            }
            try link.execute("INSERT INTO settings(key, value) VALUES ('time_zone', 'UTC')")
            try PostgresAdmin.setUpRoles(link, url: PostgresURL(url))
        }
        try TestPostgres.psql(url, """
            INSERT INTO patients(name, date_of_birth, chart_number, created_at, updated_at)
            VALUES ('Ånna Berg', '1990-05-05', 'XY-7', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'),
                   ('Zoë Berg', '1991-05-05', 'XY-8', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')
            """)
        #expect(try PostgresAdmin.initialize(url: url, environment: .fixed()) == PostgresSchema.migrations.dropFirst(applied).map(\.0))
        let db = try PostgresStore.connect(url: url, environment: .fixed())
        for text in ["ann", "BERG a", "xy-7", "7", "xy ber 7"] { #expect(try db.searchPatients(text, limit: 10).map(\.name) == ["Ånna Berg"], "\(text)") }
        #expect(try db.searchPatients("berg", limit: 10).map(\.name) == ["Zoë Berg", "Ånna Berg"], "byte order past ASCII, as SQLite's NOCASE")
        #expect(try db.searchPatients("berg xy", limit: 10).map(\.name) == ["Zoë Berg", "Ånna Berg"])
        #expect(try TestPostgres.psql(url, "SELECT relallvisible > 0 AND relallvisible = relpages FROM pg_class WHERE relname = 'patient_search_keys'").hasPrefix("t"))
    }
}
