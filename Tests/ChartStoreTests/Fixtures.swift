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

/// A patient with one session charted through close-out and ready to sign.
func chartedSession(_ db: AppDatabase, chart: String = "NC-0001", name: String = "Zoë Ångström-山田") throws -> (Patient, NeedlingSession) {
    let patient = try db.addPatient(Patient(name: name, dateOfBirth: CalendarDate(iso: "1984-03-02")!, chartNumber: chart), by: therapist.username)
    var s = try db.startSession(patientID: patient.id, clinician: therapist.username)
    s.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
    s.screening = allNo()
    s.consent = Consent(obtained: true, at: s.startedAt, explained: ["not-acupuncture", "common-effects", "rare-risks"])
    s.nprsBefore = 7
    try s.startCharting(catalogue: catalogue)
    s.version = try db.saveSessionDetails(s, by: therapist.username)
    let entries = [
        TriggerPointEntry(id: "e1", regionID: "back-neck", muscle: "upper trapezius", side: .right, needleCount: 2, depthMM: 18,
                          twitch: TwitchResponse(count: 3, strength: .strong), sensations: ["referred", "familiar"],
                          referredTo: "temple", painDuring: 6, recordedAt: s.startedAt),
        TriggerPointEntry(id: "e2", regionID: "shoulder-blade", muscle: "infraspinatus", side: .right, depthMM: 30,
                          twitch: TwitchResponse(count: 1, strength: .weak), sensations: ["deep-ache"], recordedAt: s.startedAt),
    ]
    for e in entries {
        try s.upsertEntry(e, catalogue: catalogue)
        try db.saveEntry(e, sessionID: s.id, by: therapist.username)
    }
    try s.beginCloseOut()
    try s.updateCloseOut(CloseOut(needlesRemoved: 3, needleBrand: "Seirin", needleLot: "L2311", nprsAfter: 4,
                                  aftercare: ["keep-moving", "water"]), catalogue: catalogue)
    s.version = try db.saveSessionDetails(s, by: therapist.username)
    return (patient, s)
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
