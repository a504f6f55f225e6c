import ChartCore
import Foundation

// Referrals, plans and plan letters on a shared clinic (SPEC §9).

extension PostgresStore {
    /// Refused: plans and plan letters are kept by SQLite clinics only so far; nothing is recorded.
    public func addPlannedPoint(_ point: PlannedPoint, patientID: Int64, condition: PresentingCondition, by actor: String) throws -> [PlannedPoint] {
        throw Self.regulatedRefusal("Plan letters")
    }

    /// Refused: plans and plan letters are kept by SQLite clinics only so far.
    public func episodePlan(patientID: Int64, condition: PresentingCondition) throws -> EpisodePlan { throw Self.regulatedRefusal("Plan letters") }

    /// Refused: plans and plan letters are kept by SQLite clinics only so far; nothing is removed.
    public func removePlannedPoint(number: Int, patientID: Int64, condition: PresentingCondition, by actor: String) throws -> [PlannedPoint] {
        throw Self.regulatedRefusal("Plan letters")
    }

    /// Refused: plans and plan letters are kept by SQLite clinics only so far; nothing is started.
    public func startNewPlan(patientID: Int64, condition: PresentingCondition, by actor: String) throws -> Int {
        throw Self.regulatedRefusal("Plan letters")
    }

    /// Refused: plans and plan letters are kept by SQLite clinics only so far.
    public func previewPlanLetter(patientID: Int64, condition: PresentingCondition, clinician: String) throws -> String {
        throw Self.regulatedRefusal("Plan letters")
    }

    /// Refused: plans and plan letters are kept by SQLite clinics only so far; nothing is sent.
    public func sendPlanLetter(patientID: Int64, condition: PresentingCondition, by actor: String) throws -> PlanLetterRecord {
        throw Self.regulatedRefusal("Plan letters")
    }

    /// Refused: plans and plan letters are kept by SQLite clinics only so far; no answer is recorded.
    public func recordPhysicianAnswer(_ answer: PhysicianAnswer, on day: CalendarDate, how: String, patientID: Int64,
                                      condition: PresentingCondition, by actor: String) throws {
        throw Self.regulatedRefusal("Plan letters")
    }

    /// Refused: referrals are kept by SQLite clinics only so far.
    public func referral(patientID: Int64, condition: PresentingCondition) throws -> Referral? { throw Self.regulatedRefusal("Referrals") }

    /// Refused: referrals are kept by SQLite clinics only so far; nothing is recorded.
    public func saveReferral(_ referral: Referral, patientID: Int64, condition: PresentingCondition, by actor: String) throws {
        throw Self.regulatedRefusal("Referrals")
    }
}
