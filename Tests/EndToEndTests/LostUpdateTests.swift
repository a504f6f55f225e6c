import ChartCore
import ChartStore
import Foundation
import GRDB
import Testing

/// SPEC §6: nobody's save silently overwrites another's. Two app processes open one draft in
/// close-out; the first saves the needle count, the second's pain score (based on the copy it
/// read before) is refused with who changed it, and its screen reloads the stored draft.
@Suite(.serialized) struct LostUpdateTests {
    /// A draft in close-out of the running account: one point of two needles.
    func draft(_ box: Sandbox) throws -> Int64 {
        let me = TestAccount.current.username
        let db = try AppDatabase.open(path: box.db)
        try db.saveClinician(Clinician(username: me, displayName: "Test Clinician"))
        let patient = try db.addPatient(Patient(name: "Lena Draft", dateOfBirth: CalendarDate(iso: "1980-05-05")!, chartNumber: "LU-1"), by: me)
        var s = try db.startSession(patientID: patient.id, clinician: me)
        s.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
        s.screening = Catalogue.builtIn.screening.map { ScreeningAnswer(itemID: $0.id, present: false) }
        s.consent = Consent(obtained: true, at: s.startedAt, explained: ["not-acupuncture"])
        s.nprsBefore = 6
        try s.startCharting(catalogue: .builtIn)
        s.version = try db.saveSessionDetails(s, by: me)
        let e = TriggerPointEntry(id: "lu-e1", regionID: "calf", muscle: "soleus", side: .left, needleCount: 2, recordedAt: s.startedAt)
        try s.upsertEntry(e, catalogue: .builtIn)
        try db.saveEntry(e, sessionID: s.id, by: me)
        try s.beginCloseOut()
        try db.saveSessionDetails(s, by: me)
        return s.id
    }

    @Test func aSaveBasedOnAStaleDraftIsRefusedAndTheScreenReloads() throws {
        try #require(Tmux.available, "tmux is needed (.ci/run installs it)")
        let box = Sandbox()
        defer { box.remove() }
        let id = try draft(box)
        let a = try Tmux(box: box), b = try Tmux(box: box)
        defer { a.kill(); b.kill() }
        for t in [a, b] {
            try t.waitFor("Lena Draft")
            try t.send("Enter")                       // resume the unfinished session offered on start
            try t.waitFor("removed")
        }
        // A counts the needles out and moves on: saved.
        try a.send("a")
        try a.send("Down")
        try a.waitFor("2 removed") { _ in true }
        let deadline = Date().addingTimeInterval(10)
        var removed: Int?
        while Date() < deadline, removed == nil {
            removed = try DatabaseQueue(path: box.db).read { try Int.fetchOne($0, sql: "SELECT needles_removed FROM sessions WHERE id = ?", arguments: [id]) }
            if removed == nil { usleep(50_000) }
        }
        #expect(removed == 2, "A's count is stored")

        // B, still on the copy it read before A's save, gives a count of its own and moves on.
        try b.send("1")
        try b.send("Down")
        let screen = try b.waitFor("changed this draft at")
        #expect(screen.contains("\(TestAccount.current.username) changed this draft at") && screen.contains("theirs is shown, nothing overwritten."))
        let stored = try DatabaseQueue(path: box.db).read {
            try Row.fetchOne($0, sql: "SELECT needles_removed, updated_by FROM sessions WHERE id = ?", arguments: [id])
        }
        #expect(stored?[0] as Int? == 2, "B's stale save did not overwrite A's count")
        #expect(stored?[1] as String? == TestAccount.current.username)
        // B's screen now shows the stored draft: A's count.
        try b.waitFor("B shows A's count") { $0.contains("Needles removed     2") }
        try a.send("C-q"); try b.send("C-q")
    }
}
