import ChartApp
import ChartCore
import ChartStore
@testable import ChartUI
import Foundation
import TestPostgresServer
import Testing

/// Close-out's needle lots on a shared clinic (SPEC §9), through the app's effects and a
/// clinician's connection to the server: as on SQLite (ChartAppTests.RegulatedChartingTests), a
/// scan is recorded for its size and read back, an expired box is refused with nothing stored,
/// the session signs, and the clinician's next session offers the box in use.
@Suite struct PostgresCloseOutLotsTests {
    let zone = TimeZone(identifier: "UTC")!
    let me = Clinician(username: "ahale", displayName: "Alex Hale", credentials: "PT, DPT")

    @Test(.enabled(if: TestPostgres.runs))
    func aScanIsRecordedOnTheServerTheSessionSignsAndTheNextOffersTheBox() throws {
        let url = try TestPostgres.freshClinic()
        try PostgresAdmin.addClinician(url: url, login: "ahale", displayName: me.displayName, credentials: me.credentials, password: nil, environment: .fixed())
        let env = ChartEnvironment.fixed()
        let db = try PostgresStore.connect(url: TestPostgres.url(url, as: "ahale"), environment: env)
        let patient = try db.addPatient(Patient(name: "Rita Lots", dateOfBirth: CalendarDate(iso: "1970-05-05")!, chartNumber: "LOT-1"), by: "ahale")
        let runner = EffectRunner(database: db, catalogue: .builtIn, clinician: me, timeZone: zone,
                                  exportDirectory: NSTemporaryDirectory(), confineExports: true)
        let context = AppContext(catalogue: .builtIn, clinician: me, timeZone: zone, now: env.now(), newID: env.newID,
                                 exportDirectory: NSTemporaryDirectory())

        /// A draft in charting, its screen, and a runner of keys whose effects come back before the next key.
        func draft() throws -> NeedlingSession {
            var s = try db.startSession(patientID: patient.id, clinician: "ahale")
            s.condition = PresentingCondition(catalogueID: "neck-pain", onset: .chronic)
            s.screening = Catalogue.builtIn.screening.map { ScreeningAnswer(itemID: $0.id, present: false) }
            s.consent = Consent(obtained: true, at: s.startedAt, explained: ["not-acupuncture"])
            s.nprsBefore = 6
            try s.startCharting(catalogue: .builtIn)
            s.version = try db.saveSessionDetails(s, by: "ahale")
            return try #require(try db.session(id: s.id))
        }
        var screen = SessionScreen(session: try draft(), patient: patient, previous: nil, context: context)
        func run(_ keys: [Key], first: [Command] = []) -> [String] {
            var statuses: [String] = []
            func drain(_ start: [Command]) {
                var commands = start
                while !commands.isEmpty {
                    switch commands.removeFirst() {
                    case let .run(effect): for event in runner.run(effect) { commands += screen.receive(event, context: context) }
                    case let .status(text, _): statuses.append(text)
                    default: break
                    }
                }
            }
            drain(first)
            for key in keys { drain(screen.handle(key, context: context)) }
            return statuses
        }
        func typing(_ text: String) -> [Key] { text.map { Key.character($0) } }

        let entry = TriggerPointEntry(id: "x1", regionID: "calf", muscle: "soleus", side: .left, recordedAt: screen.session.startedAt)
        _ = run([], first: SessionScreen.loadLastTreatments(screen.session) + [.run(.saveEntry(entry, sessionID: screen.session.id))])
        #expect(screen.session.entries.map(\.id) == ["x1"])
        _ = run([.character("o"), .character("a")] + typing("Seirin") + [.down])
        #expect(screen.closing.focus == .lot)
        #expect(screen.needleLots.recorded == [] && screen.needleLots.unavailable == nil, "the server keeps lots per size")
        let expired = run(typing("0109501101530003172001311") + typing("0OLD") + [.enter])
        #expect(expired.last?.contains("expired on 2020-01-31") == true, "\(expired)")
        #expect(try db.needleLots(sessionID: screen.session.id).isEmpty)
        _ = run([.ctrl("u")] + typing("0109501101530003") + typing("10J2509\u{1D}17270531") + [.enter])
        let size = try #require(NeedleSize.used(in: screen.session.entries).first)
        let recorded = NeedleLot(size: size, lot: "J2509", expiry: CalendarDate(iso: "2027-05-31"), brand: "Seirin", gtin: "09501101530003")
        #expect(try db.needleLots(sessionID: screen.session.id) == [recorded])
        #expect(screen.closing.focus == .nprs)
        _ = run([.character("3"), .ctrl("s"), .character("y")])
        let signed = try #require(try db.sessionRecord(id: screen.session.id))
        #expect(signed.session.isSigned && signed.signedNote?.noteText?.contains("J2509") == true)

        // The next session's close-out offers the box in use, and Enter on the empty field records it.
        screen = SessionScreen(session: try draft(), patient: patient, previous: nil, context: context)
        let next = TriggerPointEntry(id: "x2", regionID: "calf", muscle: "soleus", side: .left, recordedAt: screen.session.startedAt)
        _ = run([], first: SessionScreen.loadLastTreatments(screen.session) + [.run(.saveEntry(next, sessionID: screen.session.id))])
        _ = run([.character("o"), .character("a")] + typing("Seirin") + [.down])
        #expect(screen.needleLots.offer(for: size)?.lot == "J2509")
        _ = run([.enter])
        #expect(try db.needleLots(sessionID: screen.session.id).map(\.lot) == ["J2509"])
        let report = try db.check(seal: nil)
        #expect(report.ok, "\(report.problems)")
    }
}
