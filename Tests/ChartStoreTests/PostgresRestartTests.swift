import ChartCore
import ChartStore
import Foundation
import TestPostgresServer
import Testing

/// Issue 11's faults: the server restarted mid-session, on a server of the test's own (restarting
/// the shared one would end other tests' sessions).
@Suite struct PostgresRestartTests {
    @Test(.enabled(if: TestPostgres.runs))
    func aServerRestartedBetweenTwoSavesSaysSoInOneLineLosesNothingAndTheNextCallReconnects() throws {
        let server = try TestPostgres.ownServer()
        let url = try TestPostgres.freshClinic(on: server)
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: "Alex Hale", credentials: "PT, DPT", password: nil, environment: .fixed())
        let db = try PostgresStore.connect(url: TestPostgres.url(url, as: "ahale"), environment: .fixed())
        let (_, s) = try chartedSession(in: db)
        for round in 1...2 {
            try server.restart()
            var failures: [String] = []
            var saved = false
            for _ in 0..<3 where !saved {
                do {
                    try db.saveEntry(TriggerPointEntry(id: "r\(round)", regionID: "back-neck", muscle: "levator scapulae", side: .left, recordedAt: s.startedAt),
                                     sessionID: s.id, by: "ahale")
                    saved = true
                } catch {
                    failures.append("\(error)")
                }
            }
            #expect(saved, "\(failures)")
            #expect(failures.count <= 1, "\(failures)")
            for f in failures { #expect(f.contains("connection to PostgreSQL was lost") && !f.contains("\n"), "\(f)") }
        }
        // Everything acknowledged, before and after each restart, is there; the session still signs.
        #expect(try db.session(id: s.id)?.entries.map(\.id) == ["e1", "e2", "r1", "r2"])
        for id in ["r1", "r2"] { try db.deleteEntry(id: id, sessionID: s.id, by: "ahale") }  // the needle count closes as charted
        try server.restart()
        var signed: NeedlingSession?
        var failures: [String] = []
        for _ in 0..<2 where signed == nil {
            do { signed = try db.sign(sessionID: s.id, by: therapist, catalogue: catalogue, version: nil) } catch { failures.append("\(error)") }
        }
        #expect(signed?.signature?.by == "ahale", "\(failures)")
        #expect(failures.count <= 1 && failures.allSatisfy { $0.contains("connection to PostgreSQL was lost") }, "\(failures)")
        let report = try db.check(seal: nil)
        #expect(report.ok, "\(report.problems)")
    }
}
