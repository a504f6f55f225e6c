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
    /// The statistic the target applies to: "median", "p99" or "total"; "MB" for memory.
    public var statistic: String
    /// The target, in milliseconds (or MB).
    public var target: Double
    /// The same query through the raw C API, for the store/raw ratio.
    public var raw: Samples?
    /// The timings the ratio compares with `raw` (the query part only), when not `samples`.
    public var store: Samples?

    /// The value the target is checked against.
    public var value: Double {
        switch statistic {
        case "p99": samples.p99
        case "median": samples.median
        default: samples.ms.max() ?? .nan
        }
    }
    /// True when the target is met.
    public var passes: Bool { value <= target }
    /// Store median over raw median, when measured.
    public var ratio: Double? {
        guard let raw else { return nil }
        return (store ?? samples).median / max(raw.median, 0.000_001)
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
    /// Signed sessions spread over the clinic, for single-session exports.
    public var sessionIDs: [Int64] = []
    /// A patient to chart new sessions for.
    public var chartingPatientID: Int64 = 0
}

/// The benchmark: every SPEC §7 operation against one clinic file.
public final class Bench {
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
    private let catalogue: Catalogue
    private let utc = TimeZone(identifier: "UTC")!

    /// Opens the clinic at `path` (made by `generate`).
    public init(path: String, clinician: Clinician) throws {
        self.path = path
        self.clinician = clinician
        database = try AppDatabase.open(path: path)
        raw = try RawSQLite(path: path)
        catalogue = .builtIn
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
        try raw.rows("SELECT (SELECT count(*) FROM patients), (SELECT count(*) FROM sessions), (SELECT count(*) FROM entries)") { r in
            facts.patients = Int(r[0] as? Int64 ?? 0); facts.sessions = Int(r[1] as? Int64 ?? 0); facts.points = Int(r[2] as? Int64 ?? 0)
        }
        try raw.rows("SELECT s.patient_id, p.chart_number FROM sessions s JOIN patients p ON p.id = s.patient_id GROUP BY s.patient_id HAVING count(*) >= 200 ORDER BY s.patient_id LIMIT 1") { r in
            facts.longPatientID = r[0] as? Int64 ?? 0; facts.longChartNumber = r[1] as? String ?? ""
        }
        let step = max(1, facts.patients / 40)
        try raw.rows("SELECT name FROM patients WHERE id % ? = 1 ORDER BY id LIMIT 30", [.int(Int64(step))]) { r in
            if let n = r[0] as? String { facts.names.append(n) }
        }
        let sessionStep = max(1, facts.sessions / 300)
        try raw.rows("SELECT id FROM sessions WHERE id % ? = 0 AND signed_at IS NOT NULL ORDER BY id LIMIT 300", [.int(Int64(sessionStep))]) { r in
            if let id = r[0] as? Int64 { facts.sessionIDs.append(id) }
        }
        facts.chartingPatientID = max(1, Int64(facts.patients / 2))
    }

    // MARK: - Operations (each returns what it found, so tests can check the rows)

    /// Opens the database as the app does, builds the app and draws its first full screen
    /// (in memory, 80×24). Returns the driver and the frame's text.
    public func startApp(width: Int = 80, height: Int = 24) throws -> (driver: Driver, text: String) {
        let db = try AppDatabase.open(path: path)
        try db.saveClinician(clinician)
        let catalogue = try CatalogueLoader.load()
        let runner = EffectRunner(database: db, catalogue: catalogue, clinician: clinician, timeZone: utc,
                                  exportDirectory: NSTemporaryDirectory())
        let context = AppContext(catalogue: catalogue, clinician: clinician, timeZone: utc, now: Date(),
                                 newID: { UUID().uuidString.lowercased() }, exportDirectory: NSTemporaryDirectory())
        var driver = Driver(runner: runner, context: context, idleTimeout: 300)
        driver.start()
        let frame = driver.frame(width: width, height: height)
        return (driver, frame.text())
    }

    /// The store's patient search for `text`, as the patients screen asks for it: patients found.
    public func search(_ text: String) throws -> Int { try database.searchPatients(text, limit: 200).count }

    /// The same search through the C API: rows found.
    public func rawSearch(_ text: String) throws -> Int {
        let q = AppDatabase.ftsQuery(text)
        if q.isEmpty { return try raw.rows("SELECT * FROM patients ORDER BY name COLLATE NOCASE, id LIMIT ?", [.int(200)]) }
        return try raw.rows("""
            SELECT p.* FROM patients p
            WHERE p.id IN (SELECT rowid FROM patients_fts WHERE patients_fts MATCH ?)
            ORDER BY p.name COLLATE NOCASE, p.id LIMIT ?
            """, [.text(q), .int(200)])
    }

    /// Each prefix of each name, as typed letter by letter.
    public var keystrokes: [String] {
        facts.names.flatMap { name in (1...name.count).map { String(name.prefix($0)) } }
    }

    /// Opening a patient's history as the app does (the patient, the session lines, regions
    /// treated): history lines loaded.
    public func openHistory(_ patientID: Int64) throws -> Int {
        let runner = EffectRunner(database: database, catalogue: catalogue, clinician: clinician, timeZone: utc,
                                  exportDirectory: NSTemporaryDirectory())
        guard case let .history(_, lines, _)? = runner.run(.loadHistory(patientID: patientID)).first else { throw BenchError("history did not load") }
        return lines.count
    }

    /// The history's queries through the C API: session lines read.
    public func rawHistory(_ patientID: Int64) throws -> Int {
        try raw.rows("SELECT * FROM patients WHERE id = ?", [.int(patientID)])
        let n = try raw.rows("""
            SELECT s.id, s.patient_id, s.clinician, s.started_at, s.state, s.condition_id, s.condition_text, s.onset,
                   s.nprs_before, s.nprs_after,
                   (SELECT count(*) FROM entries e WHERE e.session_id = s.id) AS points,
                   (SELECT coalesce(sum(needle_count), 0) FROM entries e WHERE e.session_id = s.id) AS needles,
                   (SELECT count(*) FROM addenda a WHERE a.session_id = s.id) AS addenda
            FROM sessions s WHERE s.patient_id = ? ORDER BY s.started_at DESC, s.id DESC
            """, [.int(patientID)])
        try raw.rows("""
            SELECT e.region_id, count(*) AS n FROM entries e JOIN sessions s ON s.id = e.session_id
            WHERE s.patient_id = ? GROUP BY e.region_id
            """, [.int(patientID)])
        return n
    }

    /// A new unsigned session to save entries into.
    public func startChartingSession() throws -> Int64 {
        try database.startSession(patientID: facts.chartingPatientID, clinician: clinician.username).id
    }

    /// Saves one charted entry durably (WAL, synchronous=FULL: one fsync).
    public func saveEntry(sessionID: Int64, number: Int) throws {
        let e = TriggerPointEntry(id: "bench-" + UUID().uuidString.lowercased(), regionID: "back-neck", muscle: "upper trapezius",
                                  side: number % 2 == 0 ? .left : .right, needleCount: 1, twitch: TwitchResponse(count: 2, strength: .weak),
                                  sensations: ["deep-ache"], painDuring: 4, recordedAt: Date())
        try database.saveEntry(e, sessionID: sessionID, by: clinician.username)
    }

    /// The store's query part of an export: the session record.
    public func sessionRecord(_ id: Int64) throws -> SessionRecord {
        guard let r = try database.sessionRecord(id: id) else { throw BenchError("session \(id) not found") }
        return r
    }

    /// Exports one session as text, as the app does (record and text): the text.
    public func exportSession(_ id: Int64) throws -> String {
        TextExport.session(try sessionRecord(id), context: try exportContext())
    }

    private func exportContext() throws -> ExportContext {
        ExportContext(clinicName: try database.clinicName(), catalogue: catalogue, timeZone: utc)
    }

    /// An export's queries through the C API: entries read.
    public func rawSessionRecord(_ id: Int64) throws -> Int {
        var patientID: Int64 = 0, clinician = "", started = ""
        try raw.rows("SELECT * FROM sessions WHERE id = ?", [.int(id)]) { r in
            patientID = r[1] as? Int64 ?? 0; clinician = r[2] as? String ?? ""; started = r[3] as? String ?? ""
        }
        let entries = try raw.rows("SELECT * FROM entries WHERE session_id = ? ORDER BY position, recorded_at, id", [.int(id)])
        try raw.rows("SELECT * FROM addenda WHERE session_id = ? ORDER BY at, rowid", [.int(id)])
        try raw.rows("SELECT * FROM patients WHERE id = ?", [.int(patientID)])
        try raw.rows("SELECT * FROM clinicians WHERE username = ?", [.text(clinician)])
        try raw.rows("SELECT count(*) FROM sessions WHERE patient_id = ? AND (started_at < ? OR (started_at = ? AND id <= ?))",
                     [.int(patientID), .text(started), .text(started), .int(id)])
        return entries
    }

    /// Exports every session of the clinic as text into one file, streamed: sessions written.
    public func exportAll(to file: String) throws -> (sessions: Int, bytes: Int) {
        _ = FileManager.default.createFile(atPath: file, contents: nil, attributes: [.posixPermissions: 0o600])
        guard let handle = FileHandle(forWritingAtPath: file) else { throw BenchError("cannot write \(file)") }
        defer { try? handle.close() }
        let context = try exportContext()
        var buffer = Data()
        buffer.reserveCapacity(1 << 20)
        var bytes = 0
        let n = try database.forEachSessionRecord { record in
            let text = TextExport.session(record, context: context)
            buffer.append(contentsOf: text.utf8)
            buffer.append(contentsOf: "\u{0C}\n".utf8)
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                bytes += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
        bytes += buffer.count
        return (n, bytes)
    }

    /// Every session's export queries through the C API, streamed: sessions read.
    public func rawExportAll() throws -> Int {
        var last: Int64 = -1
        var failure: (any Error)?
        let n = try raw.rows("SELECT id, patient_id FROM sessions ORDER BY patient_id, started_at, id") { r in
            let id = r[0] as? Int64 ?? 0, patientID = r[1] as? Int64 ?? 0
            do {
                if patientID != last { try raw.rows("SELECT * FROM patients WHERE id = ?", [.int(patientID)]); last = patientID }
                try raw.rows("SELECT * FROM sessions WHERE id = ?", [.int(id)])
                try raw.rows("SELECT * FROM entries WHERE session_id = ? ORDER BY position, recorded_at, id", [.int(id)])
                try raw.rows("SELECT * FROM addenda WHERE session_id = ? ORDER BY at, rowid", [.int(id)])
            } catch { failure = error }
        }
        if let failure { throw failure }
        return n
    }
}
