import ChartCore
import ChartStore
import Foundation

/// The benchmark against a clinic on a PostgreSQL server (`needlechart-bench --db postgresql://…`):
/// the store is `PostgresStore`, as the app uses it; the floor is `RawPostgres`, a connection of
/// its own over postgres-nio sending the best SQL for the same answer, its cells read raw.
public final class PostgresBench: ClinicBench {
    /// The server's URL, as given.
    public let url: String
    /// The clinician the app runs as.
    public let clinician: Clinician
    /// The store, connected as the app connects.
    public let store: PostgresStore
    /// The floor's own connection.
    public let raw: RawPostgres
    /// Facts about the clinic, read at open.
    public private(set) var facts = ClinicFacts()

    /// Connects to the clinic at `url` (set up by `prepare`).
    public init(url: String, clinician: Clinician) throws {
        self.url = url
        self.clinician = clinician
        store = try PostgresStore.connect(url: url)
        raw = try RawPostgres(url: url)
        facts = try ClinicFacts.read(parameter: "$1", byName: PostgresStore.byName.replacingOccurrences(of: "p.", with: "")) { sql, argument, each in
            try raw.rows(sql, argument.map { [.int($0)] } ?? [], each: each)
        }
    }

    // MARK: - Preparing the clinic on the server

    /// What `prepare` found or did.
    public enum Preparation: Equatable, Sendable {
        /// The database held no record: the file was copied in (`admin copy`), taking `seconds`.
        case copied(seconds: Double)
        /// The database already held the file's clinic (its audit chain holds the file's head).
        case reused
    }

    /// Makes the database at `url` hold the clinic of the SQLite file `file`. A database with no
    /// record (no NeedleChart schema, or an empty one) gets the file copied in with `admin copy`'s
    /// own code (verified: row counts, the chain's head, `check`). One that holds records is
    /// reused only when it holds that file's clinic: the same number of patients and, in its audit
    /// chain, the file's head (each run's saves only extend the chain); any other is refused and
    /// left as it is.
    public static func prepare(url: String, from file: String) throws -> Preparation {
        let head: String, patients: Int
        do {
            let source = try AppDatabase.openReadOnly(path: file)
            head = try source.auditLog(limit: 1).last?.hash ?? ""
            patients = try source.patientCount()
        }
        let probe = try RawPostgres(url: url)
        var hasSchema = false
        try probe.rows("SELECT to_regclass('public.audit_log') IS NOT NULL AND to_regclass('public.patients') IS NOT NULL") { hasSchema = $0[0] as? Bool ?? false }
        var held = 0, serverPatients = 0, headFound = false
        if hasSchema {
            try probe.rows("SELECT (SELECT count(*) FROM patients), (SELECT count(*) FROM sessions) + (SELECT count(*) FROM audit_log)") {
                serverPatients = Int($0[0] as? Int64 ?? 0); held = serverPatients + Int($0[1] as? Int64 ?? 0)
            }
        }
        if held == 0 {
            let t0 = Measure.nanos()
            _ = try PostgresAdmin.copy(from: file, to: url, environment: .live)
            return .copied(seconds: Double(Measure.nanos() - t0) / 1e9)
        }
        try probe.rows("SELECT count(*) FROM audit_log WHERE hash = $1", [.text(head)]) { headFound = ($0[0] as? Int64 ?? 0) == 1 }
        guard headFound, serverPatients == patients else {
            throw BenchError("\(probe.url.display) already holds another clinic (\(serverPatients) patients; the audit chain \(headFound ? "holds" : "does not hold") the head of \(file), which has \(patients) patients): give the bench an empty database (createdb) or the one this file was copied into. Nothing was changed.")
        }
        return .reused
    }

    // MARK: - ClinicBench

    /// The store the app's effects run against.
    public var clinicStore: any ClinicStore { store }
    /// The app is given the URL.
    public var appArguments: [String] { ["--db", url] }
    /// None: what a cold start would read is the server's.
    public var coldStartFiles: [String]? { nil }
    /// Why there is no cold start on a server.
    public var coldStartNote: String {
        "not measured on a server: its shared buffers hold the clinic's pages and no client can drop them (dropping this machine's page cache would not empty them), so a 'cold' run would not be cold"
    }
    /// How a save is durable on this server: its settings, as read.
    public var saveHow: String {
        var settings: [String] = []
        for name in ["synchronous_commit", "fsync", "wal_sync_method"] {
            _ = try? raw.rows("SELECT current_setting($1)", [.text(name)]) { settings.append("\(name)=\($0[0] as? String ?? "?")") }
        }
        return "saveEntry on the server: one transaction, COMMIT waits for the WAL flush (\(settings.joined(separator: ", ")))"
    }

    /// The search's floor.
    public var rawSearchHow: String { "the store's own statement sent raw" }
    /// Connects as the app does.
    public func openAppStore() throws -> any ClinicStore { try PostgresStore.connect(url: url) }

    /// The store's patient search for `text`: patients found.
    public func search(_ text: String) throws -> Int { try store.searchPatients(text, limit: 200).count }

    /// The `count` slowest keystrokes of the search rows, each the median of `runs` searches
    /// (after one untimed pass): for `--only search`, to see what the p99 is made of.
    public func slowestKeystrokes(_ count: Int = 15, runs: Int = 5) throws -> [String] {
        let all = keystrokes + chartKeystrokes
        for k in all { _ = try search(k) }
        var timed: [(ms: Double, text: String, rows: Int)] = []
        for k in all {
            var rows = 0
            let ms = try Measure.time(runs, warmup: 0) { _ in rows = try self.search(k) }.median
            timed.append((ms, k, rows))
        }
        return timed.sorted { $0.ms > $1.ms }.prefix(count).map { String(format: "%7.3f ms  %4d rows  '%@'", $0.ms, $0.rows, $0.text) }
    }

    /// The floor of a search: the store's own statement (an index range of the folded terms per
    /// word, the patients by name, the first 200) is the best plan found for the answer, so it is
    /// sent as it is, its cells read raw. Rows found.
    public func rawSearch(_ text: String) throws -> Int {
        let words = PostgresStore.searchWords(text)
        if words.isEmpty { return try raw.rows(PostgresStore.patientSelect + " ORDER BY \(PostgresStore.byName) LIMIT 200") }
        return try raw.rows(PostgresStore.searchSQL(words: words.count), PostgresStore.searchArguments(words).map { .text($0) } + [.int(200)])
    }

    /// The history's floor: the same three statements as the store (the patient, the 200 lines
    /// with their counts and flags, the regions), their cells read raw. Lines read.
    public func rawHistory(_ patientID: Int64) throws -> Int {
        try raw.rows(PostgresStore.patientSelect + " WHERE p.id = $1", [.int(patientID)])
        let n = try raw.rows(PostgresStore.historySQL, [.int(patientID)])
        try raw.rows(PostgresStore.regionCountsSQL, [.int(patientID)])
        return n
    }

    /// The store's query part of an export: the session record.
    public func sessionRecord(_ id: Int64) throws -> SessionRecord {
        guard let r = try store.sessionRecord(id: id, documents: false) else { throw BenchError("session \(id) not found") }
        return r
    }

    /// The session, its patient, clinician, number among the patient's sessions, frozen note (its
    /// document only where a text export needs it) and regulated columns in one row: the first
    /// statement of the export floor.
    static let recordHeaderSQL = """
        SELECT \(AppDatabase.sessionColumns), \(AppDatabase.patientColumns), c.username, c.display_name, c.credentials,
               (SELECT count(*) FROM sessions n WHERE n.patient_id = s.patient_id
                  AND (n.started_at COLLATE "C" < s.started_at COLLATE "C" OR (n.started_at = s.started_at AND n.id <= s.id))) AS number,
               CASE WHEN d.note_text IS NULL OR EXISTS (SELECT 1 FROM addenda x WHERE x.session_id = s.id) THEN d.document END,
               d.sha256, d.seal, d.note_text, s.coding_system, s.signer_credentials, s.consent_form_version, s.consent_form_sha256
        FROM sessions s JOIN patients p ON p.id = s.patient_id LEFT JOIN clinicians c ON c.username = s.clinician
            LEFT JOIN signed_documents d ON d.session_id = s.id AND s.signed_at IS NOT NULL
        WHERE s.id = $1
        """

    /// An export's floor, the store's plan sent raw: a note kept as text without addenda is its
    /// one row of `PostgresStore.keptTextSQL` (its start, hash, seal, text and patient); any other
    /// session the three statements below in one transaction (the store sends nine, its lots per
    /// size among them). What `answer(of:)` gives: the kept text's bytes, else the entries read.
    public func rawSessionRecord(_ id: Int64) throws -> Int {
        var kept: String?
        try raw.rows(PostgresStore.keptTextSQL, [.int(id)]) { kept = $0[3] as? String }  // the kept text, 4th of its columns
        if let kept { return kept.utf8.count }
        return try rawRecordRows(id, keep: false).entries.count
    }

    /// The export floor's rows for session `id` (kept only with `keep`; otherwise empty rows,
    /// one per row read): the header, the entries, the addenda.
    func rawRecordRows(_ id: Int64, keep: Bool) throws -> (header: [Any?], entries: [[Any?]], addenda: [[Any?]]) {
        try raw.rows("BEGIN")
        defer { _ = try? raw.rows("COMMIT") }
        var header: [Any?] = [], entries: [[Any?]] = [], addenda: [[Any?]] = []
        try raw.rows(Self.recordHeaderSQL, [.int(id)]) { if keep { header = $0 } }
        try raw.rows(PostgresStore.entriesBySession, [.int(id)]) { entries.append(keep ? $0 : []) }
        try raw.rows(PostgresStore.addendaBySession, [.int(id)]) { addenda.append(keep ? $0 : []) }
        return (header, entries, addenda)
    }

    // MARK: - The whole clinic

    /// Exports every session of the clinic as text into one file through the store, as the
    /// SQLite bench does: `parts` connections over disjoint patient ranges, all from one
    /// repeatable-read snapshot (the first's, exported to the others), each part on its own
    /// thread, the parts appended in order; as a text export reads them, a kept note without its
    /// document. Sessions written and bytes: the file is byte for byte what one connection writes.
    public func exportAll(to file: String, parts: Int = Bench.exportParts) throws -> (sessions: Int, bytes: Int) {
        let store = self.store
        return try Bench.exportInParts(to: file, parts: parts, context: try exportContext()) { parts, body in
            try store.forEachSessionRecord(parts: parts, documents: false, body)
        }
    }

    /// Every session's text-export record read by the store on one connection, no text: records
    /// read. The store side of the export-all ratio (the raw floor reads on one connection too).
    public func readAllRecords() throws -> Int {
        try store.forEachSessionRecord(documents: false) { record in _ = record.session.entries.count }
    }

    /// The whole-clinic text export's floor, the store's plan sent raw, in one repeatable-read
    /// snapshot, each statement streamed through a server-side cursor 2,000 rows a fetch: the
    /// clinicians; every session in chart order with its number, patient and, for a note kept as
    /// text without addenda, its start, hash, seal and text (`exportTextOrderSQL`: all such a note
    /// prints); then for every other session (drafts, notes with addenda or without a kept text)
    /// its row with its frozen note (the document only where the text needs it) and regulated
    /// columns, its entries and its addenda, in the same order: sessions read.
    public func rawExportAll() throws -> Int {
        try raw.rows("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        defer { _ = try? raw.rows("COMMIT") }
        let order = "s.patient_id, s.started_at COLLATE \"C\", s.id"
        let readWhole = """
            (s.signed_at IS NULL OR NOT EXISTS (SELECT 1 FROM signed_documents k WHERE k.session_id = s.id AND k.note_text IS NOT NULL)
             OR EXISTS (SELECT 1 FROM addenda x WHERE x.session_id = s.id))
            """
        try raw.rows("SELECT username, display_name, credentials FROM clinicians")
        let sessions = try raw.streamed(PostgresStore.exportTextOrderSQL()) { _ in }
        try raw.streamed("""
            SELECT \(AppDatabase.sessionColumns),
                   CASE WHEN d.note_text IS NULL OR EXISTS (SELECT 1 FROM addenda x WHERE x.session_id = s.id) THEN d.document END,
                   d.sha256, d.seal, d.note_text, s.coding_system, s.signer_credentials, s.consent_form_version, s.consent_form_sha256
            FROM sessions s LEFT JOIN signed_documents d ON d.session_id = s.id AND s.signed_at IS NOT NULL
            WHERE \(readWhole) ORDER BY \(order)
            """) { _ in }
        try raw.streamed("""
            SELECT s.id, \(AppDatabase.entryColumns) FROM sessions s JOIN entries e ON e.session_id = s.id
            WHERE \(readWhole) ORDER BY \(order), e.position, e.recorded_at COLLATE "C", e.id COLLATE "C"
            """) { _ in }
        try raw.streamed("""
            SELECT s.id, \(AppDatabase.addendumColumns) FROM sessions s JOIN addenda a ON a.session_id = s.id
            ORDER BY \(order), a.at COLLATE "C", a.seq
            """) { _ in }
        return sessions
    }

    /// The server's version and the settings that bear on these timings, for the report.
    public func serverSettings() throws -> String {
        var out: [String] = []
        try raw.rows("SHOW server_version") { out.append("PostgreSQL \($0[0] as? String ?? "?")") }
        for name in ["shared_buffers", "work_mem", "effective_cache_size", "synchronous_commit", "fsync", "max_wal_size", "jit"] {
            try raw.rows("SELECT current_setting($1)", [.text(name)]) { out.append("\(name)=\($0[0] as? String ?? "?")") }
        }
        return out.joined(separator: ", ")
    }

    /// Measures every SPEC §7 row that applies to a server clinic; `log` is told what runs.
    /// `copied` is the copy's time when this run copied the clinic in (a reported row).
    public func measureAll(exportFile: String, binary: String?, copied: Double?, log report: (String) -> Void = { _ in }) throws -> [BenchRow] {
        func log(_ step: String) {
            report(step + String(format: " (RSS %.1f MB, peak %.1f MB)", Measure.currentRSSMB() ?? .nan, Measure.peakRSSMB()))
        }
        var rows: [BenchRow] = []
        if let binary {
            log("the real binary against the server: start to first full screen (pty, warm)")
            rows += try measureBinaryStart(binary: binary, cold: 0)
        } else {
            rows.append(.notApplicable("the real binary, start to first full screen (pty, warm)", "needlechart is not built beside the bench (swift build -c release --product needlechart)"))
        }
        rows += try measureStoreRows(opening: "connect to the server, schema check", log: log)

        log("export every session (\(facts.sessions)) through the store")
        let rssBefore = Measure.currentRSSMB() ?? 0
        let reset = Measure.resetPeakRSS()
        var exported = (sessions: 0, bytes: 0)
        let all = try Measure.time(1, warmup: 0) { _ in exported = try exportAll(to: exportFile) }
        let exportPeak = Measure.peakRSSMB()
        try Bench.syncToDisk(exportFile)
        var stored = 0
        try raw.rows("SELECT count(*) FROM sessions") { stored = Int($0[0] as? Int64 ?? 0) }
        guard exported.sessions == stored else { throw BenchError("wrong result: every session exported (\(exported.sessions) of \(stored))") }
        log("read every session's record, store and raw, one connection")
        var storeCount = 0, rawCount = 0
        let storeAll = try Measure.time(1, warmup: 0) { _ in storeCount = try readAllRecords() }
        let rawAll = try Measure.time(1, warmup: 0) { _ in rawCount = try rawExportAll() }
        guard rawCount == stored, storeCount == stored else { throw BenchError("wrong result: the store read \(storeCount) and the raw floor \(rawCount) of \(stored) sessions") }
        rows.append(BenchRow(operation: "export every session of the clinic", how: String(format: "%d sessions, %.0f MB of text, %d connections from one snapshot, streamed, the server's buffers as the run left them; RSS %.1f MB before, peak %.1f MB during%@; ratio: records read on one connection (store %.1f s) vs its plan sent raw, five streamed statements (%.1f s)",
                                                                                          exported.sessions, Double(exported.bytes) / 1_048_576, Bench.exportParts, rssBefore, exportPeak, reset ? "" : " (peak not reset)", storeAll.median / 1000, rawAll.median / 1000),
                             samples: all, statistic: "total", target: 30_000, raw: rawAll, store: storeAll))
        rows.append(.notApplicable("export every session, page cache dropped first", coldStartNote))
        rows.append(Self.memoryFlatRow(before: rssBefore, peak: exportPeak))
        rows.append(BenchRow(operation: "memory, the benchmark process", how: "peak RSS (VmHWM) of the whole benchmark process (store, raw floor, samples)",
                             samples: Samples(ms: [Measure.peakRSSMB()]), statistic: "MB", target: .infinity))
        if let binary {
            rows += try measureBinaryMemoryRows(binary: binary, log: log)
        }
        if let copied {
            rows.append(BenchRow(operation: "copy the SQLite clinic onto the server", how: "PostgresAdmin.copy (needlechart admin copy): source checked, thousands of rows an INSERT in one transaction, the audit chain verified on the server and its head moved once, counts, chain head and the server's check verified",
                                 samples: Samples(ms: [copied * 1000]), statistic: "total", target: .infinity))
        }
        return rows
    }
}

extension ClinicFacts {
    /// Reads the facts through `run(sql, argument, each)`, a raw floor's statement runner whose
    /// placeholder is `parameter` and whose patients list orders by `byName`: the same facts, by
    /// the same rules, from a SQLite file or a server.
    static func read(parameter: String, byName: String, _ run: (String, Int64?, ([Any?]) -> Void) throws -> Int) throws -> ClinicFacts {
        var facts = ClinicFacts()
        _ = try run("SELECT (SELECT count(*) FROM patients), (SELECT count(*) FROM sessions), (SELECT count(*) FROM entries)", nil) { r in
            facts.patients = Int(r[0] as? Int64 ?? 0); facts.sessions = Int(r[1] as? Int64 ?? 0); facts.points = Int(r[2] as? Int64 ?? 0)
        }
        _ = try run("SELECT s.patient_id, p.chart_number FROM sessions s JOIN patients p ON p.id = s.patient_id GROUP BY s.patient_id, p.chart_number HAVING count(*) >= 200 ORDER BY s.patient_id LIMIT 1", nil) { r in
            facts.longPatientID = r[0] as? Int64 ?? 0; facts.longChartNumber = r[1] as? String ?? ""
        }
        let step = Int64(max(1, facts.patients / 40))
        _ = try run("SELECT name, chart_number FROM patients WHERE id % \(parameter) = 1 ORDER BY id LIMIT 30", step) { r in
            if let n = r[0] as? String, let c = r[1] as? String { facts.names.append(n); facts.charts.append(c) }
        }
        _ = try run("SELECT name FROM patients ORDER BY \(byName) LIMIT 1", nil) { r in facts.firstByName = r[0] as? String ?? "" }
        let sessionStep = Int64(max(1, facts.sessions / 300))
        _ = try run("SELECT id FROM sessions WHERE id % \(parameter) = 0 AND signed_at IS NOT NULL ORDER BY id LIMIT 300", sessionStep) { r in
            if let id = r[0] as? Int64 { facts.sessionIDs.append(id) }
        }
        facts.chartingPatientID = max(1, Int64(facts.patients / 2))
        return facts
    }
}
