import ChartCore
import Foundation

/// The storage seam: everything the app and the command line ask of the record, in ChartCore's
/// read models and commands. Two backends conform: `AppDatabase` (one SQLite file) and
/// `PostgresStore` (a shared clinic on a PostgreSQL server). Both freeze the same signed
/// documents and keep the same audit chain, so exports, `check` and seals mean the same on both.
///
/// Calls are synchronous: the PostgreSQL backend waits on its network calls (see `PostgresStore`).
public protocol ClinicStore: Sendable {
    /// Clock, id generator and time zone used for every record written.
    var environment: ChartEnvironment { get }
    /// The catalogue under which notes are frozen at signing.
    var catalogue: Catalogue { get }

    // MARK: Settings
    /// The clinic's name as printed on exports.
    func clinicName() throws -> String
    /// The zone in which the clinic's notes show times.
    func clinicTimeZone() throws -> TimeZone
    /// Sets the clinic's name printed on exports.
    func setClinicName(_ name: String, by actor: String) throws
    /// Sets the clinic's time zone by its identifier ("Europe/Berlin").
    func setClinicTimeZone(_ identifier: String, by actor: String) throws

    // MARK: Clinicians
    /// Records the clinician, or updates their display name and credentials.
    func saveClinician(_ c: Clinician) throws
    /// The clinician with `username`, if recorded.
    func clinician(_ username: String) throws -> Clinician?

    // MARK: Patients
    /// Adds a patient after validation; the chart number must be unused.
    @discardableResult func addPatient(_ patient: Patient, by actor: String) throws -> Patient
    /// Saves changed details of an existing patient.
    func updatePatient(_ patient: Patient, by actor: String) throws
    /// The patient with database id `id`.
    func patient(id: Int64) throws -> Patient?
    /// The patients with these ids (those that exist), by id: one read, not one per patient.
    func patients(ids: [Int64]) throws -> [Int64: Patient]
    /// The patient with chart number `chartNumber` (case-insensitive).
    func patient(chartNumber: String) throws -> Patient?
    /// Number of patients.
    func patientCount() throws -> Int
    /// Patients whose name or chart number starts with the words of `text`, case and diacritics
    /// folded, by name; empty text lists all by name.
    func searchPatients(_ text: String, limit: Int) throws -> [Patient]

    // MARK: Sessions, reading
    /// The whole session with its entries and addenda.
    func session(id: Int64) throws -> NeedlingSession?
    /// A patient's sessions, newest first.
    func sessions(patientID: Int64) throws -> [SessionSummary]
    /// Unsigned sessions of `clinician` (all when nil), newest first.
    func unfinishedSessions(clinician: String?) throws -> [SessionSummary]
    /// The patient's most recent signed session started before `sessionID` (or at all).
    func previousSession(patientID: Int64, before sessionID: Int64?) throws -> NeedlingSession?
    /// This patient's last treatment of each muscle before a session: a new point starts from it.
    func lastTreatments(patientID: Int64, before sessionID: Int64) throws -> [TriggerPointEntry]
    /// How many entries of the patient's sessions fall in each region.
    func regionCounts(patientID: Int64) throws -> [String: Int]
    /// For each of `patientIDs`, what the Patients list shows of their sessions (a patient with
    /// none is left out of the answer).
    func sessionMarks(patientIDs: [Int64]) throws -> [Int64: PatientSessionMark]

    // MARK: Sessions, writing
    /// Starts a session in screening, carrying the last session's screening and condition forward.
    func startSession(patientID: Int64, clinician: String) throws -> NeedlingSession
    /// Saves everything of a draft but its entries and addenda; a stale `session.version` is
    /// refused (`StoreError.Kind.staleDraft`). Returns the draft's new version.
    @discardableResult func saveSessionDetails(_ session: NeedlingSession, by actor: String) throws -> Int
    /// Saves one charted entry durably (idempotent by the entry's id).
    func saveEntry(_ entry: TriggerPointEntry, sessionID: Int64, by actor: String) throws
    /// Removes a charted entry (until signing).
    func deleteEntry(id: String, sessionID: Int64, by actor: String) throws
    /// Signs the session as stored (only if still at `version`, when given) and freezes its note.
    @discardableResult func sign(sessionID: Int64, by signer: Clinician, catalogue: Catalogue, version: Int?) throws -> NeedlingSession
    /// Adds an addendum to a signed session.
    @discardableResult func addAddendum(sessionID: Int64, text: String, adverseEvent: AdverseEvent?, by actor: String) throws -> Addendum

    // MARK: Regulated practice (SPEC §9)
    /// The needle lots recorded per size for a session (the single lot field not included).
    func needleLots(sessionID: Int64) throws -> [NeedleLot]
    /// Records the lot of one needle size used in an unsigned session; refused with a message
    /// (an expired lot, a bad GTIN, a signed session, …).
    func recordNeedleLot(_ lot: NeedleLot, sessionID: Int64, by actor: String) throws
    /// Removes a lot recorded in error from an unsigned session; false when there was none.
    @discardableResult func removeNeedleLot(sessionID: Int64, size: NeedleSize, lot: String, by actor: String) throws -> Bool
    /// The boxes `clinician` has in use for a session: per size, the lot they recorded last in
    /// another session of the last weeks, not expired on its day (offered, never recorded unasked).
    func lotsInUse(sessionID: Int64, by clinician: String) throws -> [NeedleLot]
    /// The lots that apply to a session: recorded per size, then its single lot field for its
    /// one size where that is unambiguous (`NeedleLots.effective`).
    func effectiveNeedleLots(sessionID: Int64) throws -> [NeedleLot]
    /// Every session that used `lot` (whole, case and surrounding spaces ignored), per size and
    /// in sessions' single lot field, oldest first, drafts included. Reads only.
    func recall(lot: String) throws -> [RecallHit]
    /// The patient's last consent against the clinic's current consent form version.
    func consentFormStatus(patientID: Int64) throws -> ConsentFormStatus
    /// The clinic's consent form version `version` (the current when nil; the built-in default as
    /// version 1 while none is stored). Reads only; a version that does not exist is refused.
    func consentForm(version: Int?) throws -> ConsentForm
    /// Every stored consent form version, oldest first (empty while the built-in default is unused).
    func consentFormVersions() throws -> [ConsentForm]
    /// Stores `text` as the next consent form version (never a change to one); refused with a
    /// message when empty, too long, with control characters or the same as the current.
    @discardableResult func editConsentForm(text: String, by actor: String) throws -> ConsentForm
    /// The consent form a session's consent was given to, or nil.
    func consentFormReference(sessionID: Int64) throws -> ConsentFormReference?
    /// The role, licence and dry needling training on `username`'s profile (empty when none).
    func clinicianCredentials(_ username: String) throws -> ClinicianCredentials
    /// Saves the credentials on `actor`'s own profile (a server's clinician: their role's);
    /// refused with a message when a value is wrong or there is no profile.
    func saveClinicianCredentials(_ credentials: ClinicianCredentials, by actor: String) throws
    /// The clinic's procedure coding (none by default).
    func codingSystem() throws -> CodingSystem
    /// Sets the clinic's procedure coding; notes signed before keep theirs.
    func setCodingSystem(_ system: CodingSystem, by actor: String) throws
    /// The hours of dry needling training a signer of a needling note needs; nil when none.
    func minimumTrainingHours() throws -> Int?
    /// Sets that minimum (0 removes it); refused outside 0 to `CredentialRules.maxHours`.
    func setMinimumTrainingHours(_ hours: Int, by actor: String) throws
    /// Adds a point to the episode's plan for New Jersey's plan letter; refused with a message
    /// (a muscle the catalogue does not list, a plan whose letter was sent). Returns the plan's points.
    @discardableResult func addPlannedPoint(_ point: PlannedPoint, patientID: Int64, condition: PresentingCondition, by actor: String) throws -> [PlannedPoint]
    /// The episode's plan: the draft's points, and each letter sent with its latest answer.
    func episodePlan(patientID: Int64, condition: PresentingCondition) throws -> EpisodePlan
    /// Removes planned point `number` (1-based) from the draft plan; refused once its letter was sent.
    @discardableResult func removePlannedPoint(number: Int, patientID: Int64, condition: PresentingCondition, by actor: String) throws -> [PlannedPoint]
    /// Starts a new plan after a letter was sent (the next version); returns its version.
    @discardableResult func startNewPlan(patientID: Int64, condition: PresentingCondition, by actor: String) throws -> Int
    /// The draft plan's letter as it would be sent today; writes nothing.
    func previewPlanLetter(patientID: Int64, condition: PresentingCondition, clinician: String) throws -> String
    /// Sends the draft plan's letter: keeps its text and hash and freezes the plan.
    @discardableResult func sendPlanLetter(patientID: Int64, condition: PresentingCondition, by actor: String) throws -> PlanLetterRecord
    /// Records the referring physician's answer to the episode's latest plan letter (added, never
    /// overwriting; refused before any letter, for a day before it or in the future).
    func recordPhysicianAnswer(_ answer: PhysicianAnswer, on day: CalendarDate, how: String, patientID: Int64,
                               condition: PresentingCondition, by actor: String) throws
    /// The clinic's jurisdiction rule set (none by default): what needling waits on.
    func jurisdiction() throws -> Jurisdiction
    /// Sets the clinic's jurisdiction rule set (a clinic setting, audited as the others).
    func setJurisdiction(_ jurisdiction: Jurisdiction, by actor: String) throws
    /// The referral recorded for a patient's episode of `condition`, if any.
    func referral(patientID: Int64, condition: PresentingCondition) throws -> Referral?
    /// Records (or updates) the referral of an episode; refused with `JurisdictionRules.validate`'s issues.
    func saveReferral(_ referral: Referral, patientID: Int64, condition: PresentingCondition, by actor: String) throws

    // MARK: Records and export
    /// The session with its patient and clinician, numbered among the patient's sessions;
    /// `documents: false` for a text export (a store may then leave unread what the text does
    /// not print: a signed note's document, and for a note kept as text its entries).
    func sessionRecord(id: Int64, documents: Bool) throws -> SessionRecord?
    /// Every session of the patient as export records, oldest first.
    func sessionRecords(patientID: Int64) throws -> [SessionRecord]
    /// Every session of the clinic as an export record, in chart order, streamed. Returns the count.
    /// One patient's sessions as export records, oldest first, from one snapshot; `start` is told
    /// the first and last records and the count before `body` sees each. Returns the count.
    /// `documents: false` may leave out signed documents a text export does not need.
    @discardableResult func forEachSessionRecord(patientID: Int64, documents: Bool, start: (_ first: SessionRecord?, _ last: SessionRecord?, _ count: Int) throws -> Void,
                                                 _ body: (SessionRecord) throws -> Void) throws -> Int
    @discardableResult func forEachSessionRecord(_ body: (SessionRecord) throws -> Void) throws -> Int
    /// Records that something was exported; returns the record seal (the chain's new head).
    @discardableResult func logExport(entity: String, entityID: String, detail: String, by actor: String) throws -> String

    // MARK: Reports
    /// Every signed session in which needles went in, oldest first, with its adverse events at
    /// close-out and those reported later on addenda; only days (in the clinic's zone) within
    /// `from`...`to` (either open) and, with `clinician`, sessions charted by that account. Reads
    /// only. What the clinic reports (SPEC §9) are computed from.
    func reportSessions(from: CalendarDate?, to: CalendarDate?, clinician: String?) throws -> [ReportSession]

    // MARK: Audit and maintenance
    /// The audit log, oldest first (or only the last `limit` rows).
    func auditLog(limit: Int?) throws -> [AuditEntry]
    /// Checks, reading only: the audit chain and every record it binds (and, with `seal`, that
    /// the chain still holds that earlier head).
    func check(seal: String?) throws -> CheckReport
    /// Copies the record to a new file, consistently; returns the record seal. A server's record
    /// is backed up with the server's own tools (pg_dump), so that backend refuses with a message.
    func backup(to destination: String, by actor: String) throws -> String

    // MARK: Bulk
    /// Stores a complete session made elsewhere, exactly as given. Returns its new id.
    @discardableResult func importSession(_ session: NeedlingSession, patientID: Int64) throws -> Int64
    /// Loads the demo clinic into an empty store, in one transaction.
    @discardableResult func loadDemo(_ clinic: DemoClinic) throws -> (patients: Int, sessions: Int)
}

extension ClinicStore {
    /// One patient's sessions as export records, oldest first (see the requirement).
    @discardableResult
    public func forEachSessionRecord(patientID: Int64, _ body: (SessionRecord) throws -> Void) throws -> Int {
        try forEachSessionRecord(patientID: patientID, documents: true, start: { _, _, _ in }, body)
    }
    /// Patients matching `text`, at most 50.
    public func searchPatients(_ text: String) throws -> [Patient] { try searchPatients(text, limit: 50) }
    /// The session's full export record (text and JSON).
    public func sessionRecord(id: Int64) throws -> SessionRecord? { try sessionRecord(id: id, documents: true) }
    /// Unsigned sessions of every clinician.
    public func unfinishedSessions() throws -> [SessionSummary] { try unfinishedSessions(clinician: nil) }
    /// The patient's most recent signed session.
    public func previousSession(patientID: Int64) throws -> NeedlingSession? { try previousSession(patientID: patientID, before: nil) }
    /// Signs without naming a draft version.
    @discardableResult
    public func sign(sessionID: Int64, by signer: Clinician, catalogue: Catalogue) throws -> NeedlingSession {
        try sign(sessionID: sessionID, by: signer, catalogue: catalogue, version: nil)
    }
    /// An addendum without a coded adverse event.
    @discardableResult
    public func addAddendum(sessionID: Int64, text: String, by actor: String) throws -> Addendum {
        try addAddendum(sessionID: sessionID, text: text, adverseEvent: nil, by: actor)
    }
    /// The whole audit log.
    public func auditLog() throws -> [AuditEntry] { try auditLog(limit: nil) }
    /// The clinic's current consent form.
    public func consentForm() throws -> ConsentForm { try consentForm(version: nil) }
    /// Checks without a seal.
    public func check() throws -> CheckReport { try check(seal: nil) }
}
