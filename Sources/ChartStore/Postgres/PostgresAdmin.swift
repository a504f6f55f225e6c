import ChartCore
import Foundation
import GRDB

/// What `needlechart admin` does on a server: set a clinic up (schema, roles, grants), add a
/// clinician's role, and copy a SQLite clinic in with verification.
///
/// Roles: `needlechart_owner` owns every table and function (the guards are its triggers, which
/// only an owner or superuser can drop or disable); `needlechart_clinician` is granted what
/// charting needs and nothing more; each clinician logs in as a role of their own, member of
/// `needlechart_clinician`, and that role is their identity on audit rows and signatures.
public enum PostgresAdmin {
    /// The role that owns the clinic's tables and functions.
    public static let ownerRole = "needlechart_owner"
    /// The role every clinician's login role belongs to.
    public static let clinicianRole = "needlechart_clinician"
    /// The clinic's tables, all owned by the owner role (`check` names any that is not).
    static let tables = ["settings", "clinicians", "patients", "patient_terms", "patient_search_keys", "sessions", "entries", "addenda",
                         "signed_documents", "audit_log", "audit_head", "needlechart_migrations", "needle_lots", "consent_forms",
                         "referrals", "plans", "planned_points", "plan_letters", "plan_letter_answers"]

    /// What a clinician's role may write, beyond reading every table: what charting needs and
    /// nothing more (the guards hold the rest). A consent form version is only ever added, as are
    /// plans, letters and answers; a draft plan's points may be removed.
    static let clinicianWrites: [(privileges: String, tables: [String])] = [
        ("INSERT, UPDATE", ["patients", "clinicians", "sessions", "referrals"]),
        ("INSERT, UPDATE, DELETE", ["entries", "needle_lots"]),
        ("INSERT", ["addenda", "signed_documents", "audit_log", "consent_forms", "plans", "plan_letters", "plan_letter_answers"]),
        ("INSERT, DELETE", ["planned_points"]),
    ]

    /// Sets the clinic up, or upgrades it: the migrations not yet applied (one at a time across
    /// administrators, by an advisory lock), then roles and grants. Another program's database
    /// or a newer version's is refused untouched. Returns the migrations applied now.
    @discardableResult
    public static func initialize(url text: String, environment: ChartEnvironment = .live, catalogue: Catalogue = .builtIn) throws -> [String] {
        let url = try PostgresURL(text)
        let link = try PostgresLink.connect(url)
        let probe = PostgresStoreProbe(link: link)
        switch try probe.state() {
        case .foreign:
            throw StoreError(.notADatabase, "\(url.display) belongs to another program (it has tables but no NeedleChart schema). It was not changed.")
        case .newer:
            throw StoreError(.newerSchema, "\(url.display) was set up by a newer version of NeedleChart. Update NeedleChart; nothing was changed.")
        case .empty, .older, .current: break
        }
        let applied = try link.transaction {
            try link.execute("SELECT pg_advisory_xact_lock(4242011)")
            try link.script("CREATE TABLE IF NOT EXISTS needlechart_migrations (identifier TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            let applied = Set(try link.rows("SELECT identifier FROM needlechart_migrations").map { $0[0] as String })
            var now: [String] = []
            for (identifier, sql) in PostgresSchema.migrations where !applied.contains(identifier) {
                do {
                    try link.script(sql)
                } catch let e as StoreError where e.message.contains("permission denied") || e.message.contains("must be owner") {
                    throw StoreError(.readOnlyRecord, "\(url.user) may not set up \(url.database): run admin init as the database's owner or a superuser (\(e.message)). Nothing was changed.")
                }
                try link.execute("INSERT INTO needlechart_migrations(identifier, applied_at) VALUES ($1, $2)", [identifier, Timestamp.iso(environment.now())])
                now.append(identifier)
            }
            // The clinic's zone, as SQLite's migration sets it: the machine's when it was set up.
            try link.execute("INSERT INTO settings(key, value) VALUES ('time_zone', $1) ON CONFLICT(key) DO NOTHING", [environment.timeZone.identifier])
            try setUpRoles(link, url: url)
            return now
        }
        // Search keys made anew (v8, v9) have no visibility map until vacuumed, and until then a
        // search reads each key's row too (full scale, after v9: names typed 1.30 ms p99, 0.99
        // vacuumed). VACUUM runs outside a transaction; autovacuum would come by later anyway.
        if !applied.isEmpty { _ = try? link.execute("VACUUM (ANALYZE) patient_search_keys") }
        return applied
    }

    /// The owner and clinician roles, table ownership, and the clinician's narrow grants.
    static func setUpRoles(_ link: PostgresLink, url: PostgresURL) throws {
        let canCreate = try link.value("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = session_user", as: Bool.self) ?? false
        let rolesExist = try link.value("SELECT count(*) FROM pg_roles WHERE rolname IN ('\(ownerRole)', '\(clinicianRole)')", as: Int.self) == 2
        guard canCreate || rolesExist else {
            throw StoreError(.readOnlyRecord, "\(url.user) may not create roles: run admin init as a superuser (for example sudo -u postgres needlechart admin init --db …). Nothing was changed.")
        }
        try link.script("""
            DO $$ BEGIN
                -- Roles belong to the whole server: a second database set up at the same moment
                -- may create them between the test and the CREATE; theirs is as good as ours.
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(ownerRole)') THEN
                    BEGIN CREATE ROLE \(ownerRole) NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
                END IF;
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(clinicianRole)') THEN
                    BEGIN CREATE ROLE \(clinicianRole) NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END;
                END IF;
            END $$;
            """)
        // The tables the migrations applied so far made (a clinic set up by an earlier version
        // has fewer until it is upgraded).
        let present = Set(try link.rows("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'").map { $0[0] as String })
        let tables = Self.tables.filter(present.contains)
        // Everything NeedleChart made belongs to the owner role, so no clinician owns (and can
        // alter, or disable the triggers of) any of it (its upgrade runs this again after its migrations).
        var sql = tables.map { "ALTER TABLE \($0) OWNER TO \(ownerRole);" }.joined(separator: "\n")
        for f in try link.rows("""
            SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.proname LIKE 'needlechart\\_%'
            """) {
            sql += "\nALTER FUNCTION \(f[0] as String) OWNER TO \(ownerRole);"
        }
        sql += """

            REVOKE ALL ON \(tables.joined(separator: ", ")) FROM PUBLIC;
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            GRANT USAGE ON SCHEMA public TO \(clinicianRole);
            GRANT SELECT ON \(tables.joined(separator: ", ")) TO \(clinicianRole);
            """
        for (privileges, names) in clinicianWrites {
            let made = names.filter(present.contains)
            if !made.isEmpty { sql += "\nGRANT \(privileges) ON \(made.joined(separator: ", ")) TO \(clinicianRole);" }
        }
        try link.script(sql)
    }

    /// Creates (or updates) the login role `login`, a member of the clinician role, and records
    /// the clinician's display name and credentials. With `password`, the role may log in with
    /// it (SCRAM); without, only by peer authentication on the server itself.
    public static func addClinician(url text: String, login: String, displayName: String, credentials: String,
                                    password: String?, environment: ChartEnvironment = .live) throws {
        let name = login.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 63, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") }) else {
            throw ValidationError([ValidationIssue("Login", "use 1 to 63 letters, digits, '.', '-' or '_' (the role's name on the server)")])
        }
        let store = try PostgresStore.connect(url: text, environment: environment)
        let link = store.link
        // Roles belong to the whole server: another clinic's administrator may create the same
        // login between the look and the CREATE. Then it exists, and the second try finds it.
        var attempt = 0
        while true {
            do { try createOrUpdateRole(name, password: password, on: link); break } catch let e as StoreError
                where (e.kind == .duplicate || e.message.contains("tuple concurrently updated")) && attempt < 3 {
                attempt += 1
            }
        }
        try store.saveClinician(Clinician(username: name, displayName: displayName.isEmpty ? name : displayName, credentials: credentials))
    }

    private static func createOrUpdateRole(_ name: String, password: String?, on link: PostgresLink) throws {
        try link.transaction {
            let exists = try link.value("SELECT count(*) FROM pg_roles WHERE rolname = $1", [name], as: Int.self) == 1
            let quoted = "\"" + name + "\""
            let pass = try password.map { p -> String in
                guard !p.contains("'"), !p.isEmpty else { throw ValidationError([ValidationIssue("Password", "may not be empty or contain a quote")]) }
                return " PASSWORD '\(p)'"
            } ?? ""
            if exists {
                if !pass.isEmpty { try link.script("ALTER ROLE \(quoted) LOGIN\(pass)") }
            } else {
                try link.script("CREATE ROLE \(quoted) LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE\(pass)")
            }
            try link.script("GRANT \(clinicianRole) TO \(quoted)")
        }
    }
}

/// Reads what a database holds before anything touches it: from what its link saw as it
/// connected (`PostgresLink.atConnect`; every probe is of a link just connected) and the
/// migrations applied, read with whether the role administers the clinic in one statement.
struct PostgresStoreProbe {
    let link: PostgresLink
    func state() throws -> PostgresStore.SchemaState { try look().state }

    /// The schema's state and, for one with NeedleChart's function for it, whether the role
    /// administers the clinic (false otherwise).
    func look() throws -> (state: PostgresStore.SchemaState, isAdmin: Bool) {
        let seen = link.atConnect
        guard seen.hasMigrations else { return (seen.tables == 0 ? .empty : .foreign, false) }
        let rows = try link.serverRows("SELECT identifier, \(seen.hasAdminFunction ? "needlechart_is_admin()" : "false") FROM needlechart_migrations")
        let applied = Set(rows.map { $0[0] as String })
        let isAdmin = rows.first.map { $0[1] as Bool } ?? false
        if applied.isEmpty { return (seen.tables == 1 ? .empty : .foreign, false) }
        if !applied.isSubset(of: PostgresSchema.known) { return (applied.isDisjoint(with: PostgresSchema.known) ? .foreign : .newer, false) }
        return (applied == PostgresSchema.known ? .current : .older, isAdmin)
    }
}
