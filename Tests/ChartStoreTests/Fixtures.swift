import ChartCore
import ChartStore
import Foundation
import GRDB
import Testing

let catalogue = Catalogue.builtIn
let therapist = Clinician(username: "ahale", displayName: "Alex Hale", credentials: "PT, DPT")

/// An in-memory store with a fixed clock and one clinician.
func makeStore() throws -> AppDatabase {
    let db = try AppDatabase.inMemory(environment: .fixed())
    try db.saveClinician(therapist)
    return db
}

/// A temporary directory removed by the caller.
func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "needlechart-tests-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Every screening item answered "no".
func allNo() -> [ScreeningAnswer] {
    catalogue.screening.map { ScreeningAnswer(itemID: $0.id, present: false) }
}

/// A patient with one session charted through close-out and ready to sign (no profile row
/// written first, so the audit log holds only the patient and the session).
func chartedSession(_ db: AppDatabase, chart: String = "NC-0001", name: String = "Zoë Ångström-山田") throws -> (Patient, NeedlingSession) {
    try chartedSession(in: db, chart: chart, name: name, entryIDs: "e", profile: false)
}

/// Runs `sql` behind the guard `trigger`, as a careful adversary with the file would: the
/// trigger dropped, the edit made, the trigger re-created with its very SQL.
func behindTheGuard(_ db: AppDatabase, _ trigger: String, _ sql: String, arguments: StatementArguments = StatementArguments()) throws {
    try db.writer.write { db in
        let guardSQL = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [trigger]) ?? ""
        try db.execute(sql: "DROP TRIGGER \(trigger)")
        try db.execute(sql: sql, arguments: arguments)
        try db.execute(sql: guardSQL)
    }
}

/// A patient (Rita Referred, REF-1) with a draft in charting: neck pain, chronic, screened all
/// "no", consent given, pain 6, no point yet (the jurisdiction and referral tests start here), on
/// either backend.
func neckPainDraft(_ db: any ClinicStore) throws -> NeedlingSession {
    let patient = try db.addPatient(Patient(name: "Rita Referred", dateOfBirth: CalendarDate(iso: "1970-05-05")!, chartNumber: "REF-1"), by: "ahale")
    var s = try db.startSession(patientID: patient.id, clinician: "ahale")
    s.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
    s.screening = allNo()
    s.consent = Consent(obtained: true, at: s.startedAt, explained: ["not-acupuncture"])
    s.nprsBefore = 6
    try s.startCharting(catalogue: catalogue)
    s.version = try db.saveSessionDetails(s, by: "ahale")
    return s
}
