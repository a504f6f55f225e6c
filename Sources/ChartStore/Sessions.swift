import ChartCore
import Foundation
import GRDB

/// One line of a patient's history.
public struct SessionSummary: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var patientID: Int64
    public var clinician: String
    public var startedAt: Date
    public var state: SessionState
    public var condition: PresentingCondition
    public var points: Int
    public var needles: Int
    public var nprsBefore: Int?
    public var nprsAfter: Int?
    public var addenda: Int
    /// A serious adverse event is recorded, at close-out or as a late event on an addendum.
    public var seriousEvent: Bool = false
    /// Closed without needling.
    public var notTreated: Bool = false
}

// MARK: - Reading

extension AppDatabase {
    /// The whole session with its entries and addenda.
    public func session(id: Int64) throws -> NeedlingSession? {
        try read { db in try Self.loadSession(db, id: id) }
    }

    static func time(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let d = Timestamp.parse(text) else { throw StoreError(.notADatabase, "A stored time is not readable (\(text)). Run 'needlechart check'.") }
        return d
    }

    /// The session columns `session(row:)` reads, in its order (table alias `s`).
    public static let sessionColumns = """
        s.id, s.patient_id, s.clinician, s.started_at, s.state, s.condition_id, s.condition_text, s.onset, s.screening, \
        s.consent_obtained, s.consent_at, s.consent_explained, s.nprs_before, s.needles_removed, s.needle_brand, s.needle_lot, \
        s.nprs_after, s.adverse_events, s.aftercare, s.aftercare_note, s.combined_treatments, s.next_visit, s.sessions_planned, \
        s.plan_note, s.signed_by, s.signature_line, s.signed_at, s.version, s.not_treated_reason, s.screening_changes,
        s.consent_obtained_by, s.severe_or_widespread
        """
    /// How many columns `sessionColumns` names (a query may add more after them).
    static let sessionColumnCount = sessionColumns.split(separator: ",").count
    /// The entry columns `entry(row:)` reads, in its order (table alias `e`).
    public static let entryColumns = """
        e.id, e.region_id, e.muscle, e.side, e.needle_count, e.diameter_hundredths, e.length_mm, e.depth, e.depth_mm, \
        e.technique, e.technique_minutes, e.frequency_hz, e.twitch_count, e.twitch_strength, e.sensations, e.referred_to, \
        e.pain_during, e.note, e.recorded_at, e.confirmed_warnings, e.warnings_confirmed_at, e.copied_from, e.twitch_assessed
        """
    /// How many columns `entryColumns` names (a query may add more after them).
    static let entryColumnCount = 23
    /// The addendum columns `addendum(row:)` reads, in its order (table alias `a`).
    public static let addendumColumns = "a.id, a.author, a.at, a.text, a.adverse_event"

    /// The queries of one session, shared with the benchmark's raw floor so both read the same columns.
    public static let sessionByIDSQL = "SELECT \(sessionColumns) FROM sessions s WHERE s.id = ?"
    public static let entriesBySessionSQL = "SELECT \(entryColumns) FROM entries e WHERE e.session_id = ? ORDER BY e.position, e.recorded_at, e.id"
    public static let addendaBySessionSQL = "SELECT \(addendumColumns) FROM addenda a WHERE a.session_id = ? ORDER BY a.at, a.rowid"

    /// Which columns a read may use: all of today's, or only the first release's — for a
    /// migration that reads sessions before later migrations have added their columns.
    enum Columns { case current, firstRelease }

    static func loadSession(_ db: Database, id: Int64, columns: Columns = .current) throws -> NeedlingSession? {
        let (sessionSQL, entriesSQL, addendaSQL) = switch columns {
        case .current: (sessionByIDSQL, entriesBySessionSQL, addendaBySessionSQL)
        case .firstRelease: (firstRelease(sessionByIDSQL, sessionColumns, 27), firstRelease(entriesBySessionSQL, entryColumns, 19),
                             firstRelease(addendaBySessionSQL, addendumColumns, 4))
        }
        guard var s = try first(db.cachedStatement(sql: sessionSQL), [id], session(row:)) else { return nil }
        s.entries = try all(db.cachedStatement(sql: entriesSQL), [id], entry(row:))
        s.addenda = try all(db.cachedStatement(sql: addendaSQL), [id], addendum(row:))
        return s
    }

    /// The first row of `statement` decoded in place by `decode`, stepped through the SQLite C
    /// API (`Statement.firstStepped`: a GRDB cursor copies nothing, but builds a table of the
    /// statement's column names each time it is made, most of a small read's cost).
    static func first<T>(_ statement: Statement, _ arguments: StatementArguments, _ decode: (SteppedRow) throws -> T) throws -> T? {
        try statement.firstStepped(arguments, decode)
    }

    /// Every row of `statement` decoded in place by `decode`, stepped as `first` steps.
    static func all<T>(_ statement: Statement, _ arguments: StatementArguments, _ decode: (SteppedRow) throws -> T) throws -> [T] {
        var out: [T] = []
        try statement.forEachStepped(arguments) { out.append(try decode($0)) }
        return out
    }

    /// `sql` reading only the first `count` of `columns` (the first release's; the rest default).
    private static func firstRelease(_ sql: String, _ columns: String, _ count: Int) -> String {
        let kept = columns.split(separator: ",").prefix(count).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return sql.replacingOccurrences(of: columns, with: kept.joined(separator: ", "))
    }

    static func addendum(row r: some ColumnValues) throws -> Addendum {
        let event: String? = r.count > 4 ? r[4] : nil
        return Addendum(id: r[0], author: r[1], at: try time(r[2]) ?? Date(timeIntervalSince1970: 0), text: r[3],
                        adverseEvent: try event.map { try JSONColumn.decode(AdverseEvent.self, $0) })
    }

    /// A session from a row of `sessionColumns` (its entries and addenda empty).
    static func session(row: some ColumnValues) throws -> NeedlingSession {
        guard let state = SessionState(rawValue: row[4]) else { throw StoreError(.notADatabase, "A session has an unknown state. Run 'needlechart check'.") }
        let onset: String? = row[7]
        var signature: Signature?
        if let by: String = row[24], let at = try time(row[26]) {
            signature = Signature(by: by, signatureLine: row[25] ?? by, at: at)
        }
        let next: String? = row[21]
        var s = NeedlingSession(
            id: row[0], patientID: row[1], clinician: row[2],
            startedAt: try time(row[3]) ?? Date(timeIntervalSince1970: 0), state: state,
            condition: PresentingCondition(catalogueID: row[5], text: row[6], onset: onset.flatMap(PresentingCondition.Onset.init(rawValue:))),
            screening: try JSONColumn.decode([ScreeningAnswer].self, row[8]),
            consent: Consent(obtained: row[9], at: try time(row[10]), explained: try JSONColumn.decode([String].self, row[11])),
            nprsBefore: row[12],
            closeOut: CloseOut(
                needlesRemoved: row[13], needleBrand: row[14], needleLot: row[15],
                nprsAfter: row[16], adverseEvents: try JSONColumn.decode([AdverseEvent].self, row[17]),
                aftercare: try JSONColumn.decode([String].self, row[18]), aftercareNote: row[19],
                combinedTreatments: try JSONColumn.decode([String].self, row[20]),
                plan: CarePlan(nextVisit: next.flatMap(CalendarDate.init(iso:)), sessionsPlanned: row[22], note: row[23])),
            signature: signature)
        // Columns added after the first release: absent when a migration reads the first release's.
        guard row.count > 27 else { return s }
        s.version = row[27]
        s.notTreatedReason = row[28]
        s.screeningChanges = try JSONColumn.decode([ScreeningChange].self, row[29])
        s.consent.obtainedBy = row[30]
        s.condition.severeOrWidespread = row[31]
        return s
    }

    /// An entry from a row of `entryColumns`.
    static func entry(row: some ColumnValues) throws -> TriggerPointEntry {
        guard let side = Side(rawValue: row[3]), let depth = NeedleDepth(rawValue: row[7]),
              let kind = TechniqueKind(rawValue: row[9]) else {
            throw StoreError(.notADatabase, "A charted entry has an unknown value. Run 'needlechart check'.")
        }
        let strength: String? = row[13]
        let later = row.count > 19
        // v16: whether the twitch response was assessed (a first-release read has it assessed).
        let assessed: Bool = row.count > 22 ? row[22] : true
        return TriggerPointEntry(
            id: row[0], regionID: row[1], muscle: row[2], side: side, needleCount: row[4],
            diameter: NeedleDiameter(hundredths: row[5]), lengthMM: row[6], depth: depth,
            depthMM: row[8], technique: Technique(kind: kind, minutes: row[10], frequencyHz: row[11]),
            twitch: TwitchResponse(count: row[12], strength: strength.flatMap(TwitchStrength.init(rawValue:)), assessed: assessed),
            sensations: try JSONColumn.decode([String].self, row[14]), referredTo: row[15],
            painDuring: row[16], note: row[17], recordedAt: try time(row[18]) ?? Date(timeIntervalSince1970: 0),
            confirmedWarnings: later ? try JSONColumn.decode([String].self, row[19]) : [], warningsConfirmedAt: later ? try time(row[20]) : nil,
            copiedFrom: later ? row[21] : nil)
    }

    /// A patient's sessions, newest first.
    public func sessions(patientID: Int64) throws -> [SessionSummary] {
        try read { db in
            try Self.all(db.cachedStatement(sql: Self.summarySelect + """
                WHERE s.patient_id = ? ORDER BY s.started_at DESC, s.id DESC
                """), [patientID], Self.summary(row:))
        }
    }

    /// The columns `summary(row:)` reads, in its order; callers add WHERE and ORDER BY.
    static let summarySelect = """
        SELECT s.id, s.patient_id, s.clinician, s.started_at, s.state, s.condition_id, s.condition_text, s.onset,
               s.nprs_before, s.nprs_after,
               (SELECT count(*) FROM entries e WHERE e.session_id = s.id) AS points,
               (SELECT coalesce(sum(needle_count), 0) FROM entries e WHERE e.session_id = s.id) AS needles,
               (SELECT count(*) FROM addenda a WHERE a.session_id = s.id) AS addenda,
               (s.adverse_events LIKE '%"severity":"serious"%' OR EXISTS (SELECT 1 FROM addenda a WHERE a.session_id = s.id
                    AND a.adverse_event LIKE '%"severity":"serious"%')) AS serious,
               s.not_treated_reason IS NOT NULL AS not_treated, s.severe_or_widespread
        FROM sessions s

        """

    static func summary(row: some ColumnValues) throws -> SessionSummary {
        // Columns by position: id, patient_id, clinician, started_at, state, condition_id,
        // condition_text, onset, nprs_before, nprs_after, points, needles, addenda.
        let onset: String? = row[7]
        var summary = SessionSummary(
            id: row[0], patientID: row[1], clinician: row[2],
            startedAt: try time(row[3]) ?? Date(timeIntervalSince1970: 0),
            state: SessionState(rawValue: row[4]) ?? .screening,
            condition: PresentingCondition(catalogueID: row[5], text: row[6], onset: onset.flatMap(PresentingCondition.Onset.init(rawValue:))),
            points: row[10], needles: row[11], nprsBefore: row[8], nprsAfter: row[9], addenda: row[12],
            seriousEvent: row[13], notTreated: row[14])
        summary.condition.severeOrWidespread = row[15]
        return summary
    }

    /// For each of `patientIDs`, when their last session began and who has one unsigned: two
    /// grouped queries over the sessions' patient index (the Patients list asks for the rows it
    /// shows). PostgreSQL's store asks the same in one statement (`sessionMarksSQL`).
    public func sessionMarks(patientIDs ids: [Int64]) throws -> [Int64: PatientSessionMark] {
        guard !ids.isEmpty else { return [:] }
        let list = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        return try read { db in
            var marks: [Int64: PatientSessionMark] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT patient_id, max(started_at), min(CASE WHEN signed_at IS NULL THEN started_at END)
                FROM sessions WHERE patient_id IN (\(list)) GROUP BY patient_id
                """), arguments: StatementArguments(ids)) {
                marks[row[0]] = PatientSessionMark(lastStartedAt: try Self.time(row[1]), oldestUnsignedAt: try Self.time(row[2]))
            }
            guard marks.values.contains(where: { $0.oldestUnsignedAt != nil }) else { return marks }
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT DISTINCT patient_id, clinician FROM sessions WHERE signed_at IS NULL AND patient_id IN (\(list))
                ORDER BY patient_id, clinician
                """), arguments: StatementArguments(ids)) {
                marks[row[0] as Int64]?.unsignedBy.append(row[1])
            }
            return marks
        }
    }

    /// Unsigned sessions of `clinician` (all clinicians when nil), newest first: offered for resumption.
    public func unfinishedSessions(clinician: String? = nil) throws -> [SessionSummary] {
        try read { db in
            try Row.fetchAll(db, sql: Self.summarySelect + """
                WHERE s.signed_at IS NULL AND (?1 IS NULL OR s.clinician = ?1)
                ORDER BY s.started_at DESC, s.id DESC
                """, arguments: [clinician]).map(Self.summary(row:))
        }
    }

    /// The patient's most recent signed session started before `sessionID` (or at all), with its
    /// entries. Only signed sessions count: an abandoned draft or a colleague's session in progress is
    /// never carried forward or copied.
    public func previousSession(patientID: Int64, before sessionID: Int64? = nil) throws -> NeedlingSession? {
        try read { db in
            let id = try Int64.fetchOne(db, sql: """
                SELECT id FROM sessions WHERE patient_id = ? AND signed_at IS NOT NULL AND (? IS NULL OR id <> ?)
                  AND (? IS NULL OR started_at <= (SELECT started_at FROM sessions WHERE id = ?))
                ORDER BY started_at DESC, id DESC LIMIT 1
                """, arguments: [patientID, sessionID, sessionID, sessionID, sessionID])
            return try id.flatMap { try Self.loadSession(db, id: $0) }
        }
    }
}

// MARK: - Writing

extension AppDatabase {
    /// Starts a session for the patient, in screening, with the last session's screening answers
    /// and condition carried forward.
    public func startSession(patientID: Int64, clinician: String) throws -> NeedlingSession {
        let previous = try previousSession(patientID: patientID)
        var s = NeedlingSession(patientID: patientID, clinician: clinician, startedAt: environment.now())
        if let previous {
            s.screening = ScreeningPolicy.carriedForward(previous.screening)
            s.condition = previous.condition
        }
        return try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM patients WHERE id = ?", arguments: [patientID]) == true else {
                throw StoreError(.notFound, "That patient no longer exists.")
            }
            try db.execute(sql: "INSERT INTO sessions(patient_id, clinician, started_at, state, updated_at) VALUES (?, ?, ?, 'screening', ?)",
                           arguments: [patientID, clinician, Timestamp.iso(s.startedAt), now])
            s.id = db.lastInsertedRowID
            s.version = try Self.writeHeader(db, s, updatedAt: now, by: clinician)
            try Audit.append(db, at: now, actor: clinician, action: .create, entity: "session", entityID: String(s.id), detail: "patient \(patientID)")
            return s
        }
    }

    /// Saves everything of the session but its entries and addenda (state, screening, consent,
    /// condition, NPRS, close-out). Refused for a signed session, and for a copy older than the
    /// stored draft (`session.version`): someone else saved it since, and nothing is overwritten.
    /// Returns the draft's new version.
    @discardableResult
    public func saveSessionDetails(_ session: NeedlingSession, by actor: String) throws -> Int {
        guard session.signature == nil else { throw SessionError.signed }
        return try write { db in
            try Self.requireUnsigned(db, session.id)
            try Self.requireCurrent(db, session.id, version: session.version, zone: environment.timeZone)
            guard let stored = try Self.loadSession(db, id: session.id) else { throw StoreError(.notFound, "Session \(session.id) does not exist.") }
            let (s, changes) = try Self.recordingDecisions(session, stored: stored, by: actor, at: now, catalogue: catalogue)
            let version = try Self.writeHeader(db, s, updatedAt: now, by: actor, basedOn: session.version)
            // Consent records the form it was given to (SPEC §9), in this same save.
            let form = try Self.recordConsentForm(db, sessionID: s.id, obtained: s.consent.obtained, wasObtained: stored.consent.obtained,
                                                  by: actor, at: now)
            var detail = "state \(s.state.rawValue)" + (form.map { "; consent to form version \($0.version)" } ?? "")
            for c in changes { detail += "; screening change: \(c.itemID) \(c.before) → \(c.after): \(Sanitizer.line(c.reason))" }
            if let reason = s.notTreatedReason, stored.notTreatedReason == nil { detail += "; not treated: \(Sanitizer.line(reason))" }
            try Audit.append(db, at: now, actor: actor, action: .change, entity: "session", entityID: String(session.id), detail: detail)
            return version
        }
    }

    /// The session as it is to be stored, with what the clinician decided stamped with who and
    /// when: a precaution's acknowledgement (kept as first given), and each new screening change.
    /// Refuses an answer change that lifts a block without a reason for it. Returns the session
    /// and the new screening changes.
    static func recordingDecisions(_ session: NeedlingSession, stored: NeedlingSession, by actor: String, at: String,
                                   catalogue: Catalogue) throws -> (NeedlingSession, [ScreeningChange]) {
        var s = session
        let when = Timestamp.parse(at) ?? Date()
        let before = Dictionary(stored.screening.map { ($0.itemID, $0) }, uniquingKeysWith: { _, last in last })
        for i in s.screening.indices {
            if s.screening[i].acknowledged {
                if let old = before[s.screening[i].itemID], old.acknowledged, let by = old.acknowledgedBy {
                    s.screening[i].acknowledgedBy = by; s.screening[i].acknowledgedAt = old.acknowledgedAt
                } else {
                    s.screening[i].acknowledgedBy = actor; s.screening[i].acknowledgedAt = when
                }
            } else {
                s.screening[i].acknowledgedBy = nil; s.screening[i].acknowledgedAt = nil
            }
        }
        // The changes recorded before stay as they were; the new ones are this save's.
        let kept = min(stored.screeningChanges.count, s.screeningChanges.count)
        var fresh = Array(s.screeningChanges.dropFirst(kept))
        for i in fresh.indices { fresh[i].by = actor; fresh[i].at = when }
        s.screeningChanges = Array(stored.screeningChanges.prefix(kept)) + fresh
        for lifted in ScreeningPolicy.unblocking(from: stored.screening, to: s.screening, catalogue: catalogue) {
            guard fresh.contains(where: { $0.itemID == lifted.itemID && !$0.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else {
                throw ValidationError([ValidationIssue(lifted.question, "was \(lifted.before) and blocked needling; say why it is now \(lifted.after)")])
            }
        }
        return (s, fresh)
    }

    /// Refuses a save or signing based on `version` when the stored draft has moved on, saying
    /// who changed it and when.
    static func requireCurrent(_ db: Database, _ id: Int64, version: Int, zone: TimeZone) throws {
        guard let row = try Row.fetchOne(db, sql: "SELECT version, updated_by, updated_at FROM sessions WHERE id = ?", arguments: [id]) else {
            throw StoreError(.notFound, "Session \(id) does not exist.")
        }
        let stored: Int = row[0]
        guard stored != version else { return }
        let who = Sanitizer.line(row[1] as String? ?? "")
        let when = (row[2] as String?).flatMap(Timestamp.parse).map { Timestamp.time($0, in: zone) } ?? "just now"
        // Short enough for an 80-column status line.
        throw StoreError(.staleDraft, "\(who.isEmpty ? "Someone else" : who) changed this draft at \(when); theirs is shown, nothing overwritten.")
    }

    static func requireUnsigned(_ db: Database, _ id: Int64) throws {
        guard let signed = try Row.fetchOne(db, sql: "SELECT signed_at FROM sessions WHERE id = ?", arguments: [id]) else {
            throw StoreError(.notFound, "Session \(id) does not exist.")
        }
        if (signed["signed_at"] as String?) != nil { throw SessionError.signed }
    }

    /// Refuses a point in a region that this session's screening closed (a site-specific answer
    /// naming it), whichever screen or script sends it.
    static func requireNotBlocked(_ db: Database, _ id: Int64, regionID: String) throws {
        let text = try String.fetchOne(db, sql: "SELECT screening FROM sessions WHERE id = ?", arguments: [id])
        let answers = try JSONColumn.decode([ScreeningAnswer].self, text)
        let reasons = answers.filter { $0.present && $0.regions.contains(regionID) }.map(\.itemID)
        if !reasons.isEmpty {
            throw SessionError.invalid([ValidationIssue("Region", "may not be needled this session (screening: \(reasons.joined(separator: ", ")))")])
        }
    }

    /// Writes the session's header and moves its version on; with `basedOn`, only when the stored
    /// version is that one. Returns the new version.
    @discardableResult
    static func writeHeader(_ db: Database, _ s: NeedlingSession, updatedAt: String, by actor: String, basedOn: Int? = nil) throws -> Int {
        try db.execute(sql: """
            UPDATE sessions SET state = ?, condition_id = ?, condition_text = ?, onset = ?, screening = ?,
                consent_obtained = ?, consent_at = ?, consent_explained = ?, consent_obtained_by = ?, nprs_before = ?,
                needles_removed = ?, needle_brand = ?, needle_lot = ?, nprs_after = ?, adverse_events = ?,
                aftercare = ?, aftercare_note = ?, combined_treatments = ?, next_visit = ?, sessions_planned = ?,
                plan_note = ?, not_treated_reason = ?, screening_changes = ?, severe_or_widespread = ?, updated_at = ?, updated_by = ?, version = version + 1
            WHERE id = ? AND (? IS NULL OR version = ?)
            """, arguments: StatementArguments(headerValues(s, updatedAt: updatedAt, by: actor) + [s.id, basedOn, basedOn]))
        guard db.changesCount == 1 else { throw StoreError(.notFound, "Session \(s.id) does not exist.") }
        return try Int.fetchOne(db, sql: "SELECT version FROM sessions WHERE id = ?", arguments: [s.id]) ?? 0
    }

    /// The session header's values as stored, text cleaned, in `writeHeader`'s column order
    /// (state … severe_or_widespread, updated_at, updated_by): the one list both backends write.
    static func headerValues(_ s: NeedlingSession, updatedAt: String, by actor: String) -> [(any DatabaseValueConvertible)?] {
        let c = s.closeOut
        return [
            s.state == .signed ? SessionState.closeOut.rawValue : s.state.rawValue,
            s.condition.catalogueID, Sanitizer.line(s.condition.text), s.condition.onset?.rawValue,
            JSONColumn.encode(s.screening.map(clean)), s.consent.obtained, s.consent.at.map(Timestamp.iso),
            JSONColumn.encode(s.consent.explained), s.consent.obtainedBy.map(Sanitizer.line), s.nprsBefore,
            c.needlesRemoved, Sanitizer.line(c.needleBrand), Sanitizer.line(c.needleLot), c.nprsAfter,
            JSONColumn.encode(c.adverseEvents.map { var e = $0; e.note = Sanitizer.multiline(e.note); return e }),
            JSONColumn.encode(c.aftercare), Sanitizer.multiline(c.aftercareNote), JSONColumn.encode(c.combinedTreatments),
            c.plan.nextVisit?.description, c.plan.sessionsPlanned, Sanitizer.multiline(c.plan.note),
            s.notTreatedReason.map(Sanitizer.multiline), JSONColumn.encode(s.screeningChanges.map(clean)), s.condition.severeOrWidespread,
            updatedAt, actor,
        ]
    }

    private static func clean(_ a: ScreeningAnswer) -> ScreeningAnswer {
        var a = a; a.note = Sanitizer.multiline(a.note); return a
    }

    private static func clean(_ c: ScreeningChange) -> ScreeningChange {
        var c = c; c.reason = Sanitizer.multiline(c.reason); c.by = Sanitizer.line(c.by); return c
    }

    /// Saves one charted entry durably. Idempotent: the entry's id decides whether it is new,
    /// so a retried save never duplicates it. Refused for a signed session.
    public func saveEntry(_ entry: TriggerPointEntry, sessionID: Int64, by actor: String) throws {
        let e = Self.cleaned(entry)
        try write { db in
            try Self.requireUnsigned(db, sessionID)
            try Self.requireNotBlocked(db, sessionID, regionID: e.regionID)
            try episode(db).requireReferralRules(sessionID: sessionID)
            let existing = try Row.fetchOne(db, sql: "SELECT session_id, position FROM entries WHERE id = ?", arguments: [e.id])
            if let existing, (existing["session_id"] as Int64) != sessionID {
                throw StoreError(.duplicate, "That entry belongs to another session.")
            }
            let position: Int64 = try existing?["position"]
                ?? (Int64.fetchOne(db, sql: "SELECT coalesce(max(position), 0) + 1 FROM entries WHERE session_id = ?", arguments: [sessionID]) ?? 1)
            try Self.insertEntry(db, e, sessionID: sessionID, position: position, upsert: true)
            try Audit.append(db, at: now, actor: actor, action: existing == nil ? .create : .change, entity: "entry", entityID: e.id,
                             detail: "session \(sessionID): \(e.regionID) / \(e.muscle) \(e.side.letter) x\(e.needleCount)")
        }
    }

    /// Writes one entry row, its text already cleaned. With `upsert`, an entry with the same id is
    /// updated in place (a retried save); without, the id must be new (an import).
    static func insertEntry(_ db: Database, _ e: TriggerPointEntry, sessionID: Int64, position: Int64, upsert: Bool) throws {
        try db.execute(sql: entryInsertSQL(upsert: upsert) { _ in "?" },
                       arguments: StatementArguments(entryInsertArguments(e, sessionID: sessionID, position: position)))
    }

    /// The one INSERT of an entry row, for both backends: `placeholder(n)` writes the n-th
    /// parameter (1-based) as the backend spells it ("?" here, "$n" on PostgreSQL).
    static func entryInsertSQL(upsert: Bool, placeholder: (Int) -> String) -> String {
        """
        INSERT INTO entries(id, session_id, position, region_id, muscle, side, needle_count, diameter_hundredths,
            length_mm, depth, depth_mm, technique, technique_minutes, frequency_hz, twitch_count, twitch_strength,
            sensations, referred_to, pain_during, note, recorded_at, confirmed_warnings, warnings_confirmed_at, copied_from,
            twitch_assessed)
        VALUES (\((1...25).map(placeholder).joined(separator: ", ")))
        """ + (upsert ? """

        ON CONFLICT(id) DO UPDATE SET region_id = excluded.region_id, muscle = excluded.muscle, side = excluded.side,
            needle_count = excluded.needle_count, diameter_hundredths = excluded.diameter_hundredths,
            length_mm = excluded.length_mm, depth = excluded.depth, depth_mm = excluded.depth_mm,
            technique = excluded.technique, technique_minutes = excluded.technique_minutes,
            frequency_hz = excluded.frequency_hz, twitch_count = excluded.twitch_count,
            twitch_strength = excluded.twitch_strength, sensations = excluded.sensations,
            referred_to = excluded.referred_to, pain_during = excluded.pain_during, note = excluded.note,
            confirmed_warnings = excluded.confirmed_warnings, warnings_confirmed_at = excluded.warnings_confirmed_at,
            copied_from = excluded.copied_from, twitch_assessed = excluded.twitch_assessed
        """ : "")
    }

    /// The values of `entryInsertSQL`, in its column order.
    static func entryInsertArguments(_ e: TriggerPointEntry, sessionID: Int64, position: Int64) -> [(any DatabaseValueConvertible)?] {
        [
            e.id, sessionID, position, e.regionID, e.muscle, e.side.rawValue, e.needleCount, e.diameter.hundredths,
            e.lengthMM, e.depth.rawValue, e.depthMM, e.technique.kind.rawValue, e.technique.minutes, e.technique.frequencyHz,
            e.twitch.count, e.twitch.strength?.rawValue, JSONColumn.encode(e.sensations), e.referredTo, e.painDuring,
            e.note, Timestamp.iso(e.recordedAt), JSONColumn.encode(e.confirmedWarnings.map(Sanitizer.line)),
            e.warningsConfirmedAt.map(Timestamp.iso), e.copiedFrom, e.twitch.assessed,
        ]
    }

    /// The entry with its free text cleaned as it is stored: one line for muscle and referral,
    /// notes keeping newlines.
    static func cleaned(_ entry: TriggerPointEntry) -> TriggerPointEntry {
        var e = entry
        e.muscle = Sanitizer.line(e.muscle).trimmingCharacters(in: .whitespaces)
        e.referredTo = Sanitizer.line(e.referredTo).trimmingCharacters(in: .whitespaces)
        e.note = Sanitizer.multiline(e.note)
        return e
    }

    /// Removes a charted entry (until signing).
    public func deleteEntry(id: String, sessionID: Int64, by actor: String) throws {
        try write { db in
            try Self.requireUnsigned(db, sessionID)
            try db.execute(sql: "DELETE FROM entries WHERE id = ? AND session_id = ?", arguments: [id, sessionID])
            if db.changesCount > 0 {
                try Audit.append(db, at: now, actor: actor, action: .delete, entity: "entry", entityID: id, detail: "session \(sessionID)")
            }
        }
    }

    /// Signs the session as stored (with `version`, only if it is still that version): checks the signing rules on the stored record, records the
    /// signature and a canonical snapshot, locks it, and freezes its note as a document bound to
    /// the audit chain (`Evidence.freeze`).
    @discardableResult
    public func sign(sessionID: Int64, by signer: Clinician, catalogue: Catalogue, version: Int? = nil) throws -> NeedlingSession {
        let clinician = Clinician(username: Sanitizer.line(signer.username), displayName: Sanitizer.line(signer.displayName),
                                  credentials: Sanitizer.line(signer.credentials))
        return try write { db in
            guard var s = try Self.loadSession(db, id: sessionID) else { throw StoreError(.notFound, "Session \(sessionID) does not exist.") }
            // Sign only what the signer saw: never a version a colleague saved since.
            if let version, s.signature == nil { try Self.requireCurrent(db, sessionID, version: version, zone: environment.timeZone) }
            let at = Timestamp.parse(now) ?? environment.now()
            try s.sign(by: clinician, at: at, catalogue: catalogue, needleLots: try Self.needleLots(db, sessionID: sessionID))
            // Regulated practice (SPEC §9): the signer's credentials against the clinic's rules,
            // then the credentials, coding and procedure code kept on the session as signed.
            let regulated = try Self.signingRegulated(db, s, signer: clinician.username)
            try db.execute(sql: """
                UPDATE sessions SET state = 'signed', signed_by = ?, signature_line = ?, signed_at = ?, signed_snapshot = ?, updated_at = ?,
                    coding_system = ?, procedure_code = ?, signer_credentials = ?
                WHERE id = ? AND signed_at IS NULL
                """, arguments: [clinician.username, clinician.signatureLine, Timestamp.iso(at), Self.snapshot(s), now,
                                 regulated.coding, regulated.code, regulated.credentials, sessionID])
            try Evidence.freeze(db, sessionID: sessionID, catalogue: catalogue, at: now, actor: clinician.username, action: .sign,
                                summary: "\(s.entries.count) points, \(s.needlesInserted) needles")
            return s
        }
    }

    /// The canonical text of a signed session (everything but addenda), stored at signing and
    /// compared by `check` to detect any alteration that bypassed the database's own guards.
    static func snapshot(_ s: NeedlingSession) -> String {
        var copy = s
        copy.addenda = []
        return JSONColumn.encode(copy)
    }

    /// Adds an addendum to a signed session.
    @discardableResult
    public func addAddendum(sessionID: Int64, text: String, adverseEvent: AdverseEvent? = nil, by actor: String) throws -> Addendum {
        let clean = Sanitizer.multiline(text).trimmingCharacters(in: .whitespacesAndNewlines)
        var issues = Validation.addendum(clean)
        if let event = adverseEvent { issues += Validation.closeOut(CloseOut(adverseEvents: [event]), catalogue: catalogue) }
        if !issues.isEmpty { throw ValidationError(issues) }
        // A late event is one reported after the visit.
        var event = adverseEvent
        if event != nil, event?.onset == nil { event?.onset = .later }
        let addendum = Addendum(id: environment.newID(), author: actor, at: Timestamp.parse(now) ?? environment.now(), text: clean,
                                adverseEvent: event)
        return try write { db in
            guard let signed = try Row.fetchOne(db, sql: "SELECT signed_at FROM sessions WHERE id = ?", arguments: [sessionID]) else {
                throw StoreError(.notFound, "Session \(sessionID) does not exist.")
            }
            guard (signed["signed_at"] as String?) != nil else {
                throw SessionError.wrongState(.charting, "addenda are for signed sessions; edit the session directly")
            }
            try Self.insertAddendum(db, addendum, sessionID: sessionID, at: now, detail: "addendum \(addendum.id)")
            return addendum
        }
    }
}

extension AppDatabase {
    /// Stores an addendum (its text already clean) with the audit row that binds its hash.
    static func insertAddendum(_ db: Database, _ a: Addendum, sessionID: Int64, at: String, detail: String) throws {
        let event = a.adverseEvent.map { e -> String in
            var e = e; e.note = Sanitizer.multiline(e.note); return JSONColumn.encode(e)
        }
        try db.execute(sql: "INSERT INTO addenda(id, session_id, author, at, text, adverse_event) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [a.id, sessionID, a.author, Timestamp.iso(a.at), a.text, event])
        guard let row = try Row.fetchOne(db, sql: Evidence.addendumSQL + " WHERE id = ?", arguments: [a.id]) else {
            throw StoreError(.notFound, "The addendum was not stored.")
        }
        try Audit.append(db, at: at, actor: a.author, action: .addendum, entity: "session", entityID: String(sessionID),
                         detail: "\(detail); \(Evidence.tagged(Evidence.addendumTag(2), Evidence.addendumHash(row)))")
    }
}

extension AppDatabase {
    /// How many entries of the patient's sessions fall in each region: "regions treated most often".
    public func regionCounts(patientID: Int64) throws -> [String: Int] {
        try read { db in
            let counts = try Self.all(db.cachedStatement(sql: """
                SELECT e.region_id, count(*) AS n FROM entries e JOIN sessions s ON s.id = e.session_id
                WHERE s.patient_id = ? GROUP BY e.region_id
                """), [patientID]) { ($0[0] as String, $0[1] as Int) }
            return Dictionary(uniqueKeysWithValues: counts)
        }
    }
}
