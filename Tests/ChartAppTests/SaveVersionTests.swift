import ChartApp
import ChartCore
import ChartStore
import ChartUI
import Foundation
import GRDB
import Testing

/// A colleague's save that lands just after this app's save commits, before the app reads the
/// session back: the narrowest race two clinicians on one draft can have.
private final class ColleagueSavesAfterCommit: TransactionObserver, @unchecked Sendable {
    let colleague: AppDatabase
    let sessionID: Int64
    private var armed = true

    init(colleague: AppDatabase, sessionID: Int64) { self.colleague = colleague; self.sessionID = sessionID }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidRollback(_ db: Database) {}
    func databaseDidCommit(_ db: Database) {
        guard armed else { return }
        armed = false
        guard var s = try? colleague.session(id: sessionID) else { return }
        s.nprsBefore = 2
        _ = try? colleague.saveSessionDetails(s, by: "bkim")
    }
}

@Suite struct SaveVersionTests {
    /// `.sessionSaved` carries the version the save wrote. Read back after a colleague's save it
    /// would carry theirs, and the next save based on it would overwrite their change unseen.
    @Test func aSaveReportsTheVersionItWroteSoAColleaguesLaterSaveIsNotOverwritten() throws {
        let dir = NSTemporaryDirectory() + "needlechart-version-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = ChartEnvironment.fixed()
        let mine = try AppDatabase.open(path: dir + "/clinic.sqlite", environment: env)
        try mine.saveClinician(clinician)
        try mine.saveClinician(Clinician(username: "bkim", displayName: "Bo Kim"))
        let patient = try mine.addPatient(Patient(id: 0, name: "Lena Draft", dateOfBirth: CalendarDate(year: 1980, month: 5, day: 5)!, chartNumber: "LU-1"),
                                          by: clinician.username)
        var s = try mine.startSession(patientID: patient.id, clinician: clinician.username)
        let colleague = try AppDatabase.open(path: dir + "/clinic.sqlite", environment: env)
        let observer = ColleagueSavesAfterCommit(colleague: colleague, sessionID: s.id)
        mine.writer.add(transactionObserver: observer)  // held weakly: `observer` lives to the end
        defer { withExtendedLifetime(observer) {} }
        let runner = EffectRunner(database: mine, catalogue: .builtIn, clinician: clinician, timeZone: TimeZone(identifier: "UTC")!,
                                  exportDirectory: dir)

        s.nprsBefore = 5
        let saved = runner.run(.saveSessionDetails(s))
        guard case let .sessionSaved(stored)? = saved.first else { Issue.record("not saved: \(saved)"); return }
        #expect(stored.version == s.version + 1, "the version this save wrote, not the colleague's after it")
        #expect(try colleague.session(id: s.id)?.nprsBefore == 2, "the colleague's save landed after ours")

        // The screen's next save is based on the version reported: it is refused, theirs stays.
        var next = s
        next.version = stored.version
        next.nprsBefore = 6
        let again = runner.run(.saveSessionDetails(next))
        guard case .sessionReloaded? = again.first else { Issue.record("expected a reload, got \(again)"); return }
        #expect(try mine.session(id: s.id)?.nprsBefore == 2)
    }
}
