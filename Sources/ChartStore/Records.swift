import ChartCore
import Dispatch
import Foundation
import GRDB
import GRDBSQLite

extension AppDatabase {
    /// The session with its patient and clinician, numbered among the patient's sessions: what an
    /// export needs. `documents: false` (a text export): a signed note kept as text and without
    /// addenda is read as that text (`keptTextRecord`: no entries, clinician or number), any
    /// other note's document only where the text needs it; such a record is for `TextExport` only.
    public func sessionRecord(id: Int64, documents: Bool) throws -> SessionRecord? {
        if !documents, let keptTextReader, let kept = try translated({ try keptTextReader.record(id: id) }) { return kept }
        return try read { db in try Self.sessionRecord(db, id: id, documents: documents) }
    }

    /// Every session of the patient as export records, oldest first.
    public func sessionRecords(patientID: Int64) throws -> [SessionRecord] {
        try read { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM sessions WHERE patient_id = ? ORDER BY started_at, id", arguments: [patientID])
            return try ids.compactMap { try Self.sessionRecord(db, id: $0) }
        }
    }

    /// A clinician by user name; shared with the benchmark's raw floor.
    public static let clinicianSQL = "SELECT username, display_name, credentials FROM clinicians WHERE username = ?"
    /// A session's number among its patient's sessions; shared with the benchmark's raw floor.
    public static let sessionNumberSQL = "SELECT count(*) FROM sessions WHERE patient_id = ? AND (started_at < ? OR (started_at = ? AND id <= ?))"

    static func clinician(row: some ColumnValues) -> Clinician {
        Clinician(username: row[0], displayName: row[1], credentials: row[2])
    }

    /// The session's export record; with `frozen`, a signed session carries its frozen note.
    static func sessionRecord(_ db: Database, id: Int64, frozen: Bool = true, columns: Columns = .current, documents: Bool = true) throws -> SessionRecord? {
        if !documents, frozen, columns == .current, let kept = try keptTextRecord(db, id: id) { return kept }
        guard let s = try loadSession(db, id: id, columns: columns),
              let p = try first(db.cachedStatement(sql: patientByIDSQL), [s.patientID], Patient.init(row:)) else { return nil }
        let c = try first(db.cachedStatement(sql: clinicianSQL), [s.clinician], clinician(row:))
            ?? Clinician(username: s.clinician, displayName: s.clinician)
        let started = Timestamp.iso(s.startedAt)
        let number: Int? = try first(db.cachedStatement(sql: sessionNumberSQL), [s.patientID, started, started, id]) { $0[0] }
        let note = frozen && s.signature != nil ? try Evidence.signedNote(db, sessionID: id, document: documents) : nil
        var record = SessionRecord(patient: p, clinician: c, session: s, sessionNumber: number, signedNote: note)
        // A signed note renders from its document; a draft (or one being frozen) needs what
        // format 4 adds. A migration reading the first release's columns has none of it yet.
        if note == nil, columns == .current { try addRegulated(db, to: &record) }
        return record
    }
}

extension AppDatabase {
    /// One session as `textSpineSQL` reads each session of a range: its patient and start, and
    /// for a signed note its kept text, hash and seal and whether it has addenda. Shared with
    /// the benchmark's floor.
    public static let textOneSQL = """
        SELECT s.patient_id, s.started_at, t.sha256, t.seal, t.note_text,
               EXISTS (SELECT 1 FROM addenda a WHERE a.session_id = s.id)
        FROM sessions s LEFT JOIN signed_note_texts t ON t.session_id = s.id WHERE s.id = ?
        """

    /// A text export's record of a signed note kept as text and without addenda, as
    /// `forEachTextRecord` reads each of a whole clinic: the text, hash, seal, start and patient,
    /// all `TextExport` prints of it — no session row beyond its start, no entries, no document,
    /// no clinician, no number. Nil for any other session, which is read whole.
    static func keptTextRecord(_ db: Database, id: Int64) throws -> SessionRecord? {
        try keptTextRecord(id: id, spine: db.cachedStatement(sql: textOneSQL).sqliteStatement,
                           patient: db.cachedStatement(sql: patientByIDSQL).sqliteStatement)
    }

    /// The same through the C API on prepared `textOneSQL` and `patientByIDSQL` statements of
    /// one connection, inside a read transaction (one state of the database for both).
    static func keptTextRecord(id: Int64, spine: SQLiteStatement, patient: SQLiteStatement) throws -> SessionRecord? {
        let kept = try Raw.first(spine, .int(id)) { (row: SteppedRow) -> (patient: Int64, started: String?, note: SignedNote)? in
            guard let kept: String = row[4], !(row[5] as Bool) else { return nil }
            return (row[0], row[1], SignedNote(keptText: kept, sha256: row[2], seal: row[3]))
        }
        guard let kept = kept ?? nil, let p = try Raw.first(patient, .int(kept.patient), decode: Patient.init(row:)) else { return nil }
        return try keptTextRecord(id: id, patient: p, started: kept.started, number: nil, note: kept.note)
    }

    /// The record of a note kept as text: its session's id and start, its patient and number
    /// where known, the note — all `TextExport` prints of it. No clinician, entries or document.
    static func keptTextRecord(id: Int64, patient p: Patient, started: String?, number: Int?, note: SignedNote) throws -> SessionRecord {
        let s = NeedlingSession(id: id, patientID: p.id, clinician: "", startedAt: try time(started) ?? Date(timeIntervalSince1970: 0), state: .signed)
        return SessionRecord(patient: p, clinician: Clinician(username: "", displayName: ""), session: s, sessionNumber: number, signedNote: note)
    }
}

extension AppDatabase {
    /// One patient's sessions as export records, oldest first, streamed (one record in memory
    /// at a time) from one consistent snapshot — what `sessionRecords(patientID:)` returns, for
    /// an export written as it is read. `start` is told the first and last records and the
    /// count (a text export's cover names them) before `body` sees each record. Returns the count.
    /// `documents: false`: as for `forEachSessionRecord(parts:documents:_:)`, text exports only.
    @discardableResult
    public func forEachSessionRecord(patientID: Int64, documents: Bool = true,
                                     start: (_ first: SessionRecord?, _ last: SessionRecord?, _ count: Int) throws -> Void = { _, _, _ in },
                                     _ body: (SessionRecord) throws -> Void) throws -> Int {
        try read { db in
            let ids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM sessions WHERE patient_id = ? ORDER BY started_at, id"), arguments: [patientID])
            try start(try ids.first.flatMap { try Self.sessionRecord(db, id: $0) }, try ids.last.flatMap { try Self.sessionRecord(db, id: $0) }, ids.count)
            guard !ids.isEmpty else { return 0 }
            return try Self.forEachSessionRecord(db, patients: patientID...patientID, documents: documents, body)
        }
    }

    /// The order of a whole-clinic export: patient by patient, each patient's oldest first.
    static let chartOrder = "s.patient_id, s.started_at, s.id"

    /// Every session of the clinic as an export record, patient by patient, each patient's oldest
    /// first — streamed: one record in memory at a time, all read from one consistent snapshot.
    /// Returns the number of records.
    @discardableResult
    public func forEachSessionRecord(_ body: (SessionRecord) throws -> Void) throws -> Int {
        try read { db in try Self.forEachSessionRecord(db, patients: nil, body) }
    }

    /// The same records as `forEachSessionRecord(_:)`, read by `parts` readers at once over disjoint
    /// ranges of patients (each range's sessions in chart order), all from one consistent state of
    /// the database. `body(part, record)` is called on the part's own thread; part 0 holds the
    /// first patients, part 1 the next, and so on, so writing each part's records in order and
    /// then the parts one after another gives exactly the single-reader order. Returns the number
    /// of records. Without a database pool (in-memory tests) the parts are read one after another.
    @discardableResult
    ///
    /// With `documents: false` (a text export), a signed note kept as text and without addenda
    /// is read as that text, hash and seal (`forEachTextRecord`), so a whole-clinic text export
    /// reads neither the ~19 KB document nor the session's row and entries it never prints.
    /// Such records are for `TextExport` only: their unread documents decode as unreadable.
    public func forEachSessionRecord(parts: Int, documents: Bool = true, _ body: @escaping @Sendable (Int, SessionRecord) throws -> Void) throws -> Int {
        let parts = max(1, parts)
        // Patient-id boundaries that split the sessions into `parts` near-equal runs. Any
        // boundaries are correct (the ranges cover every id); these only balance the work.
        let bounds: [Int64] = try read { db in
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM sessions") ?? 0
            return try (1..<parts).map { k in
                try Int64.fetchOne(db, sql: "SELECT patient_id FROM sessions ORDER BY patient_id LIMIT 1 OFFSET ?", arguments: [total * k / parts]) ?? Int64.max
            }
        }
        let ranges = Self.patientRanges(bounds: bounds)
        guard let pool = writer as? DatabasePool, parts > 1 else {
            return try read { db in
                var n = 0
                for (k, r) in ranges.enumerated() { n += try Self.forEachSessionRecord(db, patients: r, documents: documents) { try body(k, $0) } }
                return n
            }
        }
        let results = PartResults(parts)
        let group = DispatchGroup()
        // Started from the writer's lock, every reader sees the same state: no write can commit
        // before all of them have begun their read transaction. Writes resume at once after.
        pool.writeWithoutTransaction { _ in
            for (k, range) in ranges.enumerated() {
                group.enter()
                pool.asyncConcurrentRead { dbResult in
                    defer { group.leave() }
                    do {
                        let db = try dbResult.get()
                        let n = try Self.forEachSessionRecord(db, patients: range, documents: documents) { try body(k, $0) }
                        results.set(k, .success(n))
                    } catch {
                        results.set(k, .failure(error))
                    }
                }
            }
        }
        group.wait()
        return try results.all().reduce(0, +)
    }

    /// The ranges of patient ids that `bounds` (each part's first patient id after the first
    /// part's) split every id into: disjoint, ascending, together every id once. Equal bounds
    /// (one patient holding more than a part's share of the sessions) make one range, not an
    /// empty one that overlapped the next and read that patient twice.
    static func patientRanges(bounds: [Int64]) -> [ClosedRange<Int64>] {
        let cuts = Array(Set(bounds.filter { $0 > Int64.min })).sorted()
        return (0...cuts.count).map { k in
            (k == 0 ? Int64.min : cuts[k - 1])...(k == cuts.count ? Int64.max : cuts[k] - 1)
        }
    }

    /// The records of the patients in `patients` (all when nil), in chart order, read with three
    /// ordered cursors merged in step — sessions, their entries, their addenda — instead of
    /// queries per session.
    static func forEachSessionRecord(_ db: Database, patients: ClosedRange<Int64>?, documents: Bool = true, _ body: (SessionRecord) throws -> Void) throws -> Int {
        if !documents { return try forEachTextRecord(db, patients: patients, body) }
        let clinicians = try cliniciansByName(db)
        let lo = patients?.lowerBound ?? Int64.min, hi = patients?.upperBound ?? Int64.max
        let range = "s.patient_id BETWEEN ?1 AND ?2"
        let sessions = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT \(sessionColumns) FROM sessions s WHERE \(range) ORDER BY \(chartOrder)
            """), arguments: [lo, hi])
        // Each entry row ends with its session's id, so the merge knows where a session ends.
        let entries = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT \(entryColumns), e.session_id FROM sessions s JOIN entries e ON e.session_id = s.id
            WHERE \(range) ORDER BY \(chartOrder), e.position, e.recorded_at, e.id
            """), arguments: [lo, hi])
        let addenda = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT \(addendumColumns), a.session_id FROM sessions s JOIN addenda a ON a.session_id = s.id
            WHERE \(range) ORDER BY \(chartOrder), a.at, a.rowid
            """), arguments: [lo, hi])
        let documentRows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT d.document, d.sha256, d.seal, t.note_text, d.session_id FROM sessions s JOIN signed_documents d ON d.session_id = s.id
            LEFT JOIN signed_note_texts t ON t.session_id = d.session_id WHERE \(range) ORDER BY \(chartOrder)
            """), arguments: [lo, hi])
        var patients = try PatientRun(db, lo, hi)

        // The one row read ahead of each child cursor, decoded (cursor rows are reused).
        var nextEntry = try entries.next().map { (session: $0[entryColumnCount] as Int64, entry: try entry(row: $0)) }
        var nextAddendum = try addenda.next().map { (session: $0[5] as Int64, addendum: try addendum(row: $0)) }
        func signedNote(_ row: Row) throws -> (session: Int64, note: SignedNote) {
            let id: Int64 = row[4]
            return (id, try Evidence.signedNote(row: row, sessionID: id))
        }
        var nextDocument = try documentRows.next().map(signedNote)
        var count = 0
        while let row = try sessions.next() {
            var s = try session(row: row)
            let (p, number) = try patients.next(s.patientID)
            while let e = nextEntry, e.session == s.id {
                s.entries.append(e.entry)
                nextEntry = try entries.next().map { (session: $0[entryColumnCount] as Int64, entry: try entry(row: $0)) }
            }
            while let a = nextAddendum, a.session == s.id {
                s.addenda.append(a.addendum)
                nextAddendum = try addenda.next().map { (session: $0[5] as Int64, addendum: try addendum(row: $0)) }
            }
            var note: SignedNote?
            if let d = nextDocument, d.session == s.id {
                note = d.note
                nextDocument = try documentRows.next().map(signedNote)
            }
            let c = clinicians[s.clinician] ?? Clinician(username: s.clinician, displayName: s.clinician)
            var record = SessionRecord(patient: p, clinician: c, session: s, sessionNumber: number, signedNote: note)
            // Drafts only (few): a signed note renders from its document.
            if note == nil { try addRegulated(db, to: &record) }
            try body(record)
            count += 1
        }
        return count
    }

    /// The sessions of the patients in `patients` in chart order, each with what its export shows
    /// first: id, patient, start, and for a signed note its hash, seal, kept text and whether it
    /// has addenda. The sessions come from their index alone (no session row is read) and the
    /// note from the table of kept texts (v14), never from the documents' pages. Shared with the
    /// benchmark's floor.
    public static let textSpineSQL = """
        SELECT s.id, s.patient_id, s.started_at, t.sha256, t.seal, t.note_text,
               EXISTS (SELECT 1 FROM addenda a WHERE a.session_id = s.id)
        FROM sessions s LEFT JOIN signed_note_texts t ON t.session_id = s.id
        WHERE s.patient_id BETWEEN ?1 AND ?2 ORDER BY \(chartOrder)
        """

    /// The records of a text export (`documents: false`), in chart order. A signed note kept as
    /// text and without addenda — nearly every session of a clinic — is read as that text, its
    /// hash and seal, with its session's id and start: all `TextExport` prints of it. Its record
    /// holds nothing else (no clinician, entries or document). Every other session (a draft, a
    /// note signed before notes kept their text, a note with addenda, whose times show in the
    /// note's zone) is read whole, as `sessionRecord` reads it.
    static func forEachTextRecord(_ db: Database, patients range: ClosedRange<Int64>?, _ body: (SessionRecord) throws -> Void) throws -> Int {
        let clinicians = try cliniciansByName(db)
        let lo = range?.lowerBound ?? Int64.min, hi = range?.upperBound ?? Int64.max
        var patients = try PatientRun(db, lo, hi)
        var count = 0
        // Stepped through the C API, like the store's small reads: half a million rows.
        try db.cachedStatement(sql: textSpineSQL).forEachStepped([lo, hi]) { row in
            let id: Int64 = row[0]
            let (p, number) = try patients.next(row[1])
            var record: SessionRecord
            if let kept: String = row[5], !(row[6] as Bool) {
                record = try keptTextRecord(id: id, patient: p, started: row[2], number: number, note: SignedNote(keptText: kept, sha256: row[3], seal: row[4]))
            } else {
                guard let s = try loadSession(db, id: id) else { throw StoreError(.notFound, "Session \(id) does not exist.") }
                let note = s.signature != nil ? try Evidence.signedNote(db, sessionID: id) : nil
                let c = clinicians[s.clinician] ?? Clinician(username: s.clinician, displayName: s.clinician)
                record = SessionRecord(patient: p, clinician: c, session: s, sessionNumber: number, signedNote: note)
                if note == nil { try addRegulated(db, to: &record) }
            }
            try body(record)
            count += 1
        }
        return count
    }

    /// Every clinician by user name.
    private static func cliniciansByName(_ db: Database) throws -> [String: Clinician] {
        var clinicians: [String: Clinician] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT username, display_name, credentials FROM clinicians") {
            let c = clinician(row: row)
            clinicians[c.username] = c
        }
        return clinicians
    }

    /// The patients of a range read in id order beside sessions in chart order: each session's
    /// patient and its number among that patient's sessions.
    private struct PatientRun {
        private let rows: RowCursor
        private var patient: Patient?
        private var number = 0

        init(_ db: Database, _ lo: Int64, _ hi: Int64) throws {
            rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT \(patientColumns) FROM patients p WHERE p.id BETWEEN ?1 AND ?2 ORDER BY p.id
                """), arguments: [lo, hi])
        }

        /// The patient of the next session, whose patient is `id`, and that session's number.
        mutating func next(_ id: Int64) throws -> (Patient, Int) {
            if patient?.id != id {
                number = 0
                patient = nil
                // Patients come in id order like the sessions: skip those without sessions.
                while let p = try rows.next() {
                    let pid: Int64 = p[0]
                    if pid == id { patient = try Patient(row: p); break }
                    if pid > id { break }
                }
            }
            guard let patient else { throw StoreError(.notADatabase, "A session's patient is missing. Run 'needlechart check'.") }
            number += 1
            return (patient, number)
        }
    }
}

/// The outcome of each part of a concurrent read.
/// What a part stopped by another part's failure throws.
struct PartStopped: Error, CustomStringConvertible {
    var description: String { "Another part of the export failed." }
}

final class PartResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Int, any Error>?]
    init(_ parts: Int) { results = Array(repeating: nil, count: parts) }
    func set(_ k: Int, _ r: Result<Int, any Error>) { lock.lock(); results[k] = r; lock.unlock() }
    /// Whether a part has failed (the others then stop at their next record).
    var failed: Bool {
        lock.lock(); defer { lock.unlock() }
        return results.contains { if case .failure = $0 { true } else { false } }
    }
    /// Every part's count; else the first part's own error (not a `PartStopped` it caused).
    func all() throws -> [Int] {
        lock.lock(); defer { lock.unlock() }
        for case .failure(let error) in results where !(error is PartStopped) { throw error }
        return try results.map { try ($0 ?? .success(0)).get() }
    }
}
