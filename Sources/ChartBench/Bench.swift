import ChartApp
import ChartCore
import ChartStore
import ChartUI
import Foundation

/// One line of the benchmark's table.
public struct BenchRow: Sendable {
    /// The SPEC §7 operation.
    public var operation: String
    /// What exactly was timed.
    public var how: String
    /// The timings of the store path (one sample for whole-clinic operations).
    public var samples: Samples
    /// The statistic the target applies to: "median", "p99" or "total"; "MB" for memory; "n/a"
    /// for a row that does not apply to this backend (`how` says why).
    public var statistic: String
    /// The target, in milliseconds (or MB).
    public var target: Double
    /// The same query through the raw C API, for the store/raw ratio.
    public var raw: Samples?
    /// The timings the ratio compares with `raw` (the query part only), when not `samples`.
    public var store: Samples?
    /// True when the store's samples and `raw`'s are of the same inputs in the same order (one
    /// keystroke, one session each), timed by `Measure.inTurn`: the ratio is then `pairedRatio`.
    public var paired = false

    /// The value the target is checked against.
    public var value: Double {
        switch statistic {
        case "p99": samples.p99
        case "median": samples.median
        default: samples.ms.max() ?? .nan
        }
    }
    /// True when the target is met (a row that does not apply misses nothing).
    public var passes: Bool { statistic == "n/a" || value <= target }

    /// A SPEC §7 row that cannot apply here, saying why, rather than a figure that means nothing.
    public static func notApplicable(_ operation: String, _ why: String) -> BenchRow {
        BenchRow(operation: operation, how: why, samples: Samples(ms: []), statistic: "n/a", target: .infinity)
    }
    /// Store median over raw median, when measured; for paired samples `pairedRatio`.
    public var ratio: Double? {
        guard let raw else { return nil }
        let mine = store ?? samples
        if paired, let both = pairedRatios(mine, raw) { return (both.storeFirst * both.rawFirst).squareRoot() }
        return mine.median / max(raw.median, 0.000_001)
    }

    /// For paired samples (`Measure.inTurn`: the store first on even inputs, raw first on odd
    /// ones), the median of each input's store time over its raw time, over the inputs where the
    /// store went first and over those where raw did; the ratio is their geometric mean. Per
    /// input, because a median of a mixture (one-word and two-word searches, names and chart
    /// numbers) can fall between its kinds differently for the two. By order, because whichever
    /// reads an input first pays for bringing its pages from memory into the processor's caches
    /// (a session: 1.34× store first, 0.71× raw first): a median over both orders fell anywhere
    /// between the two (1.14–1.32× on one build, issue 13). A penalty that multiplies whichever
    /// goes first cancels in the geometric mean; nil for fewer than two inputs of each order.
    public var orderedRatios: (storeFirst: Double, rawFirst: Double)? {
        guard paired, let raw else { return nil }
        return pairedRatios(store ?? samples, raw)
    }

    /// This row with `note(self)` added to what it says it measured.
    public func noting(_ note: (BenchRow) -> String) -> BenchRow {
        var row = self
        row.how += note(self)
        return row
    }

    /// `orderedRatios` for the table's "measured" column, or "" for unpaired samples.
    public var orderNote: String {
        guard let o = orderedRatios else { return "" }
        return String(format: " (store first %.2f×, raw first %.2f×: their geometric mean)", o.storeFirst, o.rawFirst)
    }

    private func pairedRatios(_ mine: Samples, _ raw: Samples) -> (storeFirst: Double, rawFirst: Double)? {
        guard mine.ms.count == raw.ms.count, mine.ms.count >= 4 else { return nil }
        let each = zip(mine.ms, raw.ms).map { $0 / max($1, 0.000_001) }
        let storeFirst = each.indices.filter { $0 % 2 == 0 }.map { each[$0] }
        let rawFirst = each.indices.filter { $0 % 2 == 1 }.map { each[$0] }
        return (Samples(ms: storeFirst).median, Samples(ms: rawFirst).median)
    }
}

/// What the benchmark knows of the clinic it runs against.
public struct ClinicFacts: Sendable {
    public var patients = 0, sessions = 0, points = 0
    /// A patient with a 200-session history.
    public var longPatientID: Int64 = 0
    /// His chart number, typed to find him.
    public var longChartNumber = ""
    /// Names typed letter by letter.
    public var names: [String] = []
    /// The same patients' chart numbers, typed letter by letter too.
    public var charts: [String] = []
    /// The first patient in name order: the first row of the first screen.
    public var firstByName = ""
    /// Signed sessions spread over the clinic, for single-session exports.
    public var sessionIDs: [Int64] = []
    /// A patient to chart new sessions for.
    public var chartingPatientID: Int64 = 0
}

/// The benchmark: every SPEC §7 operation against one clinic file.
public final class Bench: ClinicBench {
    /// The clinic file.
    public let path: String
    /// The clinician the app runs as.
    public let clinician: Clinician
    /// The store, opened as the app opens it (WAL, synchronous=FULL).
    public let database: AppDatabase
    /// The same file through the C API.
    public let raw: RawSQLite
    /// Facts about the clinic, read at open.
    public private(set) var facts = ClinicFacts()

    /// Opens the clinic at `path` (made by `generate`).
    public init(path: String, clinician: Clinician) throws {
        self.path = path
        self.clinician = clinician
        database = try AppDatabase.open(path: path)
        raw = try RawSQLite(path: path)
        try readFacts()
    }

    /// Generates the synthetic clinic for `scale` and `seed` into a new file at `path`.
    @discardableResult
    public static func generate(scale: Double, seed: UInt64, path: String, progress: (BulkLoadCounts) -> Void = { _ in }) throws -> BulkLoadCounts {
        var generator = SyntheticClinicGenerator(scale: scale, seed: seed)
        let db = try AppDatabase.open(path: path, environment: ChartEnvironment.fixed())
        return try db.bulkLoad(clinicName: generator.clinicName, clinicians: generator.clinicians, batch: 1000,
                               next: { generator.next() }, progress: progress)
    }

    private func readFacts() throws {
        facts = try ClinicFacts.read(parameter: "?", byName: "name COLLATE NOCASE, id") { sql, argument, each in
            try raw.rows(sql, argument.map { [.int($0)] } ?? [], each: each)
        }
    }

    // MARK: - Operations (each returns what it found, so tests can check the rows)

    /// The store the app's effects run against: the file, opened as the app opens it.
    public var clinicStore: any ClinicStore { database }
    /// The app is given the file.
    public var appArguments: [String] { ["--db", path] }
    /// A cold start reads the file (and its WAL and shared memory) from disk.
    public var coldStartFiles: [String]? { [path, path + "-wal", path + "-shm"] }
    /// Not used: a file's pages can always be dropped.
    public var coldStartNote: String { "" }
    /// How a save is durable on SQLite.
    public var saveHow: String { "saveEntry: WAL, synchronous=FULL, one commit + fsync" }
    /// The search's floor.
    public var rawSearchHow: String { "the hand-written raw plan" }
    /// Opens the file as the app does (a pool, migrations checked).
    public func openAppStore() throws -> any ClinicStore { try AppDatabase.open(path: path) }

    /// The store's patient search for `text`, as the patients screen asks for it: patients found.
    public func search(_ text: String) throws -> Int { try database.searchPatients(text, limit: 200).count }

    /// The raw floor of a search: the best plan for the same answer, written here by hand
    /// against the C API (not the store's SQL). The typed text is folded into keys as the store
    /// folds it (the question, not the plan). One key: its rows of the key index, which holds them
    /// in name order, joined to the patient, the first 200. Several: each key's rows counted up to
    /// 1,000, the rarest walked in name order, each patient probed for the others.
    /// Rows found.
    public func rawSearch(_ text: String) throws -> Int {
        let columns = "p.id, p.name, p.date_of_birth, p.chart_number, p.contact, p.notes"
        guard let keys = try AppDatabase.searchKeys(text) else {
            // A word the tokenizer splits: only the full-text index can answer (never typed here).
            return try raw.rows("""
                SELECT \(columns) FROM patients p WHERE p.id IN (SELECT rowid FROM patients_fts WHERE patients_fts MATCH ?)
                ORDER BY p.name COLLATE NOCASE, p.id LIMIT 200
                """, [.text(AppDatabase.ftsQuery(text))])
        }
        if keys.isEmpty { return try raw.rows("SELECT \(columns) FROM patients p ORDER BY p.name COLLATE NOCASE, p.id LIMIT 200") }
        if keys.count == 1 {
            return try raw.rows("""
                SELECT \(columns) FROM patient_search_keys k CROSS JOIN patients p ON p.id = k.patient_id
                WHERE k.key = ? ORDER BY k.name, k.patient_id LIMIT 200
                """, [.text(keys[0])])
        }
        // Several keys: the best plan by hand is the leapfrog the store uses too (each key's list
        // in the index's order, read on a few rows, a seek when the list ahead is further),
        // through the C API; the walk-and-test plan of before was slower for names.
        return try rawLeapfrog(keys, columns: columns)
    }

    /// Cursors for the floor's leapfrog, one per key position, prepared once.
    private var leapfrogCursors: [RawSQLite.Cursor] = []

    private func rawLeapfrog(_ keys: [String], columns: String) throws -> Int {
        try raw.rows("BEGIN")
        defer { _ = try? raw.rows("COMMIT") }
        defer { for c in leapfrogCursors { c.finish() } }
        while leapfrogCursors.count < keys.count {
            leapfrogCursors.append(try raw.cursor("""
                SELECT name, patient_id FROM patient_search_keys
                WHERE key = ? AND (name, patient_id) >= (?, ?) ORDER BY name, patient_id
                """))
        }
        typealias Head = (name: [UInt8], id: Int64)
        let before = AppDatabase.searchKeyPrecedes
        var heads: [Head?] = []
        for (k, key) in keys.enumerated() {
            leapfrogCursors[k].start([.text(key), .text(""), .int(Int64.min)])
            heads.append(leapfrogCursors[k].next())
        }
        var ids: [Int64] = []
        search: while ids.count < 200 {
            guard heads.allSatisfy({ $0 != nil }) else { break }
            var target = heads[0]!
            for h in heads.dropFirst() where before(target, h!) { target = h! }
            for k in keys.indices {
                var read = 0
                while let h = heads[k], before(h, target) {
                    if read == 8 {
                        leapfrogCursors[k].start([.text(keys[k]), .text(String(decoding: target.name, as: UTF8.self)), .int(target.id)])
                        heads[k] = leapfrogCursors[k].next()
                        break
                    }
                    heads[k] = leapfrogCursors[k].next(); read += 1
                }
                if heads[k] == nil { break search }
            }
            guard heads.allSatisfy({ !before(target, $0!) }) else { continue }
            ids.append(target.id)
            for k in keys.indices { heads[k] = leapfrogCursors[k].next() }
        }
        var found = 0
        for id in ids { found += try raw.rows(AppDatabase.patientByIDSQL, [.int(id)]) }
        return found
    }

    static func typed(_ texts: [String]) -> [String] {
        texts.flatMap { t in (1...max(1, t.count)).map { String(t.prefix($0)) } }
    }

    /// The history's queries through the C API: session lines read. The same answer as the
    /// store's: each line's serious-event, not-treated and severe-course flags too (the History
    /// list shows them), which this floor once left out.
    public func rawHistory(_ patientID: Int64) throws -> Int {
        // One snapshot for the three reads, as the store gives (its lines and counts agree).
        try raw.rows("BEGIN")
        defer { _ = try? raw.rows("COMMIT") }
        try raw.rows(AppDatabase.patientByIDSQL, [.int(patientID)])
        let n = try raw.rows("""
            SELECT s.id, s.patient_id, s.clinician, s.started_at, s.state, s.condition_id, s.condition_text, s.onset,
                   s.nprs_before, s.nprs_after,
                   (SELECT count(*) FROM entries e WHERE e.session_id = s.id) AS points,
                   (SELECT coalesce(sum(needle_count), 0) FROM entries e WHERE e.session_id = s.id) AS needles,
                   (SELECT count(*) FROM addenda a WHERE a.session_id = s.id) AS addenda,
                   (s.adverse_events LIKE '%"severity":"serious"%' OR EXISTS (SELECT 1 FROM addenda a WHERE a.session_id = s.id
                        AND a.adverse_event LIKE '%"severity":"serious"%')) AS serious,
                   s.not_treated_reason IS NOT NULL AS not_treated, s.severe_or_widespread
            FROM sessions s WHERE s.patient_id = ? ORDER BY s.started_at DESC, s.id DESC
            """, [.int(patientID)])
        try raw.rows("""
            SELECT e.region_id, count(*) AS n FROM entries e JOIN sessions s ON s.id = e.session_id
            WHERE s.patient_id = ? GROUP BY e.region_id
            """, [.int(patientID)])
        return n
    }

    /// The store's query part of an export: the session record.
    public func sessionRecord(_ id: Int64) throws -> SessionRecord {
        // A text export's record, as the app and the command line read it for a text export.
        guard let r = try database.sessionRecord(id: id, documents: false) else { throw BenchError("session \(id) not found") }
        return r
    }

    /// A text export's reads of one session through the C API, the store's plan written by
    /// hand: the session's spine (`textOneSQL`), and for a note kept as text without addenda
    /// its patient; any other session read whole. Returns what the check compares with the
    /// store's record: the kept text's bytes, else the number of entries.
    public func rawSessionRecord(_ id: Int64) throws -> Int {
        // One snapshot for the record's reads, as the store gives: a record read across two
        // states of the database would not be the same answer.
        try raw.rows("BEGIN")
        defer { _ = try? raw.rows("COMMIT") }
        var patientID: Int64 = 0, kept: String?
        try raw.rows(AppDatabase.textOneSQL, [.int(id)]) { r in
            patientID = r[0] as? Int64 ?? 0
            if (r[5] as? Int64) == 0 { kept = r[4] as? String }
        }
        if let kept {
            try raw.rows(AppDatabase.patientByIDSQL, [.int(patientID)])
            return kept.utf8.count
        }
        var clinician = "", started = ""
        try raw.rows(AppDatabase.sessionByIDSQL, [.int(id)]) { r in
            clinician = r[2] as? String ?? ""; started = r[3] as? String ?? ""
        }
        let entries = try raw.rows(AppDatabase.entriesBySessionSQL, [.int(id)])
        try raw.rows(AppDatabase.addendaBySessionSQL, [.int(id)])
        try raw.rows(AppDatabase.patientByIDSQL, [.int(patientID)])
        try raw.rows(AppDatabase.clinicianSQL, [.text(clinician)])
        try raw.rows(AppDatabase.sessionNumberSQL, [.int(patientID), .text(started), .text(started), .int(id)])
        // The frozen note (its document only where the text needs it).
        try raw.rows(AppDatabase.signedNoteForTextSQL, [.int(id)])
        return entries
    }

    /// Exports every session of the clinic as text into one file, streamed: sessions written.
    /// With `parts` > 1 the clinic is read and written on that many threads over disjoint patient
    /// ranges (part 0 straight into `file`, the others into temporary files appended after it in
    /// order), so the file is byte for byte what one thread writes.
    public func exportAll(to file: String, parts: Int = Bench.exportParts) throws -> (sessions: Int, bytes: Int) {
        let database = self.database
        return try Self.exportInParts(to: file, parts: parts, context: try exportContext()) { parts, body in
            try database.forEachSessionRecord(parts: parts, documents: false, body)
        }
    }

    /// Writes the text of every record `read(parts, body)` gives (`body(part, record)`, each part
    /// on its own thread, its records in order) into `file`: part 0 straight into it, the others
    /// into temporary files appended after it in order. Sessions written and bytes.
    static func exportInParts(to file: String, parts: Int, context: ExportContext,
                              read: (Int, @escaping @Sendable (Int, SessionRecord) throws -> Void) throws -> Int) throws -> (sessions: Int, bytes: Int) {
        let files = (0..<max(1, parts)).map { $0 == 0 ? file : file + ".part\($0)" }
        let writers = try files.map { try ChunkWriter(path: $0) }
        defer { for (k, f) in files.enumerated() where k > 0 { try? FileManager.default.removeItem(atPath: f) } }
        let n = try read(files.count) { part, record in
            try writers[part].append(TextExport.session(record, context: context))
        }
        for w in writers { try w.flush() }
        // Append parts 1… to part 0, in order, a megabyte at a time.
        for k in 1..<max(1, files.count) {
            guard let input = FileHandle(forReadingAtPath: files[k]) else { throw BenchError("cannot read \(files[k])") }
            defer { try? input.close() }
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty { try writers[0].write(chunk) }
        }
        try writers[0].flush()
        return (n, writers[0].written)
    }

    /// Writes `file`'s pages to disk now, after its export was timed: left dirty, the 1.7 GB of a
    /// full-scale export were written back some 30 s later, in the middle of the next run's
    /// search on a server (three back-to-back runs in nine missed its p99 with a dozen cheap
    /// keystrokes at 3–5 ms; none of three started after a `sync`).
    static func syncToDisk(_ file: String) throws {
        guard let handle = FileHandle(forWritingAtPath: file) else { throw BenchError("cannot open \(file) to sync it") }
        defer { try? handle.close() }
        try handle.synchronize()
    }

    /// Readers of a whole-clinic export: two, one a core. From a cold page cache the export
    /// waits on random reads of the notes (patient order is not the file's order) and more
    /// readers keep the disk busier — full scale, page cache dropped, here: 2 readers 57.7 s,
    /// 8 readers 33.7–38.0 s, 16 36.7 s, 32 33.3 s — but eight held 16.6 MB more while
    /// exporting (the memory-flat target is 10 MB) and still missed 30 s. Not kept.
    public static let exportParts = 2

    /// Every session's export record read by the store on one thread, no text: records read.
    /// The store side of the export-all ratio.
    public func readAllRecords() throws -> Int {
        // One part: one thread, as the raw floor reads; text-export records, as the export reads.
        try database.forEachSessionRecord(parts: 1, documents: false) { _, record in _ = record.session.entries.count }
    }

    /// The whole-clinic text export's reads through the C API, on one thread, every column of
    /// every row read into Swift values: the same plan as the store's (`textSpineSQL`: the
    /// sessions' index and each note's kept text, hash and seal), then each session that is not
    /// a kept note without addenda read whole (its row, entries, addenda and document): sessions read.
    public func rawExportAll() throws -> Int {
        try raw.rows("SELECT username, display_name, credentials FROM clinicians")
        try raw.rows("SELECT \(AppDatabase.patientColumns) FROM patients p ORDER BY p.id")
        var whole: [Int64] = []
        let n = try raw.rows(AppDatabase.textSpineSQL, [.int(Int64.min), .int(Int64.max)]) { row in
            if row[5] == nil || (row[6] as? Int64) != 0, let id = row[0] as? Int64 { whole.append(id) }
        }
        for id in whole {
            try raw.rows(AppDatabase.sessionByIDSQL, [.int(id)])
            try raw.rows(AppDatabase.entriesBySessionSQL, [.int(id)])
            try raw.rows(AppDatabase.addendaBySessionSQL, [.int(id)])
            try raw.rows(AppDatabase.signedNoteForTextSQL, [.int(id)])
        }
        return n
    }
}

/// A file written through a 256 KB buffer (issue 13: 1 MB a thread was 1.5 MB of the bench's
/// peak for no measurable speed).
final class ChunkWriter: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer = Data()
    private(set) var written = 0

    init(path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        guard let h = FileHandle(forWritingAtPath: path) else { throw BenchError("cannot write \(path)") }
        handle = h
        buffer.reserveCapacity(1 << 18)
    }

    deinit { try? handle.close() }

    /// One session's text and the form feed line that separates sessions.
    func append(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        buffer.append(contentsOf: "\u{0C}\n".utf8)
        if buffer.count >= 1 << 18 { try flush() }
    }

    func write(_ data: Data) throws {
        try flush()
        try handle.write(contentsOf: data)
        written += data.count
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        written += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}

extension Bench {
    /// Per-keystroke search timings for profiling (`--only search`): for each prefix length of
    /// names and of chart numbers, the store's and the raw floor's median and max, and the rows.
    public func searchProfile() throws -> [String] {
        var out = ["kind   len    n  rows(max)   store med/max (ms)   raw med/max (ms)"]
        for (kind, keys) in [("name", keystrokes), ("chart", chartKeystrokes)] {
            for k in keys.prefix(20) { _ = try search(k) }
            var byLength: [Int: (store: [Double], raw: [Double], rows: [Int])] = [:]
            for k in keys {
                var t0 = Measure.nanos()
                let n = try search(k)
                let store = Double(Measure.nanos() - t0) / 1e6
                t0 = Measure.nanos()
                _ = try rawSearch(k)
                let raw = Double(Measure.nanos() - t0) / 1e6
                var e = byLength[k.count] ?? ([], [], [])
                e.store.append(store); e.raw.append(raw); e.rows.append(n)
                byLength[k.count] = e
            }
            func s(_ v: [Double]) -> String { let x = v.sorted(); return String(format: "%7.3f/%7.3f", x[x.count / 2], x.last ?? 0) }
            for len in byLength.keys.sorted() {
                let e = byLength[len]!
                out.append(kind.padding(toLength: 6, withPad: " ", startingAt: 0)
                           + String(format: "%4d %4d  %8d   ", len, e.rows.count, e.rows.max() ?? 0) + "\(s(e.store))     \(s(e.raw))")
            }
        }
        return out
    }
}
