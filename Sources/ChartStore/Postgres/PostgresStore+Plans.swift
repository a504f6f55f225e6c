import ChartCore
import Foundation
import GRDB

// Referrals, the jurisdiction, plans and plan letters on a shared clinic (SPEC §9): the very
// records SQLite keeps (EpisodeRecords.swift), over one server transaction each. The server's
// guards (migration v6) hold a sent plan, letter and answer whatever client writes; on a
// clinician's connection every row and audit row is written in the authenticated role's name.

/// One server transaction as the referral and plan-letter records use it (`EpisodeTransaction`):
/// their SQL's `?` numbered `$1`, `$2` …, text ordered byte-wise as SQLite orders it.
struct PostgresEpisode: EpisodeTransaction {
    let store: PostgresStore
    let at: String

    var environment: ChartEnvironment { store.environment }
    var catalogue: Catalogue { store.catalogue }

    /// `sql` with each `?` numbered as the server takes parameters.
    static func numbered(_ sql: String) -> String {
        var out = "", n = 0
        for c in sql {
            if c == "?" { n += 1; out += "$\(n)" } else { out.append(c) }
        }
        return out
    }

    func rows(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) throws -> [Row] {
        try store.link.rows(Self.numbered(sql), arguments)
    }

    func execute(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) throws {
        _ = try store.link.execute(Self.numbered(sql), arguments)
    }

    func audit(actor: String, action: AuditAction, entity: String, entityID: String, detail: String) throws -> (actor: String, at: String) {
        let row = try store.stampedAudit(at: at, actor: actor, action: action, entity: entity, entityID: entityID, detail: detail)
        return (row.actor, row.at)
    }

    func clinicTimeZone() throws -> TimeZone { try store.clinicTimeZone() }

    func clinicName() throws -> String { try store.clinicName() }

    func patient(id: Int64) throws -> Patient? { try store.patient(id: id) }

    func clinicianProfile(_ username: String) throws -> Clinician? { try store.clinician(username) }

    func credentials(_ username: String) throws -> ClinicianCredentials { try store.clinicianCredentials(username) }

    func latestSession(patientID: Int64) throws -> NeedlingSession? {
        guard let id = try store.link.value("""
            SELECT id FROM sessions WHERE patient_id = $1 ORDER BY started_at COLLATE "C" DESC, id DESC LIMIT 1
            """, [patientID], as: Int64.self) else { return nil }
        return try store.loadSession(id: id)
    }
}

extension PostgresStore {
    /// Runs `body` over one server transaction, as the referral and plan-letter records use it.
    func episode<T>(_ body: (PostgresEpisode) throws -> T) throws -> T {
        try link.transaction { try body(PostgresEpisode(store: self, at: now)) }
    }

    /// Runs a change to a patient's referrals or plans over one server transaction that first
    /// locks the patient's row: two clinicians' changes to the same episode then follow one
    /// another, as SQLite's writes do (the second reads the plan as the first left it), rather
    /// than both numbering the same point or plan. A patient who no longer exists is left to the
    /// records' own refusal.
    func episodeChange<T>(patientID: Int64, _ body: (PostgresEpisode) throws -> T) throws -> T {
        try link.transaction {
            try link.execute("SELECT 1 FROM patients WHERE id = $1 FOR NO KEY UPDATE", [patientID])
            return try body(PostgresEpisode(store: self, at: now))
        }
    }

    /// The clinic's jurisdiction rule set (none by default).
    public func jurisdiction() throws -> Jurisdiction {
        try episode { try $0.jurisdiction() }
    }

    /// Sets the clinic's jurisdiction rule set, as the clinic's other settings are set: by its
    /// administrator (a clinician's role may not write settings), with an audit row.
    public func setJurisdiction(_ jurisdiction: Jurisdiction, by actor: String) throws {
        try episode { try $0.setJurisdiction(jurisdiction, by: actor) }
    }

    /// The referral recorded for a patient's episode of `condition`, if any.
    public func referral(patientID: Int64, condition: PresentingCondition) throws -> Referral? {
        try episode { try $0.referral(patientID: patientID, condition: condition) }
    }

    /// Records (or updates) the referral of an episode; refused with `JurisdictionRules.validate`'s issues.
    public func saveReferral(_ referral: Referral, patientID: Int64, condition: PresentingCondition, by actor: String) throws {
        try episodeChange(patientID: patientID) { try $0.saveReferral(referral, patientID: patientID, condition: condition, by: identity(actor)) }
    }

    /// The episode's plan: the plan being edited, if any, and the letters sent. Reads only.
    public func episodePlan(patientID: Int64, condition: PresentingCondition) throws -> EpisodePlan {
        let key = try EpisodeRecords.keyOrRefuse(condition)
        return try episode { try $0.episodePlan(patientID: patientID, key: key) }
    }

    /// Adds a point to the episode's draft plan (starting plan 1); refused with a message for a
    /// muscle the catalogue does not list, or once the plan's letter was sent. Returns the plan's points.
    @discardableResult
    public func addPlannedPoint(_ point: PlannedPoint, patientID: Int64, condition: PresentingCondition, by actor: String) throws -> [PlannedPoint] {
        try episodeChange(patientID: patientID) { try $0.addPlannedPoint(point, patientID: patientID, condition: condition, by: identity(actor)) }
    }

    /// Removes the draft plan's point `number` (1-based); refused once its letter was sent.
    @discardableResult
    public func removePlannedPoint(number: Int, patientID: Int64, condition: PresentingCondition, by actor: String) throws -> [PlannedPoint] {
        try episodeChange(patientID: patientID) { try $0.removePlannedPoint(number: number, patientID: patientID, condition: condition, by: identity(actor)) }
    }

    /// Starts the next plan from the last one sent; returns its version.
    @discardableResult
    public func startNewPlan(patientID: Int64, condition: PresentingCondition, by actor: String) throws -> Int {
        try episodeChange(patientID: patientID) { try $0.startNewPlan(patientID: patientID, condition: condition, by: identity(actor)) }
    }

    /// The letter the draft plan would send today, signed by `clinician`; writes nothing.
    public func previewPlanLetter(patientID: Int64, condition: PresentingCondition, clinician: String) throws -> String {
        try episode { try $0.previewPlanLetter(patientID: patientID, condition: condition, clinician: identity(clinician)) }
    }

    /// Sends the draft plan's letter: keeps its text and hash, freezes the plan, records it on the referral.
    @discardableResult
    public func sendPlanLetter(patientID: Int64, condition: PresentingCondition, by actor: String) throws -> PlanLetterRecord {
        try episodeChange(patientID: patientID) { try $0.sendPlanLetter(patientID: patientID, condition: condition, by: identity(actor)) }
    }

    /// Records the referring physician's answer to the episode's latest plan letter (added, never overwriting).
    public func recordPhysicianAnswer(_ answer: PhysicianAnswer, on day: CalendarDate, how: String, patientID: Int64,
                                      condition: PresentingCondition, by actor: String) throws {
        try episodeChange(patientID: patientID) {
            try $0.recordPhysicianAnswer(answer, on: day, how: how, patientID: patientID, condition: condition, by: identity(actor))
        }
    }
}
