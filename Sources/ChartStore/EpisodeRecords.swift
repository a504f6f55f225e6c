import ChartCore
import Foundation
import GRDB

// Referrals per episode of care, the clinic's jurisdiction, and New Jersey's plan letters (SPEC
// §9), written once for both backends. The rules themselves are ChartCore's (`JurisdictionRules`,
// `PlanLetters`); this records and applies them over one transaction of either store
// (`EpisodeTransaction`): SQLite's (ReferralStore.swift, PlanLetterStore.swift) and a server's
// (PostgresStore+Plans.swift). The server's triggers (v6) and SQLite's (v15) refuse any change to
// a sent plan, letter or answer; these refuse first, with a message.

/// One transaction of either backend as the referral and plan-letter records use it: SQL written
/// once with `?` placeholders (numbered `$1`, `$2` … on PostgreSQL), rows read as GRDB rows with
/// SQLite's storage classes, audit rows appended as the backend appends them.
protocol EpisodeTransaction {
    /// Clock, id generator and time zone of the store.
    var environment: ChartEnvironment { get }
    /// The catalogue a planned point's muscle is checked against and the letter names it by.
    var catalogue: Catalogue { get }
    /// The time stamped on the rows and audit rows this transaction writes.
    var at: String { get }
    /// The rows `sql` returns.
    func rows(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) throws -> [Row]
    /// Runs a statement that returns nothing.
    func execute(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) throws
    /// Appends an audit row; returns its actor and time as stored (on a clinician's connection
    /// to a server, the server's: its role and its clock).
    @discardableResult
    func audit(actor: String, action: AuditAction, entity: String, entityID: String, detail: String) throws -> (actor: String, at: String)
    /// The clinic's time zone (a setting).
    func clinicTimeZone() throws -> TimeZone
    /// The clinic's name, as a letter is headed.
    func clinicName() throws -> String
    /// The patient with id `id`.
    func patient(id: Int64) throws -> Patient?
    /// The clinician's recorded profile (name and credentials as they sign).
    func clinicianProfile(_ username: String) throws -> Clinician?
    /// The clinician's regulated credentials (none when not recorded).
    func credentials(_ username: String) throws -> ClinicianCredentials
    /// The patient's most recently started session, whatever its state.
    func latestSession(patientID: Int64) throws -> NeedlingSession?
}

/// What the referral and plan-letter records share besides a transaction.
enum EpisodeRecords {
    /// The key of an episode's condition, or a refusal saying a plan needs one.
    static func keyOrRefuse(_ condition: PresentingCondition) throws -> String {
        guard let key = AppDatabase.episodeKey(condition) else {
            throw ValidationError([ValidationIssue("Condition", "is required: a plan belongs to an episode of one condition")])
        }
        return key
    }

    /// A planned point's columns, in their stored order.
    static let plannedPointColumns = """
        region_id, muscle, side, needle_count, diameter_hundredths, length_mm, technique, technique_minutes, frequency_hz, depth
        """

    /// A planned point from `plannedPointColumns`' values.
    static func plannedPoint(_ row: Row) throws -> PlannedPoint {
        guard let side = Side(rawValue: row[2]), let kind = TechniqueKind(rawValue: row[6]) else {
            throw StoreError(.notADatabase, "A stored planned point is not readable. Run 'needlechart check'.")
        }
        return PlannedPoint(regionID: row[0], muscle: row[1], side: side, needleCount: row[3], diameter: NeedleDiameter(hundredths: row[4]),
                            lengthMM: row[5], technique: Technique(kind: kind, minutes: row[7], frequencyHz: row[8]),
                            depth: (row[9] as String?).flatMap(NeedleDepth.init(rawValue:)))
    }

    /// A plan's stored points, every column, as `plannedPointsHash` hashes them ($1 patient, $2 episode, $3 version).
    static let plannedPointsHashSQL = """
        SELECT position, \(plannedPointColumns), added_by, added_at FROM planned_points
        WHERE patient_id = ? AND condition_key = ? AND version = ? ORDER BY position
        """

    /// The SHA-256 of a plan's planned points as stored (`plannedPointsHashSQL`'s rows, through
    /// `Evidence.Canonical` like a signed session's data): what a letter's sending binds, so
    /// `check` names a sent plan's points changed behind the guards.
    static func plannedPointsHash(_ rows: [Row]) -> String {
        var c = Evidence.Canonical("planned-points-v1")
        for row in rows {
            c.add("point")
            for v in row.databaseValues { c.add(v) }
        }
        return c.hash
    }

    /// The audit detail of a physician's answer: what `check` compares each stored answer with.
    static func answerDetail(_ answer: String, on day: String, how: String) -> String {
        "answer: \(answer) on \(day)" + (how.isEmpty ? "" : " (\(Sanitizer.line(how)))")
    }
}

extension EpisodeTransaction {
    private func first(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws -> Row? {
        try rows(sql, arguments).first
    }

    private func exists(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws -> Bool {
        try first(sql, arguments) != nil
    }

    // MARK: - Jurisdiction and referrals

    /// The clinic's jurisdiction rule set (none by default).
    func jurisdiction() throws -> Jurisdiction {
        try first("SELECT value FROM settings WHERE key = 'jurisdiction'").flatMap { Jurisdiction(rawValue: $0[0] as String) } ?? .none
    }

    /// Sets the clinic's jurisdiction rule set, with its audit row.
    func setJurisdiction(_ jurisdiction: Jurisdiction, by actor: String) throws {
        try execute("INSERT INTO settings(key, value) VALUES ('jurisdiction', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    [jurisdiction.rawValue])
        try audit(actor: actor, action: .change, entity: "settings", entityID: "jurisdiction", detail: jurisdiction.rawValue)
    }

    /// The referral recorded for a patient's episode of `condition`, if any.
    func referral(patientID: Int64, condition: PresentingCondition) throws -> Referral? {
        guard let key = AppDatabase.episodeKey(condition) else { return nil }
        return try first("SELECT referral FROM referrals WHERE patient_id = ? AND condition_key = ?", [patientID, key])
            .map { try JSONColumn.decode(Referral.self, $0[0] as String) }
    }

    /// Records (or updates) the referral of a patient's episode of `condition`. Refused with a
    /// message when it is wrong (`JurisdictionRules.validate`), or when the condition is empty.
    func saveReferral(_ referral: Referral, patientID: Int64, condition: PresentingCondition, by actor: String) throws {
        guard let key = AppDatabase.episodeKey(condition) else {
            throw ValidationError([ValidationIssue("Condition", "is required: a referral belongs to an episode of one condition")])
        }
        var r = referral
        for path in [\Referral.referrer, \Referral.role, \Referral.contact, \Referral.diagnosis, \Referral.answeredHow] {
            r[keyPath: path] = r[keyPath: path].trimmingCharacters(in: .whitespaces)
        }
        let issues = JurisdictionRules.validate(r, today: CalendarDate(environment.now(), in: environment.timeZone))
        guard issues.isEmpty else { throw ValidationError(issues) }
        guard try exists("SELECT 1 FROM patients WHERE id = ?", [patientID]) else {
            throw StoreError(.notFound, "That patient no longer exists.")
        }
        let stored = try self.referral(patientID: patientID, condition: condition)
        // A standing "contraindicated" is the store's to set and clear (`sendPlanLetter`, `recordPhysicianAnswer`).
        r.standingContraindication = stored?.standingContraindication
        if try exists("SELECT 1 FROM plan_letters WHERE patient_id = ? AND condition_key = ?", [patientID, key]),
           let stored, r.planLetterSent != stored.planLetterSent || r.physicianAnswer != stored.physicianAnswer
               || r.answeredOn != stored.answeredOn || r.answeredHow != stored.answeredHow {
            throw ValidationError([ValidationIssue("Plan letter", "this episode's plan letters are kept by NeedleChart: the day one is sent is recorded when it is sent, and the physician's answer is recorded against the letter")])
        }
        try storeReferral(r, patientID: patientID, key: key, by: actor)
    }

    /// Writes the referral of an episode, with the audit row that binds it as recorded (`check`
    /// compares each referral with its last audit row).
    func storeReferral(_ r: Referral, patientID: Int64, key: String, by actor: String) throws {
        let json = JSONColumn.encode(r)
        try execute("""
            INSERT INTO referrals(patient_id, condition_key, referral, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(patient_id, condition_key) DO UPDATE SET referral = excluded.referral,
                recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at
            """, [patientID, key, json, actor, at])
        try audit(actor: actor, action: .change, entity: "referral", entityID: "\(patientID)/\(Sanitizer.line(key))", detail: json)
    }

    /// Refuses needling in session `sessionID` when the clinic's jurisdiction rules stop it on the
    /// session's day (`JurisdictionRules.needlingBlockers`), or when the episode's referring
    /// physician judged it contraindicated. Called before a point is saved.
    func requireReferralRules(sessionID: Int64) throws {
        let jurisdiction = try jurisdiction()
        // Without rules only a recorded "contraindicated" stops needling: skip the reads when no referral exists.
        if jurisdiction == .none, try !exists("SELECT 1 FROM referrals LIMIT 1") { return }
        guard let row = try first("SELECT patient_id, started_at, condition_id, condition_text FROM sessions WHERE id = ?", [sessionID]) else { return }
        let condition = PresentingCondition(catalogueID: row[2], text: row[3])
        let day = CalendarDate(try AppDatabase.time(row[1]) ?? Date(), in: try clinicTimeZone())
        let blockers = JurisdictionRules.needlingBlockers(jurisdiction, referral: try referral(patientID: row[0], condition: condition), day: day)
        if !blockers.isEmpty { throw SessionError.blocked(blockers) }
    }

    // MARK: - Plans

    /// The points of plan `version`, in order.
    private func points(patientID: Int64, key: String, version: Int) throws -> [PlannedPoint] {
        try rows("""
            SELECT \(EpisodeRecords.plannedPointColumns) FROM planned_points WHERE patient_id = ? AND condition_key = ? AND version = ? ORDER BY position
            """, [patientID, key, version]).map(EpisodeRecords.plannedPoint)
    }

    /// The SHA-256 of plan `version`'s points as stored (`EpisodeRecords.plannedPointsHash`).
    func plannedPointsHash(patientID: Int64, key: String, version: Int) throws -> String {
        EpisodeRecords.plannedPointsHash(try rows(EpisodeRecords.plannedPointsHashSQL, [patientID, key, version]))
    }

    /// The episode's plan: the plan being edited, if any, and the letters sent with their latest answers.
    func episodePlan(patientID: Int64, key: String) throws -> EpisodePlan {
        var letters: [PlanLetterRecord] = []
        for row in try rows("""
            SELECT version, sent_on, text, sha256, sent_by FROM plan_letters WHERE patient_id = ? AND condition_key = ? ORDER BY version
            """, [patientID, key]) {
            let version: Int = row[0]
            guard let sent = CalendarDate(iso: row[1]) else { throw StoreError(.notADatabase, "A stored plan letter's day is not readable. Run 'needlechart check'.") }
            var letter = PlanLetterRecord(version: version, sentOn: sent, text: row[2], sha256: row[3], sentBy: row[4],
                                          points: try points(patientID: patientID, key: key, version: version))
            if let a = try first("""
                SELECT answer, answered_on, how FROM plan_letter_answers WHERE patient_id = ? AND condition_key = ? AND version = ? ORDER BY id DESC LIMIT 1
                """, [patientID, key, version]) {
                letter.answer = PhysicianAnswer(rawValue: a[0]); letter.answeredOn = CalendarDate(iso: a[1]); letter.answeredHow = a[2]
            }
            letters.append(letter)
        }
        let lastPlan: Int? = try first("SELECT max(version) FROM plans WHERE patient_id = ? AND condition_key = ?", [patientID, key])?[0]
        var plan = EpisodePlan(draft: nil, letters: letters)
        if let lastPlan, lastPlan > (letters.last?.version ?? 0) {
            plan.draft = (lastPlan, try points(patientID: patientID, key: key, version: lastPlan))
        }
        return plan
    }

    /// The draft plan's version, starting plan 1 when the episode has none. Refused once a
    /// letter was sent and no new plan started: a sent plan never changes.
    private func editableVersion(patientID: Int64, key: String, by actor: String) throws -> Int {
        let plan = try episodePlan(patientID: patientID, key: key)
        if let draft = plan.draft { return draft.version }
        if let last = plan.letters.last {
            throw StoreError(.readOnlyRecord, "Plan \(last.version) was sent to the referring physician on \(last.sentOn) and cannot change: start a new plan (plan \(last.version + 1), from plan \(last.version)'s points) and send its letter.")
        }
        guard try exists("SELECT 1 FROM patients WHERE id = ?", [patientID]) else {
            throw StoreError(.notFound, "That patient no longer exists.")
        }
        try execute("INSERT INTO plans(patient_id, condition_key, version, started_by, started_at) VALUES (?, ?, 1, ?, ?)",
                    [patientID, key, actor, at])
        return 1
    }

    /// Adds `point` to the episode's draft plan (starting plan 1 when there is none). Refused
    /// with a message for a point the catalogue does not know (`PlanLetters.validate`), or when
    /// the plan's letter was sent. Returns the draft's points.
    func addPlannedPoint(_ point: PlannedPoint, patientID: Int64, condition: PresentingCondition, by actor: String) throws -> [PlannedPoint] {
        let key = try EpisodeRecords.keyOrRefuse(condition)
        let issues = PlanLetters.validate(point, catalogue: catalogue)
        guard issues.isEmpty else { throw ValidationError(issues) }
        var p = point
        // The catalogue's own name for the muscle, as the letter will print it.
        p.muscle = catalogue.region(point.regionID)?.muscle(named: point.muscle)?.name ?? point.muscle
        let version = try editableVersion(patientID: patientID, key: key, by: actor)
        let position = (try first("SELECT max(position) FROM planned_points WHERE patient_id = ? AND condition_key = ? AND version = ?",
                                  [patientID, key, version])?[0] as Int? ?? 0) + 1
        try execute("""
            INSERT INTO planned_points(patient_id, condition_key, version, position, \(EpisodeRecords.plannedPointColumns), added_by, added_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [patientID, key, version, position, p.regionID, p.muscle, p.side.rawValue, p.needleCount, p.diameter.hundredths,
                  p.lengthMM, p.technique.kind.rawValue, p.technique.minutes, p.technique.frequencyHz, p.depth?.rawValue, actor, at])
        try audit(actor: actor, action: .change, entity: "plan", entityID: "\(patientID)/\(Sanitizer.line(key))/\(version)",
                  detail: "point \(position) added: \(p.regionID), \(p.muscle), \(p.side.rawValue), \(p.needleCount) × \(p.sizeSummary), \(p.technique.summary)")
        return try points(patientID: patientID, key: key, version: version)
    }

    /// Removes the draft plan's point `number` (1-based, as listed). Refused when there is no
    /// such point, or when the plan's letter was sent. Returns the draft's points.
    func removePlannedPoint(number: Int, patientID: Int64, condition: PresentingCondition, by actor: String) throws -> [PlannedPoint] {
        let key = try EpisodeRecords.keyOrRefuse(condition)
        let version = try editableVersion(patientID: patientID, key: key, by: actor)
        let positions: [Int] = try rows("SELECT position FROM planned_points WHERE patient_id = ? AND condition_key = ? AND version = ? ORDER BY position",
                                        [patientID, key, version]).map { $0[0] }
        guard positions.indices.contains(number - 1) else {
            throw StoreError(.notFound, positions.isEmpty ? "Plan \(version) has no points yet." : "Plan \(version) has no point \(number) (it has \(positions.count)).")
        }
        try execute("DELETE FROM planned_points WHERE patient_id = ? AND condition_key = ? AND version = ? AND position = ?",
                    [patientID, key, version, positions[number - 1]])
        try audit(actor: actor, action: .change, entity: "plan", entityID: "\(patientID)/\(Sanitizer.line(key))/\(version)",
                  detail: "point \(number) removed")
        return try points(patientID: patientID, key: key, version: version)
    }

    /// Starts the next plan from the last sent plan's points, to be edited and sent as a new
    /// letter. Refused when a plan is already being edited, or when no letter was sent yet.
    /// Returns the new plan's version.
    func startNewPlan(patientID: Int64, condition: PresentingCondition, by actor: String) throws -> Int {
        let key = try EpisodeRecords.keyOrRefuse(condition)
        let plan = try episodePlan(patientID: patientID, key: key)
        if let draft = plan.draft { throw StoreError(.duplicate, "Plan \(draft.version) is still being edited (its letter is not sent): edit it.") }
        guard let last = plan.letters.last else { throw StoreError(.notFound, "No plan letter was sent for this episode yet: edit its plan and send the letter.") }
        let version = last.version + 1
        try execute("INSERT INTO plans(patient_id, condition_key, version, started_by, started_at) VALUES (?, ?, ?, ?, ?)",
                    [patientID, key, version, actor, at])
        try execute("""
            INSERT INTO planned_points(patient_id, condition_key, version, position, \(EpisodeRecords.plannedPointColumns), added_by, added_at)
            SELECT patient_id, condition_key, ?, position, \(EpisodeRecords.plannedPointColumns), ?, ? FROM planned_points
            WHERE patient_id = ? AND condition_key = ? AND version = ? ORDER BY position
            """, [version, actor, at, patientID, key, last.version])
        try audit(actor: actor, action: .create, entity: "plan", entityID: "\(patientID)/\(Sanitizer.line(key))/\(version)",
                  detail: "plan \(version) started from plan \(last.version)")
        return version
    }

    // MARK: - Letters and answers

    /// The letter the draft plan would send today, rendered but not recorded: reads only.
    /// Refused as `sendPlanLetter` would refuse it.
    func previewPlanLetter(patientID: Int64, condition: PresentingCondition, clinician: String) throws -> String {
        let key = try EpisodeRecords.keyOrRefuse(condition)
        return try letterText(patientID: patientID, condition: condition, key: key, clinician: clinician).text
    }

    /// Sends the draft plan's letter: renders it (`PlanLetters.render`), stores its text, SHA-256
    /// and today's day, freezes the plan, records the referral's "plan letter sent" (an earlier
    /// "contraindicated" answer stands until this letter is answered; an earlier "agrees" was to
    /// another plan and is cleared) and writes the audit rows. Refused without a referral, a
    /// draft plan or any planned point.
    func sendPlanLetter(patientID: Int64, condition: PresentingCondition, by actor: String) throws -> PlanLetterRecord {
        let key = try EpisodeRecords.keyOrRefuse(condition)
        let (text, version, points, day, referral) = try letterText(patientID: patientID, condition: condition, key: key, clinician: actor)
        let sha = Evidence.hex(Data(text.utf8))
        try execute("INSERT INTO plan_letters(patient_id, condition_key, version, sent_on, text, sha256, sent_by, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [patientID, key, version, day.description, text, sha, actor, at])
        try audit(actor: actor, action: .create, entity: "plan-letter", entityID: "\(patientID)/\(Sanitizer.line(key))/\(version)",
                  detail: "plan letter \(version) sent on \(day); \(Evidence.tagged("letter", sha)); "
                      + Evidence.tagged("points", try plannedPointsHash(patientID: patientID, key: key, version: version)))
        var r = referral
        if r.physicianAnswer == .contraindicated { r.standingContraindication = r.answeredOn ?? r.planLetterSent ?? day }
        r.planLetterSent = day
        r.physicianAnswer = nil; r.answeredOn = nil; r.answeredHow = ""
        try storeReferral(r, patientID: patientID, key: key, by: actor)
        return PlanLetterRecord(version: version, sentOn: day, text: text, sha256: sha, sentBy: actor, points: points)
    }

    /// The draft plan's letter as it reads today, with what it was made from.
    private func letterText(patientID: Int64, condition: PresentingCondition, key: String, clinician: String) throws
        -> (text: String, version: Int, points: [PlannedPoint], day: CalendarDate, referral: Referral) {
        guard let patient = try patient(id: patientID) else {
            throw StoreError(.notFound, "That patient no longer exists.")
        }
        guard let referral = try referral(patientID: patientID, condition: condition) else {
            throw StoreError(.notFound, "No referral is recorded for this episode: record the referral first (the letter is addressed to the referrer).")
        }
        let plan = try episodePlan(patientID: patientID, key: key)
        guard let draft = plan.draft else {
            if let last = plan.letters.last {
                throw StoreError(.readOnlyRecord, "Plan \(last.version)'s letter was sent on \(last.sentOn); a plan is sent once: start a new plan to send a new letter.")
            }
            throw StoreError(.notFound, "No points are planned for this episode: plan the points first.")
        }
        guard !draft.points.isEmpty else { throw StoreError(.notFound, "Plan \(draft.version) has no points: plan the points first.") }
        let zone = try clinicTimeZone()
        let day = CalendarDate(environment.now(), in: zone)
        let profile = try clinicianProfile(clinician)
        // The patient's screening as last answered (answers carry forward from session to session).
        var screening: [ScreeningAnswer]?
        var screenedOn: CalendarDate?
        if let s = try latestSession(patientID: patientID), !s.screening.isEmpty {
            screening = s.screening
            screenedOn = CalendarDate(s.startedAt, in: zone)
        }
        let content = PlanLetterContent(clinicName: try clinicName(), clinicianName: profile?.signatureLine ?? clinician,
                                        credentials: try credentials(clinician), patient: patient, referral: referral,
                                        episode: condition.summary(catalogue), points: draft.points, screening: screening, screenedOn: screenedOn,
                                        version: draft.version, date: day)
        return (PlanLetters.render(content, catalogue: catalogue), draft.version, draft.points, day, referral)
    }

    /// Records the referring physician's answer to the episode's latest plan letter, on `day`
    /// and how it came. Added, never overwriting: a later answer stands. Refused before any
    /// letter, for a day before the letter or in the future, and for text that is too long
    /// or has control characters (`JurisdictionRules.validate`).
    func recordPhysicianAnswer(_ answer: PhysicianAnswer, on day: CalendarDate, how: String, patientID: Int64,
                               condition: PresentingCondition, by actor: String) throws {
        let key = try EpisodeRecords.keyOrRefuse(condition)
        let how = how.trimmingCharacters(in: .whitespaces)
        guard let letter = try episodePlan(patientID: patientID, key: key).letters.last,
              let stored = try referral(patientID: patientID, condition: condition) else {
            throw StoreError(.notFound, "No plan letter was sent for this episode: an answer needs the letter it answers.")
        }
        let r = stored.answering(answer, on: day, how: how, letterSentOn: letter.sentOn)
        let issues = JurisdictionRules.validate(r, today: CalendarDate(environment.now(), in: try clinicTimeZone()))
        guard issues.isEmpty else { throw ValidationError(issues) }
        // The audit row first: the answer's row carries who and when as the audit row stored them
        // (`check` compares both), which on a server may be its role and clock, not the client's.
        let stamped = try audit(actor: actor, action: .change, entity: "plan-letter", entityID: "\(patientID)/\(Sanitizer.line(key))/\(letter.version)",
                                detail: EpisodeRecords.answerDetail(answer.rawValue, on: day.description, how: how))
        try execute("""
            INSERT INTO plan_letter_answers(patient_id, condition_key, version, answer, answered_on, how, recorded_by, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [patientID, key, letter.version, answer.rawValue, day.description, how, stamped.actor, stamped.at])
        try storeReferral(r, patientID: patientID, key: key, by: actor)
    }
}
