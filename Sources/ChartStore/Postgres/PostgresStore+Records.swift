import ChartCore
import Foundation
import GRDB

// Export records, imports and the demo clinic on PostgreSQL.
extension PostgresStore {
    /// The session with its patient and clinician, numbered among the patient's sessions (the
    /// document is always read: the server keeps it out of line, TOASTed, read only when asked).
    /// `documents: false` (a text export), as SQLite's store: a signed note kept as text and
    /// without addenda is read as that text (`keptTextSQL`, one statement); such a record is
    /// for `TextExport` only. Any other session is read whole.
    public func sessionRecord(id: Int64, documents: Bool) throws -> SessionRecord? {
        if !documents, let kept = try keptTextRecord(id: id) { return kept }
        return try link.transaction { try sessionRecord(id: id, frozen: true) }
    }

    /// What a text export prints of a signed note kept as text without addenda (all
    /// `AppDatabase.keptTextRecord` makes of it): its start, hash, seal and kept text — the text
    /// NULL for any other session, which is read whole — then its patient (`patientColumns`).
    /// Table aliases `s` (sessions), `d` (signed_documents, left-joined) and `p` (patients).
    static let keptTextColumns = """
        s.started_at, d.sha256, d.seal, CASE WHEN NOT EXISTS (SELECT 1 FROM addenda a WHERE a.session_id = s.id) THEN d.note_text END,
        \(AppDatabase.patientColumns)
        """

    /// Whether `keptTextColumns`, from `offset` of `row` on, hold a kept text.
    static func holdsKeptText(_ row: some ColumnValues, at offset: Int) -> Bool { (row[offset + 3] as String?) != nil }

    /// The record `keptTextColumns`, from `offset` of `row` on, make of session `id`; nil when
    /// it is not a note kept as text without addenda.
    static func keptTextRecord(id: Int64, row: some ColumnValues, at offset: Int) throws -> SessionRecord? {
        guard let text: String = row[offset + 3] else { return nil }
        return try AppDatabase.keptTextRecord(id: id, patient: Patient(row: row, at: offset + 4), started: row[offset], number: nil,
                                              note: SignedNote(keptText: text, sha256: row[offset + 1], seal: row[offset + 2]))
    }

    /// One session's `keptTextColumns`: one statement is one snapshot, so it needs no
    /// transaction around it: one round trip where the whole record takes nine.
    public static let keptTextSQL = """
        SELECT \(keptTextColumns) FROM sessions s JOIN patients p ON p.id = s.patient_id
        LEFT JOIN signed_documents d ON d.session_id = s.id WHERE s.id = $1
        """

    /// `keptTextSQL`'s record of session `id`, or nil when it is not a note kept as text without addenda.
    func keptTextRecord(id: Int64) throws -> SessionRecord? {
        try link.serverRow(Self.keptTextSQL, [id]).flatMap { try Self.keptTextRecord(id: id, row: $0, at: 0) }
    }

    /// The session's export record; with `frozen`, a signed session carries its frozen note.
    func sessionRecord(id: Int64, frozen: Bool) throws -> SessionRecord? {
        guard let s = try loadSession(id: id), let p = try patient(id: s.patientID) else { return nil }
        let c = try clinician(s.clinician) ?? Clinician(username: s.clinician, displayName: s.clinician)
        let started = Timestamp.iso(s.startedAt)
        let number = try link.value("""
            SELECT count(*) FROM sessions WHERE patient_id = $1 AND (started_at COLLATE "C" < $2 OR (started_at = $2 AND id <= $3))
            """, [s.patientID, started, id], as: Int.self)
        var note: SignedNote?
        if frozen, s.signature != nil, let row = try link.serverRow("SELECT document, sha256, seal, note_text FROM signed_documents WHERE session_id = $1", [id]) {
            note = try Evidence.signedNote(row: row, sessionID: id)
        }
        var record = SessionRecord(patient: p, clinician: c, session: s, sessionNumber: number, signedNote: note)
        // A frozen note carries its own lots, coding and credentials, as SQLite's record does.
        if note == nil { try addRegulated(to: &record) }
        return record
    }

    /// What export format 4 and 5 show, as `AppDatabase.addRegulated` gives it: the lots (per
    /// size and the session's single lot field), the coding as signed (the clinic's for a
    /// draft), the signer's credentials as signed and the consent form's version and hash.
    func addRegulated(to record: inout SessionRecord) throws {
        let row = try link.serverRow("SELECT \(Self.regulatedColumns) FROM sessions s WHERE s.id = $1", [record.session.id])
        try Self.addRegulated(to: &record, row: row, at: 0, recordedLots: try needleLots(sessionID: record.session.id),
                              clinicCoding: record.session.signature == nil ? codingSystem() : .none)
    }

    /// The columns `addRegulated(to:row:at:)` reads, in its order (table alias `s`).
    static let regulatedColumns = "s.coding_system, s.signer_credentials, s.consent_form_version, s.consent_form_sha256"

    /// `addRegulated(to:)` from `regulatedColumns` read at `offset` of `row` (nil: the session's
    /// row is gone, and only the lots are set), the session's `recordedLots` per size, and
    /// `clinicCoding`, the clinic's, for a draft.
    static func addRegulated(to record: inout SessionRecord, row: (some ColumnValues)?, at offset: Int, recordedLots: [NeedleLot],
                             clinicCoding: CodingSystem) throws {
        let s = record.session
        record.needleLots = NeedleLots.effective(recorded: recordedLots, sessionLot: s.closeOut.needleLot, brand: s.closeOut.needleBrand, entries: s.entries)
        guard let row else { return }
        let coding: String? = row[offset]
        let credentials: String? = row[offset + 1]
        record.coding = AppDatabase.recordCoding(signed: coding, draft: s.signature == nil, clinic: clinicCoding)
        record.signerCredentials = try credentials.map { try JSONColumn.decode(ClinicianCredentials.self, $0) }
        let version: Int? = row[offset + 2], sha: String? = row[offset + 3]
        if let version, let sha { record.consentForm = ConsentFormReference(version: version, sha256: sha) }
    }

    /// Every session of the patient as export records, oldest first, read as the whole-clinic
    /// export reads its batches (it read them session by session, about eight statements each).
    public func sessionRecords(patientID: Int64) throws -> [SessionRecord] {
        var records: [SessionRecord] = []
        try forEachSessionRecord(batchSize: Self.exportBatchSize, patients: patientID...patientID) { records.append($0) }
        return records
    }

    /// One patient's sessions as export records, oldest first, streamed a batch at a time from
    /// one snapshot, as `AppDatabase.forEachSessionRecord(patientID:start:_:)`: `start` is given
    /// the first and last records and the count (read first, in the same snapshot), then `body`
    /// each record. `documents: false` (a text export): a note kept as text without addenda comes
    /// without its document, as SQLite's store gives it; such a record is for `TextExport` only.
    @discardableResult
    public func forEachSessionRecord(patientID: Int64, documents: Bool, start: (_ first: SessionRecord?, _ last: SessionRecord?, _ count: Int) throws -> Void,
                                     _ body: (SessionRecord) throws -> Void) throws -> Int {
        try forEachSessionRecord(batchSize: Self.patientExportBatchSize, wholeBatchSize: Self.patientExportBatchSize, patients: patientID...patientID,
                                 documents: documents, before: {
            guard let ends = try link.serverRow("""
                SELECT count(*), (array_agg(id ORDER BY started_at COLLATE "C", id))[1], (array_agg(id ORDER BY started_at COLLATE "C" DESC, id DESC))[1]
                FROM sessions WHERE patient_id = $1
                """, [patientID]) else { return }
            let first: Int64? = ends[1], last: Int64? = ends[2]
            try start(try first.flatMap { try sessionRecord(id: $0, frozen: true) }, try last.flatMap { try sessionRecord(id: $0, frozen: true) }, ends[0])
        }, body)
    }

    /// How many sessions a patient's export reads with each statement: its whole process is what
    /// SPEC §7's 40 MB bounds. `needlechart export --patient` of the 200-session patient at scale
    /// 0.02, peak RSS text / JSON: read whole before (43.2–43.6 / 43.2–43.6 MB), 100 a batch
    /// 36.0–36.7 / 41.7–41.8 MB, 20 a batch 34.7–34.8 / 36.5–37.1 MB, in the same time.
    public static let patientExportBatchSize = 20

    /// How many sessions the whole-clinic text export fetches at a time: its kept notes come whole
    /// from the cursor (no document), so a fetch is light. `needlechart-bench --only export-all`
    /// at full scale (500,060 sessions), one connection, time and the bench's peak RSS: 100 a
    /// fetch 33.0 s, 39 MB; 250 27.5–31.3 s, 43–47 MB; 500 25.5–30.6 s, 49–55 MB; 2,000 24.5 s,
    /// 100 MB. The export now reads on two connections (each part fetching this many) with the
    /// sessions read whole 25 at a time (`textExportWholeBatchSize`); the process's growth during
    /// `--only export-all` (RSS before to peak; SPEC §7: flat, 10 MB) and time: 250 a fetch with
    /// 100 read whole at a time 29.8 MB, 16.6 s; 250 with 25 19.0 MB, 16.7 s; 125 13.0 MB,
    /// 16.1 s; 64 9.2 MB, 17.0 s: 64.
    public static let textExportBatchSize = 64

    /// How many sessions a text export reads whole (drafts, notes with addenda: their documents
    /// come with them) with each statement, ahead of the cursor.
    public static let textExportWholeBatchSize = 25

    /// How many sessions the whole-clinic export reads with each statement. A batch's frozen
    /// documents are most of its memory: at scale 0.02, 100 held the export's peak RSS at 47 MB
    /// (250: 56 MB, 500: 72 MB) for 1.7 s against 500's 1.5 s.
    public static let exportBatchSize = 100

    /// Every session of the clinic in chart order, one record in memory at a time, all from one
    /// snapshot (a repeatable-read transaction), read `exportBatchSize` sessions at a time.
    @discardableResult
    public func forEachSessionRecord(_ body: (SessionRecord) throws -> Void) throws -> Int {
        try forEachSessionRecord(batchSize: Self.exportBatchSize, body)
    }

    /// The same for a text export with `documents: false`: a note kept as text without addenda
    /// comes without its document (the server neither reads nor sends it), for `TextExport` only.
    @discardableResult
    public func forEachSessionRecord(documents: Bool, _ body: (SessionRecord) throws -> Void) throws -> Int {
        try forEachSessionRecord(batchSize: documents ? Self.exportBatchSize : Self.textExportBatchSize, documents: documents, body)
    }

    /// The same records, read on `parts` connections at once over disjoint ranges of patients,
    /// as `AppDatabase.forEachSessionRecord(parts:documents:_:)` reads a file: `body(part, record)`
    /// is called on the part's own thread, part 0 holding the first patients, so writing each
    /// part's records in order and then the parts one after another gives exactly the
    /// one-connection order. Every part reads this connection's snapshot: exported
    /// (`pg_export_snapshot`) and taken up by the other connections before this one reads
    /// anything. A failed part stops the others at their next record; its error is thrown once
    /// all have stopped. Returns the number of records.
    @discardableResult
    public func forEachSessionRecord(parts asked: Int, documents: Bool, _ body: @escaping @Sendable (Int, SessionRecord) throws -> Void) throws -> Int {
        let batchSize = documents ? Self.exportBatchSize : Self.textExportBatchSize
        // Patient-id boundaries that split the sessions into near-equal runs (any are correct);
        // fewer ranges than parts when one patient holds more than a part's share.
        var bounds: [Int64] = []
        if asked > 1 {
            let total = try link.value("SELECT count(*) FROM sessions", as: Int.self) ?? 0
            bounds = try (1..<asked).map { k in
                try link.value("SELECT patient_id FROM sessions ORDER BY patient_id LIMIT 1 OFFSET $1", [total * k / asked], as: Int64.self) ?? Int64.max
            }
        }
        let ranges = AppDatabase.patientRanges(bounds: bounds)
        guard ranges.count > 1 else { return try forEachSessionRecord(batchSize: batchSize, documents: documents) { try body(0, $0) } }
        let parts = ranges.count
        let results = PartResults(parts), group = DispatchGroup(), begun = DispatchSemaphore(value: 0)
        let (url, environment, catalogue) = (link.url, environment, catalogue)
        @Sendable func each(_ k: Int) -> (SessionRecord) throws -> Void {
            { record in
                if results.failed { throw PartStopped() }
                try body(k, record)
            }
        }
        let first: Result<Int, any Error>
        do {
            first = .success(try forEachSessionRecord(batchSize: batchSize, patients: ranges[0], documents: documents, before: {
                guard let snapshot = try link.value("SELECT pg_export_snapshot()", as: String.self) else {
                    throw StoreError(.other, "The server gave no snapshot to export from.")
                }
                for k in 1..<parts {
                    group.enter()
                    Thread.detachNewThread {
                        defer { group.leave() }
                        var waiting = true
                        do {
                            let part = PostgresStore(link: try PostgresLink.connect(url), environment: environment, catalogue: catalogue)
                            let n = try part.forEachSessionRecord(batchSize: batchSize, patients: ranges[k], documents: documents, snapshot: snapshot,
                                                                  before: { waiting = false; begun.signal() }, each(k))
                            results.set(k, .success(n))
                        } catch {
                            results.set(k, .failure(error))
                            if waiting { begun.signal() }
                        }
                    }
                }
                // The snapshot lives while this transaction does: read nothing until every part has it.
                for _ in 1..<parts { begun.wait() }
                if results.failed { throw PartStopped() }
            }, each(0)))
        } catch {
            first = .failure(error)
        }
        // At once: a failure of this part stops the others at their next record.
        results.set(0, first)
        group.wait()
        return try results.all().reduce(0, +)
    }

    /// The sessions in chart order with their number among their patient's sessions (as
    /// `sessionRecord(id:frozen:)` counts it: by start, byte-wise, then id), for a cursor; one
    /// range of patients' only with `patients` (integers, written into the statement).
    static func exportOrderSQL(patients: ClosedRange<Int64>? = nil) -> String {
        """
        SELECT id, patient_id, row_number() OVER (PARTITION BY patient_id ORDER BY started_at COLLATE "C", id)
        FROM sessions \(only(patients, "patient_id"))ORDER BY patient_id, started_at COLLATE "C", id
        """
    }

    /// `WHERE` `column` is in `patients` (`=` for one patient), or nothing for every patient.
    static func only(_ patients: ClosedRange<Int64>?, _ column: String, and: Bool = false) -> String {
        guard let patients else { return "" }
        let test = patients.lowerBound == patients.upperBound ? "\(column) = \(patients.lowerBound)"
            : "\(column) BETWEEN \(patients.lowerBound) AND \(patients.upperBound)"
        return (and ? "AND " : "WHERE ") + test + " "
    }

    /// The same order for a text export (`documents: false`), each session with its
    /// `keptTextColumns` (from `exportTextKeptColumn` on): as SQLite's text export reads the
    /// clinic, most sessions need nothing else.
    public static func exportTextOrderSQL(patients: ClosedRange<Int64>? = nil) -> String {
        """
        SELECT s.id, s.patient_id, row_number() OVER (PARTITION BY s.patient_id ORDER BY s.started_at COLLATE "C", s.id),
               \(keptTextColumns)
        FROM sessions s JOIN patients p ON p.id = s.patient_id LEFT JOIN signed_documents d ON d.session_id = s.id
        \(only(patients, "s.patient_id"))ORDER BY s.patient_id, s.started_at COLLATE "C", s.id
        """
    }
    /// Where `exportTextOrderSQL`'s `keptTextColumns` begin.
    static let exportTextKeptColumn = 3
    /// A batch's ($1, an array of session ids) sessions with their regulated columns after them.
    static let exportSessionsSQL = "SELECT \(AppDatabase.sessionColumns), \(regulatedColumns) FROM sessions s WHERE s.id = ANY($1::bigint[])"
    /// A batch's entries, each session's in charting order; the session id last (the decoder reads by index).
    static let exportEntriesSQL = """
        SELECT \(AppDatabase.entryColumns), e.session_id FROM entries e WHERE e.session_id = ANY($1::bigint[])
        ORDER BY e.session_id, e.position, e.recorded_at COLLATE "C", e.id COLLATE "C"
        """
    /// A batch's addenda, each session's in the order they were added; the session id last.
    static let exportAddendaSQL = """
        SELECT \(AppDatabase.addendumColumns), a.session_id FROM addenda a WHERE a.session_id = ANY($1::bigint[])
        ORDER BY a.session_id, a.at COLLATE "C", a.seq
        """
    /// A batch's lots per size, each session's in `needleLotsBySessionSQL`'s order; the session id last.
    static let exportLotsSQL = """
        SELECT \(AppDatabase.needleLotColumns), session_id FROM needle_lots WHERE session_id = ANY($1::bigint[])
        ORDER BY session_id, diameter_hundredths, length_mm, lot COLLATE "C"
        """
    /// A batch's frozen notes (`Evidence.signedNote(row:sessionID:)`'s columns), the session id
    /// last; for a text export (`documents: false`) the document only where the text needs it (no
    /// kept text, or addenda), as `AppDatabase.signedNoteForTextSQL`.
    static func exportDocumentsSQL(documents: Bool) -> String {
        """
        SELECT \(documents ? "d.document" : """
            CASE WHEN d.note_text IS NULL OR EXISTS (SELECT 1 FROM addenda a WHERE a.session_id = d.session_id) THEN d.document END
            """), d.sha256, d.seal, d.note_text, d.session_id FROM signed_documents d WHERE d.session_id = ANY($1::bigint[])
        """
    }

    /// A text export's sessions that are not notes kept as text without addenda (drafts, notes
    /// with addenda, notes without a kept text: the ones `holdsKeptText` does not hold), in the
    /// cursor's order. The whole clinic's (or a range of patients') come from the three small
    /// sets that make them up (every addendum's session, every document without a kept text, every
    /// session without a document: 0.37 s at full scale, where one join of every session with its
    /// document took 1.07 s); one patient's through their sessions' index.
    static func exportWholeIDsSQL(patients: ClosedRange<Int64>?) -> String {
        let order = "ORDER BY s.patient_id, s.started_at COLLATE \"C\", s.id"
        if let patients, patients.lowerBound == patients.upperBound {
            return """
                SELECT s.id FROM sessions s LEFT JOIN signed_documents d ON d.session_id = s.id
                WHERE s.patient_id = \(patients.lowerBound) AND (d.note_text IS NULL OR EXISTS (SELECT 1 FROM addenda a WHERE a.session_id = s.id))
                \(order)
                """
        }
        return """
            SELECT s.id FROM sessions s
            WHERE s.id IN (SELECT session_id FROM addenda
                           UNION ALL SELECT session_id FROM signed_documents WHERE note_text IS NULL
                           UNION ALL SELECT x.id FROM sessions x WHERE NOT EXISTS (SELECT 1 FROM signed_documents k WHERE k.session_id = x.id))
            \(only(patients, "s.patient_id", and: true))\(order)
            """
    }

    /// The whole-clinic export, `batchSize` sessions at a time: the order and numbers come from a
    /// server-side cursor, and each batch is read with one statement per table (sessions with
    /// their regulated columns, entries, addenda, lots, frozen notes, patients), its ids bound as one
    /// array, then handed on record by record; the clinicians are read once. The records equal
    /// `sessionRecord(id:frozen: true)`'s, session by session. `before` runs first in the same
    /// snapshot (a patient's export reads its first and last records there).
    ///
    /// A text export (`documents: false`) reads a kept note from the cursor's own row, and the
    /// other sessions (about 1 in 100 at full scale) ahead, `wholeBatchSize` at a time, from
    /// their ids read first in the same snapshot: read with each fetch that held one, they cost
    /// four or five statements for nearly every fetch (3.1 s of a 26 s export at full scale).
    @discardableResult
    func forEachSessionRecord(batchSize: Int, wholeBatchSize: Int = PostgresStore.textExportWholeBatchSize, patients: ClosedRange<Int64>? = nil, documents: Bool = true,
                              snapshot: String? = nil, before: () throws -> Void = {}, _ body: (SessionRecord) throws -> Void) throws -> Int {
        let batchSize = max(1, batchSize), wholeBatchSize = max(1, wholeBatchSize)
        return try link.transaction {
            try link.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            if let snapshot { try link.execute("SET TRANSACTION SNAPSHOT '\(snapshot.replacingOccurrences(of: "'", with: "''"))'") }
            try before()
            let clinicCoding = try codingSystem()
            var clinicians: [String: Clinician] = [:]
            for row in try link.serverRows("SELECT username, display_name, credentials FROM clinicians") {
                let c = AppDatabase.clinician(row: row)
                clinicians[c.username] = c
            }
            // A text export's sessions read whole, in order; `ahead` holds the next ones read.
            let wholeIDs: [Int64] = documents ? [] : try link.serverRows(Self.exportWholeIDsSQL(patients: patients)).map { $0[0] }
            var nextWhole = 0, aheadEnd = 0
            var ahead = try exportBatch(ids: [], patientIDs: [], documents: false)  // empty until the first read whole
            try link.execute("DECLARE needlechart_export NO SCROLL CURSOR FOR "
                             + (documents ? Self.exportOrderSQL(patients: patients) : Self.exportTextOrderSQL(patients: patients)))
            var count = 0
            while true {
                let order = try link.serverRows("FETCH FORWARD \(batchSize) FROM needlechart_export")
                if order.isEmpty { break }
                // The whole export's sessions are read with their fetch; a text export's, ahead.
                let fetched = documents ? try exportBatch(ids: order.map { $0[0] as Int64 }, patientIDs: order.map { $0[1] as Int64 }, documents: true) : nil
                for row in order {
                    let id: Int64 = row[0], patientID: Int64 = row[1], number: Int = row[2]
                    let from: ExportBatch, patient: Patient
                    if let fetched {
                        guard let p = fetched.patients[patientID] else { continue }
                        from = fetched; patient = p
                    } else {
                        // A kept note is whole in the cursor's row; any other is the next one read ahead.
                        if let kept = try Self.keptTextRecord(id: id, row: row, at: Self.exportTextKeptColumn) {
                            try body(kept)
                            count += 1
                            continue
                        }
                        guard nextWhole < wholeIDs.count, wholeIDs[nextWhole] == id else {
                            throw StoreError(.other, "The export's reads of session \(id) disagree (the sessions read whole are not the cursor's); nothing more was exported.")
                        }
                        if nextWhole >= aheadEnd {
                            aheadEnd = min(wholeIDs.count, nextWhole + wholeBatchSize)
                            ahead = try exportBatch(ids: Array(wholeIDs[nextWhole..<aheadEnd]), patientIDs: [], documents: false)
                        }
                        nextWhole += 1
                        from = ahead
                        patient = try Patient(row: row, at: Self.exportTextKeptColumn + 4)
                    }
                    guard let sessionRow = from.sessions[id] else { continue }
                    var s = try AppDatabase.session(row: sessionRow)
                    s.entries = from.entries[id] ?? []
                    s.addenda = from.addenda[id] ?? []
                    let clinician = clinicians[s.clinician] ?? Clinician(username: s.clinician, displayName: s.clinician)
                    var note: SignedNote?
                    if s.signature != nil, let document = from.documents[id] { note = try Evidence.signedNote(row: document, sessionID: id) }
                    var record = SessionRecord(patient: patient, clinician: clinician, session: s, sessionNumber: number, signedNote: note)
                    if note == nil {
                        try Self.addRegulated(to: &record, row: sessionRow, at: AppDatabase.sessionColumnCount, recordedLots: from.lots[id] ?? [],
                                              clinicCoding: clinicCoding)
                    }
                    try body(record)
                    count += 1
                }
            }
            try link.execute("CLOSE needlechart_export")
            return count
        }
    }

    /// One batch of the whole-clinic export: its rows by session id, entries, addenda and lots
    /// decoded in order, its patients by id.
    /// The lots per size are read only for the sessions without a frozen note (a note carries its
    /// own), and the patients only of `patientIDs` (none for a text export: its cursor rows hold
    /// them); each statement saved is a round trip per batch.
    private func exportBatch(ids: [Int64], patientIDs: [Int64], documents wanted: Bool) throws -> ExportBatch {
        guard !ids.isEmpty else { return ([:], [:], [:], [:], [:], [:]) }
        let array = Self.bigintArray(ids)
        var sessions: [Int64: ServerRow] = [:], documents: [Int64: ServerRow] = [:]
        var entries: [Int64: [TriggerPointEntry]] = [:], addenda: [Int64: [Addendum]] = [:], lots: [Int64: [NeedleLot]] = [:]
        for row in try link.serverRows(Self.exportSessionsSQL, [array]) { sessions[row[0]] = row }
        for row in try link.serverRows(Self.exportEntriesSQL, [array]) {
            entries[row[AppDatabase.entryColumnCount] as Int64, default: []].append(try AppDatabase.entry(row: row))
        }
        for row in try link.serverRows(Self.exportAddendaSQL, [array]) { addenda[row[5] as Int64, default: []].append(try AppDatabase.addendum(row: row)) }
        for row in try link.serverRows(Self.exportDocumentsSQL(documents: wanted), [array]) { documents[row[4]] = row }
        let unfrozen = ids.filter { documents[$0] == nil }
        if !unfrozen.isEmpty {
            for row in try link.serverRows(Self.exportLotsSQL, [Self.bigintArray(unfrozen)]) { lots[row[6] as Int64, default: []].append(try AppDatabase.needleLot(row: row)) }
        }
        return (sessions, entries, addenda, lots, documents, try self.patients(ids: patientIDs))
    }

    /// One batch of the export: rows by session id, entries, addenda and lots decoded in order, patients by id.
    typealias ExportBatch = (sessions: [Int64: ServerRow], entries: [Int64: [TriggerPointEntry]], addenda: [Int64: [Addendum]],
                             lots: [Int64: [NeedleLot]], documents: [Int64: ServerRow], patients: [Int64: Patient])

    /// `ids` as a PostgreSQL array literal ('{1,2,3}'), bound as text and cast by the statement.
    static func bigintArray(_ ids: [Int64]) -> String {
        "{" + ids.map(String.init).joined(separator: ",") + "}"
    }

    // MARK: - Imports

    /// Stores a complete session made elsewhere, exactly as given. Returns its new id.
    @discardableResult
    public func importSession(_ session: NeedlingSession, patientID: Int64) throws -> Int64 {
        try link.transaction { try importSession(session, patientID: patientID, at: now) }
    }

    /// As `AppDatabase.importSession`: the header, the entries by position, the signature, the
    /// frozen note, then the addenda, each with its audit row.
    private func importSession(_ session: NeedlingSession, patientID: Int64, at: String) throws -> Int64 {
        var s = session
        s.patientID = patientID
        s.id = try link.value("""
            INSERT INTO sessions(patient_id, clinician, started_at, state, updated_at) VALUES ($1, $2, $3, 'screening', $4) RETURNING id
            """, [patientID, s.clinician, Timestamp.iso(s.startedAt), at], as: Int64.self) ?? 0
        try writeHeader(s, updatedAt: at, by: s.clinician)
        for (i, e) in s.entries.enumerated() {
            try insertEntry(AppDatabase.cleaned(e), sessionID: s.id, position: Int64(i + 1), upsert: false)
        }
        try audit(at: at, actor: s.clinician, action: .create, entity: "session", entityID: String(s.id),
                  detail: "imported: patient \(patientID), \(s.entries.count) points")
        if let sig = s.signature {
            guard var signed = try loadSession(id: s.id) else { throw StoreError(.notFound, "Imported session vanished.") }
            signed.signature = Signature(by: sig.by, signatureLine: Sanitizer.line(sig.signatureLine), at: Timestamp.parse(Timestamp.iso(sig.at)) ?? sig.at)
            signed.state = .signed
            try link.execute("""
                UPDATE sessions SET state = 'signed', signed_by = $1, signature_line = $2, signed_at = $3, signed_snapshot = $4
                WHERE id = $5
                """, [sig.by, Sanitizer.line(sig.signatureLine), Timestamp.iso(sig.at), AppDatabase.snapshot(signed), s.id])
            try freeze(sessionID: s.id, catalogue: catalogue, at: at, actor: sig.by, action: .sign, summary: "imported signature")
            for a in s.addenda {
                var clean = a
                clean.text = Sanitizer.multiline(a.text)
                try insertAddendum(clean, sessionID: s.id, at: at, detail: "imported addendum \(a.id)")
            }
        }
        return s.id
    }

    /// Loads the demo clinic into an empty clinic, in one transaction (as `AppDatabase.loadDemo`).
    @discardableResult
    public func loadDemo(_ clinic: DemoClinic) throws -> (patients: Int, sessions: Int) {
        try link.transaction {
            let existing = try patientCount()
            guard existing == 0 else {
                throw StoreError(.duplicate, "The database already has \(existing) patient(s): the demo clinic loads only into an empty database (choose another with --db).")
            }
            let at = now
            for c in clinic.clinicians {
                try link.execute("INSERT INTO clinicians(username, display_name, credentials) VALUES ($1, $2, $3) ON CONFLICT(username) DO NOTHING",
                                 [c.username, Sanitizer.line(c.displayName), Sanitizer.line(c.credentials)])
            }
            try link.execute("INSERT INTO settings(key, value) VALUES ('clinic_name', $1) ON CONFLICT(key) DO NOTHING", [Sanitizer.line(clinic.clinicName)])
            var ids: [String: Int64] = [:]
            for p in clinic.patients {
                var clean = p
                clean.name = Sanitizer.line(p.name); clean.contact = Sanitizer.line(p.contact); clean.notes = Sanitizer.multiline(p.notes)
                let id = try link.value("""
                    INSERT INTO patients(name, date_of_birth, chart_number, contact, notes, search_extra, created_at, updated_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id
                    """, [clean.name, p.dateOfBirth.description, p.chartNumber, clean.contact, clean.notes, AppDatabase.searchExtra(p.name), at, at],
                    as: Int64.self) ?? 0
                ids[p.chartNumber] = id
                let identity = Evidence.identityHash(name: clean.name, dateOfBirth: p.dateOfBirth.description, chartNumber: p.chartNumber)
                try audit(at: at, actor: "demo", action: .create, entity: "patient", entityID: String(id),
                          detail: "demo chart \(p.chartNumber); \(Evidence.tagged("identity", identity))")
            }
            for d in clinic.sessions {
                guard let pid = ids[d.chartNumber] else { throw StoreError(.notFound, "Demo session for unknown chart \(d.chartNumber).") }
                _ = try importSession(d.session, patientID: pid, at: at)
            }
            return (clinic.patients.count, clinic.sessions.count)
        }
    }
}
