import ChartCore
import Foundation
import GRDB

/// The shared clinic's record on a PostgreSQL server: the storage seam's second backend.
///
/// Rows are decoded by the very functions the SQLite backend uses (`AppDatabase.session(row:)`
/// and friends), and signing freezes the same `SignedDocument` with the same hashes, so exports,
/// seals and `check` agree across backends. The server enforces the record (`PostgresSchema`):
/// a clinician's audit rows, signatures and addenda carry the role they authenticated as.
///
/// Calls block the calling thread until the server answers (postgres-nio's futures are waited
/// on); the app's key loop therefore waits for a slow network.
public final class PostgresStore: ClinicStore, @unchecked Sendable {
    /// Clock, id generator and time zone used for every record written.
    public let environment: ChartEnvironment
    /// The catalogue under which notes are frozen at signing.
    public let catalogue: Catalogue
    let link: PostgresLink
    /// Whether this connection administers the clinic (owner role or superuser): only then may
    /// it write records in other names (an import keeps its own actors and signers).
    public private(set) var isAdmin = false

    /// The server and database this store is connected to.
    public var url: PostgresURL { link.url }
    /// The role the server authenticated: on a clinician's connection, the audit actor and signer.
    public var role: String { link.sessionUser }

    init(link: PostgresLink, environment: ChartEnvironment, catalogue: Catalogue) {
        self.link = link; self.environment = environment; self.catalogue = catalogue
    }

    var now: String { Timestamp.iso(environment.now()) }

    /// The name a record is written in: on a clinician's connection always the authenticated
    /// role (the server refuses any other), so the app's idea of the user cannot differ from it.
    func identity(_ name: String) -> String { isAdmin ? name : role }

    /// Connects to a clinic set up with `needlechart admin init`. A database without NeedleChart's
    /// schema is refused and never changed: empty (say how to set it up), another program's, or
    /// from an older or newer version.
    public static func connect(url text: String, environment: ChartEnvironment = .live, catalogue: Catalogue = .builtIn,
                               readOnly: Bool = false) throws -> PostgresStore {
        let url = try PostgresURL(text)
        let link = try PostgresLink.connect(url)
        let store = PostgresStore(link: link, environment: environment, catalogue: catalogue)
        if readOnly { try link.setUp("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY") }
        let (state, isAdmin) = try PostgresStoreProbe(link: link).look()
        switch state {
        case .current:
            store.isAdmin = isAdmin
            return store
        case .empty:
            throw StoreError(.notFound, "\(url.display) has no NeedleChart clinic yet: set it up with needlechart admin init --db URL (as the database's owner). Nothing was changed.")
        case .foreign:
            throw StoreError(.notADatabase, "\(url.display) belongs to another program (it has tables but no NeedleChart schema). It was not changed.")
        case .newer:
            throw StoreError(.newerSchema, "\(url.display) was set up by a newer version of NeedleChart. Update NeedleChart; nothing was changed.")
        case .older:
            throw StoreError(.newerSchema, "\(url.display) is from an older version of NeedleChart: upgrade it with needlechart admin init --db URL. Nothing was changed.")
        }
    }

    /// What a database holds, judged before anything touches it.
    enum SchemaState { case empty, foreign, current, older, newer }

    // MARK: - Audit

    /// Appends an audit row; the server numbers, links and hashes it (and, for a clinician's
    /// role, names that role as the actor). Returns the row's hash: the chain's new head.
    @discardableResult
    func audit(at: String, actor: String, action: AuditAction, entity: String, entityID: String, detail: String = "") throws -> String {
        try stampedAudit(at: at, actor: actor, action: action, entity: entity, entityID: entityID, detail: detail).hash
    }

    /// Appends an audit row as `audit` does; returns its hash, and its actor and time as the
    /// server stored them (a clinician's role and the server's clock, whatever was sent).
    func stampedAudit(at: String, actor: String, action: AuditAction, entity: String, entityID: String,
                      detail: String) throws -> (hash: String, actor: String, at: String) {
        guard let row = try link.row("""
            INSERT INTO audit_log(id, at, actor, action, entity, entity_id, detail, prev_hash, hash)
            VALUES (0, $1, $2, $3, $4, $5, $6, '', '') RETURNING hash, actor, at
            """, [at, actor, action.rawValue, entity, entityID, detail]) else { return ("", actor, at) }
        return (row[0], row[1], row[2])
    }

    /// The audit log, oldest first (or only the last `limit` rows).
    public func auditLog(limit: Int?) throws -> [AuditEntry] {
        let sql = limit.map { "SELECT * FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT \(max(0, $0))) l ORDER BY id" } ?? "SELECT * FROM audit_log ORDER BY id"
        return try link.rows(sql).map {
            AuditEntry(id: $0["id"], at: $0["at"], actor: $0["actor"], action: $0["action"], entity: $0["entity"],
                       entityID: $0["entity_id"], detail: $0["detail"], prevHash: $0["prev_hash"], hash: $0["hash"])
        }
    }

    /// Records that something was exported; returns the record seal.
    @discardableResult
    public func logExport(entity: String, entityID: String, detail: String, by actor: String) throws -> String {
        try link.transaction { try audit(at: now, actor: actor, action: .export, entity: entity, entityID: entityID, detail: detail) }
    }

    /// Every signed treatment for the clinic's reports, as SQLite's `reportSessions` gives it:
    /// the same columns decoded by the same reader, from one repeatable-read snapshot (the
    /// addenda's late events and the sessions agree). Reads only.
    public func reportSessions(from: CalendarDate?, to: CalendarDate?, clinician: String?) throws -> [ReportSession] {
        try link.transaction {
            try link.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            var reader = ReportSessionReader(zone: try clinicTimeZone(), from: from, to: to)
            for row in try link.serverRows("SELECT session_id, adverse_event FROM addenda WHERE adverse_event IS NOT NULL ORDER BY session_id, at, seq") {
                try reader.addLateEvent(row)
            }
            for row in try link.serverRows(ReportSessionReader.sessionsSQL(clinicianIs: "$1::text"), [clinician]) {
                try reader.add(row)
            }
            return reader.sessions
        }
    }

    /// A server's record is backed up with pg_dump (README says how), never by this program.
    public func backup(to destination: String, by actor: String) throws -> String {
        throw StoreError(.other, "A PostgreSQL clinic is backed up with the server's own tools: pg_dump --format=custom --file=\(Sanitizer.line(destination)) \(url.database) (README, 'A shared clinic on PostgreSQL'). Nothing was written.")
    }

    // MARK: - Settings

    /// The clinic's name as printed on exports.
    public func clinicName() throws -> String {
        try link.value("SELECT value FROM settings WHERE key = 'clinic_name'", as: String.self) ?? "NeedleChart clinic"
    }

    /// The zone in which the clinic's notes show times.
    public func clinicTimeZone() throws -> TimeZone {
        let id = try link.value("SELECT value FROM settings WHERE key = 'time_zone'", as: String.self)
        return id.flatMap(TimeZone.init(identifier:)) ?? TimeZone(secondsFromGMT: 0) ?? .current
    }

    /// Sets the clinic's time zone by its identifier.
    public func setClinicTimeZone(_ identifier: String, by actor: String) throws {
        let clean = Sanitizer.line(identifier).trimmingCharacters(in: .whitespaces)
        guard TimeZone(identifier: clean) != nil, ["UTC", "GMT"].contains(clean) || TimeZone.knownTimeZoneIdentifiers.contains(clean) else {
            throw ValidationError([ValidationIssue("Time zone", "'\(clean)' is not a time zone name such as Europe/Berlin or America/New_York")])
        }
        try setSetting("time_zone", clean, by: actor)
    }

    /// Sets the clinic's name printed on exports.
    public func setClinicName(_ name: String, by actor: String) throws {
        let clean = Sanitizer.line(name).trimmingCharacters(in: .whitespaces)
        guard !clean.isEmpty, clean.count <= TextLimits.shortText else {
            throw ValidationError([ValidationIssue("Clinic name", "give a name of 1 to \(TextLimits.shortText) characters")])
        }
        try setSetting("clinic_name", clean, by: actor)
    }

    func setSetting(_ key: String, _ value: String, by actor: String) throws {
        try link.transaction {
            try link.execute("INSERT INTO settings(key, value) VALUES ($1, $2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])
            try audit(at: now, actor: actor, action: .change, entity: "settings", entityID: key, detail: value)
        }
    }

    // MARK: - Clinicians

    /// Records the clinician, or updates their display name and credentials.
    public func saveClinician(_ c: Clinician) throws {
        let username = identity(Sanitizer.line(c.username)).trimmingCharacters(in: .whitespaces)
        guard !username.isEmpty, username.count <= 64 else {
            throw ValidationError([ValidationIssue("Clinician", "needs a user name of 1 to 64 characters")])
        }
        let name = Sanitizer.line(c.displayName), cred = Sanitizer.line(c.credentials)
        try link.transaction {
            if let existing = try link.row("SELECT display_name, credentials FROM clinicians WHERE username = $1 FOR UPDATE", [username]) {
                if existing[0] as String == name, existing[1] as String == cred { return }
                try link.execute("UPDATE clinicians SET display_name = $1, credentials = $2 WHERE username = $3", [name, cred, username])
                try audit(at: now, actor: username, action: .change, entity: "clinician", entityID: username, detail: "\(name), \(cred)")
            } else {
                try link.execute("INSERT INTO clinicians(username, display_name, credentials) VALUES ($1, $2, $3)", [username, name, cred])
                try audit(at: now, actor: username, action: .create, entity: "clinician", entityID: username, detail: "\(name), \(cred)")
            }
        }
    }

    /// The clinician with `username`, if recorded.
    public func clinician(_ username: String) throws -> Clinician? {
        try link.serverRow("SELECT username, display_name, credentials FROM clinicians WHERE username = $1", [username]).map(AppDatabase.clinician(row:))
    }

    // MARK: - Patients

    /// A patient's columns, as `AppDatabase.patientColumns` (a WHERE or ORDER BY follows).
    public static let patientSelect = "SELECT \(AppDatabase.patientColumns) FROM patients p"
    /// The patients list's order.
    public static let byName = "needlechart_nocase(p.name) COLLATE \"C\", p.id"

    /// Adds a patient after validation; the chart number must be unused.
    @discardableResult
    public func addPatient(_ patient: Patient, by actor: String) throws -> Patient {
        let p = try StoreRules.cleaned(patient, environment: environment)
        return try link.transaction {
            let id = try insertPatient(p, at: now)
            var stored = p
            stored.id = id
            try auditPatient(id: id, at: now, actor: actor, action: .create, detail: "chart \(p.chartNumber)")
            return stored
        }
    }

    private func insertPatient(_ p: Patient, at: String) throws -> Int64 {
        try link.value("""
            INSERT INTO patients(name, date_of_birth, chart_number, contact, notes, search_extra, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
            """, [p.name, p.dateOfBirth.description, p.chartNumber, p.contact, p.notes, AppDatabase.searchExtra(p.name), at, at], as: Int64.self) ?? 0
    }

    /// Saves changed details of an existing patient.
    public func updatePatient(_ patient: Patient, by actor: String) throws {
        let p = try StoreRules.cleaned(patient, environment: environment)
        try link.transaction {
            let changed = try link.execute("""
                UPDATE patients SET name = $1, date_of_birth = $2, chart_number = $3, contact = $4, notes = $5, search_extra = $6, updated_at = $7
                WHERE id = $8
                """, [p.name, p.dateOfBirth.description, p.chartNumber, p.contact, p.notes, AppDatabase.searchExtra(p.name), now, p.id])
            guard changed == 1 else { throw StoreError(.notFound, "That patient no longer exists.") }
            try auditPatient(id: p.id, at: now, actor: actor, action: .change, detail: "chart \(p.chartNumber)")
        }
    }

    /// The audit row of a patient's creation or change, binding the identity as stored.
    private func auditPatient(id: Int64, at: String, actor: String, action: AuditAction, detail: String) throws {
        let identity = try link.row("SELECT name, date_of_birth, chart_number FROM patients WHERE id = $1", [id]).map {
            Evidence.identityHash(name: $0[0], dateOfBirth: $0[1], chartNumber: $0[2])
        } ?? ""
        try audit(at: at, actor: actor, action: action, entity: "patient", entityID: String(id), detail: "\(detail); \(Evidence.tagged("identity", identity))")
    }

    /// The patient with database id `id`.
    public func patient(id: Int64) throws -> Patient? {
        try link.serverRow(Self.patientSelect + " WHERE p.id = $1", [id]).map(Patient.init(row:))
    }

    /// The patients with these ids (those that exist), by id: one statement, the ids as an array.
    public func patients(ids: [Int64]) throws -> [Int64: Patient] {
        guard !ids.isEmpty else { return [:] }
        var found: [Int64: Patient] = [:]
        for row in try link.serverRows(Self.patientSelect + " WHERE p.id = ANY($1::bigint[])", [Self.bigintArray(Array(Set(ids)).sorted())]) {
            let p = try Patient(row: row)
            found[p.id] = p
        }
        return found
    }

    /// The patient with chart number `chartNumber` (ASCII case folded, as on SQLite).
    public func patient(chartNumber: String) throws -> Patient? {
        try link.row(Self.patientSelect + " WHERE needlechart_nocase(p.chart_number) = needlechart_nocase($1)",
                     [chartNumber.trimmingCharacters(in: .whitespaces)]).map(Patient.init(row:))
    }

    /// Number of patients.
    public func patientCount() throws -> Int {
        try link.value("SELECT count(*) FROM patients", as: Int.self) ?? 0
    }

    /// The words a typed search is cut into (`searchSQL`'s parameters), as on SQLite.
    public static func searchWords(_ text: String) -> [String] { StoreRules.searchWords(text) }

    /// The search for `words` typed words ($1…$n, then the limit): each a prefix of one of the
    /// patient's folded terms, by name. A word's key lists its patients in name order (the index
    /// `(key, name_order, patient_id)`, whose order is `byName`'s), each entry with the patient's
    /// terms (' term term …', v9; for a name too long for that, the patient's `patient_terms`):
    /// one word's list is read in order, every word checked as the start of a term in the same
    /// entry, each match joined to its patient as the scan goes, and the scan stops at the limit. The list read is the first word's whose keys are fewer than a
    /// page (counted up to the limit), else the longest word's (`searchArguments`' order): read by
    /// length alone, "s x" scanned all 50,000 keys of "s" for none (12 ms at full scale), 0.37 ms so.
    /// Full scale, "Văn Minh P": 2.0–2.4 ms a keystroke when each word's keys were joined (merged
    /// in name order, then a probe per candidate, 0.62 ms of planning).
    public static func searchSQL(words: Int) -> String {
        let n = max(1, words)
        guard n > 1 else {
            return """
                SELECT \(AppDatabase.patientColumns) FROM patient_search_keys k1 JOIN patients p ON p.id = k1.patient_id
                WHERE k1.key = needlechart_fold($1) ORDER BY k1.name_order, k1.patient_id LIMIT $2
                """
        }
        let folded = (1...n).map { "needlechart_fold($\($0))" }, words = "ARRAY[\(folded.joined(separator: ", "))]"
        return """
            SELECT \(AppDatabase.patientColumns) FROM patient_search_keys k1 JOIN patients p ON p.id = k1.patient_id
            WHERE k1.key = (SELECT w FROM unnest(\(words)) WITH ORDINALITY AS t(w, i)
                            ORDER BY (SELECT count(*) FROM (SELECT 1 FROM patient_search_keys c WHERE c.key = t.w LIMIT $\(n + 1)) x) >= $\(n + 1), i LIMIT 1)
              AND CASE WHEN k1.terms IS NOT NULL THEN \(folded.map { "strpos(k1.terms, ' ' || \($0)) > 0" }.joined(separator: " AND "))
                  ELSE NOT EXISTS (SELECT 1 FROM unnest(\(words)) AS u(w) WHERE NOT EXISTS
                      (SELECT 1 FROM patient_terms t WHERE t.patient_id = k1.patient_id AND starts_with(t.term, u.w))) END
            ORDER BY k1.name_order, k1.patient_id LIMIT $\(n + 1)
            """
    }

    /// The typed words in the order `searchSQL` takes them: the longest first, and of words as
    /// long the one typed last (a chart number's constant prefix comes first: "SC-02" read the
    /// 50,000 keys of "sc" until 200 began "02", 10,000 of them; "02" has 1,000, all "sc").
    public static func searchArguments(_ words: [String]) -> [String] {
        words.enumerated().sorted { ($0.element.count, $0.offset) > ($1.element.count, $1.offset) }.map(\.element)
    }

    /// Patients whose name or chart number has a word starting with each typed word, case and
    /// diacritics folded (the server's `needlechart_fold`, over an index of folded words), by name.
    public func searchPatients(_ text: String, limit: Int) throws -> [Patient] {
        let words = StoreRules.searchWords(text)
        guard !words.isEmpty else {
            return try link.serverRows(Self.patientSelect + " ORDER BY \(Self.byName) LIMIT $1", [limit]).map(Patient.init(row:))
        }
        let sql = Self.searchSQL(words: words.count)
        return try link.serverRows(sql, Self.searchArguments(words).map { $0 as (any DatabaseValueConvertible)? } + [limit]).map(Patient.init(row:))
    }
}
