import ChartCore
import Foundation
import GRDB

/// Moving a clinic between backends, table by table, column by column: the server's record into
/// a scratch SQLite database (so `check` runs the very checks SQLite's record gets), and a SQLite
/// clinic onto a server (`needlechart admin copy`). Both backends keep the same columns under the
/// same names, so a row moves as it is.
enum ClinicCopy {
    /// The tables in an order the guards accept: entries and needle lots before their sessions
    /// (a signed session refuses new ones), addenda and documents after them, the audit log last;
    /// each with the ORDER BY that reads its rows in the same order from a SQLite file and from
    /// the server. Addenda go in the order they were added, lots in the order they were recorded
    /// (SQLite's rowid, the server's `seq`).
    static let order: [(table: String, fileOrder: String, serverOrder: String)] = [
        same("settings", "key"), same("clinicians", "username"), same("consent_forms", "version"), same("patients", "id"),
        same("entries", "session_id, position, id"),
        ("needle_lots", "rowid", "seq"), same("sessions", "id"), ("addenda", "at, rowid", "seq"), same("signed_documents", "session_id"),
        // Referrals and plan letters (SPEC §9): a plan's points before its letter (a sent plan
        // refuses new points), answers after the letter they answer.
        same("referrals", "patient_id, condition_key"), same("plans", "patient_id, condition_key, version"),
        same("planned_points", "patient_id, condition_key, version, position"), same("plan_letters", "patient_id, condition_key, version"),
        same("plan_letter_answers", "id"),
        same("audit_log", "id"),
    ]

    /// A table whose rows both sides order by the same columns.
    private static func same(_ table: String, _ columns: String) -> (table: String, fileOrder: String, serverOrder: String) {
        (table, columns, columns)
    }

    /// Text a copy's INSERT carries at most (signed documents are kilobytes each), so the
    /// client's memory stays flat whatever the clinic's size.
    static let batchBytes = 4 << 20
    /// Rows `check` fetches from the server's cursor at a time.
    static let fetchRows = 2_000

    /// A SQLite file's rows of `table` as the server keeps them: a signed document's row there
    /// holds its note's kept text, which SQLite keeps in a table of its own since v14 (and a file
    /// signed before it in the row as well).
    static func fileRowsSQL(_ table: String, _ order: String) -> String {
        guard table == "signed_documents" else { return "SELECT * FROM \(table) ORDER BY \(order)" }
        return """
            SELECT d.session_id, d.document, d.sha256, d.seal, coalesce(t.note_text, d.note_text) AS note_text
            FROM signed_documents d LEFT JOIN signed_note_texts t ON t.session_id = d.session_id ORDER BY d.\(order)
            """
    }

    /// Rows of one table sent to the server many to a statement (`INSERT … VALUES (…), (…), …`):
    /// one round trip for thousands of rows, where one a row made the copy of a ten-year clinic
    /// take hours. Every row still passes through the table's guards (they fire per row).
    struct BatchInsert {
        let link: PostgresLink
        let table: String
        let columns: [String]
        let conflict: String
        let rowsPerStatement: Int
        private(set) var sent = 0
        private var pending: [DatabaseValue] = []
        private var pendingRows = 0
        private var pendingBytes = 0

        init(link: PostgresLink, table: String, columns: [String], batchRows: Int) {
            self.link = link
            self.table = table
            self.columns = columns
            conflict = table == "settings" ? " ON CONFLICT(key) DO UPDATE SET value = excluded.value" : ""
            // The Bind message counts its parameters in 16 bits.
            rowsPerStatement = max(1, min(batchRows, 65_535 / max(1, columns.count)))
        }

        /// Adds a row (its values in `columns`' order), sending the batch when it is full.
        mutating func append(_ values: [DatabaseValue]) throws {
            for v in values {
                switch v.storage {
                case .string(let s): pendingBytes += s.utf8.count
                case .blob(let b): pendingBytes += b.count
                default: pendingBytes += 8
                }
            }
            pending += values
            pendingRows += 1
            if pendingRows >= rowsPerStatement || pendingBytes >= ClinicCopy.batchBytes { try flush() }
        }

        /// Sends what is pending.
        mutating func flush() throws {
            guard pendingRows > 0 else { return }
            let width = columns.count
            var sql = "INSERT INTO \(table)(\(columns.joined(separator: ", "))) VALUES "
            for r in 0..<pendingRows {
                if r > 0 { sql += ", " }
                sql += "(" + (0..<width).map { "$\(r * width + $0 + 1)" }.joined(separator: ", ") + ")"
            }
            try link.execute(sql + conflict, pending)
            sent += pendingRows
            pending.removeAll(keepingCapacity: true)
            pendingRows = 0
            pendingBytes = 0
        }
    }

    // MARK: - The audit log, copied link for link

    /// Before the audit rows go in: the chain trigger (`audit_chain`) is disabled for this
    /// transaction alone. Per row it would renumber, relink and rehash the row under the head's
    /// lock and rewrite `audit_head`'s single row: one new version of that row per audit row, none
    /// of which can be pruned before the commit, so each next row found the head through all the
    /// versions before it (the copy of 0.3's 169,000 audit rows slowed to a crawl; 1.0 would hold
    /// 580,000). ALTER TABLE is transactional: it takes the audit log's ACCESS EXCLUSIVE lock, so
    /// no other session can write or even read the log until the commit, and a rollback (any
    /// refusal, error or lost connection below) undoes it. `endAuditLog` enables the trigger again
    /// before the commit; the server's `check` names it if it were ever left disabled. The other
    /// guards on the log (no UPDATE, DELETE or TRUNCATE) stay in force throughout. Only the
    /// clinic's owner or a superuser can do this (it needs the table's ownership), which is who
    /// may run `admin copy`; a clinician's role can neither disable a trigger nor copy.
    static func beginAuditLog(_ link: PostgresLink) throws {
        try link.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_chain")
    }

    /// After the audit rows went in as the file holds them (id, prev_hash, hash included): the
    /// chain is verified on the server by the server's own hash function, then the head is moved
    /// once, to the last row, and the chain trigger is enabled again. Why this verifies what the
    /// trigger would have: the trigger would have set each row's id to the head's id + 1, its
    /// prev_hash to the head's hash and its hash to `needlechart_audit_hash` of its fields (an
    /// administrator's actor and time are kept as sent), then moved the head to it. The one
    /// statement below demands exactly that of every row, in id order, starting from the head as
    /// `admin init` left it: ids consecutive after the head's, each prev_hash the hash of the row
    /// before (the head's for the first), each hash recomputed from the row's fields. So the log
    /// holds precisely the rows the trigger would have written, and the head set here is the one
    /// it would have left. The copy then compares that head with the file's, and after the commit
    /// the server's `check` verifies the chain link by link once more.
    static func endAuditLog(_ link: PostgresLink) throws {
        let broken = try link.value("""
            SELECT min(id) FROM (
                SELECT l.*, h.id + row_number() OVER (ORDER BY l.id) AS expected_id,
                       coalesce(lag(l.hash) OVER (ORDER BY l.id), h.hash) AS expected_prev
                FROM audit_log l CROSS JOIN (SELECT id, hash FROM audit_head WHERE one = 1) h
            ) r
            WHERE id <> expected_id OR prev_hash <> expected_prev
               OR hash <> needlechart_audit_hash(id, at, actor, action, entity, entity_id, detail, prev_hash)
            """, as: Int64.self)
        if let broken {
            throw StoreError(.other, "The audit chain does not verify on the server from row \(broken) on: the copy is not faithful, and nothing was kept.")
        }
        if let last = try link.row("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1") {
            // needlechart_head_forward lets the head move only forward, and only while this is set.
            try link.execute("SELECT set_config('needlechart.moving_head', 'yes', true)")
            try link.execute("UPDATE audit_head SET id = $1, hash = $2 WHERE one = 1", [last[0] as Int64, last[1] as String])
            try link.execute("SELECT set_config('needlechart.moving_head', '', true)")
        }
        try link.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_chain")
    }
}

extension AppDatabase {
    /// A scratch clinic in a new file at `path` (its folder the caller's, removed by the caller):
    /// written once and checked, never a record, so nothing is synced to the disk and SQLite's
    /// cache stays small: memory does not grow with the clinic, only the file does.
    /// Its foreign keys are not enforced: a row the server holds that points nowhere (written
    /// behind its keys) is named by the check's `PRAGMA foreign_key_check`, where an enforced key
    /// failed the whole check at the copy's commit, naming nothing.
    static func scratch(path: String, environment: ChartEnvironment, catalogue: Catalogue) throws -> AppDatabase {
        var config = Configuration()
        config.foreignKeysEnabled = false
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA recursive_triggers = ON")
            try db.execute(sql: "PRAGMA synchronous = OFF")
            try db.execute(sql: "PRAGMA cache_size = -16384")
        }
        try DatabaseFile.create(at: path)
        return try AppDatabase(DatabaseQueue(path: path, configuration: config), environment: environment, catalogue: catalogue)
    }
}

/// A folder of the process's own (owner-only) under the temporary directory, for a scratch
/// clinic: removed with all it holds (the database and its journal) when the check is done,
/// whether it passed, failed or threw.
struct ScratchFolder {
    let path: String

    init(in base: String? = nil) throws {
        let base = base ?? FileManager.default.temporaryDirectory.path
        path = base + "/needlechart-check-" + UUID().uuidString.lowercased()
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError(.io, "Cannot make a scratch folder in \(base) for the check: \(error.localizedDescription). Set TMPDIR to a folder with room for a copy of the clinic.")
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

extension PostgresStore {
    /// Checks, reading only: the server's guards are all in place and enabled, then the record is
    /// read, one snapshot, into a scratch SQLite database and checked as SQLite's own record is:
    /// the audit chain link by link (head included), every signed session, addendum and patient
    /// identity against the hash its audit row binds, and, with `seal`, that the chain holds it.
    /// The scratch database is a file in the temporary folder (TMPDIR), removed afterwards, and
    /// each table comes through a server-side cursor a batch at a time, so the check's memory
    /// stays flat as the clinic grows (its disk does not: about the clinic's size as SQLite).
    public func check(seal: String?) throws -> CheckReport {
        try check(seal: seal, fetchRows: ClinicCopy.fetchRows)
    }

    /// `check(seal:)`, fetching `fetchRows` rows at a time from each table's cursor, its scratch
    /// folder made in `scratchIn` (the temporary directory when nil).
    func check(seal: String?, fetchRows: Int, scratchIn: String? = nil) throws -> CheckReport {
        let folder = try ScratchFolder(in: scratchIn)
        defer { folder.remove() }
        return try link.transaction {
            try link.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            var problems: [String] = []
            try Self.checkGuards(link, into: &problems)
            let scratch = try AppDatabase.scratch(path: folder.path + "/clinic.sqlite", environment: environment, catalogue: catalogue)
            try scratch.writer.write { db in
                for (table, _, serverOrder) in ClinicCopy.order {
                    let columns = Set(try db.columns(in: table).map(\.name))
                    let keepsTexts = table == "signed_documents"
                    // Kept texts go in behind their guard (a text is written at its signing, when
                    // its seal is the chain's head): the scratch copy is checked, not guarded.
                    var guardSQL = ""
                    if keepsTexts {
                        guardSQL = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'signed_note_texts_only_signed'") ?? ""
                        try db.execute(sql: "DROP TRIGGER signed_note_texts_only_signed")
                    }
                    try link.execute("DECLARE needlechart_check NO SCROLL CURSOR FOR SELECT * FROM \(table) ORDER BY \(serverOrder)")
                    var insert: Statement?
                    var picked: [Int] = []
                    var noteText: Int?, sessionID = 0, sha256 = 0, sealColumn = 0
                    while true {
                        let batch = try link.values("FETCH FORWARD \(max(1, fetchRows)) FROM needlechart_check")
                        if batch.rows.isEmpty { break }
                        if insert == nil {
                            // A note's kept text goes where SQLite keeps it since v14, so it is checked once.
                            noteText = keepsTexts ? batch.columns.firstIndex(of: "note_text") : nil
                            picked = batch.columns.indices.filter { columns.contains(batch.columns[$0]) && $0 != noteText }
                            let names = picked.map { batch.columns[$0] }
                            let verb = table == "settings" ? "INSERT OR REPLACE" : "INSERT"
                            insert = try db.makeStatement(sql: "\(verb) INTO \(table)(\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))")
                            sessionID = batch.columns.firstIndex(of: "session_id") ?? 0
                            sha256 = batch.columns.firstIndex(of: "sha256") ?? 0
                            sealColumn = batch.columns.firstIndex(of: "seal") ?? 0
                        }
                        guard let insert else { break }
                        let keep = try noteText.map { _ in
                            try db.cachedStatement(sql: "INSERT INTO signed_note_texts(session_id, sha256, seal, note_text) VALUES (?, ?, ?, ?)")
                        }
                        for row in batch.rows {
                            try insert.execute(arguments: StatementArguments(picked.map { row[$0] }))
                            if let keep, let noteText, !row[noteText].isNull {
                                try keep.execute(arguments: [row[sessionID], row[sha256], row[sealColumn], row[noteText]])
                            }
                        }
                        if batch.rows.count < fetchRows { break }
                    }
                    try link.execute("CLOSE needlechart_check")
                    if keepsTexts { try db.execute(sql: guardSQL) }
                }
                if let head = try link.row("SELECT id, hash FROM audit_head WHERE one = 1") {
                    try db.execute(sql: "INSERT INTO audit_head(one, id, hash) VALUES (1, ?, ?)", arguments: [head[0] as Int64, head[1] as String])
                }
            }
            var report = try scratch.check(seal: seal)
            report.problems = problems + report.problems
            // The scratch copy's own integrity, triggers ("record guards") and search keys say
            // nothing of the server: only what was checked of the server's record is named.
            report.checked = ["PostgreSQL guards (\(Self.guards.count) triggers enabled on their tables, \(PostgresSchema.functions.count) functions as written: bodies, search_path, SECURITY DEFINER, owner)"]
                + report.checked.filter { !$0.hasPrefix("SQLite") && !$0.hasPrefix("foreign keys") && !$0.hasPrefix("record guards") && !$0.hasPrefix("table shapes") && !$0.contains("search keys") }
            return report
        }
    }

    /// The triggers `PostgresSchema` makes, by name: their table and function. `check` names any
    /// that is missing, disabled, moved to another table or calling another function.
    static let guards: [String: (table: String, function: String)] = [
        "patients_terms": ("patients", "needlechart_patient_terms"),
        "audit_chain": ("audit_log", "needlechart_audit_chain"),
        "audit_no_update": ("audit_log", "needlechart_refuse"),
        "audit_no_truncate": ("audit_log", "needlechart_refuse"),
        "audit_head_forward": ("audit_head", "needlechart_head_forward"),
        "audit_head_no_truncate": ("audit_head", "needlechart_refuse"),
        "sessions_guard": ("sessions", "needlechart_sessions_guard"),
        "entries_guard": ("entries", "needlechart_entries_guard"),
        "needle_lots_guard": ("needle_lots", "needlechart_needle_lots_guard"),
        "addenda_guard": ("addenda", "needlechart_addenda_guard"),
        "signed_documents_guard": ("signed_documents", "needlechart_documents_guard"),
        "clinicians_guard": ("clinicians", "needlechart_clinicians_guard"),
        "consent_forms_guard": ("consent_forms", "needlechart_consent_forms_guard"),
        "consent_forms_no_truncate": ("consent_forms", "needlechart_refuse"),
        "record_no_truncate": ("sessions", "needlechart_refuse"),
        "entries_no_truncate": ("entries", "needlechart_refuse"),
        "addenda_no_truncate": ("addenda", "needlechart_refuse"),
        "signed_documents_no_truncate": ("signed_documents", "needlechart_refuse"),
        "needle_lots_no_truncate": ("needle_lots", "needlechart_refuse"),
        "referrals_guard": ("referrals", "needlechart_referrals_guard"),
        "plans_guard": ("plans", "needlechart_plans_guard"),
        "planned_points_guard": ("planned_points", "needlechart_planned_points_guard"),
        "plan_letters_guard": ("plan_letters", "needlechart_plan_letters_guard"),
        "plan_letter_answers_guard": ("plan_letter_answers", "needlechart_plan_letter_answers_guard"),
        "plans_no_truncate": ("plans", "needlechart_refuse"),
        "planned_points_no_truncate": ("planned_points", "needlechart_refuse"),
        "plan_letters_no_truncate": ("plan_letters", "needlechart_refuse"),
        "plan_letter_answers_no_truncate": ("plan_letter_answers", "needlechart_refuse"),
    ]

    /// The server's guards against what the migrations wrote: every trigger on its own table,
    /// enabled and calling its own function, and no other trigger on the record's tables; every
    /// function with its body (PL/pgSQL), its fixed search_path, SECURITY DEFINER exactly where
    /// written, and owned by the owner role, as the record's tables are. A trigger of the same
    /// name on a table that is not the record's (a scratch table) counts for nothing.
    static func checkGuards(_ link: PostgresLink, into problems: inout [String]) throws {
        var found: [String: (function: String, enabled: Bool)] = [:]
        var unexpected: [String] = []
        for row in try link.rows("""
            SELECT t.tgname::text, c.relname::text, p.proname::text, t.tgenabled::text IN ('O', 'A')
            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_proc p ON p.oid = t.tgfoid
            WHERE n.nspname = 'public' AND NOT t.tgisinternal
            """) {
            let name: String = row[0], table: String = row[1]
            if guards[name]?.table == table {
                found[name] = (row[2], row[3])
            } else if PostgresAdmin.tables.contains(table) {
                unexpected.append("unexpected trigger \(Sanitizer.line(name)) on \(table): not written by NeedleChart")
            }
        }
        for (name, expected) in guards.sorted(by: { $0.key < $1.key }) {
            guard let trigger = found[name], trigger.enabled else {
                problems.append("guard \(name): missing or disabled on the server")
                continue
            }
            if trigger.function != expected.function {
                problems.append("guard \(name): calls \(Sanitizer.line(trigger.function)), not \(expected.function)")
            }
        }
        problems += unexpected.sorted()
        // Each function as the migrations wrote it: a body replaced (CREATE OR REPLACE by the
        // owner or a superuser) is named, as a trigger's altered SQL is on SQLite; so is an
        // ALTER FUNCTION that drops the fixed search_path or changes whose rights it runs with.
        var server: [String: (body: String, definer: Bool, config: String?, owner: String)] = [:]
        for row in try link.rows("""
            SELECT p.proname::text, p.prosrc, p.prosecdef, array_to_string(p.proconfig, E'\\n'), pg_get_userbyid(p.proowner)::text
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.proname LIKE 'needlechart\\_%'
            """) { server[row[0] as String] = (row[1], row[2], row[3], row[4]) }
        for (name, expected) in PostgresSchema.functions.sorted(by: { $0.key < $1.key }) {
            guard let actual = server[name] else {
                problems.append("guard function \(name): missing on the server")
                continue
            }
            if let body = expected.body, actual.body != body {
                problems.append("guard function \(name): its body has been altered since the clinic was set up")
            }
            if actual.config != expected.config {
                func path(_ config: String?) -> String? { config.map { Sanitizer.line($0.replacingOccurrences(of: "search_path=", with: "")) } }
                if let written = path(expected.config) {
                    problems.append("guard function \(name): its search_path is \(path(actual.config).map { "'\($0)'" } ?? "not fixed"), where the clinic's setup fixed it at '\(written)'")
                } else {
                    problems.append("guard function \(name): has settings the clinic's setup did not give it (\(path(actual.config) ?? ""))")
                }
            }
            if actual.definer != expected.securityDefiner {
                problems.append("guard function \(name): " + (expected.securityDefiner
                    ? "no longer runs as its owner (SECURITY DEFINER), as written"
                    : "runs as its owner (SECURITY DEFINER), which it was not written to"))
            }
            if actual.owner != PostgresAdmin.ownerRole {
                problems.append("guard function \(name): owned by \(Sanitizer.line(actual.owner)), not \(PostgresAdmin.ownerRole)")
            }
        }
        let owners = try link.rows("""
            SELECT c.relname::text, pg_get_userbyid(c.relowner)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'
            """)
        for row in owners where PostgresAdmin.tables.contains(row[0] as String) && (row[1] as String) != PostgresAdmin.ownerRole {
            problems.append("table \(row[0] as String): owned by \(Sanitizer.line(row[1] as String)), not \(PostgresAdmin.ownerRole), who could disable its guards")
        }
    }
}

/// What `admin copy` did.
public struct CopyReport: Sendable, Equatable {
    /// Rows copied, per table, in copy order.
    public var counts: [(table: String, rows: Int)]
    /// The audit chain's head on both sides (the same: the chain was copied link for link).
    public var seal: String
    /// What was verified on the server after the copy.
    public var checked: [String]

    public static func == (a: CopyReport, b: CopyReport) -> Bool {
        a.seal == b.seal && a.checked == b.checked && a.counts.map(\.table) == b.counts.map(\.table) && a.counts.map(\.rows) == b.counts.map(\.rows)
    }
}

extension PostgresAdmin {
    /// Rows `copy` sends in one INSERT (fewer when a table has so many columns that the rows'
    /// values would pass the protocol's 65,535 parameters, or when their text passes 4 MB).
    public static let copyBatchRows = 2_000

    /// Copies the SQLite clinic at `from` into the server's empty clinic at `to`, in one
    /// transaction, then verifies it: row counts per table, the audit chain's head equal on both
    /// sides, and the server's `check` (every signed document's hash, every binding, the chain).
    /// The source is checked first and never written; regulated practice (lots, consent form
    /// versions, credentials, referrals, plans and letters, the regulated settings) goes with the
    /// rest. A target that holds any record is refused;
    /// an empty server database is set up first (`initialize`). An interrupted copy, or one whose
    /// counts or chain head differ, leaves nothing behind but that setup: a second run starts
    /// again. The server's `check` runs after the commit and names any problem. Rows go
    /// `batchRows` to an INSERT (fewer for wide or large rows: `ClinicCopy.BatchInsert`), each
    /// through its table's guards; the audit log goes in link for link and is verified on the
    /// server before its head moves, once (`ClinicCopy.endAuditLog` says why that is as strict).
    public static func copy(from path: String, to text: String, environment: ChartEnvironment = .live, catalogue: Catalogue = .builtIn,
                            batchRows: Int = copyBatchRows) throws -> CopyReport {
        let source = try AppDatabase.openReadOnly(path: path, environment: environment, catalogue: catalogue)
        let before = try source.check()
        guard before.ok else {
            throw StoreError(.notADatabase, "\(path) does not pass check (\(before.problems.first ?? "")): fix or restore it before copying. Nothing was copied.")
        }
        let url = try PostgresURL(text)
        do {
            let probe = try PostgresStoreProbe(link: PostgresLink.connect(url)).state()
            if probe == .empty || probe == .older { try initialize(url: text, environment: environment, catalogue: catalogue) }
        }
        let target = try PostgresStore.connect(url: text, environment: environment, catalogue: catalogue)
        guard target.isAdmin else {
            throw StoreError(.readOnlyRecord, "\(target.role) may not copy a clinic in: run admin copy as the clinic's owner or a superuser. Nothing was copied.")
        }
        let link = target.link
        var counts: [(String, Int)] = []
        var checked: [String] = []
        let sourceHead = try source.auditLog(limit: 1).last?.hash ?? Audit.genesis
        try link.transaction {
            let held = try link.value("""
                SELECT (SELECT count(*) FROM patients) + (SELECT count(*) FROM sessions) + (SELECT count(*) FROM clinicians)
                     + (SELECT count(*) FROM audit_log)
                """, as: Int.self) ?? 0
            guard held == 0 else {
                throw StoreError(.duplicate, "\(url.display) already holds a clinic (\(held) rows of patients, sessions, clinicians and audit log): admin copy fills only an empty one. Nothing was copied.")
            }
            try link.execute("SET CONSTRAINTS ALL DEFERRED")
            try source.writer.read { db in
                for (table, order, _) in ClinicCopy.order {
                    let serverColumns = Set(try link.rows("SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1", [table]).map { $0[0] as String })
                    let statement = try db.makeStatement(sql: ClinicCopy.fileRowsSQL(table, order))
                    let picked = statement.columnNames.indices.filter { serverColumns.contains(statement.columnNames[$0]) }
                    let isAudit = table == "audit_log"
                    if isAudit { try ClinicCopy.beginAuditLog(link) }
                    var batch = ClinicCopy.BatchInsert(link: link, table: table, columns: picked.map { statement.columnNames[$0] }, batchRows: batchRows)
                    let rows = try Row.fetchCursor(statement)
                    while let row = try rows.next() {
                        try batch.append(picked.map { row[$0] as DatabaseValue })
                    }
                    try batch.flush()
                    if isAudit { try ClinicCopy.endAuditLog(link) }
                    counts.append((table, batch.sent))
                }
            }
            // New rows continue after the copied ids.
            for table in ["patients", "sessions", "plan_letter_answers"] {
                try link.execute("SELECT setval(pg_get_serial_sequence('\(table)', 'id'), greatest(1, (SELECT coalesce(max(id), 0) FROM \(table))), (SELECT count(*) > 0 FROM \(table)))")
            }
            // Verified before the commit, reading it back: a count or head that differs rolls
            // the whole copy back.
            for (table, n) in counts {
                let there = try link.value("SELECT count(*) FROM \(table)", as: Int.self) ?? -1
                guard there == n || table == "settings" else {
                    throw StoreError(.other, "Copied \(n) rows of \(table) but the server holds \(there): the copy is not complete, and nothing was kept. Check the server's log.")
                }
            }
            checked.append("row counts of \(counts.count) tables")
            let targetHead = try link.value("SELECT hash FROM audit_head WHERE one = 1", as: String.self) ?? ""
            guard sourceHead == targetHead else {
                throw StoreError(.other, "The audit chain's head differs after the copy (\(sourceHead) in the file, \(targetHead) on the server): the copy is not faithful, and nothing was kept.")
            }
            checked.append("audit chain head \(targetHead) on both sides")
        }
        // The planner's statistics, now: a table filled in one transaction has none until
        // autovacuum comes by, and until then a batch of the whole-clinic export was read by
        // scanning whole tables (14.2 s for 10,000 sessions right after a copy, 1.9 s analyzed).
        try link.execute("ANALYZE")
        checked.append("the planner's statistics gathered (ANALYZE)")
        // The search keys the copied patients got: read from their index alone once vacuumed.
        try link.execute("VACUUM patient_search_keys")
        checked.append("the search keys vacuumed")
        // The server's own check needs a transaction of its own, so it runs after the commit: a
        // copy that fails it stays on the server, named here (and by check), never as complete.
        let after = try target.check(seal: sourceHead)
        guard after.ok else {
            throw StoreError(.other, "The copy does not pass check on the server: \(after.problems.first ?? ""). It stays there for inspection; needlechart check --db names every problem.")
        }
        checked += after.checked
        return CopyReport(counts: counts, seal: sourceHead, checked: checked)
    }
}
