import ChartCore
import Foundation
import GRDB

// New Jersey's plan letter (SPEC §9; ChartCore's `PlanLetters`): an episode's plans of planned
// points, the letter that freezes a plan, and the physician's answers. Migration v15's triggers
// refuse any change to a sent plan, letter or answer; the store refuses first, with a message.

extension AppDatabase {
    private static func episodeKeyOrRefuse(_ condition: PresentingCondition) throws -> String {
        guard let key = episodeKey(condition) else {
            throw ValidationError([ValidationIssue("Condition", "is required: a plan belongs to an episode of one condition")])
        }
        return key
    }

    private static let plannedPointColumns = """
        region_id, muscle, side, needle_count, diameter_hundredths, length_mm, technique, technique_minutes, frequency_hz, depth
        """

    private static func plannedPoint(_ row: Row) throws -> PlannedPoint {
        guard let side = Side(rawValue: row[2]), let kind = TechniqueKind(rawValue: row[6]) else {
            throw StoreError(.notADatabase, "A stored planned point is not readable. Run 'needlechart check'.")
        }
        return PlannedPoint(regionID: row[0], muscle: row[1], side: side, needleCount: row[3], diameter: NeedleDiameter(hundredths: row[4]),
                            lengthMM: row[5], technique: Technique(kind: kind, minutes: row[7], frequencyHz: row[8]),
                            depth: (row[9] as String?).flatMap(NeedleDepth.init(rawValue:)))
    }

    /// The SHA-256 of a plan's planned points as stored (every column, in their order, through
    /// `Evidence.Canonical` like a signed session's data): what a letter's sending binds, so
    /// `check` names a sent plan's points changed behind the guards.
    static func plannedPointsHash(_ db: Database, patientID: Int64, key: String, version: Int) throws -> String {
        var c = Evidence.Canonical("planned-points-v1")
        for row in try Row.fetchAll(db, sql: """
            SELECT position, \(plannedPointColumns), added_by, added_at FROM planned_points
            WHERE patient_id = ? AND condition_key = ? AND version = ? ORDER BY position
            """, arguments: [patientID, key, version]) {
            c.add("point")
            for v in row.databaseValues { c.add(v) }
        }
        return c.hash
    }

    /// The audit detail of a physician's answer: what `check` compares each stored answer with.
    static func answerDetail(_ answer: String, on day: String, how: String) -> String {
        "answer: \(answer) on \(day)" + (how.isEmpty ? "" : " (\(Sanitizer.line(how)))")
    }

    private static func points(_ db: Database, patientID: Int64, key: String, version: Int) throws -> [PlannedPoint] {
        try Row.fetchAll(db, sql: "SELECT \(plannedPointColumns) FROM planned_points WHERE patient_id = ? AND condition_key = ? AND version = ? ORDER BY position",
                         arguments: [patientID, key, version]).map(plannedPoint)
    }

    static func episodePlan(_ db: Database, patientID: Int64, key: String) throws -> EpisodePlan {
        var letters: [PlanLetterRecord] = []
        for row in try Row.fetchAll(db, sql: """
            SELECT version, sent_on, text, sha256, sent_by FROM plan_letters WHERE patient_id = ? AND condition_key = ? ORDER BY version
            """, arguments: [patientID, key]) {
            let version: Int = row[0]
            guard let sent = CalendarDate(iso: row[1]) else { throw StoreError(.notADatabase, "A stored plan letter's day is not readable. Run 'needlechart check'.") }
            var letter = PlanLetterRecord(version: version, sentOn: sent, text: row[2], sha256: row[3], sentBy: row[4],
                                          points: try points(db, patientID: patientID, key: key, version: version))
            if let a = try Row.fetchOne(db, sql: """
                SELECT answer, answered_on, how FROM plan_letter_answers WHERE patient_id = ? AND condition_key = ? AND version = ? ORDER BY id DESC LIMIT 1
                """, arguments: [patientID, key, version]) {
                letter.answer = PhysicianAnswer(rawValue: a[0]); letter.answeredOn = CalendarDate(iso: a[1]); letter.answeredHow = a[2]
            }
            letters.append(letter)
        }
        let lastPlan = try Int.fetchOne(db, sql: "SELECT max(version) FROM plans WHERE patient_id = ? AND condition_key = ?", arguments: [patientID, key])
        var plan = EpisodePlan(draft: nil, letters: letters)
        if let lastPlan, lastPlan > (letters.last?.version ?? 0) {
            plan.draft = (lastPlan, try points(db, patientID: patientID, key: key, version: lastPlan))
        }
        return plan
    }

    /// The episode's plan: the plan being edited, if any, and the letters sent. Reads only.
    public func episodePlan(patientID: Int64, condition: PresentingCondition) throws -> EpisodePlan {
        let key = try Self.episodeKeyOrRefuse(condition)
        return try read { db in try Self.episodePlan(db, patientID: patientID, key: key) }
    }

    /// The draft plan's version, starting plan 1 when the episode has none. Refused once a
    /// letter was sent and no new plan started: a sent plan never changes.
    private static func editableVersion(_ db: Database, patientID: Int64, key: String, by actor: String, at: String) throws -> Int {
        let plan = try episodePlan(db, patientID: patientID, key: key)
        if let draft = plan.draft { return draft.version }
        if let last = plan.letters.last {
            throw StoreError(.readOnlyRecord, "Plan \(last.version) was sent to the referring physician on \(last.sentOn) and cannot change: start a new plan (plan \(last.version + 1), from plan \(last.version)'s points) and send its letter.")
        }
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM patients WHERE id = ?", arguments: [patientID]) == true else {
            throw StoreError(.notFound, "That patient no longer exists.")
        }
        try db.execute(sql: "INSERT INTO plans(patient_id, condition_key, version, started_by, started_at) VALUES (?, ?, 1, ?, ?)",
                       arguments: [patientID, key, actor, at])
        return 1
    }

    /// Adds `point` to the episode's draft plan (starting plan 1 when there is none). Refused
    /// with a message for a point the catalogue does not know (`PlanLetters.validate`), or when
    /// the plan's letter was sent. Returns the draft's points.
    @discardableResult
    public func addPlannedPoint(_ point: PlannedPoint, patientID: Int64, condition: PresentingCondition, by actor: String) throws -> [PlannedPoint] {
        let key = try Self.episodeKeyOrRefuse(condition)
        let issues = PlanLetters.validate(point, catalogue: catalogue)
        guard issues.isEmpty else { throw ValidationError(issues) }
        var p = point
        // The catalogue's own name for the muscle, as the letter will print it.
        p.muscle = catalogue.region(point.regionID)?.muscle(named: point.muscle)?.name ?? point.muscle
        return try write { db in
            let at = now
            let version = try Self.editableVersion(db, patientID: patientID, key: key, by: actor, at: at)
            let position = (try Int.fetchOne(db, sql: "SELECT max(position) FROM planned_points WHERE patient_id = ? AND condition_key = ? AND version = ?",
                                             arguments: [patientID, key, version]) ?? 0) + 1
            try db.execute(sql: """
                INSERT INTO planned_points(patient_id, condition_key, version, position, \(Self.plannedPointColumns), added_by, added_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [patientID, key, version, position, p.regionID, p.muscle, p.side.rawValue, p.needleCount, p.diameter.hundredths,
                                 p.lengthMM, p.technique.kind.rawValue, p.technique.minutes, p.technique.frequencyHz, p.depth?.rawValue, actor, at])
            try Audit.append(db, at: at, actor: actor, action: .change, entity: "plan", entityID: "\(patientID)/\(Sanitizer.line(key))/\(version)",
                             detail: "point \(position) added: \(p.regionID), \(p.muscle), \(p.side.rawValue), \(p.needleCount) × \(p.sizeSummary), \(p.technique.summary)")
            return try Self.points(db, patientID: patientID, key: key, version: version)
        }
    }

    /// Removes the draft plan's point `number` (1-based, as listed). Refused when there is no
    /// such point, or when the plan's letter was sent. Returns the draft's points.
    @discardableResult
    public func removePlannedPoint(number: Int, patientID: Int64, condition: PresentingCondition, by actor: String) throws -> [PlannedPoint] {
        let key = try Self.episodeKeyOrRefuse(condition)
        return try write { db in
            let at = now
            let version = try Self.editableVersion(db, patientID: patientID, key: key, by: actor, at: at)
            let positions = try Int.fetchAll(db, sql: "SELECT position FROM planned_points WHERE patient_id = ? AND condition_key = ? AND version = ? ORDER BY position",
                                             arguments: [patientID, key, version])
            guard positions.indices.contains(number - 1) else {
                throw StoreError(.notFound, positions.isEmpty ? "Plan \(version) has no points yet." : "Plan \(version) has no point \(number) (it has \(positions.count)).")
            }
            try db.execute(sql: "DELETE FROM planned_points WHERE patient_id = ? AND condition_key = ? AND version = ? AND position = ?",
                           arguments: [patientID, key, version, positions[number - 1]])
            try Audit.append(db, at: at, actor: actor, action: .change, entity: "plan", entityID: "\(patientID)/\(Sanitizer.line(key))/\(version)",
                             detail: "point \(number) removed")
            return try Self.points(db, patientID: patientID, key: key, version: version)
        }
    }

    /// Starts the next plan from the last sent plan's points, to be edited and sent as a new
    /// letter. Refused when a plan is already being edited, or when no letter was sent yet.
    /// Returns the new plan's version.
    @discardableResult
    public func startNewPlan(patientID: Int64, condition: PresentingCondition, by actor: String) throws -> Int {
        let key = try Self.episodeKeyOrRefuse(condition)
        return try write { db in
            let at = now
            let plan = try Self.episodePlan(db, patientID: patientID, key: key)
            if let draft = plan.draft { throw StoreError(.duplicate, "Plan \(draft.version) is still being edited (its letter is not sent): edit it.") }
            guard let last = plan.letters.last else { throw StoreError(.notFound, "No plan letter was sent for this episode yet: edit its plan and send the letter.") }
            let version = last.version + 1
            try db.execute(sql: "INSERT INTO plans(patient_id, condition_key, version, started_by, started_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [patientID, key, version, actor, at])
            try db.execute(sql: """
                INSERT INTO planned_points(patient_id, condition_key, version, position, \(Self.plannedPointColumns), added_by, added_at)
                SELECT patient_id, condition_key, ?, position, \(Self.plannedPointColumns), ?, ? FROM planned_points
                WHERE patient_id = ? AND condition_key = ? AND version = ? ORDER BY position
                """, arguments: [version, actor, at, patientID, key, last.version])
            try Audit.append(db, at: at, actor: actor, action: .create, entity: "plan", entityID: "\(patientID)/\(Sanitizer.line(key))/\(version)",
                             detail: "plan \(version) started from plan \(last.version)")
            return version
        }
    }

    /// The letter the draft plan would send today, rendered but not recorded: reads only.
    /// Refused as `sendPlanLetter` would refuse it.
    public func previewPlanLetter(patientID: Int64, condition: PresentingCondition, clinician: String) throws -> String {
        let key = try Self.episodeKeyOrRefuse(condition)
        return try read { db in try letterText(db, patientID: patientID, condition: condition, key: key, clinician: clinician).text }
    }

    /// Sends the draft plan's letter: renders it (`PlanLetters.render`), stores its text, SHA-256
    /// and today's day, freezes the plan, records the referral's "plan letter sent" (an earlier
    /// "contraindicated" answer stands until this letter is answered; an earlier "agrees" was to
    /// another plan and is cleared) and writes the audit rows. Refused without a referral, a
    /// draft plan or any planned point.
    @discardableResult
    public func sendPlanLetter(patientID: Int64, condition: PresentingCondition, by actor: String) throws -> PlanLetterRecord {
        let key = try Self.episodeKeyOrRefuse(condition)
        return try write { db in
            let at = now
            let (text, version, points, day, referral) = try letterText(db, patientID: patientID, condition: condition, key: key, clinician: actor)
            let sha = Evidence.hex(Data(text.utf8))
            try db.execute(sql: "INSERT INTO plan_letters(patient_id, condition_key, version, sent_on, text, sha256, sent_by, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           arguments: [patientID, key, version, day.description, text, sha, actor, at])
            try Audit.append(db, at: at, actor: actor, action: .create, entity: "plan-letter", entityID: "\(patientID)/\(Sanitizer.line(key))/\(version)",
                             detail: "plan letter \(version) sent on \(day); \(Evidence.tagged("letter", sha)); "
                                 + Evidence.tagged("points", try Self.plannedPointsHash(db, patientID: patientID, key: key, version: version)))
            var r = referral
            if r.physicianAnswer == .contraindicated { r.standingContraindication = r.answeredOn ?? r.planLetterSent ?? day }
            r.planLetterSent = day
            r.physicianAnswer = nil; r.answeredOn = nil; r.answeredHow = ""
            try Self.storeReferral(db, r, patientID: patientID, key: key, by: actor, at: at)
            return PlanLetterRecord(version: version, sentOn: day, text: text, sha256: sha, sentBy: actor, points: points)
        }
    }

    /// The draft plan's letter as it reads today, with what it was made from.
    private func letterText(_ db: Database, patientID: Int64, condition: PresentingCondition, key: String, clinician: String) throws
        -> (text: String, version: Int, points: [PlannedPoint], day: CalendarDate, referral: Referral) {
        guard let patient = try Self.first(db.cachedStatement(sql: Self.patientByIDSQL), [patientID], Patient.init(row:)) else {
            throw StoreError(.notFound, "That patient no longer exists.")
        }
        guard let referral = try Self.referral(db, patientID: patientID, condition: condition) else {
            throw StoreError(.notFound, "No referral is recorded for this episode: record the referral first (the letter is addressed to the referrer).")
        }
        let plan = try Self.episodePlan(db, patientID: patientID, key: key)
        guard let draft = plan.draft else {
            if let last = plan.letters.last {
                throw StoreError(.readOnlyRecord, "Plan \(last.version)'s letter was sent on \(last.sentOn); a plan is sent once: start a new plan to send a new letter.")
            }
            throw StoreError(.notFound, "No points are planned for this episode: plan the points first.")
        }
        guard !draft.points.isEmpty else { throw StoreError(.notFound, "Plan \(draft.version) has no points: plan the points first.") }
        let zone = try Self.clinicTimeZone(db)
        let day = CalendarDate(environment.now(), in: zone)
        let profile = try Row.fetchOne(db.cachedStatement(sql: Self.clinicianSQL), arguments: [clinician]).map(Self.clinician(row:))
        // The patient's screening as last answered (answers carry forward from session to session).
        var screening: [ScreeningAnswer]?
        var screenedOn: CalendarDate?
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM sessions WHERE patient_id = ? ORDER BY started_at DESC, id DESC LIMIT 1", arguments: [patientID]),
           let s = try Self.loadSession(db, id: id), !s.screening.isEmpty {
            screening = s.screening
            screenedOn = CalendarDate(s.startedAt, in: zone)
        }
        let content = PlanLetterContent(clinicName: try Self.clinicName(db), clinicianName: profile?.signatureLine ?? clinician,
                                        credentials: try Self.clinicianCredentials(db, username: clinician), patient: patient, referral: referral,
                                        episode: condition.summary(catalogue), points: draft.points, screening: screening, screenedOn: screenedOn,
                                        version: draft.version, date: day)
        return (PlanLetters.render(content, catalogue: catalogue), draft.version, draft.points, day, referral)
    }

    /// Records the referring physician's answer to the episode's latest plan letter, on `day`
    /// and how it came. Added, never overwriting: a later answer stands. Refused before any
    /// letter, for a day before the letter or in the future, and for text that is too long
    /// or has control characters (`JurisdictionRules.validate`).
    public func recordPhysicianAnswer(_ answer: PhysicianAnswer, on day: CalendarDate, how: String, patientID: Int64,
                                      condition: PresentingCondition, by actor: String) throws {
        let key = try Self.episodeKeyOrRefuse(condition)
        let how = how.trimmingCharacters(in: .whitespaces)
        try write { db in
            let at = now
            guard let letter = try Self.episodePlan(db, patientID: patientID, key: key).letters.last,
                  let stored = try Self.referral(db, patientID: patientID, condition: condition) else {
                throw StoreError(.notFound, "No plan letter was sent for this episode: an answer needs the letter it answers.")
            }
            let r = stored.answering(answer, on: day, how: how, letterSentOn: letter.sentOn)
            let issues = JurisdictionRules.validate(r, today: CalendarDate(environment.now(), in: try Self.clinicTimeZone(db)))
            guard issues.isEmpty else { throw ValidationError(issues) }
            try db.execute(sql: """
                INSERT INTO plan_letter_answers(patient_id, condition_key, version, answer, answered_on, how, recorded_by, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [patientID, key, letter.version, answer.rawValue, day.description, how, actor, at])
            try Audit.append(db, at: at, actor: actor, action: .change, entity: "plan-letter", entityID: "\(patientID)/\(Sanitizer.line(key))/\(letter.version)",
                             detail: Self.answerDetail(answer.rawValue, on: day.description, how: how))
            try Self.storeReferral(db, r, patientID: patientID, key: key, by: actor, at: at)
        }
    }
}
