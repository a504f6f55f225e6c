import ChartCore
import Foundation
import GRDB

// Sessions on PostgreSQL: the same columns as SQLite (`AppDatabase.sessionColumns` and friends),
// decoded by the same functions. Text that orders (times, ids) is compared byte-wise (COLLATE
// "C"), as SQLite compares it, so both backends list and number sessions alike.
extension PostgresStore {
    /// A session's row by id ($1), the columns `AppDatabase.session(row:)` decodes.
    public static let sessionByID = "SELECT \(AppDatabase.sessionColumns) FROM sessions s WHERE s.id = $1"
    /// A session's entries ($1) in charting order.
    public static let entriesBySession = """
        SELECT \(AppDatabase.entryColumns) FROM entries e WHERE e.session_id = $1
        ORDER BY e.position, e.recorded_at COLLATE "C", e.id COLLATE "C"
        """
    /// A session's addenda ($1) in the order they were added.
    public static let addendaBySession = """
        SELECT \(AppDatabase.addendumColumns) FROM addenda a WHERE a.session_id = $1 ORDER BY a.at COLLATE "C", a.seq
        """

    /// The whole session with its entries and addenda.
    public func session(id: Int64) throws -> NeedlingSession? {
        try link.transaction { try loadSession(id: id) }
    }

    func loadSession(id: Int64, forUpdate: Bool = false) throws -> NeedlingSession? {
        guard let row = try link.serverRow(Self.sessionByID + (forUpdate ? " FOR UPDATE" : ""), [id]) else { return nil }
        var s = try AppDatabase.session(row: row)
        s.entries = try link.serverRows(Self.entriesBySession, [id]).map(AppDatabase.entry(row:))
        s.addenda = try link.serverRows(Self.addendaBySession, [id]).map(AppDatabase.addendum(row:))
        return s
    }

    /// A history line's columns: the session with its counts and flags (a WHERE follows). Each
    /// session's entries and addenda are read once each (a lateral aggregate), not once per
    /// count and flag: EXPLAIN ANALYZE of the 200-session history at scale 0.02, 2.0 → 1.7 ms.
    public static let summarySelect = """
        SELECT s.id, s.patient_id, s.clinician, s.started_at, s.state, s.condition_id, s.condition_text, s.onset,
               s.nprs_before, s.nprs_after, e.points, e.needles, x.addenda,
               (s.adverse_events LIKE '%"severity":"serious"%' OR x.serious) AS serious,
               s.not_treated_reason IS NOT NULL AS not_treated, s.severe_or_widespread
        FROM sessions s
        CROSS JOIN LATERAL (SELECT count(*) AS points, coalesce(sum(needle_count), 0)::bigint AS needles
                            FROM entries WHERE session_id = s.id) e
        CROSS JOIN LATERAL (SELECT count(*) AS addenda, coalesce(bool_or(adverse_event LIKE '%"severity":"serious"%'), false) AS serious
                            FROM addenda WHERE session_id = s.id) x

        """

    /// A patient's ($1) history lines, newest first.
    public static let historySQL = summarySelect + "WHERE s.patient_id = $1 ORDER BY s.started_at COLLATE \"C\" DESC, s.id DESC"

    /// A patient's sessions, newest first.
    public func sessions(patientID: Int64) throws -> [SessionSummary] {
        try link.serverRows(Self.historySQL, [patientID])
            .map(AppDatabase.summary(row:))
    }

    /// Unsigned sessions of `clinician` (all when nil), newest first.
    public func unfinishedSessions(clinician: String?) throws -> [SessionSummary] {
        try link.serverRows(Self.summarySelect + """
            WHERE s.signed_at IS NULL AND ($1::text IS NULL OR s.clinician = $1::text)
            ORDER BY s.started_at COLLATE "C" DESC, s.id DESC
            """, [clinician]).map(AppDatabase.summary(row:))
    }

    /// The patient's most recent signed session started before `sessionID` (or at all).
    public func previousSession(patientID: Int64, before sessionID: Int64?) throws -> NeedlingSession? {
        try link.transaction {
            let id = try link.value("""
                SELECT id FROM sessions WHERE patient_id = $1 AND signed_at IS NOT NULL AND ($2::bigint IS NULL OR id <> $2::bigint)
                  AND ($2::bigint IS NULL OR started_at COLLATE "C" <= (SELECT started_at FROM sessions WHERE id = $2::bigint))
                ORDER BY started_at COLLATE "C" DESC, id DESC LIMIT 1
                """, [patientID, sessionID], as: Int64.self)
            return try id.flatMap { try loadSession(id: $0) }
        }
    }

    /// This patient's last treatment of each muscle before session `sessionID`, newest first
    /// (as `AppDatabase.lastTreatments`: the newest point per region and muscle).
    public func lastTreatments(patientID: Int64, before sessionID: Int64) throws -> [TriggerPointEntry] {
        let rows = try link.rows("""
            SELECT \(AppDatabase.entryColumns) FROM sessions s JOIN entries e ON e.session_id = s.id
            WHERE s.patient_id = $1 AND s.signed_at IS NOT NULL AND s.id <> $2
              AND s.started_at COLLATE "C" <= (SELECT started_at FROM sessions WHERE id = $2)
            ORDER BY s.started_at COLLATE "C" DESC, s.id DESC, e.position DESC
            """, [patientID, sessionID])
        var seen = Set<String>()
        var out: [TriggerPointEntry] = []
        for row in rows {
            let e = try AppDatabase.entry(row: row)
            if seen.insert(e.regionID + "\u{1F}" + e.muscle).inserted { out.append(e) }
        }
        return out
    }

    /// For each of `patientIDs`, when their last session began and who has one unsigned: one
    /// statement (`sessionMarksSQL`), where SQLite's two in a transaction took four round trips
    /// on the Patients screen's every list.
    public func sessionMarks(patientIDs: [Int64]) throws -> [Int64: PatientSessionMark] {
        guard !patientIDs.isEmpty else { return [:] }
        var marks: [Int64: PatientSessionMark] = [:]
        for row in try link.serverRows(Self.sessionMarksSQL, [Self.bigintArray(patientIDs)]) {
            let unsigned: String? = row[3]
            let names = try unsigned.map { try JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
            marks[row[0]] = PatientSessionMark(lastStartedAt: try AppDatabase.time(row[1]), unsignedBy: names,
                                               oldestUnsignedAt: try AppDatabase.time(row[2]))
        }
        return marks
    }

    /// The patients' ($1, an array of ids) last start, oldest unsigned start and the accounts
    /// with an unsigned session (a JSON array, in byte order as SQLite's BINARY sorts them).
    static let sessionMarksSQL = """
        SELECT patient_id, max(started_at COLLATE "C"), min(CASE WHEN signed_at IS NULL THEN started_at END COLLATE "C"),
               json_agg(DISTINCT clinician COLLATE "C" ORDER BY clinician COLLATE "C") FILTER (WHERE signed_at IS NULL)::text
        FROM sessions WHERE patient_id = ANY($1::bigint[]) GROUP BY patient_id
        """

    /// How many entries of a patient's ($1) sessions fall in each region. The sessions' ids as an
    /// array, so the entries are read through their index: written as a join, the planner hashed
    /// the patient's sessions and scanned every entry of the clinic (12.9 ms at 60,000 entries,
    /// 0.8 ms so; EXPLAIN ANALYZE at scale 0.02).
    public static let regionCountsSQL = """
        SELECT e.region_id, count(*) AS n FROM entries e
        WHERE e.session_id = ANY(ARRAY(SELECT id FROM sessions WHERE patient_id = $1)) GROUP BY e.region_id
        """

    /// How many entries of the patient's sessions fall in each region.
    public func regionCounts(patientID: Int64) throws -> [String: Int] {
        let rows = try link.serverRows(Self.regionCountsSQL, [patientID])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as Int) })
    }

    // MARK: - Writing

    /// Starts a session in screening, carrying the last session's screening and condition forward.
    public func startSession(patientID: Int64, clinician requested: String) throws -> NeedlingSession {
        let clinician = identity(requested)
        let previous = try previousSession(patientID: patientID, before: nil)
        var s = NeedlingSession(patientID: patientID, clinician: clinician, startedAt: environment.now())
        if let previous {
            s.screening = ScreeningPolicy.carriedForward(previous.screening)
            s.condition = previous.condition
        }
        return try link.transaction {
            guard try link.value("SELECT count(*) FROM patients WHERE id = $1", [patientID], as: Int.self) == 1 else {
                throw StoreError(.notFound, "That patient no longer exists.")
            }
            s.id = try insertSession(patientID: patientID, clinician: clinician, startedAt: Timestamp.iso(s.startedAt), at: now)
            s.version = try writeHeader(s, updatedAt: now, by: clinician)
            try audit(at: now, actor: clinician, action: .create, entity: "session", entityID: String(s.id), detail: "patient \(patientID)")
            return s
        }
    }

    private func insertSession(patientID: Int64, clinician: String, startedAt: String, at: String) throws -> Int64 {
        try link.value("""
            INSERT INTO sessions(patient_id, clinician, started_at, state, updated_at) VALUES ($1, $2, $3, 'screening', $4) RETURNING id
            """, [patientID, clinician, startedAt, at], as: Int64.self) ?? 0
    }

    /// Saves a draft's details; a stale version is refused and nothing is overwritten.
    @discardableResult
    public func saveSessionDetails(_ session: NeedlingSession, by actor: String) throws -> Int {
        guard session.signature == nil else { throw SessionError.signed }
        return try link.transaction {
            // The row lock makes the version check and the write one step against another clinician's save.
            guard let stored = try loadSession(id: session.id, forUpdate: true) else { throw StoreError(.notFound, "Session \(session.id) does not exist.") }
            if stored.signature != nil { throw SessionError.signed }
            try requireCurrent(session.id, version: session.version)
            let (s, changes) = try AppDatabase.recordingDecisions(session, stored: stored, by: actor, at: now, catalogue: catalogue)
            let version = try writeHeader(s, updatedAt: now, by: actor, basedOn: session.version)
            // Consent records the form it was given to (SPEC §9), in this same save.
            let form = try recordConsentForm(sessionID: s.id, obtained: s.consent.obtained, wasObtained: stored.consent.obtained, by: actor)
            var detail = "state \(s.state.rawValue)" + (form.map { "; consent to form version \($0.version)" } ?? "")
            for c in changes { detail += "; screening change: \(c.itemID) \(c.before) → \(c.after): \(Sanitizer.line(c.reason))" }
            if let reason = s.notTreatedReason, stored.notTreatedReason == nil { detail += "; not treated: \(Sanitizer.line(reason))" }
            try audit(at: now, actor: actor, action: .change, entity: "session", entityID: String(session.id), detail: detail)
            return version
        }
    }

    /// Refuses a save or signing based on `version` when the stored draft has moved on.
    private func requireCurrent(_ id: Int64, version: Int) throws {
        guard let row = try link.row("SELECT version, updated_by, updated_at FROM sessions WHERE id = $1", [id]) else {
            throw StoreError(.notFound, "Session \(id) does not exist.")
        }
        let stored: Int = row[0]
        guard stored != version else { return }
        let who = Sanitizer.line(row[1] as String? ?? "")
        let when = (row[2] as String?).flatMap(Timestamp.parse).map { Timestamp.time($0, in: environment.timeZone) } ?? "just now"
        throw StoreError(.staleDraft, "\(who.isEmpty ? "Someone else" : who) changed this draft at \(when); theirs is shown, nothing overwritten.")
    }

    func requireUnsigned(_ id: Int64) throws {
        guard let row = try link.row("SELECT signed_at FROM sessions WHERE id = $1 FOR UPDATE", [id]) else {
            throw StoreError(.notFound, "Session \(id) does not exist.")
        }
        if (row[0] as String?) != nil { throw SessionError.signed }
    }

    /// Writes the session's header and moves its version on (only from `basedOn`, when given).
    @discardableResult
    func writeHeader(_ s: NeedlingSession, updatedAt: String, by actor: String, basedOn: Int? = nil) throws -> Int {
        let arguments = AppDatabase.headerValues(s, updatedAt: updatedAt, by: actor) + [s.id, basedOn]
        let version = try link.value("""
            UPDATE sessions SET state = $1, condition_id = $2, condition_text = $3, onset = $4, screening = $5,
                consent_obtained = $6, consent_at = $7, consent_explained = $8, consent_obtained_by = $9, nprs_before = $10,
                needles_removed = $11, needle_brand = $12, needle_lot = $13, nprs_after = $14, adverse_events = $15,
                aftercare = $16, aftercare_note = $17, combined_treatments = $18, next_visit = $19, sessions_planned = $20,
                plan_note = $21, not_treated_reason = $22, screening_changes = $23, severe_or_widespread = $24, updated_at = $25,
                updated_by = $26, version = version + 1
            WHERE id = $27 AND ($28::bigint IS NULL OR version = $28::bigint)
            RETURNING version
            """, arguments, as: Int.self)
        guard let version else { throw StoreError(.notFound, "Session \(s.id) does not exist.") }
        return version
    }

    /// Saves one charted entry durably (idempotent by the entry's id).
    public func saveEntry(_ entry: TriggerPointEntry, sessionID: Int64, by actor: String) throws {
        let e = AppDatabase.cleaned(entry)
        try link.transaction {
            try requireUnsigned(sessionID)
            try requireNotBlocked(sessionID, regionID: e.regionID)
            try PostgresEpisode(store: self, at: now).requireReferralRules(sessionID: sessionID)
            let existing = try link.row("SELECT session_id, position FROM entries WHERE id = $1", [e.id])
            if let existing, (existing[0] as Int64) != sessionID {
                throw StoreError(.duplicate, "That entry belongs to another session.")
            }
            let position: Int64 = try existing?[1]
                ?? (link.value("SELECT coalesce(max(position), 0) + 1 FROM entries WHERE session_id = $1", [sessionID], as: Int64.self) ?? 1)
            try insertEntry(e, sessionID: sessionID, position: position, upsert: true)
            try audit(at: now, actor: actor, action: existing == nil ? .create : .change, entity: "entry", entityID: e.id,
                      detail: "session \(sessionID): \(e.regionID) / \(e.muscle) \(e.side.letter) x\(e.needleCount)")
        }
    }

    private func requireNotBlocked(_ id: Int64, regionID: String) throws {
        let text = try link.value("SELECT screening FROM sessions WHERE id = $1", [id], as: String.self)
        let answers = try JSONColumn.decode([ScreeningAnswer].self, text)
        let reasons = answers.filter { $0.present && $0.regions.contains(regionID) }.map(\.itemID)
        if !reasons.isEmpty {
            throw SessionError.invalid([ValidationIssue("Region", "may not be needled this session (screening: \(reasons.joined(separator: ", ")))")])
        }
    }

    /// Writes one entry row (its text already cleaned): the one column list of entries.
    func insertEntry(_ e: TriggerPointEntry, sessionID: Int64, position: Int64, upsert: Bool) throws {
        try link.execute(AppDatabase.entryInsertSQL(upsert: upsert) { "$\($0)" },
                         AppDatabase.entryInsertArguments(e, sessionID: sessionID, position: position))
    }

    /// Removes a charted entry (until signing).
    public func deleteEntry(id: String, sessionID: Int64, by actor: String) throws {
        try link.transaction {
            try requireUnsigned(sessionID)
            if try link.execute("DELETE FROM entries WHERE id = $1 AND session_id = $2", [id, sessionID]) > 0 {
                try audit(at: now, actor: actor, action: .delete, entity: "entry", entityID: id, detail: "session \(sessionID)")
            }
        }
    }

    /// Signs the session as stored and freezes its note. On a clinician's connection the
    /// signature is the authenticated role's, with the name and credentials recorded for it, at
    /// the server's time (the server refuses any other name, line or time, and anyone but the
    /// session's own clinician).
    @discardableResult
    public func sign(sessionID: Int64, by signer: Clinician, catalogue: Catalogue, version: Int?) throws -> NeedlingSession {
        var clinician = Clinician(username: identity(Sanitizer.line(signer.username)), displayName: Sanitizer.line(signer.displayName),
                                  credentials: Sanitizer.line(signer.credentials))
        return try link.transaction {
            guard var s = try loadSession(id: sessionID, forUpdate: true) else { throw StoreError(.notFound, "Session \(sessionID) does not exist.") }
            if let version, s.signature == nil { try requireCurrent(sessionID, version: version) }
            var at = Timestamp.parse(now) ?? environment.now()
            if !isAdmin {
                if s.signature == nil, s.clinician != role {
                    throw SessionError.wrongState(s.state, "only \(Sanitizer.line(s.clinician)), whose session this is, can sign it")
                }
                if let recorded = try self.clinician(role) { clinician = recorded }
                guard let server = try link.value("SELECT needlechart_now()", as: String.self).flatMap(Timestamp.parse) else {
                    throw StoreError(.other, "The server did not give its time for the signature; nothing was signed.")
                }
                at = server
            }
            try s.sign(by: clinician, at: at, catalogue: catalogue, needleLots: try needleLots(sessionID: sessionID))
            // Regulated practice (SPEC §9), as on SQLite: the signer's credentials against the
            // clinic's rules, then the credentials, coding and procedure code kept as signed.
            let regulated = try signingRegulated(s, signer: clinician.username)
            try link.execute("""
                UPDATE sessions SET state = 'signed', signed_by = $1, signature_line = $2, signed_at = $3, signed_snapshot = $4, updated_at = $5,
                    coding_system = $6, procedure_code = $7, signer_credentials = $8
                WHERE id = $9 AND signed_at IS NULL
                """, [clinician.username, clinician.signatureLine, Timestamp.iso(at), AppDatabase.snapshot(s), now,
                      regulated.coding, regulated.code, regulated.credentials, sessionID])
            try freeze(sessionID: sessionID, catalogue: catalogue, at: now, actor: clinician.username, action: .sign,
                       summary: "\(s.entries.count) points, \(s.needlesInserted) needles")
            return s
        }
    }

    /// Freezes a signed session's note as it renders now and binds it to the audit chain, as
    /// `Evidence.freeze` does on SQLite: the same document, data hash, note hash and detail.
    @discardableResult
    func freeze(sessionID: Int64, catalogue: Catalogue, at: String, actor: String, action: AuditAction, summary: String) throws -> SignedNote {
        guard let record = try sessionRecord(id: sessionID, frozen: false) else { throw StoreError(.notFound, "Session \(sessionID) does not exist.") }
        let context = ExportContext(clinicName: try clinicName(), catalogue: catalogue, timeZone: try clinicTimeZone())
        let document = SignedDocument.freeze(record, context: context)
        let text = document.canonicalText
        let sha = Evidence.hex(Data(text.utf8))
        let data = try dataHash(sessionID: sessionID)
        let noteText = TextExport.signedBody(document.note)
        let seal = try audit(at: at, actor: actor, action: action, entity: "session", entityID: String(sessionID),
                             detail: "\(summary); \(Evidence.tagged("document", sha)); \(Evidence.tagged(Evidence.dataTag(Self.dataVersion), data)); \(Evidence.tagged("note", Evidence.hex(Data(noteText.utf8))))")
        try link.execute("INSERT INTO signed_documents(session_id, document, sha256, seal, note_text) VALUES ($1, $2, $3, $4, $5)",
                         [sessionID, text, sha, seal, noteText])
        return SignedNote(document: document, sha256: sha, seal: seal, noteText: noteText)
    }

    /// The data-hash version signings on PostgreSQL bind: SQLite's own.
    static let dataVersion = 5

    /// `Evidence.dataHash` over the server's rows: the same columns, values and storage classes.
    func dataHash(sessionID: Int64) throws -> String {
        guard let row = try link.row(Self.postgres(Evidence.sessionSQL4), [sessionID]) else { return "" }
        var c = Evidence.Canonical("session-data-v\(Self.dataVersion)")
        for v in row.databaseValues { c.add(v) }
        for e in try link.rows(Self.postgres(Evidence.entriesSQL5), [sessionID]) {
            c.add("entry")
            for v in e.databaseValues { c.add(v) }
        }
        for l in try link.rows(Self.postgres(Evidence.lotsSQL3), [sessionID]) {
            c.add("needle-lot")
            for v in l.databaseValues { c.add(v) }
        }
        return c.hash
    }

    /// A query written for SQLite with one `?`, for the server: `$1`, text ordered byte-wise.
    static func postgres(_ sql: String) -> String {
        sql.replacingOccurrences(of: "?", with: "$1")
            .replacingOccurrences(of: "e.recorded_at, e.id", with: "e.recorded_at COLLATE \"C\", e.id COLLATE \"C\"")
            .replacingOccurrences(of: "ORDER BY diameter_hundredths, length_mm, lot", with: "ORDER BY diameter_hundredths, length_mm, lot COLLATE \"C\"")
    }

    /// Adds an addendum to a signed session.
    @discardableResult
    public func addAddendum(sessionID: Int64, text: String, adverseEvent: AdverseEvent?, by actor: String) throws -> Addendum {
        let clean = Sanitizer.multiline(text).trimmingCharacters(in: .whitespacesAndNewlines)
        var issues = Validation.addendum(clean)
        if let event = adverseEvent { issues += Validation.closeOut(CloseOut(adverseEvents: [event]), catalogue: catalogue) }
        if !issues.isEmpty { throw ValidationError(issues) }
        var event = adverseEvent
        if event != nil, event?.onset == nil { event?.onset = .later }
        let addendum = Addendum(id: environment.newID(), author: identity(actor), at: Timestamp.parse(now) ?? environment.now(), text: clean,
                                adverseEvent: event)
        return try link.transaction {
            guard let row = try link.row("SELECT signed_at FROM sessions WHERE id = $1", [sessionID]) else {
                throw StoreError(.notFound, "Session \(sessionID) does not exist.")
            }
            guard (row[0] as String?) != nil else {
                throw SessionError.wrongState(.charting, "addenda are for signed sessions; edit the session directly")
            }
            try insertAddendum(addendum, sessionID: sessionID, at: now, detail: "addendum \(addendum.id)")
            return addendum
        }
    }

    /// Stores an addendum (its text already clean) with the audit row that binds its hash.
    func insertAddendum(_ a: Addendum, sessionID: Int64, at: String, detail: String) throws {
        let event = a.adverseEvent.map { e -> String in
            var e = e; e.note = Sanitizer.multiline(e.note); return JSONColumn.encode(e)
        }
        try link.execute("INSERT INTO addenda(id, session_id, author, at, text, adverse_event) VALUES ($1, $2, $3, $4, $5, $6)",
                         [a.id, sessionID, a.author, Timestamp.iso(a.at), a.text, event])
        guard let row = try link.row(Evidence.addendumSQL + " WHERE id = $1", [a.id]) else {
            throw StoreError(.notFound, "The addendum was not stored.")
        }
        try audit(at: at, actor: a.author, action: .addendum, entity: "session", entityID: String(sessionID),
                  detail: "\(detail); \(Evidence.tagged(Evidence.addendumTag(2), Evidence.addendumHash(row)))")
    }
}
