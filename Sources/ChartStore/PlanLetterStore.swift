import ChartCore
import Foundation
import GRDB

// New Jersey's plan letter (SPEC §9; ChartCore's `PlanLetters`) in a SQLite clinic: an episode's
// plans of planned points, the letter that freezes a plan, and the physician's answers, recorded
// by EpisodeRecords.swift for both backends. Migration v15's triggers refuse any change to a sent
// plan, letter or answer; the store refuses first, with a message.

extension AppDatabase {
    /// The SHA-256 of a plan's planned points as stored (`EpisodeRecords.plannedPointsHash`).
    static func plannedPointsHash(_ db: Database, patientID: Int64, key: String, version: Int) throws -> String {
        EpisodeRecords.plannedPointsHash(try Row.fetchAll(db, sql: EpisodeRecords.plannedPointsHashSQL, arguments: [patientID, key, version]))
    }

    /// The audit detail of a physician's answer: what `check` compares each stored answer with.
    static func answerDetail(_ answer: String, on day: String, how: String) -> String {
        EpisodeRecords.answerDetail(answer, on: day, how: how)
    }

    /// The episode's plan: the plan being edited, if any, and the letters sent. Reads only.
    public func episodePlan(patientID: Int64, condition: PresentingCondition) throws -> EpisodePlan {
        let key = try EpisodeRecords.keyOrRefuse(condition)
        return try read { db in try episode(db).episodePlan(patientID: patientID, key: key) }
    }

    /// Adds `point` to the episode's draft plan (starting plan 1 when there is none). Refused
    /// with a message for a point the catalogue does not know (`PlanLetters.validate`), or when
    /// the plan's letter was sent. Returns the draft's points.
    @discardableResult
    public func addPlannedPoint(_ point: PlannedPoint, patientID: Int64, condition: PresentingCondition, by actor: String) throws -> [PlannedPoint] {
        try write { db in try episode(db).addPlannedPoint(point, patientID: patientID, condition: condition, by: actor) }
    }

    /// Removes the draft plan's point `number` (1-based, as listed). Refused when there is no
    /// such point, or when the plan's letter was sent. Returns the draft's points.
    @discardableResult
    public func removePlannedPoint(number: Int, patientID: Int64, condition: PresentingCondition, by actor: String) throws -> [PlannedPoint] {
        try write { db in try episode(db).removePlannedPoint(number: number, patientID: patientID, condition: condition, by: actor) }
    }

    /// Starts the next plan from the last sent plan's points, to be edited and sent as a new
    /// letter. Refused when a plan is already being edited, or when no letter was sent yet.
    /// Returns the new plan's version.
    @discardableResult
    public func startNewPlan(patientID: Int64, condition: PresentingCondition, by actor: String) throws -> Int {
        try write { db in try episode(db).startNewPlan(patientID: patientID, condition: condition, by: actor) }
    }

    /// The letter the draft plan would send today, rendered but not recorded: reads only.
    /// Refused as `sendPlanLetter` would refuse it.
    public func previewPlanLetter(patientID: Int64, condition: PresentingCondition, clinician: String) throws -> String {
        try read { db in try episode(db).previewPlanLetter(patientID: patientID, condition: condition, clinician: clinician) }
    }

    /// Sends the draft plan's letter: renders it, stores its text, SHA-256 and today's day,
    /// freezes the plan, records the referral's "plan letter sent" and writes the audit rows
    /// (`EpisodeTransaction.sendPlanLetter`). Refused without a referral, a draft plan or any point.
    @discardableResult
    public func sendPlanLetter(patientID: Int64, condition: PresentingCondition, by actor: String) throws -> PlanLetterRecord {
        try write { db in try episode(db).sendPlanLetter(patientID: patientID, condition: condition, by: actor) }
    }

    /// Records the referring physician's answer to the episode's latest plan letter, on `day`
    /// and how it came. Added, never overwriting: a later answer stands. Refused before any
    /// letter, for a day before the letter or in the future, and for text that is too long
    /// or has control characters (`JurisdictionRules.validate`).
    public func recordPhysicianAnswer(_ answer: PhysicianAnswer, on day: CalendarDate, how: String, patientID: Int64,
                                      condition: PresentingCondition, by actor: String) throws {
        try write { db in
            try episode(db).recordPhysicianAnswer(answer, on: day, how: how, patientID: patientID, condition: condition, by: actor)
        }
    }
}
