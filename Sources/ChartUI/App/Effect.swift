import ChartCore
import Foundation

/// Work a screen asks the shell to do (database reads and writes, files). Reducers never do I/O;
/// the shell runs each effect and reports back with `DataEvent`s to the screen on top.
public enum Effect: Sendable, Equatable {
    /// Find patients whose name or chart number starts with the words typed.
    case searchPatients(String)
    /// Add (id 0) or update a patient.
    case savePatient(Patient)
    /// Load one patient's sessions for the history screen.
    case loadHistory(patientID: Int64)
    /// Start a new session for the patient (screening answers carried forward).
    case startSession(patientID: Int64)
    /// Load a whole session (to resume or to read).
    case openSession(id: Int64)
    /// Save the session's details: state, screening, consent, condition, NPRS, close-out.
    case saveSessionDetails(NeedlingSession)
    /// Save one charted entry durably (idempotent by the entry's id).
    case saveEntry(TriggerPointEntry, sessionID: Int64)
    /// Remove a charted entry (until signing).
    case deleteEntry(id: String, sessionID: Int64)
    /// The patient's session before `before` (for "copy from last session").
    case loadPreviousSession(patientID: Int64, before: Int64)
    /// Sign and lock the session, if it is still the version the clinician saw.
    case signSession(id: Int64, version: Int)
    /// Add an addendum to a signed session; with `adverseEvent`, a coded late adverse event.
    case addAddendum(sessionID: Int64, text: String, adverseEvent: AdverseEvent? = nil)
    /// Write the text summary of one session, or of all the patient's sessions, to `path`.
    case export(ExportRequest)
    /// This patient's last treatment of each muscle before session `before` (the point form of a
    /// new point starts from it).
    case loadLastTreatments(patientID: Int64, before: Int64)
    /// Unsigned sessions to offer for resumption.
    case loadUnfinished
    /// What the Patients list shows of these patients' sessions (last visit, drafts and whose).
    case loadSessionMarks([Int64])
    /// Fill an empty database with the demo clinic.
    case loadDemo
    /// The clinic's reports (SPEC §9): adverse events over `range`, outcomes over every episode.
    /// Reads only: nothing is written, not even an audit row.
    case loadReports(ReportRange)
    /// The needle lots recorded per size for a session (answered with `DataEvent.needleLots`).
    case loadNeedleLots(sessionID: Int64)
    /// The boxes this clinician has in use, offered at the session's lots (answered with
    /// `DataEvent.lotsInUse`; a store that cannot say answers with none).
    case loadLotsInUse(sessionID: Int64)
    /// Record the lot of one needle size used in a session, then answer with its lots.
    case recordNeedleLot(NeedleLot, sessionID: Int64)
    /// Remove a lot recorded in error, then answer with the session's lots.
    case removeNeedleLot(sessionID: Int64, size: NeedleSize, lot: String)
    /// Where the patient stands against the clinic's current consent form.
    case loadConsentFormStatus(patientID: Int64)
    /// Adds a point to the episode's plan for New Jersey's plan letter (not a charted entry).
    case planPoint(PlannedPoint, patientID: Int64, condition: PresentingCondition)
    /// The episode's plan: its draft's points and the letters sent (answered with `DataEvent.plan`).
    case loadPlan(patientID: Int64, condition: PresentingCondition)
    /// Removes planned point `number` (1-based) from the draft plan, then answers with the plan.
    case removePlannedPoint(number: Int, patientID: Int64, condition: PresentingCondition)
    /// Starts a new plan after a letter was sent, then answers with the plan.
    case startNewPlan(patientID: Int64, condition: PresentingCondition)
    /// The draft plan's letter as it would be sent today (answered with `DataEvent.planLetterPreview`); writes nothing.
    case previewPlanLetter(patientID: Int64, condition: PresentingCondition)
    /// Sends the draft plan's letter (answered with `DataEvent.planLetterSent`, then the plan).
    case sendPlanLetter(patientID: Int64, condition: PresentingCondition)
    /// Records the referring physician's answer to the episode's latest plan letter (answered with
    /// `DataEvent.physicianAnswerRecorded`); refused before any letter, for a day before it or to come.
    case recordPhysicianAnswer(PhysicianAnswer, on: CalendarDate, how: String, patientID: Int64, condition: PresentingCondition)
    /// Records or updates the episode's referral (answered with `DataEvent.referralSaved`).
    case saveReferral(Referral, patientID: Int64, condition: PresentingCondition)
}

/// What to export and where.
public struct ExportRequest: Sendable, Equatable {
    /// One session, or every session of a patient.
    public enum Scope: Sendable, Equatable { case session(Int64), patient(Int64) }
    public var scope: Scope
    public var path: String
    /// Replace an existing file at `path` (the clinician said yes); otherwise one there is reported
    /// back as `DataEvent.exportTargetExists` and left alone.
    public var replace: Bool
    public init(scope: Scope, path: String, replace: Bool = false) { self.scope = scope; self.path = path; self.replace = replace }
}

/// An unsigned session offered for resumption, with its patient.
public struct UnfinishedSession: Sendable, Equatable {
    public var sessionID: Int64
    public var patient: Patient
    public var startedAt: Date
    public var state: SessionState
    public var points: Int
    public init(sessionID: Int64, patient: Patient, startedAt: Date, state: SessionState, points: Int) {
        self.sessionID = sessionID; self.patient = patient; self.startedAt = startedAt; self.state = state; self.points = points
    }
}

/// One line of a patient's history as the history screen shows it.
public struct HistoryLine: Sendable, Equatable {
    public var sessionID: Int64
    public var startedAt: Date
    public var state: SessionState
    public var condition: PresentingCondition
    public var points: Int
    public var nprsBefore: Int?
    public var nprsAfter: Int?
    public var addenda: Int
    /// A serious adverse event is recorded (at close-out or as a late event).
    public var seriousEvent: Bool
    /// Closed without needling.
    public var notTreated: Bool
    public init(sessionID: Int64, startedAt: Date, state: SessionState, condition: PresentingCondition, points: Int,
                nprsBefore: Int?, nprsAfter: Int?, addenda: Int, seriousEvent: Bool = false, notTreated: Bool = false) {
        self.sessionID = sessionID; self.startedAt = startedAt; self.state = state; self.condition = condition
        self.points = points; self.nprsBefore = nprsBefore; self.nprsAfter = nprsAfter; self.addenda = addenda
        self.seriousEvent = seriousEvent; self.notTreated = notTreated
    }
}

/// What the shell reports after running an effect.
public enum DataEvent: Sendable, Equatable {
    case patients([Patient])
    case patientSaved(Patient)
    /// The patient's sessions (newest first) and how often each region was needled.
    case history(Patient, [HistoryLine], regionCounts: [String: Int])
    /// A session with its patient, freshly started or loaded; a signed one with its frozen note.
    case session(NeedlingSession, Patient, previous: NeedlingSession?, signedNote: SignedNote? = nil)
    case sessionSaved(NeedlingSession)
    /// A save or signing was refused because someone else changed the draft since it was read:
    /// the session as stored now, and who changed it when.
    case sessionReloaded(NeedlingSession, message: String)
    case entrySaved(TriggerPointEntry)
    case entryDeleted(id: String)
    case previousSession(NeedlingSession?)
    case signed(NeedlingSession)
    case addendumAdded(Addendum)
    /// The export was written to `path`; `seal` is the record seal (the audit chain's head) it was made under.
    case exported(path: String, seal: String = "")
    /// Nothing was written: a file is already at `path` (absolute) and the request did not say to replace it.
    case exportTargetExists(path: String)
    /// The newest point per region and muscle in the patient's earlier signed sessions.
    case lastTreatments([TriggerPointEntry])
    case unfinished([UnfinishedSession])
    /// Patients' last visits and unsigned sessions, by patient id (a patient with none is absent).
    case sessionMarks(asked: [Int64], [Int64: PatientSessionMark])
    case demoLoaded(patients: Int)
    /// The clinic's reports: the safety report over `range`, and outcomes over every episode.
    case reports(ReportRange, safety: SafetyReport, outcomes: OutcomesReport)
    /// A session's lots recorded per size, after a load, a record or a removal.
    case needleLots(sessionID: Int64, [NeedleLot])
    /// A load, record or removal of needle lots was refused (a store that could not read them, an
    /// expired lot, …): the message, for the close-out screen to show beside what was typed.
    case needleLotsRefused(sessionID: Int64, message: String)
    /// Per needle size, the lot this clinician recorded last in the last weeks (not expired on the
    /// session's day): offered for the size, recorded only on the clinician's `Enter`.
    case lotsInUse(sessionID: Int64, [NeedleLot])
    /// The patient's last consent against the current form, or why it cannot be said.
    case consentFormStatus(patientID: Int64, ConsentFormStatus?, refused: String? = nil)
    /// The effect failed; nothing the clinician confirmed before it is lost.
    /// The episode's plan after a point was added to it.
    case pointPlanned([PlannedPoint])
    /// The episode's plan, after a load, a removal, a new plan or a sending.
    case plan(EpisodePlan)
    /// The episode's referral as stored (nil: none recorded), with the plan.
    case referral(Referral?)
    /// The referral was recorded as given (after the store trimmed it).
    case referralSaved(Referral)
    /// The physician's answer to plan letter `letter` was recorded.
    case physicianAnswerRecorded(PhysicianAnswer, on: CalendarDate, letter: Int)
    /// The draft plan's letter as it would be sent.
    case planLetterPreview(String)
    /// A plan letter was sent.
    case planLetterSent(PlanLetterRecord)
    case failed(String)
}
