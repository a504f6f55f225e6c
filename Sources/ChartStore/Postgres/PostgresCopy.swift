import ChartCore
import Foundation
import GRDB

/// Moving a clinic between backends, table by table, column by column: the server's record into
/// a scratch SQLite database (so `check` runs the very checks SQLite's record gets), and a SQLite
/// clinic onto a server (`needlechart admin copy`). Both backends keep the same columns under the
/// same names, so a row moves as it is.
enum ClinicCopy {
    /// The tables in an order the guards accept: entries before their sessions (a signed
    /// session refuses new entries), addenda and documents after them, the audit log last.
    static let order: [(table: String, orderBy: String)] = [
        ("settings", "key"), ("clinicians", "username"), ("patients", "id"), ("entries", "session_id, position, id"),
        ("sessions", "id"), ("addenda", "ADDENDA"), ("signed_documents", "session_id"), ("audit_log", "id"),
    ]

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

    /// Rows of `table` on the server, in `orderBy` order (addenda in the order they were added).
    static func serverRows(_ link: PostgresLink, _ table: String, _ orderBy: String) throws -> [Row] {
        let order = orderBy == "ADDENDA" ? "seq" : orderBy.split(separator: ",").map { "\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", ")
        return try link.rows("SELECT * FROM \(table) ORDER BY \(order)")
    }
}

extension PostgresStore {
    /// Checks, reading only: the server's guards are all in place and enabled, then the record is
    /// read into a scratch SQLite database in memory and checked as SQLite's own record is: the
    /// audit chain link by link (head included), every signed session, addendum and patient
    /// identity against the hash its audit row binds, and, with `seal`, that the chain holds it.
    /// The scratch copy holds the whole clinic in memory: fine for a clinic, not yet for the
    /// benchmark's ten-year scale.
    public func check(seal: String?) throws -> CheckReport {
        try link.transaction {
            try link.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            var problems: [String] = []
            try Self.checkGuards(link, into: &problems)
            let scratch = try AppDatabase.inMemory(environment: environment, catalogue: catalogue)
            try scratch.writer.write { db in
                try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                var keptTexts: [StatementArguments] = []
                for (table, orderBy) in ClinicCopy.order {
                    let columns = Set(try db.columns(in: table).map(\.name))
                    for row in try ClinicCopy.serverRows(link, table, orderBy) {
                        // A note's kept text goes where SQLite keeps it since v14, so it is checked once.
                        let keptText = table == "signed_documents" ? row["note_text"] as String? : nil
                        let names = Array(row.columnNames).filter { columns.contains($0) && !(keptText != nil && $0 == "note_text") }
                        let verb = table == "settings" ? "INSERT OR REPLACE" : "INSERT"
                        try db.execute(sql: "\(verb) INTO \(table)(\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))",
                                       arguments: StatementArguments(names.map { row[$0] as DatabaseValue }))
                        if let keptText {
                            keptTexts.append([row["session_id"] as DatabaseValue, row["sha256"] as DatabaseValue, row["seal"] as DatabaseValue, keptText])
                        }
                    }
                }
                if let head = try link.row("SELECT id, hash FROM audit_head WHERE one = 1") {
                    try db.execute(sql: "INSERT INTO audit_head(one, id, hash) VALUES (1, ?, ?)", arguments: [head[0] as Int64, head[1] as String])
                }
                // Kept texts go in behind their guard (a text is written at its signing, when its
                // seal is the chain's head): the scratch copy is checked, not guarded.
                if !keptTexts.isEmpty {
                    let guardSQL = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'signed_note_texts_only_signed'") ?? ""
                    try db.execute(sql: "DROP TRIGGER signed_note_texts_only_signed")
                    for arguments in keptTexts {
                        try db.execute(sql: "INSERT INTO signed_note_texts(session_id, sha256, seal, note_text) VALUES (?, ?, ?, ?)", arguments: arguments)
                    }
                    try db.execute(sql: guardSQL)
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
        "addenda_guard": ("addenda", "needlechart_addenda_guard"),
        "signed_documents_guard": ("signed_documents", "needlechart_documents_guard"),
        "clinicians_guard": ("clinicians", "needlechart_clinicians_guard"),
        "record_no_truncate": ("sessions", "needlechart_refuse"),
        "entries_no_truncate": ("entries", "needlechart_refuse"),
        "addenda_no_truncate": ("addenda", "needlechart_refuse"),
        "signed_documents_no_truncate": ("signed_documents", "needlechart_refuse"),
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
    /// What of regulated practice (needle lots, referrals, consent form versions, plans and plan
    /// letters, regulated settings, clinicians' credentials) the SQLite clinic holds, or nil when nothing: the
    /// server has no place for these yet.
    static func regulatedRecords(_ source: AppDatabase) throws -> String? {
        try source.writer.read { db in
            var held: [String] = []
            for (table, what) in [("needle_lots", "needle lots"), ("referrals", "referrals"), ("consent_forms", "consent form versions"),
                                ("planned_points", "planned points"), ("plan_letters", "plan letters")] {
                let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
                if n > 0 { held.append("\(n) \(what)") }
            }
            let settings = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM settings WHERE (key = 'coding' AND value <> 'none') OR (key = 'jurisdiction' AND value <> 'none')
                    OR (key = 'dn_min_training_hours' AND value NOT IN ('', '0'))
                """) ?? 0
            if settings > 0 { held.append("regulated settings") }
            let credentials = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM clinicians WHERE role IS NOT NULL OR licence <> '' OR dn_training IS NOT NULL
                """) ?? 0
            if credentials > 0 { held.append("\(credentials) clinicians' credentials") }
            return held.isEmpty ? nil : held.joined(separator: ", ")
        }
    }

    /// Copies the SQLite clinic at `from` into the server's empty clinic at `to`, in one
    /// transaction, then verifies it: row counts per table, the audit chain's head equal on both
    /// sides, and the server's `check` (every signed document's hash, every binding, the chain).
    /// The source is checked first and never written; a source holding regulated-practice
    /// records the server cannot keep yet is refused. A target that holds any record is refused;
    /// an empty server database is set up first (`initialize`). An interrupted copy, or one whose
    /// counts or chain head differ, leaves nothing behind but that setup: a second run starts
    /// again. The server's `check` runs after the commit and names any problem.
    public static func copy(from path: String, to text: String, environment: ChartEnvironment = .live, catalogue: Catalogue = .builtIn) throws -> CopyReport {
        let source = try AppDatabase.openReadOnly(path: path, environment: environment, catalogue: catalogue)
        let before = try source.check()
        guard before.ok else {
            throw StoreError(.notADatabase, "\(path) does not pass check (\(before.problems.first ?? "")): fix or restore it before copying. Nothing was copied.")
        }
        if let held = try regulatedRecords(source) {
            throw StoreError(.other, "\(path) holds regulated-practice records (\(held)) that a PostgreSQL clinic cannot keep yet: copying would lose them. Nothing was copied.")
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
                for (table, orderBy) in ClinicCopy.order {
                    let serverColumns = Set(try link.rows("SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1", [table]).map { $0[0] as String })
                    let order = orderBy == "ADDENDA" ? "at, rowid" : orderBy
                    var n = 0
                    let rows = try Row.fetchCursor(db, sql: ClinicCopy.fileRowsSQL(table, order))
                    while let row = try rows.next() {
                        let names = Array(row.columnNames).filter(serverColumns.contains)
                        let placeholders = names.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
                        let conflict = table == "settings" ? " ON CONFLICT(key) DO UPDATE SET value = excluded.value" : ""
                        try link.execute("INSERT INTO \(table)(\(names.joined(separator: ", "))) VALUES (\(placeholders))\(conflict)",
                                         names.map { row[$0] as DatabaseValue })
                        n += 1
                    }
                    counts.append((table, n))
                }
            }
            // New rows continue after the copied ids.
            for table in ["patients", "sessions"] {
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
