import ChartApp
import ChartCore
import ChartStore
import ChartUI
import Foundation
import Testing

/// Issue 10: a new point starts from this patient's last treatment of the muscle, however many
/// sessions ago it was (a store query, `AppDatabase.lastTreatments`, loaded when a session opens).
@Suite struct LastTreatmentTests {
    /// Signs a session of `patientID` with `points`, through the store as the app saves them.
    static func signed(_ db: AppDatabase, _ patientID: Int64, _ points: [TriggerPointEntry]) throws -> Int64 {
        var s = try db.startSession(patientID: patientID, clinician: clinician.username)
        s.condition = PresentingCondition(catalogueID: "low-back-pain", onset: .chronic)
        s.screening = Catalogue.builtIn.screening.map { ScreeningAnswer(itemID: $0.id, present: false) }
        s.consent = Consent(obtained: true, at: s.startedAt, explained: Catalogue.builtIn.consentItems.map(\.id), obtainedBy: clinician.username)
        s.nprsBefore = 5
        try s.startCharting(catalogue: .builtIn)
        s.version = try db.saveSessionDetails(s, by: clinician.username)
        for e in points {
            try db.saveEntry(e, sessionID: s.id, by: clinician.username)
            s.entries.append(e)
        }
        try s.beginCloseOut()
        s.closeOut = CloseOut(needlesRemoved: points.reduce(0) { $0 + $1.needleCount }, needleBrand: "Seirin", needleLot: "L1", nprsAfter: 3)
        s.version = try db.saveSessionDetails(s, by: clinician.username)
        _ = try db.sign(sessionID: s.id, by: clinician, catalogue: .builtIn, version: s.version)
        return s.id
    }

    @Test func aPointStartsFromTheMusclesLastTreatmentTwoSessionsAgo() throws {
        let env = ChartEnvironment.fixed()
        let db = try AppDatabase.inMemory(environment: env)
        try db.saveClinician(clinician)
        let p = try db.addPatient(Patient(name: "Olu Bakare", dateOfBirth: CalendarDate(year: 1970, month: 3, day: 4)!, chartNumber: "NC-7"),
                                  by: clinician.username)
        // Two sessions ago: the piriformis, long needle, deep, static; last time only the calf.
        let older = try Self.signed(db, p.id, [
            TriggerPointEntry(id: "o1", regionID: "buttock", muscle: "piriformis", side: .left, diameter: NeedleDiameter(hundredths: 30),
                              lengthMM: 75, depth: .deep, depthMM: 50, technique: Technique(kind: .static, minutes: 10), recordedAt: env.now()),
        ])
        let last = try Self.signed(db, p.id, [
            TriggerPointEntry(id: "l1", regionID: "calf", muscle: "soleus", side: .left, diameter: NeedleDiameter(hundredths: 25),
                              lengthMM: 40, depth: .superficial, recordedAt: env.now()),
        ])
        // The query: the newest point per muscle from both, nothing from an unsigned session.
        let draft = try db.startSession(patientID: p.id, clinician: clinician.username)
        let found = try db.lastTreatments(patientID: p.id, before: draft.id)
        #expect(Set(found.map(\.muscle)) == ["piriformis", "soleus"])
        #expect(try db.lastTreatments(patientID: p.id, before: last).map(\.id) == ["o1"], "only sessions before the one asked about")
        #expect(try db.lastTreatments(patientID: p.id, before: older).isEmpty)

        // Through the app: the new session (the draft, resumed) charts the piriformis with /.
        let runner = EffectRunner(database: db, catalogue: .builtIn, clinician: clinician, timeZone: TimeZone(identifier: "UTC")!,
                                  exportDirectory: NSTemporaryDirectory() + "needlechart-last-treatment", confineExports: true)
        let context = AppContext(catalogue: .builtIn, clinician: clinician, timeZone: TimeZone(identifier: "UTC")!,
                                 now: env.now(), newID: env.newID, exportDirectory: NSTemporaryDirectory())
        var d = Driver(runner: runner, context: context, idleTimeout: nil)
        d.start()
        let keys: [Key] = [.enter]  // resume the unfinished session offered on start
            + [.character("="), .character("a"), .character("6"), .enter, .escape]
            + [.character("/")] + Key.typing("piri") + [.enter, .character("l"), .ctrl("s"), .character("y")]
        for k in keys { d.send(k, now: d.context.now) }
        let s = try #require(try db.session(id: draft.id))
        let e = try #require(s.entries.first)
        #expect(e.muscle == "piriformis" && e.side == .left)
        #expect(e.diameter == NeedleDiameter(hundredths: 30) && e.lengthMM == 75 && e.depth == .deep && e.depthMM == 50)
        #expect(e.technique == Technique(kind: .static, minutes: 10))
    }
}
